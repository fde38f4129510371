//! Jobs for the browser's Web Worker: the heavy computations the explorer must not run on the
//! UI thread (the PACELC Monte Carlo, the live consistency checkers on a long history, the Raft
//! election-timeout study), as messages a page sends and a worker answers.
//!
//! ```text
//!  page (bin swarmscope-web)                         worker (bin swarmscope-worker)
//!  ToWorker::Run { id, job } ──── text (wire.rs) ──►  exec::Task::new(job)
//!                                                     loop: task.step() one slice
//!  FromWorker::Progress { id, done, part } ◄────────  after each slice (a delta)
//!  FromWorker::Done { id, part, elapsed_ms } ◄──────  the last slice
//!  ToWorker::Cancel { id } ─────────────────────────► drops the task (a newer job supersedes it)
//! ```
//!
//! This module holds only the message types and their text form, so the page links none of the
//! computations; [`exec`] holds the tasks, which only the worker (and native tests) link. A task
//! is deterministic and sliced at fixed points, so what the worker computes equals, bit for bit,
//! what the same functions compute natively (`swarmscope sweep quorum …`).

use crate::sim::decimal::ClampF as _;
pub mod exec;
pub mod wire;

use crate::protocols::quorum::montecarlo::PlanePoint;
use crate::protocols::raft_election::study::Curve;
use crate::sim::parse_float::parse_f64;
use crate::sim::{History, OpFn, Outcome, Time, Value};
use std::collections::BTreeMap;
use wire::{lines, Enc, Line};

/// The t axis of the PACELC curve: log-spaced up to three times the larger of the
/// t-visibility and the configured t (as the panel always drew it).
pub fn curve_ts(t_visibility_ms: f64, t_ms: f64) -> Vec<f64> {
    let vis = if t_visibility_ms.is_finite() {
        t_visibility_ms
    } else {
        0.0
    };
    let max_ms = (vis * 3.0).max(t_ms * 3.0).clamp_f(10.0, 100_000.0);
    crate::protocols::quorum::default_ts(max_ms, CURVE_POINTS)
}

/// Points of the PACELC consistency curve.
pub const CURVE_POINTS: usize = 48;

/// What to compute.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// The PACELC panel of scenario `quorum`: readout, consistency curve and the (R, W) plane for
    /// these parameters (key → text, as in the URL).
    Pacelc { params: BTreeMap<String, String> },
    /// Every live checker on a run's client history (initial value of every key: nil).
    Guarantees { history: History },
    /// The Raft election-timeout study (Fig. 16) over these base parameters; `top`: the upper
    /// set of timeout ranges, else the scaled ones.
    Study {
        params: BTreeMap<String, String>,
        top: bool,
    },
    /// Throughput: `trials` PBS Monte Carlo trials of the quorum defaults.
    Bench { trials: u64 },
}

/// Page → worker.
#[derive(Clone, Debug, PartialEq)]
pub enum ToWorker {
    Run { id: u64, job: Job },
    Cancel { id: u64 },
}

/// The readout of the PACELC panel: the Monte Carlo at the configured t without the partition,
/// and the availability in the partition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub trials: u64,
    pub writes_ok: u64,
    pub p_consistent: f64,
    pub p_consistent_se: f64,
    pub read_p50: f64,
    pub read_p99: f64,
    pub read_p999: f64,
    pub write_p50: f64,
    pub write_p99: f64,
    pub write_p999: f64,
    pub t_visibility_ms: f64,
    /// (write, read) availability during the configured partition (1 without one).
    pub avail: (f64, f64),
}

/// Kept, broken, or neither (not applicable / undecided).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckState {
    Kept,
    Broken,
    Unknown,
}

/// One live checker's verdict on the history.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The checker (`linearizability`, `ryw`, …; `check::live::LIVE_CHECKERS`).
    pub name: String,
    pub state: CheckState,
    /// The explanation (broken, kept) or the reason there is no verdict.
    pub detail: String,
    /// Witness operations (indices into the history) of a broken guarantee.
    pub witness: Vec<usize>,
}

/// Results, whole or as a delta: a progress message carries what the last slice added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Part {
    pub summary: Option<Summary>,
    /// (t ms, P(consistent | t)), in increasing t.
    pub curve: Vec<(f64, f64)>,
    pub plane: Vec<PlanePoint>,
    pub checks: Vec<Check>,
    /// The study's curves so far (whole, not a delta).
    pub study: Vec<Curve>,
    /// Trials run by a bench job.
    pub bench_trials: u64,
}

impl Part {
    /// Adds a later delta.
    pub fn merge(&mut self, later: Part) {
        if later.summary.is_some() {
            self.summary = later.summary;
        }
        self.curve.extend(later.curve);
        self.plane.extend(later.plane);
        self.checks.extend(later.checks);
        if !later.study.is_empty() {
            self.study = later.study;
        }
        self.bench_trials += later.bench_trials;
    }
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq)]
pub enum FromWorker {
    /// The worker has loaded and listens.
    Ready,
    /// `done` in `[0, 1]`; `part`: what this slice added.
    Progress { id: u64, done: f64, part: Part },
    /// The last slice; `elapsed_ms`: the job's compute time in the worker.
    Done {
        id: u64,
        part: Part,
        elapsed_ms: f64,
    },
    /// The job could not run (bad parameters, a malformed message), in words.
    Error { id: u64, message: String },
    /// The worker panicked; every job in it is lost.
    Panic { message: String },
}

fn params_enc(e: &mut Enc, params: &BTreeMap<String, String>) {
    for (k, v) in params {
        e.line("p").s(k).s(v);
    }
}

fn value_enc(e: &mut Enc, v: &Value) {
    match v {
        Value::Nil => e.s("n"),
        Value::Int(i) => e.s(&format!("i{i}")),
        Value::Str(s) => e.s(&format!("s{s}")),
        Value::Bool(b) => e.s(if *b { "b1" } else { "b0" }),
        Value::Pair(a, b) => e.s(&format!("p{a},{b}")),
    };
}

fn value_dec(s: &str) -> Result<Value, String> {
    let bad = || format!("bad value '{s}'");
    let (tag, rest) = s.split_at(s.len().min(1));
    Ok(match tag {
        "n" => Value::Nil,
        "i" => Value::Int(rest.parse().map_err(|_| bad())?),
        "s" => Value::Str(rest.to_string()),
        "b" => Value::Bool(rest == "1"),
        "p" => {
            let (a, b) = rest.split_once(',').ok_or_else(bad)?;
            Value::Pair(a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    })
}

impl ToWorker {
    pub fn encode(&self) -> String {
        let mut e = Enc::default();
        match self {
            ToWorker::Cancel { id } => {
                e.line("cancel").u(*id);
            }
            ToWorker::Run { id, job } => match job {
                Job::Pacelc { params } => {
                    e.line("run").u(*id).s("pacelc");
                    params_enc(&mut e, params);
                }
                Job::Study { params, top } => {
                    e.line("run")
                        .u(*id)
                        .s("study")
                        .s(if *top { "top" } else { "bottom" });
                    params_enc(&mut e, params);
                }
                Job::Bench { trials } => {
                    e.line("run").u(*id).s("bench").u(*trials);
                }
                Job::Guarantees { history } => {
                    e.line("run").u(*id).s("guarantees");
                    for o in &history.ops {
                        e.line("op").u(o.process).s(o.f.name()).s(&o.key);
                        value_enc(&mut e, &o.input);
                        value_enc(&mut e, &o.output);
                        e.u(o.invoke.0).u(o.complete.0).s(match o.outcome {
                            Outcome::Ok => "ok",
                            Outcome::Fail => "fail",
                            Outcome::Info => "info",
                        });
                    }
                }
            },
        }
        e.finish()
    }

    /// Parses a message; a malformed one is an error in words (never a panic).
    pub fn decode(text: &str) -> Result<ToWorker, String> {
        let mut ls = lines(text).into_iter();
        let mut head = ls.next().ok_or("empty message")?;
        match head.tag() {
            "cancel" => Ok(ToWorker::Cancel { id: head.u()? }),
            "run" => {
                let id = head.u()?;
                let kind = head.s()?;
                let mut params = BTreeMap::new();
                let mut history = History::default();
                for mut l in ls {
                    match l.tag() {
                        "p" => {
                            params.insert(l.s()?, l.s()?);
                        }
                        "op" => {
                            let index = history.ops.len();
                            let process = l.u()?;
                            let f = match l.s()?.as_str() {
                                "read" => OpFn::Read,
                                "write" => OpFn::Write,
                                "cas" => OpFn::Cas,
                                "append" => OpFn::Append,
                                other => return Err(format!("op {index}: bad function '{other}'")),
                            };
                            let key = l.s()?;
                            let input = value_dec(&l.s()?)?;
                            let output = value_dec(&l.s()?)?;
                            let invoke = Time(l.u()?);
                            let complete = Time(l.u()?);
                            let outcome = match l.s()?.as_str() {
                                "ok" => Outcome::Ok,
                                "fail" => Outcome::Fail,
                                "info" => Outcome::Info,
                                other => return Err(format!("op {index}: bad outcome '{other}'")),
                            };
                            history.ops.push(crate::sim::Op {
                                index,
                                process,
                                f,
                                key,
                                input,
                                output,
                                invoke,
                                complete,
                                outcome,
                            });
                        }
                        other => return Err(format!("unexpected line '{other}'")),
                    }
                }
                let job = match kind.as_str() {
                    "pacelc" => Job::Pacelc { params },
                    "study" => Job::Study {
                        params,
                        top: head.s()? != "bottom",
                    },
                    "bench" => Job::Bench { trials: head.u()? },
                    "guarantees" => Job::Guarantees { history },
                    other => return Err(format!("unknown job '{other}'")),
                };
                Ok(ToWorker::Run { id, job })
            }
            other => Err(format!("unknown message '{other}'")),
        }
    }
}

fn part_enc(e: &mut Enc, p: &Part) {
    if let Some(s) = &p.summary {
        e.line("sum")
            .u(s.trials)
            .u(s.writes_ok)
            .f(s.p_consistent)
            .f(s.p_consistent_se)
            .f(s.read_p50)
            .f(s.read_p99)
            .f(s.read_p999)
            .f(s.write_p50)
            .f(s.write_p99)
            .f(s.write_p999)
            .f(s.t_visibility_ms)
            .f(s.avail.0)
            .f(s.avail.1);
    }
    for (t, pc) in &p.curve {
        e.line("cur").f(*t).f(*pc);
    }
    for q in &p.plane {
        e.line("pl")
            .u(q.r as u64)
            .u(q.w as u64)
            .f(q.read_p99_ms)
            .f(q.write_p99_ms)
            .f(q.p_consistent)
            .f(q.t_visibility_ms)
            .f(q.write_availability)
            .f(q.read_availability);
    }
    for c in &p.checks {
        e.line("chk").s(&c.name).s(match c.state {
            CheckState::Kept => "kept",
            CheckState::Broken => "broken",
            CheckState::Unknown => "unknown",
        });
        e.s(&c.detail);
        for w in &c.witness {
            e.u(*w as u64);
        }
    }
    for c in &p.study {
        e.line("st")
            .s(&c.range)
            .u(c.undefined as u64)
            .u(c.split_votes);
        for t in &c.times_ms {
            e.f(*t);
        }
    }
    if p.bench_trials > 0 {
        e.line("bench").u(p.bench_trials);
    }
}

fn part_dec(ls: impl Iterator<Item = Line>) -> Result<Part, String> {
    let mut p = Part::default();
    for mut l in ls {
        match l.tag() {
            "sum" => {
                p.summary = Some(Summary {
                    trials: l.u()?,
                    writes_ok: l.u()?,
                    p_consistent: l.f()?,
                    p_consistent_se: l.f()?,
                    read_p50: l.f()?,
                    read_p99: l.f()?,
                    read_p999: l.f()?,
                    write_p50: l.f()?,
                    write_p99: l.f()?,
                    write_p999: l.f()?,
                    t_visibility_ms: l.f()?,
                    avail: (l.f()?, l.f()?),
                })
            }
            "cur" => p.curve.push((l.f()?, l.f()?)),
            "pl" => p.plane.push(PlanePoint {
                r: l.u()? as usize,
                w: l.u()? as usize,
                read_p99_ms: l.f()?,
                write_p99_ms: l.f()?,
                p_consistent: l.f()?,
                t_visibility_ms: l.f()?,
                write_availability: l.f()?,
                read_availability: l.f()?,
            }),
            "chk" => {
                let name = l.s()?;
                let state = match l.s()?.as_str() {
                    "kept" => CheckState::Kept,
                    "broken" => CheckState::Broken,
                    _ => CheckState::Unknown,
                };
                let detail = l.s()?;
                let witness = l
                    .rest()
                    .iter()
                    .map(|w| w.parse::<usize>().map_err(|_| format!("bad witness '{w}'")))
                    .collect::<Result<_, _>>()?;
                p.checks.push(Check {
                    name,
                    state,
                    detail,
                    witness,
                });
            }
            "st" => {
                let range = l.s()?;
                let undefined = l.u()? as usize;
                let split_votes = l.u()?;
                let times_ms = l
                    .rest()
                    .iter()
                    .map(|t| parse_f64(t).ok_or_else(|| format!("bad time '{t}'")))
                    .collect::<Result<_, _>>()?;
                p.study.push(Curve {
                    range,
                    times_ms,
                    undefined,
                    split_votes,
                });
            }
            "bench" => p.bench_trials = l.u()?,
            other => return Err(format!("unexpected line '{other}'")),
        }
    }
    Ok(p)
}

impl FromWorker {
    pub fn encode(&self) -> String {
        let mut e = Enc::default();
        match self {
            FromWorker::Ready => {
                e.line("ready");
            }
            FromWorker::Progress { id, done, part } => {
                e.line("progress").u(*id).f(*done);
                part_enc(&mut e, part);
            }
            FromWorker::Done {
                id,
                part,
                elapsed_ms,
            } => {
                e.line("done").u(*id).f(*elapsed_ms);
                part_enc(&mut e, part);
            }
            FromWorker::Error { id, message } => {
                e.line("error").u(*id).s(message);
            }
            FromWorker::Panic { message } => {
                e.line("panic").s(message);
            }
        }
        e.finish()
    }

    pub fn decode(text: &str) -> Result<FromWorker, String> {
        let mut ls = lines(text).into_iter();
        let mut head = ls.next().ok_or("empty message")?;
        Ok(match head.tag() {
            "ready" => FromWorker::Ready,
            "progress" => FromWorker::Progress {
                id: head.u()?,
                done: head.f()?,
                part: part_dec(ls)?,
            },
            "done" => FromWorker::Done {
                id: head.u()?,
                elapsed_ms: head.f()?,
                part: part_dec(ls)?,
            },
            "error" => FromWorker::Error {
                id: head.u()?,
                message: head.s()?,
            },
            "panic" => FromWorker::Panic { message: head.s()? },
            other => return Err(format!("unknown message '{other}'")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_round_trips() {
        let mut params = BTreeMap::new();
        params.insert("n".to_string(), "3".to_string());
        params.insert("latency".to_string(), "mix(0.5, exp(1), 2ms)".to_string());
        let mut history = History::default();
        let i = history.invoke(0, OpFn::Write, "x\ty".into(), Value::Int(-4), Time(10));
        history.complete(i, Outcome::Ok, Value::Nil, Time(20));
        history.invoke(1, OpFn::Cas, "k".into(), Value::Pair(1, 2), Time(30));
        let i = history.invoke(2, OpFn::Read, "k".into(), Value::Nil, Time(40));
        history.complete(i, Outcome::Info, Value::Str("a b\\c".into()), Time(50));
        let i = history.invoke(2, OpFn::Append, "k".into(), Value::Bool(true), Time(60));
        history.complete(i, Outcome::Fail, Value::Bool(false), Time(70));
        for m in [
            ToWorker::Cancel { id: 9 },
            ToWorker::Run {
                id: 1,
                job: Job::Pacelc {
                    params: params.clone(),
                },
            },
            ToWorker::Run {
                id: 2,
                job: Job::Study { params, top: false },
            },
            ToWorker::Run {
                id: 3,
                job: Job::Bench { trials: 1000 },
            },
            ToWorker::Run {
                id: 4,
                job: Job::Guarantees { history },
            },
        ] {
            assert_eq!(ToWorker::decode(&m.encode()), Ok(m));
        }
    }

    #[test]
    fn every_reply_round_trips() {
        let part = Part {
            summary: Some(Summary {
                trials: 10,
                writes_ok: 9,
                p_consistent: 0.1 + 0.2,
                p_consistent_se: f64::NAN,
                read_p50: 1.5,
                read_p99: 2.5,
                read_p999: 3.5,
                write_p50: 4.5,
                write_p99: 5.5,
                write_p999: 6.5,
                t_visibility_ms: f64::INFINITY,
                avail: (1.0, 0.0),
            }),
            curve: vec![(0.0, 0.5), (1e-3, 0.75)],
            plane: vec![PlanePoint {
                r: 1,
                w: 2,
                read_p99_ms: 3.0,
                write_p99_ms: 4.0,
                p_consistent: 0.5,
                t_visibility_ms: 6.0,
                write_availability: 1.0,
                read_availability: 1.0,
            }],
            checks: vec![Check {
                name: "ryw".into(),
                state: CheckState::Broken,
                detail: "op 3 read\tstale".into(),
                witness: vec![1, 3],
            }],
            study: vec![Curve {
                range: "150ms..300ms".into(),
                times_ms: vec![160.5, 170.25],
                undefined: 1,
                split_votes: 3,
            }],
            bench_trials: 0,
        };
        for m in [
            FromWorker::Ready,
            FromWorker::Progress {
                id: 3,
                done: 0.25,
                part: part.clone(),
            },
            FromWorker::Done {
                id: 3,
                part: Part::default(),
                elapsed_ms: 12.5,
            },
            FromWorker::Error {
                id: 4,
                message: "n: bad\nvalue".into(),
            },
            FromWorker::Panic {
                message: "boom".into(),
            },
        ] {
            let back = FromWorker::decode(&m.encode()).expect("decodes");
            // NaN != NaN: compare the text forms instead.
            assert_eq!(back.encode(), m.encode());
        }
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        for bad in [
            "",
            "run",
            "run\tx\tpacelc",
            "run\t1\tnope",
            "run\t1\tguarantees\nop\t0\tread",
            "run\t1\tguarantees\nop\t0\tfly\tk\tn\tn\t1\t2\tok",
            "run\t1\tguarantees\nop\t0\tread\tk\tq\tn\t1\t2\tok",
            "hello",
        ] {
            assert!(ToWorker::decode(bad).is_err(), "{bad:?}");
        }
        assert!(FromWorker::decode("progress\t1\t0.5\nsum\t1").is_err());
    }
}
