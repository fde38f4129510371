//! The timeout-randomness study of Raft §9.3 (Figure 16), as data for the explorer's CDF chart.
//!
//! For each election-timeout range, many trials of the `raft-election` experiment (the leader
//! crashes at a random moment within its heartbeat interval; how long until every live agent
//! follows a new one?), collected into a distribution. Trial `i` uses the seed
//! `SimRng::derive_seed(seed, i)` and runs in the same 50 ms slices as `swarmscope sweep`, so a
//! curve holds exactly the samples the sweep aggregates, and every range sees the same seeds.
//!
//! The study runs incrementally (`step` does a bounded number of trials), so the browser can
//! spread it over animation frames and draw the curves as they fill in.

use super::{BUILDER, SCENARIO};
use crate::sim::{SimError, SimRng, Time, TraceConfig};
use std::collections::BTreeMap;

/// Figure 16, top: the minimum fixed at 150 ms, more and more randomness.
pub const FIGURE_16_TOP: &[&str] = &[
    "150ms..150ms",
    "150ms..151ms",
    "150ms..155ms",
    "150ms..175ms",
    "150ms..200ms",
    "150ms..300ms",
];
/// Figure 16, bottom: the whole range scaled down.
pub const FIGURE_16_BOTTOM: &[&str] = &[
    "12ms..24ms",
    "25ms..50ms",
    "50ms..100ms",
    "100ms..200ms",
    "150ms..300ms",
];

/// One timeout range's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// The `election_timeout` value, e.g. `150ms..300ms`.
    pub range: String,
    /// Time without a leader of each trial that got one, in milliseconds, sorted.
    pub times_ms: Vec<f64>,
    /// Trials that had no leader by the end (no majority left, or still splitting votes).
    pub undefined: usize,
    /// Split votes summed over the trials.
    pub split_votes: u64,
}

impl Curve {
    pub fn trials(&self) -> usize {
        self.times_ms.len() + self.undefined
    }

    /// The empirical CDF as steps `(ms, share of all trials with at most that time)`; trials
    /// without a leader keep the curve below 1.
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        let total = self.trials().max(1) as f64;
        self.times_ms
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, (i + 1) as f64 / total))
            .collect()
    }

    /// The `q` quantile over the trials that got a leader (nearest rank), NaN if none did.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.times_ms.is_empty() {
            return f64::NAN;
        }
        let rank = (q * self.times_ms.len() as f64).ceil() as usize;
        self.times_ms[rank.clamp(1, self.times_ms.len()) - 1]
    }
}

/// A study in progress.
pub struct Study {
    base: BTreeMap<String, String>,
    seed: u64,
    trials: u64,
    until: Time,
    curves: Vec<Curve>,
    /// Next (curve, trial) to run.
    next: (usize, u64),
}

impl Study {
    /// `base`: parameter overrides shared by every trial (`nodes`, `failed`, `latency`, …).
    /// Without a `heartbeat` in `base`, each range uses half its minimum, as §9.3 did.
    /// Every range is validated now, so a bad one is an error here rather than mid-study.
    pub fn new(
        base: BTreeMap<String, String>,
        ranges: &[&str],
        trials: u64,
        seed: u64,
        until: Time,
    ) -> Result<Study, SimError> {
        let study = Study {
            base,
            seed,
            trials,
            until,
            curves: ranges
                .iter()
                .map(|r| Curve {
                    range: r.to_string(),
                    times_ms: vec![],
                    undefined: 0,
                    split_votes: 0,
                })
                .collect(),
            next: (0, 0),
        };
        for c in 0..study.curves.len() {
            let p = study.params(c);
            SCENARIO.params(&p).map_err(|e| SimError(e.to_string()))?;
            let mut probe = BUILDER.instantiate(&p, seed, vec![], no_trace())?;
            probe.run_until(Time::ZERO, 1);
        }
        Ok(study)
    }

    fn params(&self, curve: usize) -> BTreeMap<String, String> {
        let mut p = self.base.clone();
        let range = &self.curves[curve].range;
        p.insert("election_timeout".into(), range.clone());
        if !p.contains_key("heartbeat") {
            let lo = crate::scenario::params::parse_duration_range(range)
                .map(|(lo, _)| lo)
                .unwrap_or(Time::ms(2));
            p.insert(
                "heartbeat".into(),
                Time(lo.0 / 2).max(Time::ms(1)).to_string(),
            );
        }
        p
    }

    /// Runs up to `budget` trials; true when the study is complete.
    pub fn step(&mut self, budget: u64) -> bool {
        for _ in 0..budget {
            let (c, i) = self.next;
            if c >= self.curves.len() {
                return true;
            }
            let p = self.params(c);
            let seed = SimRng::derive_seed(self.seed, i);
            if let Ok(metrics) = trial(&p, seed, self.until) {
                let get = |k: &str| metrics.iter().find(|(m, _)| m == k).map(|(_, v)| *v);
                let curve = &mut self.curves[c];
                match get("time_without_leader_ms").filter(|t| t.is_finite()) {
                    Some(t) => {
                        let at = curve.times_ms.partition_point(|x| *x <= t);
                        curve.times_ms.insert(at, t);
                    }
                    None => curve.undefined += 1,
                }
                curve.split_votes += get("split_votes").unwrap_or(0.0) as u64;
            }
            self.next = if i + 1 < self.trials {
                (c, i + 1)
            } else {
                (c + 1, 0)
            };
        }
        self.next.0 >= self.curves.len()
    }

    /// Share of the study done, in `[0, 1]`.
    pub fn progress(&self) -> f64 {
        let total = (self.curves.len() as u64 * self.trials).max(1);
        (self.next.0 as u64 * self.trials + self.next.1).min(total) as f64 / total as f64
    }

    pub fn curves(&self) -> &[Curve] {
        &self.curves
    }
}

fn no_trace() -> TraceConfig {
    TraceConfig {
        record: false,
        ..TraceConfig::default()
    }
}

/// One trial, exactly as `swarmscope sweep` runs it.
fn trial(
    p: &BTreeMap<String, String>,
    seed: u64,
    until: Time,
) -> Result<Vec<(String, f64)>, SimError> {
    let mut sim = BUILDER.instantiate(p, seed, vec![], no_trace())?;
    let slice = Time::ms(50);
    let mut t = Time::ZERO;
    while t < until && !sim.done() {
        t = (t + slice).min(until);
        sim.run_until(t, 50_000_000);
    }
    Ok(sim.metrics())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_timeout_randomness_shortens_the_tail() {
        // Figure 16's lesson in miniature: with no randomness split votes drag on; 150–300ms
        // elects promptly. (Latency about 7 ms one way, as the paper's 15 ms broadcast time.)
        let mut base = BTreeMap::new();
        base.insert("latency".to_string(), "6ms..9ms".to_string());
        let mut s = Study::new(
            base,
            &["150ms..150ms", "150ms..300ms"],
            60,
            1,
            Time::secs(4),
        )
        .unwrap();
        assert!(!s.step(30));
        assert!((s.progress() - 0.25).abs() < 1e-9);
        while !s.step(50) {}
        let [fixed, random] = s.curves() else {
            panic!("two curves")
        };
        assert_eq!((fixed.trials(), random.trials()), (60, 60));
        assert!(fixed.split_votes > random.split_votes);
        assert!(fixed.quantile(0.9).is_nan() || fixed.quantile(0.9) > random.quantile(0.9));
        let cdf = random.cdf();
        assert!(cdf.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 < w[1].1));
        assert!(cdf.last().is_some_and(|(_, p)| *p <= 1.0));
    }

    #[test]
    fn a_bad_range_is_refused_before_any_trial() {
        let e = Study::new(BTreeMap::new(), &["300ms..150ms"], 10, 1, Time::secs(1));
        assert!(e.is_err_and(|e| e.0.contains("election_timeout")));
    }
}
