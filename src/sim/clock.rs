//! Logical and physical clocks the engine keeps for every agent, so every scenario gets them:
//! Lamport clocks (Lamport 1978), vector clocks (Fidge/Mattern 1988), and drifting physical
//! clocks with a skew and a rate error in parts per million.

use super::time::Time;
use serde::{Deserialize, Serialize};

/// A Lamport timestamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Lamport(pub u64);

impl Lamport {
    /// A local event or a send: tick.
    pub fn tick(&mut self) -> Lamport {
        self.0 += 1;
        *self
    }
    /// A receive: max(local, received) + 1.
    pub fn merge(&mut self, received: Lamport) -> Lamport {
        self.0 = self.0.max(received.0) + 1;
        *self
    }
}

/// A vector clock over `n` agents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorClock(pub Vec<u64>);

impl VectorClock {
    pub fn new(n: usize) -> VectorClock {
        VectorClock(vec![0; n])
    }
    pub fn tick(&mut self, me: usize) {
        if let Some(c) = self.0.get_mut(me) {
            *c += 1;
        }
    }
    pub fn merge(&mut self, other: &VectorClock) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a = (*a).max(*b);
        }
    }
    /// `self` happened before `other`: ≤ everywhere and < somewhere.
    pub fn happened_before(&self, other: &VectorClock) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| a <= b)
            && self.0 != other.0
    }
    pub fn concurrent(&self, other: &VectorClock) -> bool {
        !self.happened_before(other) && !other.happened_before(self) && self != other
    }
}

/// A physical clock: reads `true_time * (1 + drift_ppm/1e6) + offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhysicalClock {
    pub offset_us: i64,
    pub drift_ppm: i64,
}

impl PhysicalClock {
    pub fn read(&self, now: Time) -> Time {
        // now × drift / 10^6, rounded toward zero.
        let p = now.0 as u128 * self.drift_ppm.unsigned_abs() as u128;
        let drift = div(p, 1_000_000) as i128;
        let drift = if self.drift_ppm < 0 { -drift } else { drift };
        let t = now.0 as i128 + drift + self.offset_us as i128;
        Time(t.clamp(0, Time::MAX.0 as i128) as u64)
    }
    /// How much true time passes while this clock advances by `local` (for timers).
    pub fn true_duration(&self, local: Time) -> Time {
        let rate = 1_000_000i128 + self.drift_ppm as i128;
        if rate <= 0 {
            return Time::MAX;
        }
        if rate == 1_000_000 {
            return local.min(Time::MAX);
        }
        let d = div(local.0 as u128 * 1_000_000, rate as u128);
        Time(d.min(Time::MAX.0 as u128) as u64)
    }
}

/// `n / d` (d > 0) by shift and subtract: the 128-bit `/` links compiler-builtins' 128-bit
/// division, ~1 KB of the wasm, for these two. Here n < 2^127 and d < 2^64, so `r << 1` cannot
/// overflow. Without drift (the default) neither caller loops.
fn div(n: u128, d: u128) -> u128 {
    if n < d {
        return 0;
    }
    let (mut q, mut r) = (0, 0u128);
    for i in (0..128 - n.leading_zeros()).rev() {
        r = r << 1 | (n >> i & 1);
        if r >= d {
            r -= d;
            q |= 1 << i;
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lamport_receive_jumps_past_the_sender() {
        let mut a = Lamport::default();
        a.tick();
        assert_eq!(a.merge(Lamport(10)), Lamport(11));
        assert_eq!(a.merge(Lamport(3)), Lamport(12));
    }

    #[test]
    fn vector_clocks_order_and_concurrency() {
        let mut a = VectorClock::new(2);
        let mut b = VectorClock::new(2);
        a.tick(0);
        b.tick(1);
        assert!(a.concurrent(&b));
        b.merge(&a);
        b.tick(1);
        assert!(a.happened_before(&b));
        assert!(!b.happened_before(&a));
    }

    /// The clock as it was written with 128-bit division.
    fn read_i128(c: &PhysicalClock, now: Time) -> Time {
        let drift = (now.0 as i128 * c.drift_ppm as i128) / 1_000_000;
        let t = now.0 as i128 + drift + c.offset_us as i128;
        Time(t.clamp(0, Time::MAX.0 as i128) as u64)
    }
    fn true_duration_i128(c: &PhysicalClock, local: Time) -> Time {
        let rate = 1_000_000i128 + c.drift_ppm as i128;
        if rate <= 0 {
            return Time::MAX;
        }
        let d = (local.0 as i128 * 1_000_000) / rate;
        Time(d.clamp(0, Time::MAX.0 as i128) as u64)
    }

    #[test]
    fn shift_and_subtract_division_equals_the_128_bit_one_at_the_extremes() {
        let ppms = [
            0,
            1,
            -1,
            999_999,
            -999_999,
            1_000_000,
            -1_000_000,
            500_000,
            -500_000,
            100_000,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        let times = [
            0,
            1,
            999_999,
            1_000_000,
            1_000_001,
            1_100_000,
            Time::MAX.0,
            Time::MAX.0 + 1,
            u64::MAX,
            u64::MAX - 1,
        ];
        for drift_ppm in ppms {
            for offset_us in [0, 500, -500, i64::MAX, i64::MIN] {
                let c = PhysicalClock {
                    offset_us,
                    drift_ppm,
                };
                for t in times {
                    assert_eq!(
                        c.read(Time(t)),
                        read_i128(&c, Time(t)),
                        "{drift_ppm} {offset_us} {t}"
                    );
                    assert_eq!(
                        c.true_duration(Time(t)),
                        true_duration_i128(&c, Time(t)),
                        "{drift_ppm} {t}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn shift_and_subtract_division_equals_the_128_bit_one(
            t in proptest::prelude::any::<u64>(), small in 0u64..2_000_000_000_000,
            drift_ppm in proptest::prelude::any::<i64>(), ppm in -1_000_000i64..1_000_000,
            offset_us in -1_000_000_000i64..1_000_000_000,
        ) {
            for (t, drift_ppm) in [(t, drift_ppm), (small, ppm), (t, ppm), (small, drift_ppm)] {
                let c = PhysicalClock { offset_us, drift_ppm };
                proptest::prop_assert_eq!(c.read(Time(t)), read_i128(&c, Time(t)));
                proptest::prop_assert_eq!(c.true_duration(Time(t)), true_duration_i128(&c, Time(t)));
            }
        }
    }

    #[test]
    fn a_fast_clock_runs_ahead_and_shortens_timers() {
        let c = PhysicalClock {
            offset_us: 500,
            drift_ppm: 100_000,
        };
        assert_eq!(c.read(Time(1_000_000)), Time(1_100_500));
        assert_eq!(c.true_duration(Time(1_100_000)), Time(1_000_000));
    }
}
