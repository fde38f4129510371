//! Latency distributions and their samplers.
//!
//! Every sampler uses `libm` for `ln`, `exp`, `pow`, `cos` so that native and wasm produce the
//! same bits (std's float methods link different math libraries per target). Values are in
//! milliseconds; `sample` rounds to whole microseconds.
//!
//! Presets follow published fits where they exist: the LinkedIn and Yammer fits are from Bailis et
//! al., "Probabilistically Bounded Staleness for Practical Partial Quorums", VLDB 2012, Table 3.

use super::decimal::Shortest;
use super::parse_float::parse_f64;
use super::rng::SimRng;
use super::time::Time;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A distribution of non-negative durations, parameters in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Dist {
    Const(f64),
    /// Uniform on `[lo, hi]`.
    Uniform(f64, f64),
    /// Normal(mean, sd), truncated at zero.
    Normal(f64, f64),
    /// Exponential with rate λ per millisecond (mean 1/λ), as in the PBS paper.
    Exp(f64),
    /// Pareto with scale x_m and shape α.
    Pareto(f64, f64),
    /// Log-normal: exp(N(mu, sigma)), mu and sigma of the log of milliseconds.
    LogNormal(f64, f64),
    /// With probability `p` the first, otherwise the second.
    Mix(f64, Box<Dist>, Box<Dist>),
    /// A constant added to another distribution (propagation delay plus service time).
    Shift(f64, Box<Dist>),
}

/// Largest latency a sampler returns (one hour): heavy tails must not overflow virtual time.
pub const MAX_SAMPLE_MS: f64 = 3_600_000.0;

impl Dist {
    /// One draw, in milliseconds (finite, in `[0, MAX_SAMPLE_MS]`).
    pub fn sample_ms(&self, rng: &mut SimRng) -> f64 {
        let v = match self {
            Dist::Const(c) => *c,
            Dist::Uniform(lo, hi) => lo + (hi - lo) * rng.unit(),
            Dist::Normal(mean, sd) => mean + sd * std_normal(rng),
            Dist::Exp(rate) => {
                if *rate <= 0.0 {
                    MAX_SAMPLE_MS
                } else {
                    -libm::log(1.0 - rng.unit()) / rate
                }
            }
            Dist::Pareto(xm, alpha) => {
                let u = 1.0 - rng.unit(); // (0, 1]
                xm * libm::pow(u, -1.0 / alpha)
            }
            Dist::LogNormal(mu, sigma) => libm::exp(mu + sigma * std_normal(rng)),
            Dist::Mix(p, a, b) => {
                if rng.unit() < *p {
                    a.sample_ms(rng)
                } else {
                    b.sample_ms(rng)
                }
            }
            Dist::Shift(c, d) => c + d.sample_ms(rng),
        };
        if v.is_nan() || v < 0.0 {
            0.0
        } else if v > MAX_SAMPLE_MS {
            MAX_SAMPLE_MS
        } else {
            v
        }
    }

    /// One draw as virtual time.
    pub fn sample(&self, rng: &mut SimRng) -> Time {
        Time::from_ms_f64(self.sample_ms(rng))
    }

    /// The mean in milliseconds (infinite for a Pareto with α ≤ 1).
    pub fn mean_ms(&self) -> f64 {
        match self {
            Dist::Const(c) => *c,
            Dist::Uniform(lo, hi) => (lo + hi) / 2.0,
            Dist::Normal(m, _) => *m,
            Dist::Exp(rate) => 1.0 / rate,
            Dist::Pareto(xm, a) => {
                if *a <= 1.0 {
                    f64::INFINITY
                } else {
                    a * xm / (a - 1.0)
                }
            }
            Dist::LogNormal(mu, s) => libm::exp(mu + s * s / 2.0),
            Dist::Mix(p, a, b) => p * a.mean_ms() + (1.0 - p) * b.mean_ms(),
            Dist::Shift(c, d) => c + d.mean_ms(),
        }
    }

    /// Checks the parameters, so a user-made distribution never yields NaN or negative times.
    pub fn validate(&self) -> Result<(), String> {
        let fin = |x: f64, what: &str| {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{what} must be a finite, non-negative number of ms"
                ))
            }
        };
        match self {
            Dist::Const(c) => fin(*c, "a constant latency"),
            Dist::Uniform(lo, hi) => {
                fin(*lo, "the low end")?;
                fin(*hi, "the high end")?;
                if lo > hi {
                    Err(format!(
                        "range {}..{} is empty (low end above high end)",
                        Shortest(*lo),
                        Shortest(*hi)
                    ))
                } else {
                    Ok(())
                }
            }
            Dist::Normal(m, sd) => {
                fin(*m, "the mean")?;
                fin(*sd, "the standard deviation")
            }
            Dist::Exp(r) => {
                if r.is_finite() && *r > 0.0 {
                    Ok(())
                } else {
                    Err("an exponential's rate must be positive".into())
                }
            }
            Dist::Pareto(xm, a) => {
                if xm.is_finite() && *xm > 0.0 && a.is_finite() && *a > 0.0 {
                    Ok(())
                } else {
                    Err("a Pareto needs x_m > 0 and α > 0".into())
                }
            }
            Dist::LogNormal(mu, s) => {
                if mu.is_finite() && s.is_finite() && *s >= 0.0 {
                    Ok(())
                } else {
                    Err("a log-normal needs a finite mu and sigma ≥ 0".into())
                }
            }
            Dist::Mix(p, a, b) => {
                if !(0.0..=1.0).contains(p) {
                    return Err("a mixture's probability must lie in [0, 1]".into());
                }
                a.validate()?;
                b.validate()
            }
            Dist::Shift(c, d) => {
                fin(*c, "a shift")?;
                d.validate()
            }
        }
    }

    /// A named preset, if `name` is one.
    pub fn preset(name: &str) -> Option<Dist> {
        let d = match name {
            // Within one rack: ~0.1 ms with a little jitter.
            "same-rack" => Dist::Shift(0.05, Box::new(Dist::Exp(20.0))),
            // An RPC across a datacenter: ~0.5 ms median with a log-normal tail.
            "datacenter" | "datacenter-rpc" => Dist::LogNormal(libm::log(0.5), 0.6),
            // Between regions: ~75 ms one way plus a jittery tail.
            "wan" | "cross-region-wan" => {
                Dist::Shift(70.0, Box::new(Dist::LogNormal(libm::log(5.0), 0.8)))
            }
            // A call to an LLM-backed agent: seconds, heavy-tailed (median ~2 s, p99 tens of s).
            "llm-agent" | "llm" => Dist::LogNormal(libm::log(2_000.0), 0.9),
            // PBS (VLDB 2012) Table 3, LinkedIn Voldemort on SSDs (A = R = S; W the same).
            "lnkd-ssd" => pbs_lnkd_ssd(),
            // PBS Table 3, LinkedIn on disks: the write leg W (A = R = S as lnkd-ssd).
            "lnkd-disk" => Dist::Mix(
                0.38,
                Box::new(Dist::Pareto(1.05, 1.51)),
                Box::new(Dist::Exp(0.183)),
            ),
            // PBS Table 3, Yammer Riak: W leg.
            "ymmr" => Dist::Mix(
                0.939,
                Box::new(Dist::Pareto(3.0, 3.35)),
                Box::new(Dist::Exp(0.0028)),
            ),
            _ => return None,
        };
        Some(d)
    }

    /// Names accepted by [`Dist::preset`].
    pub const PRESETS: &'static [&'static str] = &[
        "same-rack",
        "datacenter",
        "wan",
        "llm-agent",
        "lnkd-ssd",
        "lnkd-disk",
        "ymmr",
    ];
}

/// PBS Table 3: LinkedIn SSD fit, 91.22 % Pareto(0.235, 10) + 8.78 % Exp(1.66).
pub fn pbs_lnkd_ssd() -> Dist {
    Dist::Mix(
        0.9122,
        Box::new(Dist::Pareto(0.235, 10.0)),
        Box::new(Dist::Exp(1.66)),
    )
}

/// PBS Table 3: Yammer's A = R = S legs, 98.2 % Pareto(1.5, 3.8) + 1.8 % Exp(0.0217).
pub fn pbs_ymmr_ars() -> Dist {
    Dist::Mix(
        0.982,
        Box::new(Dist::Pareto(1.5, 3.8)),
        Box::new(Dist::Exp(0.0217)),
    )
}

/// Standard normal by Box–Muller (one of the pair; libm keeps it portable).
fn std_normal(rng: &mut SimRng) -> f64 {
    let u1 = 1.0 - rng.unit(); // (0, 1]
    let u2 = rng.unit();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Numbers as `{}` prints them, without core's float printing (see `sim::decimal`).
        use Shortest as S;
        match self {
            Dist::Const(c) => write!(f, "{}ms", S(*c)),
            Dist::Uniform(lo, hi) => write!(f, "{}ms..{}ms", S(*lo), S(*hi)),
            Dist::Normal(m, s) => write!(f, "normal({},{})", S(*m), S(*s)),
            Dist::Exp(r) => write!(f, "exp({})", S(*r)),
            Dist::Pareto(x, a) => write!(f, "pareto({},{})", S(*x), S(*a)),
            Dist::LogNormal(m, s) => write!(f, "lognormal({},{})", S(*m), S(*s)),
            Dist::Mix(p, a, b) => write!(f, "mix({},{a},{b})", S(*p)),
            Dist::Shift(c, d) => write!(f, "shift({},{d})", S(*c)),
        }
    }
}

/// Parses a latency: a preset name, `30ms`, `30ms..40ms`, or a function form
/// `normal(mean,sd)`, `exp(rate)`, `pareto(xm,alpha)`, `lognormal(mu,sigma)`,
/// `mix(p,A,B)`, `shift(c,A)` (numbers in ms).
pub fn parse_dist(text: &str) -> Result<Dist, String> {
    let t = text.trim();
    if let Some(d) = Dist::preset(t) {
        return Ok(d);
    }
    let d = if let Some((name, rest)) = t.split_once('(') {
        let inner = rest
            .strip_suffix(')')
            .ok_or_else(|| format!("'{t}': missing closing parenthesis"))?;
        let args = split_top_level(inner);
        let family = name.trim();
        // How many arguments each family takes, and how many of them (from the front) are
        // numbers; the rest are distributions.
        let (want, nums) = match family {
            "const" | "exp" => (1, 1),
            "uniform" | "normal" | "pareto" | "lognormal" => (2, 2),
            "mix" => (3, 1),
            "shift" => (2, 1),
            other => return Err(format!("unknown distribution '{other}'")),
        };
        if args.len() != want {
            return Err(format!(
                "'{t}': {name} takes {want} arguments, got {}",
                args.len()
            ));
        }
        let mut x = [0.0; 2];
        for (i, a) in args[..nums].iter().enumerate() {
            let mut a = a.trim();
            while let Some(r) = a.strip_suffix("ms") {
                a = r;
            }
            x[i] = parse_f64(a).ok_or_else(|| format!("'{t}': '{a}' is not a number"))?;
        }
        let sub = |i: usize| parse_dist(&args[i]).map(Box::new);
        match family {
            "const" => Dist::Const(x[0]),
            "uniform" => Dist::Uniform(x[0], x[1]),
            "normal" => Dist::Normal(x[0], x[1]),
            "exp" => Dist::Exp(x[0]),
            "pareto" => Dist::Pareto(x[0], x[1]),
            "lognormal" => Dist::LogNormal(x[0], x[1]),
            "mix" => Dist::Mix(x[0], sub(1)?, sub(2)?),
            _ => Dist::Shift(x[0], sub(1)?),
        }
    } else if let Some((lo, hi)) = super::text::split_once(t, "..") {
        let lo = super::time::parse_duration(lo).map_err(|e| e.0)?;
        let hi = super::time::parse_duration(hi).map_err(|e| e.0)?;
        Dist::Uniform(lo.as_ms_f64(), hi.as_ms_f64())
    } else {
        match super::time::parse_duration(t) {
            Ok(c) => Dist::Const(c.as_ms_f64()),
            Err(_) => {
                return Err(format!(
                    "'{t}' is not a latency: use a duration (30ms), a range (30ms..40ms), a preset ({}) or normal(mean,sd), exp(rate), pareto(xm,alpha), lognormal(mu,sigma), mix(p,A,B), shift(c,A)",
                    Dist::PRESETS.join(", ")
                ))
            }
        }
    };
    d.validate().map_err(|e| format!("'{t}': {e}"))?;
    Ok(d)
}

fn split_top_level(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c)
            }
            ')' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() || !out.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Purpose;

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut r = SimRng::new(9, Purpose::Network);
        (0..n).map(|_| d.sample_ms(&mut r)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_formulas() {
        for d in [
            Dist::Uniform(30.0, 40.0),
            Dist::Exp(0.5),
            Dist::Pareto(1.0, 3.0),
            Dist::Normal(50.0, 5.0),
            Dist::LogNormal(1.0, 0.5),
            pbs_lnkd_ssd(),
        ] {
            let m = mean_of(&d, 200_000);
            let want = d.mean_ms();
            assert!(
                (m - want).abs() / want < 0.03,
                "{d}: sample mean {m}, formula {want}"
            );
        }
    }

    #[test]
    fn samplers_match_the_golden_vector() {
        let got = crate::sim::golden::sampler_draws();
        assert_eq!(got, crate::sim::golden::SAMPLES_SEED42);
    }

    #[test]
    fn latencies_parse_from_every_form() {
        assert_eq!(parse_dist("30ms").unwrap(), Dist::Const(30.0));
        assert_eq!(parse_dist("30ms..40ms").unwrap(), Dist::Uniform(30.0, 40.0));
        assert_eq!(parse_dist("exp(0.5)").unwrap(), Dist::Exp(0.5));
        assert!(matches!(
            parse_dist("mix(0.3,pareto(1,2),exp(0.1))").unwrap(),
            Dist::Mix(..)
        ));
        for p in Dist::PRESETS {
            assert!(parse_dist(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn bad_latencies_are_rejected() {
        for s in [
            "",
            "fast",
            "40ms..30ms",
            "exp(0)",
            "pareto(-1,2)",
            "mix(2,1,1)",
            "normal(1)",
            "exp(1",
        ] {
            assert!(parse_dist(s).is_err(), "{s}");
        }
    }

    #[test]
    fn heavy_tails_are_clamped() {
        let d = Dist::Pareto(1.0, 0.01);
        let mut r = SimRng::new(1, Purpose::Network);
        for _ in 0..1000 {
            let v = d.sample_ms(&mut r);
            assert!(v.is_finite() && v <= MAX_SAMPLE_MS);
        }
    }
}
