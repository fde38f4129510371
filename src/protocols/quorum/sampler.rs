//! Fast, exact samplers for the Monte Carlo's message legs.
//!
//! The WARS model draws four legs per replica per trial, so the samplers are the inner loop. A
//! profile of the straightforward inverse-CDF samplers (`-ln u / λ`, `x_m · u^(−1/α)`) showed
//! `libm::log` and `libm::exp` taking ~60 % of the time. Here:
//! - Exp(1) comes from the ziggurat method (Marsaglia & Tsang, "The Ziggurat Method for
//!   Generating Random Variables", J. Stat. Software 5(8), 2000), 256 layers: about 99 % of draws
//!   cost one `u64`, a table look-up and a multiply; the rest (layer edges, the tail beyond R)
//!   fall back to `libm`. It is exact — accepted points are uniform under the density — not an
//!   approximation.
//! - Exp(λ) is `E / λ`; Pareto(x_m, α) is `x_m · exp(E / α)` (if E ~ Exp(1) then
//!   `P(x_m e^{E/α} > x) = (x_m / x)^α`), so one `exp` instead of a `log` and an `exp`.
//! - `exp` itself (for the Pareto parts, which are 91 % of LinkedIn's legs) is [`ExpTable`]: a
//!   64-entry table of 2^(j/64) and a degree-5 polynomial on a reduced argument |r| ≤ ln2/128
//!   (the classic table-driven method, Tang, ACM TOMS 15(2), 1989), within a few ulp of
//!   `libm::exp` and about four times cheaper; only +, ×, table look-ups and bit operations, so
//!   the bits are the same on every target.
//! - A two-part mixture picks its part with one integer comparison of a fresh `u64` against
//!   `p · 2^64` (no float division, no recursion through boxes).
//!
//! Everything else (nested mixtures, log-normal, uniform, …) falls back to [`Dist::sample_ms`].
//! The tables are built with `libm`, and every step is IEEE-exact arithmetic or `libm`, so native
//! and wasm draw the same bits.

use crate::sim::dist::{Dist, MAX_SAMPLE_MS};
use crate::sim::rng::SimRng;

/// Right edge of the base layer (Marsaglia & Tsang's exponential ziggurat, 256 layers).
const ZIG_R: f64 = 7.697_117_470_131_05;
/// Area of each layer.
const ZIG_V: f64 = 0.003_949_659_822_581_557;

/// `e^y` by table and polynomial (see the module docs); outside (−700, 700) and for NaN it
/// defers to `libm::exp`.
#[derive(Clone, Debug)]
pub struct ExpTable {
    /// 2^(j/64), j = 0..64.
    pow2: [f64; 64],
}

impl Default for ExpTable {
    fn default() -> Self {
        Self::new()
    }
}

impl ExpTable {
    pub fn new() -> ExpTable {
        let mut pow2 = [0.0; 64];
        for (j, v) in pow2.iter_mut().enumerate() {
            *v = libm::exp2(j as f64 / 64.0);
        }
        ExpTable { pow2 }
    }

    #[inline]
    pub fn exp(&self, y: f64) -> f64 {
        // ln 2 / 64 split so that k · HI is exact (musl's ln2_hi has 21 trailing zero bits).
        const INV: f64 = 64.0 / core::f64::consts::LN_2;
        const HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000) / 64.0; // musl's ln2_hi
        const LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76) / 64.0; // musl's ln2_lo
        const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52: adding it rounds to an integer
                                                    // NaN fails both comparisons and goes to libm, as do overflow and underflow.
        if !(y > -700.0 && y < 700.0) {
            return libm::exp(y);
        }
        let kf = y * INV + ROUND;
        let k = kf.to_bits() as i64 - ROUND.to_bits() as i64; // the rounded integer
        let kf = kf - ROUND;
        let r = (y - kf * HI) - kf * LO; // |r| ≤ ln2/128 (+ rounding)
                                         // e^r − 1 by Taylor to degree 5: the remainder r^6/720 < 4e-17.
        let p = r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0)))));
        let j = (k & 63) as usize;
        let e = k >> 6; // floor division: k = 64 e + j
        let scale = f64::from_bits(((1023 + e) as u64) << 52);
        let t = self.pow2[j];
        (t + t * p) * scale
    }
}

/// The exponential ziggurat's tables: layer edges `x[0..=256]` (decreasing, `x[256] = 0`) and the
/// density at them, `f[i] = exp(−x[i])`.
#[derive(Clone, Debug)]
pub struct ZigExp {
    x: [f64; 257],
    f: [f64; 257],
}

impl Default for ZigExp {
    fn default() -> Self {
        Self::new()
    }
}

impl ZigExp {
    pub fn new() -> ZigExp {
        let mut x = [0.0; 257];
        let mut f = [0.0; 257];
        // Layer 0 is the base strip plus the tail: width V / f(R) so that its area is V too.
        x[0] = ZIG_V / libm::exp(-ZIG_R);
        x[1] = ZIG_R;
        for i in 1..256 {
            // Layer i spans [f(x[i]), f(x[i+1])] in height over [0, x[i]]: area V.
            let y = libm::exp(-x[i]) + ZIG_V / x[i];
            x[i + 1] = if y >= 1.0 { 0.0 } else { -libm::log(y) };
        }
        x[256] = 0.0;
        for i in 0..257 {
            f[i] = libm::exp(-x[i]);
        }
        ZigExp { x, f }
    }

    /// One Exp(1) draw.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        loop {
            let bits = rng.next_u64();
            // Low 8 bits pick the layer, the top 53 the position in it (independent bits).
            let i = (bits & 0xff) as usize;
            let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            let x = u * self.x[i];
            if x < self.x[i + 1] {
                return x; // inside the layer's rectangle that lies wholly under the density
            }
            if i == 0 {
                // Beyond R the exponential is memoryless: R + Exp(1).
                return ZIG_R - libm::log(1.0 - rng.unit());
            }
            // The wedge: accept if a uniform height lies under the density.
            if self.f[i + 1] + (self.f[i] - self.f[i + 1]) * rng.unit() < libm::exp(-x) {
                return x;
            }
        }
    }
}

/// The tables the fast samplers share (built once per Monte Carlo run, ~300 `libm` calls).
#[derive(Clone, Debug, Default)]
pub struct Tables {
    pub zig: ZigExp,
    pub exp: ExpTable,
}

/// One part of a leg's distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Part {
    Const(f64),
    /// `shift + scale · E`: Exp(λ) (scale 1/λ), or a shifted one (`same-rack`).
    Exp {
        shift: f64,
        scale: f64,
    },
    /// `xm · exp(E / α)`.
    Pareto {
        xm: f64,
        inv_alpha: f64,
    },
}

impl Part {
    fn compile(d: &Dist) -> Option<Part> {
        Some(match d {
            Dist::Const(c) => Part::Const(*c),
            Dist::Exp(r) if *r > 0.0 => Part::Exp {
                shift: 0.0,
                scale: 1.0 / r,
            },
            Dist::Shift(c, inner) => match **inner {
                Dist::Exp(r) if r > 0.0 => Part::Exp {
                    shift: *c,
                    scale: 1.0 / r,
                },
                _ => return None,
            },
            Dist::Pareto(xm, a) if *a > 0.0 => Part::Pareto {
                xm: *xm,
                inv_alpha: 1.0 / a,
            },
            _ => return None,
        })
    }

    #[inline]
    fn sample(&self, z: &Tables, rng: &mut SimRng) -> f64 {
        match *self {
            Part::Const(c) => c,
            Part::Exp { shift, scale } => shift + scale * z.zig.sample(rng),
            Part::Pareto { xm, inv_alpha } => xm * z.exp.exp(z.zig.sample(rng) * inv_alpha),
        }
    }
}

/// A leg distribution compiled for the inner loop; the same distribution as the [`Dist`] it
/// came from (tested by its quantiles), drawn faster.
#[derive(Clone, Debug)]
pub enum Leg {
    One(Part),
    /// With probability `first_below / 2^64` the first part, else the second.
    Mix {
        first_below: u64,
        a: Part,
        b: Part,
    },
    Other(Dist),
}

impl Leg {
    pub fn compile(d: &Dist) -> Leg {
        if let Some(p) = Part::compile(d) {
            return Leg::One(p);
        }
        if let Dist::Mix(p, a, b) = d {
            if let (Some(a), Some(b)) = (Part::compile(a), Part::compile(b)) {
                // p · 2^64 as an integer threshold (p = 1 saturates: always the first part).
                let first_below = if *p >= 1.0 {
                    u64::MAX
                } else if *p > 0.0 {
                    (*p * 18_446_744_073_709_551_616.0) as u64
                } else {
                    0
                };
                return Leg::Mix { first_below, a, b };
            }
        }
        Leg::Other(d.clone())
    }

    /// One draw in ms, in `[0, MAX_SAMPLE_MS]`.
    #[inline]
    pub fn sample_ms(&self, z: &Tables, rng: &mut SimRng) -> f64 {
        let v = match self {
            Leg::One(p) => p.sample(z, rng),
            Leg::Mix { first_below, a, b } => {
                if rng.next_u64() < *first_below {
                    a.sample(z, rng)
                } else {
                    b.sample(z, rng)
                }
            }
            Leg::Other(d) => return d.sample_ms(rng),
        };
        if v.is_nan() || v < 0.0 {
            0.0
        } else {
            v.min(MAX_SAMPLE_MS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Purpose;

    /// The ziggurat's tables close: the layers have equal area and the last edge reaches 0.
    #[test]
    fn the_ziggurat_tables_have_equal_layers() {
        let z = ZigExp::new();
        for i in 1..255 {
            let area = z.x[i] * (z.f[i + 1] - z.f[i]);
            assert!((area - ZIG_V).abs() < 1e-12, "layer {i}: {area}");
        }
        assert!(z.x[255] > 0.0 && z.x[255] < 0.3, "{}", z.x[255]);
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!((top - ZIG_V).abs() < 1e-9, "top layer {top}");
    }

    /// Exp(1) from the ziggurat matches the exponential's survival function at points in the
    /// rectangles, the wedges and the tail beyond R, within 5σ of 2·10⁶ draws.
    #[test]
    fn the_ziggurat_draws_an_exponential() {
        let z = ZigExp::new();
        let mut rng = SimRng::new(9, Purpose::Scenario);
        let n = 2_000_000;
        let xs = [0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 7.0, 7.7, 9.0, 12.0];
        let mut above = [0u64; 10];
        let mut sum = 0.0;
        for _ in 0..n {
            let v = z.sample(&mut rng);
            assert!(v >= 0.0 && v.is_finite());
            sum += v;
            for (k, x) in xs.iter().enumerate() {
                above[k] += (v > *x) as u64;
            }
        }
        for (k, x) in xs.iter().enumerate() {
            let p = libm::exp(-x);
            let got = above[k] as f64 / n as f64;
            let sd = libm::sqrt(p * (1.0 - p) / n as f64);
            assert!(
                (got - p).abs() <= 5.0 * sd + 1e-9,
                "P(E > {x}) = {got} vs {p}"
            );
        }
        let mean = sum / n as f64;
        assert!(
            (mean - 1.0).abs() < 5.0 / libm::sqrt(n as f64),
            "mean {mean}"
        );
    }

    /// Compiled legs have the same distribution as the `Dist` they come from: quantiles of the
    /// fast sampler and of `Dist::sample_ms` agree (two-sample Kolmogorov–Smirnov at 10⁻⁴).
    /// The table-driven exp agrees with libm's to a few ulp over the range the samplers use,
    /// and defers outside it.
    #[test]
    fn the_table_exp_is_within_a_few_ulp_of_libm() {
        let e = ExpTable::new();
        let mut rng = SimRng::new(5, Purpose::Scenario);
        let mut worst = 0.0f64;
        for i in 0..200_000 {
            let y = if i % 2 == 0 {
                (rng.unit() - 0.5) * 1390.0
            } else {
                (rng.unit() - 0.5) * 4.0
            };
            let (got, want) = (e.exp(y), libm::exp(y));
            let rel = ((got - want) / want).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 1e-15, "worst relative error {worst}");
        for y in [0.0, 1.0, -1.0, 1e-300, 709.0, -745.0, 800.0] {
            let (got, want) = (e.exp(y), libm::exp(y));
            assert!(
                got == want || ((got - want) / want).abs() < 1e-15,
                "{y}: {got} vs {want}"
            );
        }
        assert!(e.exp(f64::NAN).is_nan());
        assert_eq!(e.exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(e.exp(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn compiled_legs_match_their_distributions() {
        let z = Tables::default();
        for d in [
            crate::sim::dist::pbs_lnkd_ssd(),
            crate::sim::dist::pbs_ymmr_ars(),
            Dist::preset("lnkd-disk").unwrap(),
            Dist::preset("ymmr").unwrap(),
            Dist::preset("same-rack").unwrap(),
            Dist::Exp(0.5),
            Dist::Pareto(1.0, 3.0),
        ] {
            let leg = Leg::compile(&d);
            assert!(!matches!(leg, Leg::Other(_)), "{d} should compile");
            let n = 100_000;
            let mut r1 = SimRng::new(2, Purpose::Scenario);
            let mut r2 = SimRng::new(3, Purpose::Scenario);
            let mut a: Vec<f64> = (0..n).map(|_| leg.sample_ms(&z, &mut r1)).collect();
            let mut b: Vec<f64> = (0..n).map(|_| d.sample_ms(&mut r2)).collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            // KS distance between the two empirical CDFs.
            let (mut i, mut j, mut ks) = (0usize, 0usize, 0.0f64);
            while i < n && j < n {
                if a[i] <= b[j] {
                    i += 1
                } else {
                    j += 1
                }
                ks = ks.max((i as f64 - j as f64).abs() / n as f64);
            }
            // c(α = 1e-4) ≈ 2.15; critical distance c · sqrt(2/n).
            let crit = 2.15 * libm::sqrt(2.0 / n as f64);
            assert!(ks < crit, "{d}: KS {ks} ≥ {crit}");
        }
    }
}
