//! The worker's tasks: each [`Job`] as a sequence of fixed slices, so the worker can report
//! progress and take a newer message between two slices. Slices are cut at fixed points (one
//! Monte Carlo call, one checker, a few study trials), never by wall time, so the results do not
//! depend on how fast the machine is: they equal the unsliced native computation bit for bit
//! (tests below).

use super::{curve_ts, Check, CheckState, Job, Part, Summary};
use crate::check::live::{self, LIVE_CHECKERS, WORKER_MAX_OPS};
use crate::protocols::quorum::{self, montecarlo, Config};
use crate::protocols::raft_election::study::{Study, FIGURE_16_BOTTOM, FIGURE_16_TOP};
use crate::sim::{History, Time, Value};

/// Monte Carlo trials of the PACELC readout and of its consistency curve.
pub const PACELC_TRIALS: u64 = 100_000;
/// Trials per (R, W) point of the plane.
pub const PACELC_PLANE_TRIALS: u64 = 10_000;
pub const PACELC_SEED: u64 = 1;
/// Points of the consistency curve one slice computes.
const CURVE_CHUNK: usize = 8;
/// Trials per timeout range of the election study, and its seed.
pub const STUDY_TRIALS: u64 = 200;
pub const STUDY_SEED: u64 = 1;
const STUDY_SLICE: u64 = 4;
const BENCH_SLICE: u64 = 200_000;

/// One slice's outcome.
pub struct Step {
    /// What the slice added.
    pub part: Part,
    /// Share of the job done after it, in `[0, 1]`.
    pub progress: f64,
    pub done: bool,
}

/// The quorum configuration of `params` (the page's parameters), partition dropped: the
/// readout, curve and plane answer the Else branch; the availability the P branch.
pub fn pacelc_config(
    params: &std::collections::BTreeMap<String, String>,
) -> Result<(Config, (f64, f64)), String> {
    let p = quorum::SCENARIO.params(params).map_err(|e| e.to_string())?;
    let cfg = Config::from_params(&p)?;
    let avail = montecarlo::availability(&cfg);
    Ok((
        Config {
            partition: None,
            ..cfg
        },
        avail,
    ))
}

/// The PACELC panel's computation: readout, curve in chunks of t, plane point by point.
pub struct Pacelc {
    cfg: Config,
    avail: (f64, f64),
    ts: Vec<f64>,
    /// Next slice: 0 readout, then curve chunks, then plane points.
    next: usize,
    chunks: usize,
}

impl Pacelc {
    fn units_total(&self) -> f64 {
        let n = self.cfg.n as u64;
        ((1 + self.chunks as u64) * PACELC_TRIALS + n * n * PACELC_PLANE_TRIALS) as f64
    }
    fn units_done(&self) -> f64 {
        let curve = self.next.min(1 + self.chunks) as u64;
        let plane = self.next.saturating_sub(1 + self.chunks) as u64;
        (curve * PACELC_TRIALS + plane * PACELC_PLANE_TRIALS) as f64
    }

    fn step(&mut self) -> Step {
        let mut part = Part::default();
        let n = self.cfg.n;
        if self.next == 0 {
            // As the CLI's `sweep quorum` computes it (batched seeds), so the two agree bit for bit.
            let res = montecarlo::run_batched(&self.cfg, PACELC_TRIALS, PACELC_SEED, 1);
            self.ts = curve_ts(res.t_visibility_ms, self.cfg.t_ms);
            self.chunks = self.ts.len().div_ceil(CURVE_CHUNK);
            part.summary = Some(Summary {
                trials: res.trials,
                writes_ok: res.writes_ok,
                p_consistent: res.p_consistent,
                p_consistent_se: res.p_consistent_se,
                read_p50: res.read_latency.p50,
                read_p99: res.read_latency.p99,
                read_p999: res.read_latency.p999,
                write_p50: res.write_latency.p50,
                write_p99: res.write_latency.p99,
                write_p999: res.write_latency.p999,
                t_visibility_ms: res.t_visibility_ms,
                avail: self.avail,
            });
        } else if self.next <= self.chunks {
            let i = (self.next - 1) * CURVE_CHUNK;
            let ts = &self.ts[i..(i + CURVE_CHUNK).min(self.ts.len())];
            part.curve = montecarlo::curve(&self.cfg, ts, PACELC_TRIALS, PACELC_SEED);
        } else {
            let k = self.next - 1 - self.chunks;
            let (r, w) = (k / n + 1, k % n + 1);
            part.plane.push(montecarlo::plane_point(
                &self.cfg,
                r,
                w,
                PACELC_PLANE_TRIALS,
                PACELC_SEED,
            ));
        }
        self.next += 1;
        let done = self.next > self.chunks + n * n;
        Step {
            part,
            progress: if done {
                1.0
            } else {
                self.units_done() / self.units_total()
            },
            done,
        }
    }
}

/// A job being worked on.
pub enum Task {
    Pacelc(Box<Pacelc>),
    Guarantees {
        history: History,
        next: usize,
    },
    Study(Box<Study>),
    Bench {
        cfg: Box<Config>,
        trials: u64,
        done: u64,
    },
}

impl Task {
    /// Validates the job; bad parameters are an error in words.
    pub fn new(job: Job) -> Result<Task, String> {
        Ok(match job {
            Job::Pacelc { params } => {
                let (cfg, avail) = pacelc_config(&params)?;
                Task::Pacelc(Box::new(Pacelc {
                    cfg,
                    avail,
                    ts: vec![],
                    next: 0,
                    chunks: 0,
                }))
            }
            Job::Guarantees { history } => Task::Guarantees { history, next: 0 },
            Job::Study { mut params, top } => {
                params.remove("election_timeout");
                params.remove("heartbeat");
                let ranges = if top { FIGURE_16_TOP } else { FIGURE_16_BOTTOM };
                let s = Study::new(params, ranges, STUDY_TRIALS, STUDY_SEED, Time::secs(10))
                    .map_err(|e| e.to_string())?;
                Task::Study(Box::new(s))
            }
            Job::Bench { trials } => Task::Bench {
                cfg: Box::new(pacelc_config(&Default::default())?.0),
                trials,
                done: 0,
            },
        })
    }

    /// Runs one slice.
    pub fn step(&mut self) -> Step {
        match self {
            Task::Pacelc(p) => p.step(),
            Task::Guarantees { history, next } => {
                let mut part = Part::default();
                if let Some(name) = LIVE_CHECKERS.get(*next) {
                    part.checks.push(check(name, history));
                }
                *next += 1;
                let done = *next >= LIVE_CHECKERS.len();
                Step {
                    part,
                    progress: (*next as f64 / LIVE_CHECKERS.len() as f64).min(1.0),
                    done,
                }
            }
            Task::Study(s) => {
                let done = s.step(STUDY_SLICE);
                Step {
                    part: Part {
                        study: s.curves().to_vec(),
                        ..Part::default()
                    },
                    progress: s.progress(),
                    done,
                }
            }
            Task::Bench { cfg, trials, done } => {
                let n = (*trials - *done).min(BENCH_SLICE);
                let res = montecarlo::run(cfg, n, PACELC_SEED + *done);
                *done += n;
                Step {
                    part: Part {
                        bench_trials: res.trials,
                        ..Part::default()
                    },
                    progress: *done as f64 / (*trials).max(1) as f64,
                    done: *done >= *trials,
                }
            }
        }
    }
}

/// One live checker, with the worker's cap on history length.
fn check(name: &'static str, history: &History) -> Check {
    let g = live::check_one_within(name, history, &Value::Nil, WORKER_MAX_OPS);
    let (state, detail, witness) = match g.verdict {
        Ok(v) if v.ok => (CheckState::Kept, v.explanation, vec![]),
        Ok(v) => (CheckState::Broken, v.explanation, v.witness),
        Err(why) => (CheckState::Unknown, why, vec![]),
    };
    Check {
        name: name.to_string(),
        state,
        detail,
        witness,
    }
}

/// Runs a job to the end, merging its slices (tests, and the worker's reference).
pub fn run_to_end(job: Job) -> Result<Part, String> {
    let mut t = Task::new(job)?;
    let mut all = Part::default();
    let mut last = 0.0;
    loop {
        let s = t.step();
        debug_assert!(s.progress >= last, "progress never goes back");
        last = s.progress;
        all.merge(s.part);
        if s.done {
            return Ok(all);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn params(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_sliced_pacelc_job_equals_the_native_monte_carlo_bit_for_bit() {
        let p = params(&[("n", "3"), ("r", "1"), ("w", "1"), ("latency", "lnkd-disk")]);
        let got = run_to_end(Job::Pacelc { params: p.clone() }).expect("runs");
        let (cfg, avail) = pacelc_config(&p).expect("valid");
        let res = montecarlo::run_batched(&cfg, PACELC_TRIALS, PACELC_SEED, 1);
        let s = got.summary.expect("summary");
        assert_eq!(s.p_consistent.to_bits(), res.p_consistent.to_bits());
        assert_eq!(s.read_p99.to_bits(), res.read_latency.p99.to_bits());
        assert_eq!(s.t_visibility_ms.to_bits(), res.t_visibility_ms.to_bits());
        assert_eq!(s.avail, avail);
        let ts = curve_ts(res.t_visibility_ms, cfg.t_ms);
        assert_eq!(
            got.curve,
            montecarlo::curve(&cfg, &ts, PACELC_TRIALS, PACELC_SEED)
        );
        assert_eq!(
            got.plane,
            montecarlo::plane(&cfg, PACELC_PLANE_TRIALS, PACELC_SEED)
        );
    }

    #[test]
    fn the_pacelc_job_keeps_the_partition_for_availability_only() {
        let p = params(&[
            ("n", "3"),
            ("r", "2"),
            ("w", "2"),
            ("partition", "on"),
            ("reachable", "1"),
        ]);
        let (cfg, avail) = pacelc_config(&p).expect("valid");
        assert!(cfg.partition.is_none());
        assert_eq!(avail, (0.0, 0.0));
    }

    #[test]
    fn bad_parameters_are_an_error_in_words() {
        let e = Task::new(Job::Pacelc {
            params: params(&[("n", "99")]),
        });
        assert!(e.is_err_and(|m| m.contains('n')));
        let e = Task::new(Job::Study {
            params: params(&[("nodes", "0")]),
            top: true,
        });
        assert!(e.is_err());
    }

    #[test]
    fn the_guarantees_job_gives_every_live_checker_in_order() {
        let def = crate::scenario::find("sessions").expect("sessions");
        let mut sim = def
            .instantiate(
                &params(&[("session", "none")]),
                1,
                vec![],
                crate::sim::trace::TraceConfig::default(),
            )
            .expect("builds");
        sim.run_until(Time::secs(10), u64::MAX);
        let got = run_to_end(Job::Guarantees {
            history: sim.history().clone(),
        })
        .expect("runs");
        let names: Vec<&str> = got.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, LIVE_CHECKERS);
        let direct = live::guarantees(sim.history(), &Value::Nil);
        for (c, d) in got.checks.iter().zip(&direct) {
            assert_eq!(
                c.state == CheckState::Broken,
                d.kept() == Some(false),
                "{}",
                c.name
            );
            if let Ok(v) = &d.verdict {
                assert_eq!(c.witness, v.witness, "{}", c.name);
            }
        }
        assert!(got
            .checks
            .iter()
            .any(|c| c.name == "ryw" && c.state == CheckState::Broken));
    }

    #[test]
    fn the_study_job_fills_every_range() {
        let got = run_to_end(Job::Study {
            params: params(&[("nodes", "5"), ("latency", "30ms..40ms")]),
            top: true,
        })
        .expect("runs");
        assert_eq!(got.study.len(), FIGURE_16_TOP.len());
        for c in &got.study {
            assert_eq!(c.trials() as u64, STUDY_TRIALS, "{}", c.range);
        }
    }

    #[test]
    fn the_bench_job_runs_its_trials() {
        let got = run_to_end(Job::Bench { trials: 450_000 }).expect("runs");
        assert_eq!(got.bench_trials, 450_000);
    }
}
