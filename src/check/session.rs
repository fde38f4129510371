//! Session guarantees (Terry, Demers, Petersen, Spreitzer, Theimer, Welch, "Session Guarantees
//! for Weakly Consistent Replicated Data", PDIS 1994), checked per process (a process is a
//! session): read-your-writes, monotonic reads, monotonic writes, writes-follow-reads.
//!
//! ## Versions and their order
//!
//! A read observes a *version* of its key, and a guarantee demands that a later read observe a
//! version at least as new as some earlier one. The history has no server-side version numbers,
//! so the order is derived, and only *definite* order is ever used — a violation is reported
//! only when the observed version is certainly older:
//!
//! - **Register keys** (read/write, and successful cas as a write): writes are identified by
//!   their value (values must be unique per key; reads of a value written more than once are
//!   skipped and counted). A write `w1` is older than `w2` iff `w1` completed before `w2` was
//!   invoked (real-time precedence, the order any store that serialises non-overlapping writes
//!   must keep); the initial value is older than every write; overlapping writes are unordered
//!   and never cause a violation. A read of a value nobody wrote is skipped (that is the causal
//!   checker's ThinAirRead).
//! - **Append keys** (a key with any append): the value itself is the version, and appends only
//!   grow it, so a version includes another iff it extends it (string prefix), and it includes
//!   an append iff it contains the appended text (only for texts appended once to that key;
//!   repeated texts name no version and are ignored). A put on such a key resets the value; a read
//!   that starts with a put's value that is not definitely older than the requirement is
//!   accepted.
//!
//! ## The guarantees (for each process `p`, reads and writes in program order)
//!
//! - **ryw**: after `p` writes `w` to `x`, `p`'s later reads of `x` observe `w` or newer.
//! - **monotonic-reads**: after `p` reads version `v` of `x`, `p`'s later reads of `x`
//!   observe `v` or newer.
//! - **monotonic-writes**: if `p` writes `w1` and later `w2`, any process that observes `w2`
//!   must from then on observe `w1` or newer on `w1`'s key (also in the same read, for appends
//!   to one key).
//! - **writes-follow-reads**: if `p` reads `v` of `x` and later writes `w2`, any process that
//!   observes `w2` must from then on observe `v` or newer on `x`.
//!
//! Only completed (`Ok`) reads and writes make demands or observations; failed operations
//! never happened; an indeterminate write may be observed but demands nothing.
//!
//! The witness is the violating read, the operation(s) that made the demand, and the writes
//! that show the order (the write of the observed version and of the demanded one).

use super::{CheckError, Verdict};
use crate::sim::{History, Op, OpFn, Outcome, Time, Value};
use std::collections::BTreeMap;

/// Which session guarantee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarantee {
    ReadYourWrites,
    MonotonicReads,
    MonotonicWrites,
    WritesFollowReads,
}

impl Guarantee {
    pub fn name(self) -> &'static str {
        match self {
            Guarantee::ReadYourWrites => "ryw",
            Guarantee::MonotonicReads => "monotonic-reads",
            Guarantee::MonotonicWrites => "monotonic-writes",
            Guarantee::WritesFollowReads => "writes-follow-reads",
        }
    }
}

/// A demand: a later read of `key` must observe at least this.
#[derive(Clone, Debug)]
struct Demand {
    key: String,
    need: Need,
    /// The operations that made the demand (for the witness).
    because: Vec<usize>,
    /// When the demanded version's write was invoked (for the put exception on append keys).
    since: Time,
}

#[derive(Clone, Debug)]
enum Need {
    /// Register key: the write (op index) or newer.
    Write(usize),
    /// Append key: a value extending this one.
    Extends(String),
    /// Append key: a value containing this appended text.
    Contains(String),
    /// Nothing (the initial value, or an unknown version).
    Nothing,
}

struct Versions<'a> {
    history: &'a History,
    /// (key, value) → the unique non-failed write of it; `None` if written more than once.
    writer: BTreeMap<(&'a str, &'a Value), Option<usize>>,
    append_keys: BTreeMap<&'a str, Vec<usize>>,
    /// How often each (key, text) was put or appended: only unique texts name a version.
    appends: BTreeMap<(&'a str, &'a Value), usize>,
    initial: &'a Value,
    skipped: usize,
}

impl<'a> Versions<'a> {
    fn new(history: &'a History, initial: &'a Value) -> Self {
        let mut writer: BTreeMap<(&str, &Value), Option<usize>> = BTreeMap::new();
        let mut append_keys: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut appends: BTreeMap<(&str, &Value), usize> = BTreeMap::new();
        for o in history.ops.iter().filter(|o| o.outcome != Outcome::Fail) {
            if o.f == OpFn::Append {
                append_keys.entry(&o.key).or_default();
            }
            if is_write(o) {
                *appends.entry((&o.key, &o.input)).or_insert(0) += 1;
            }
            if let Some(v) = written(o) {
                writer
                    .entry((&o.key, v))
                    .and_modify(|w| *w = None)
                    .or_insert(Some(o.index));
            }
        }
        for o in history
            .ops
            .iter()
            .filter(|o| o.f == OpFn::Write && o.outcome != Outcome::Fail)
        {
            if let Some(puts) = append_keys.get_mut(o.key.as_str()) {
                puts.push(o.index);
            }
        }
        Versions {
            history,
            writer,
            append_keys,
            appends,
            initial,
            skipped: 0,
        }
    }

    /// The demand "at least what operation `o` wrote or observed".
    fn demand(&self, o: &Op, because: Vec<usize>) -> Demand {
        let append = self.append_keys.contains_key(o.key.as_str());
        let need = match (o.f, append) {
            (OpFn::Read, true) => match &o.output {
                Value::Str(s) => Need::Extends(s.clone()),
                _ => Need::Nothing,
            },
            (OpFn::Read, false) => match self.writer.get(&(o.key.as_str(), &o.output)) {
                Some(Some(w)) => Need::Write(*w),
                _ => Need::Nothing,
            },
            (OpFn::Append, _) => match &o.input {
                Value::Str(s) if self.unique_append(o) => Need::Contains(s.clone()),
                _ => Need::Nothing,
            },
            (_, true) => match &o.input {
                Value::Str(s) => Need::Extends(s.clone()),
                _ => Need::Nothing,
            },
            (_, false) => Need::Write(o.index),
        };
        let since = match need {
            Need::Write(w) => self.history.ops[w].invoke,
            _ if o.f == OpFn::Read => Time::ZERO,
            _ => o.invoke,
        };
        Demand {
            key: o.key.clone(),
            need,
            because,
            since,
        }
    }

    /// Does read `r` observe at least `d`? Unknown observations count as yes.
    fn satisfies(&mut self, r: &Op, d: &Demand) -> bool {
        match &d.need {
            Need::Nothing => true,
            Need::Write(w) => match self.writer.get(&(r.key.as_str(), &r.output)) {
                Some(Some(seen)) => self.history.ops[*seen].complete >= self.history.ops[*w].invoke,
                Some(None) => {
                    self.skipped += 1;
                    true
                }
                None => !self.is_initial(r),
            },
            Need::Extends(s) | Need::Contains(s) => {
                let Value::Str(o) = &r.output else {
                    return true;
                };
                let fine = match &d.need {
                    Need::Extends(_) => o.starts_with(s.as_str()),
                    _ => o.contains(s.as_str()),
                };
                fine || self.append_keys.get(r.key.as_str()).is_some_and(|puts| {
                    puts.iter().any(|&p| {
                        let put = &self.history.ops[p];
                        put.complete >= d.since
                            && matches!(&put.input, Value::Str(v) if o.starts_with(v.as_str()))
                    })
                })
            }
        }
    }

    /// A read of a value nobody wrote: the initial value (or thin air, which we do not judge).
    fn is_initial(&self, r: &Op) -> bool {
        &r.output == self.initial
    }

    fn unique_append(&self, w: &Op) -> bool {
        self.appends.get(&(w.key.as_str(), &w.input)) == Some(&1)
    }

    /// The write whose version `r` observed (register keys), for witnesses.
    fn source(&self, r: &Op) -> Option<usize> {
        self.writer
            .get(&(r.key.as_str(), &r.output))
            .copied()
            .flatten()
    }

    /// Did read `r` observe write `w`?
    fn observes(&self, r: &Op, w: &Op) -> bool {
        if r.key != w.key {
            return false;
        }
        match (&r.output, w.f, &w.input) {
            (Value::Str(o), OpFn::Append, Value::Str(s)) => {
                self.unique_append(w) && r.complete >= w.invoke && o.contains(s.as_str())
            }
            _ => self.source(r) == Some(w.index),
        }
    }
}

/// What a write put into the key, if it is a write at all.
fn written(o: &Op) -> Option<&Value> {
    is_write(o).then_some(&o.input)
}

fn is_write(o: &Op) -> bool {
    matches!(o.f, OpFn::Write | OpFn::Append)
}

/// Checks one session guarantee over every process of `history`.
pub fn check(history: &History, g: Guarantee, initial: &Value) -> Result<Verdict, CheckError> {
    if let Some(o) = history.ops.iter().find(|o| o.f == OpFn::Cas) {
        return Err(CheckError::Unsupported(format!(
            "session guarantees need versions named by written values; operation {} is a cas, \
             whose written value is not unique to it — use a register or kv history",
            o.index
        )));
    }
    let mut versions = Versions::new(history, initial);
    let mut sessions: BTreeMap<u64, Vec<&Op>> = BTreeMap::new();
    for o in history.ops.iter().filter(|o| o.outcome == Outcome::Ok) {
        sessions.entry(o.process).or_default().push(o);
    }
    for ops in sessions.values_mut() {
        ops.sort_by_key(|o| (o.invoke, o.index));
    }
    let operations = history
        .ops
        .iter()
        .filter(|o| o.outcome != Outcome::Fail)
        .count();
    // For MW / WFR: what observing a write obliges the observer to see afterwards.
    let mut obligations: BTreeMap<usize, Vec<Demand>> = BTreeMap::new();
    if matches!(g, Guarantee::MonotonicWrites | Guarantee::WritesFollowReads) {
        for ops in sessions.values() {
            let mut latest: BTreeMap<&str, &Op> = BTreeMap::new();
            for &o in ops {
                if is_write(o) {
                    let demands: Vec<Demand> = latest
                        .values()
                        .map(|&prior| versions.demand(prior, vec![prior.index, o.index]))
                        .collect();
                    obligations.insert(o.index, demands);
                }
                let counts = match g {
                    Guarantee::MonotonicWrites => is_write(o),
                    _ => o.f == OpFn::Read,
                };
                if counts {
                    latest.insert(&o.key, o);
                }
            }
        }
    }
    // The writes with obligations, by key (ascending): a read can only observe a write of its
    // own key, and on a register key only the one write it read from — so a read looks at
    // those, not at every write (which made long histories quadratic).
    let mut obliged_by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for w in obligations.keys() {
        obliged_by_key
            .entry(history.ops[*w].key.as_str())
            .or_default()
            .push(*w);
    }
    let mut violations: Vec<(usize, Vec<usize>)> = Vec::new();
    for ops in sessions.values() {
        // Demands in the order they were made, by key (a read is judged by its key's only).
        let mut demands: BTreeMap<String, Vec<Demand>> = BTreeMap::new();
        for &o in ops {
            if o.f == OpFn::Read {
                // Obligations from writes observed by this very read apply to it too (appends).
                if matches!(g, Guarantee::MonotonicWrites | Guarantee::WritesFollowReads) {
                    let source: Vec<usize>;
                    let candidates: &[usize] = if versions.append_keys.contains_key(o.key.as_str())
                    {
                        obliged_by_key
                            .get(o.key.as_str())
                            .map(Vec::as_slice)
                            .unwrap_or(&[])
                    } else {
                        source = versions.source(o).into_iter().collect();
                        &source
                    };
                    for w in candidates {
                        let Some(ds) = obligations.get(w) else {
                            continue;
                        };
                        if versions.observes(o, &history.ops[*w]) {
                            for d in ds {
                                let mut d = d.clone();
                                d.because.push(o.index);
                                demands.entry(d.key.clone()).or_default().push(d);
                            }
                        }
                    }
                }
                for d in demands
                    .get(o.key.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    if !versions.satisfies(o, d) {
                        let mut w = d.because.clone();
                        w.push(o.index);
                        if let Need::Write(x) = d.need {
                            w.push(x);
                        }
                        w.extend(versions.source(o));
                        violations.push((o.index, w));
                        break;
                    }
                }
            }
            let demands_now = match g {
                Guarantee::ReadYourWrites => is_write(o),
                Guarantee::MonotonicReads => o.f == OpFn::Read,
                _ => false,
            };
            if demands_now {
                demands
                    .entry(o.key.clone())
                    .or_default()
                    .push(versions.demand(o, vec![o.index]));
            }
        }
    }
    let note = if versions.skipped > 0 {
        format!(
            " ({} comparison(s) skipped: value written more than once)",
            versions.skipped
        )
    } else {
        String::new()
    };
    violations.sort();
    match violations.first() {
        None => Ok(Verdict::pass(
            g.name(),
            "session",
            operations,
            format!("every session keeps {}{note}", g.name()),
        )),
        Some((read, witness)) => {
            let r = &history.ops[*read];
            Ok(Verdict::violation(
                g.name(),
                "session",
                operations,
                witness.clone(),
                format!(
                    "{}: process {}'s read {read} of key {:?} returned {}, older than the version \
                     operations {:?} oblige it to see ({} violating read(s)){note}",
                    g.name(),
                    r.process,
                    r.key,
                    r.output,
                    witness,
                    violations.len()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Guarantee::*;
    use OpFn::{Append as A, Read as R, Write as W};

    /// `(process, f, key, value, t)`: ops complete at `t + 1`.
    fn h(ops: &[(u64, OpFn, &str, &str, u64)]) -> History {
        History {
            ops: ops
                .iter()
                .enumerate()
                .map(|(index, &(process, f, key, v, t))| Op {
                    index,
                    process,
                    f,
                    key: key.into(),
                    input: if f == R {
                        Value::Nil
                    } else {
                        Value::Str(v.into())
                    },
                    output: if f == R {
                        Value::Str(v.into())
                    } else {
                        Value::Nil
                    },
                    invoke: Time(t),
                    complete: Time(t + 1),
                    outcome: Outcome::Ok,
                })
                .collect(),
        }
    }

    fn run(hist: &History, g: Guarantee) -> Verdict {
        check(hist, g, &Value::Str(String::new())).unwrap()
    }

    #[test]
    fn ryw_catches_a_read_from_a_stale_replica() {
        let bad = h(&[
            (0, W, "x", "a", 0),
            (0, W, "x", "b", 2),
            (0, R, "x", "a", 4),
        ]);
        let v = run(&bad, ReadYourWrites);
        assert!(!v.ok);
        assert_eq!(v.witness, vec![0, 1, 2]);
        let good = h(&[
            (0, W, "x", "a", 0),
            (1, W, "x", "b", 2),
            (0, R, "x", "b", 4),
        ]);
        assert!(run(&good, ReadYourWrites).ok);
        // Before any write, the initial value is fine; after it, it is not.
        let init = h(&[(0, W, "x", "a", 0), (0, R, "x", "", 4)]);
        assert!(!run(&init, ReadYourWrites).ok);
    }

    #[test]
    fn monotonic_reads_catches_going_back_in_time_but_not_concurrent_writes() {
        let bad = h(&[
            (0, W, "x", "a", 0),
            (0, W, "x", "b", 2),
            (1, R, "x", "b", 4),
            (1, R, "x", "a", 6),
        ]);
        assert!(!run(&bad, MonotonicReads).ok);
        assert!(run(&bad, ReadYourWrites).ok);
        // Overlapping writes have no definite order: either order of observation is fine.
        let mut concurrent = bad.clone();
        concurrent.ops[0].complete = Time(10);
        assert!(run(&concurrent, MonotonicReads).ok);
    }

    #[test]
    fn monotonic_writes_catches_a_later_write_seen_without_the_earlier() {
        let bad = h(&[
            (0, W, "x", "a", 0),
            (0, W, "y", "b", 2),
            (1, R, "y", "b", 4),
            (1, R, "x", "", 6),
        ]);
        let v = run(&bad, MonotonicWrites);
        assert!(!v.ok);
        assert_eq!(v.witness, vec![0, 1, 2, 3]);
        let mut good = bad.clone();
        good.ops[3].output = Value::Str("a".into());
        assert!(run(&good, MonotonicWrites).ok);
        // Appends: a read containing the second append must contain the first.
        let app = h(&[
            (0, A, "x", "1 ", 0),
            (0, A, "x", "2 ", 2),
            (1, R, "x", "2 ", 4),
        ]);
        assert!(!run(&app, MonotonicWrites).ok);
    }

    #[test]
    fn writes_follow_reads_catches_an_answer_seen_before_its_question() {
        let bad = h(&[
            (0, W, "q", "question", 0),
            (1, R, "q", "question", 2),
            (1, W, "a", "answer", 4),
            (2, R, "a", "answer", 6),
            (2, R, "q", "", 8),
        ]);
        let v = run(&bad, WritesFollowReads);
        assert!(!v.ok, "{}", v.explanation);
        assert!(v.witness.contains(&4) && v.witness.contains(&3));
        let mut good = bad.clone();
        good.ops[4].output = Value::Str("question".into());
        assert!(run(&good, WritesFollowReads).ok);
    }

    #[test]
    fn append_keys_use_prefix_order() {
        let bad = h(&[
            (0, A, "x", "1 ", 0),
            (1, R, "x", "1 ", 2),
            (1, R, "x", "", 4),
        ]);
        assert!(!run(&bad, MonotonicReads).ok);
        assert!(
            !run(
                &h(&[(0, A, "x", "1 ", 0), (0, R, "x", "", 2)]),
                ReadYourWrites
            )
            .ok
        );
        assert!(
            run(
                &h(&[(0, A, "x", "1 ", 0), (0, R, "x", "0 1 ", 2)]),
                ReadYourWrites
            )
            .ok
        );
    }
}
