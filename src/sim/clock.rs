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
        let drift = (now.0 as i128 * self.drift_ppm as i128) / 1_000_000;
        let t = now.0 as i128 + drift + self.offset_us as i128;
        Time(t.clamp(0, Time::MAX.0 as i128) as u64)
    }
    /// How much true time passes while this clock advances by `local` (for timers).
    pub fn true_duration(&self, local: Time) -> Time {
        let rate = 1_000_000i128 + self.drift_ppm as i128;
        if rate <= 0 {
            return Time::MAX;
        }
        let d = (local.0 as i128 * 1_000_000) / rate;
        Time(d.clamp(0, Time::MAX.0 as i128) as u64)
    }
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
