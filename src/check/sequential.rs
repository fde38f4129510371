//! Sequential consistency (Lamport 1979): there is one total order of the operations that the
//! sequential model accepts and that keeps each process's program order — but, unlike
//! linearizability, ignores real time across processes.
//!
//! The search is a depth-first walk over configurations (how far each process has got, model
//! state), trying the processes' next operations in order of invocation time (so histories that
//! are also linearizable are found almost without backtracking), with a cache of visited
//! configurations. Program order is the order of invocation within a process. An indeterminate
//! (`Info`) operation may be placed at its program-order position or left out altogether; its
//! output is unknown, so any state accepts it. Failed operations are left out.
//!
//! Sequential consistency is not local: keys cannot be checked one at a time, so the state is
//! the vector of all keys' values.
//!
//! Witness: if the history is small (≤ `Options::minimize_limit` operations), the completed
//! operations that remain after greedily relaxing every other one to "may or may not have
//! happened" while the history stays inconsistent; otherwise the frontier — the next operation
//! of every process in the furthest configuration the search reached.

use super::model::{FxBuild, ModelKind, Spec, Step};
use super::{CheckError, Verdict};
use crate::sim::{History, Outcome, Time, Value};
use std::collections::{BTreeMap, HashSet};

/// How to search.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Give up (with `CheckError::Budget`) after visiting this many configurations.
    pub max_states: usize,
    /// Minimize the witness when the history has at most this many operations.
    pub minimize_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_states: 5_000_000,
            minimize_limit: 300,
        }
    }
}

/// Checks `history` for sequential consistency against `kind` starting from `initial`.
pub fn check(
    history: &History,
    kind: ModelKind,
    initial: &Value,
    opts: Options,
) -> Result<Verdict, CheckError> {
    let mut spec = Spec::new(kind, history, initial)?;
    let operations = spec.ops.iter().flatten().count();
    match search(&mut spec, history, opts.max_states)? {
        Ok(()) => Ok(Verdict::pass(
            "sequential",
            kind.name(),
            operations,
            "a total order respecting every process's program order exists".into(),
        )),
        Err(frontier) => {
            let witness = if operations <= opts.minimize_limit {
                minimize(history, kind, initial, opts.max_states)?.unwrap_or(frontier)
            } else {
                frontier
            };
            Ok(Verdict::violation(
                "sequential",
                kind.name(),
                operations,
                witness.clone(),
                format!(
                    "no total order respects program order and the model: operations {witness:?} \
                     cannot all be placed (every other operation may or may not have happened)"
                ),
            ))
        }
    }
}

/// Greedy relaxation: the completed operations that keep the history inconsistent.
fn minimize(
    history: &History,
    kind: ModelKind,
    initial: &Value,
    max: usize,
) -> Result<Option<Vec<usize>>, CheckError> {
    let mut h = history.clone();
    for i in 0..h.ops.len() {
        if h.ops[i].outcome != Outcome::Ok {
            continue;
        }
        let saved = h.ops[i].clone();
        let o = &mut h.ops[i];
        o.outcome = Outcome::Info;
        o.output = Value::Nil;
        o.complete = Time::MAX;
        let mut spec = Spec::new(kind, &h, initial)?;
        if search(&mut spec, &h, max)?.is_ok() {
            h.ops[i] = saved;
        }
    }
    Ok(Some(
        h.ops
            .iter()
            .filter(|o| o.outcome == Outcome::Ok)
            .map(|o| o.index)
            .collect(),
    ))
}

/// Returns `Ok(Ok(()))` if sequentially consistent, `Ok(Err(frontier))` if not.
fn search(
    spec: &mut Spec,
    history: &History,
    max_states: usize,
) -> Result<Result<(), Vec<usize>>, CheckError> {
    // Program order per process.
    let mut by_process: BTreeMap<u64, Vec<(Time, usize)>> = BTreeMap::new();
    for (i, c) in spec.ops.iter().enumerate() {
        if c.is_some_and(|(_, step)| step != Step::Read(None)) {
            let o = &history.ops[i];
            by_process.entry(o.process).or_default().push((o.invoke, i));
        }
    }
    let procs: Vec<Vec<usize>> = by_process
        .into_values()
        .map(|mut v| {
            v.sort_unstable();
            v.into_iter().map(|(_, i)| i).collect()
        })
        .collect();
    let total: usize = procs.iter().map(Vec::len).sum();
    let slots = spec.keys.len().max(1);
    let mut pos = vec![0usize; procs.len()];
    let mut state = vec![spec.init; slots];
    let mut seen: HashSet<Box<[u64]>, FxBuild> = HashSet::default();
    let mut key = Vec::new();
    let mut best = (0usize, pos.clone());

    struct Frame {
        moves: Vec<(usize, bool)>,
        at: usize,
        /// The move that led here: (process, slot, old value, applied?).
        undo: Option<(usize, usize, u32)>,
    }
    let moves_of = |pos: &[usize]| {
        let mut m: Vec<(Time, usize, bool)> = Vec::new();
        for (p, ops) in procs.iter().enumerate() {
            if let Some(&i) = ops.get(pos[p]) {
                let o = &history.ops[i];
                m.push((o.invoke, p, true));
                if o.outcome == Outcome::Info {
                    m.push((o.invoke, p, false));
                }
            }
        }
        m.sort_unstable();
        m.into_iter().map(|(_, p, a)| (p, a)).collect::<Vec<_>>()
    };
    if total == 0 {
        return Ok(Ok(()));
    }
    let mut stack = vec![Frame {
        moves: moves_of(&pos),
        at: 0,
        undo: None,
    }];
    while let Some(frame) = stack.last_mut() {
        if frame.at == frame.moves.len() {
            if let Some((p, slot, old)) = frame.undo {
                pos[p] -= 1;
                state[slot] = old;
            }
            stack.pop();
            continue;
        }
        let (p, apply) = frame.moves[frame.at];
        frame.at += 1;
        let i = procs[p][pos[p]];
        let Some((k, step)) = spec.ops[i] else {
            continue;
        };
        let slot = k as usize;
        let old = state[slot];
        let new = if apply {
            match spec.apply(old, step) {
                Some(v) => v,
                None => continue,
            }
        } else {
            old
        };
        state[slot] = new;
        pos[p] += 1;
        key.clear();
        key.extend(pos.iter().map(|&x| x as u64));
        key.extend(state.iter().map(|&x| x as u64));
        if seen.contains(key.as_slice()) {
            pos[p] -= 1;
            state[slot] = old;
            continue;
        }
        if seen.len() >= max_states {
            return Err(CheckError::Budget(format!(
                "sequential consistency search gave up after {max_states} configurations"
            )));
        }
        seen.insert(key.clone().into_boxed_slice());
        let done: usize = pos.iter().sum();
        if done == total {
            return Ok(Ok(()));
        }
        if done > best.0 {
            best = (done, pos.clone());
        }
        let moves = moves_of(&pos);
        stack.push(Frame {
            moves,
            at: 0,
            undo: Some((p, slot, old)),
        });
    }
    let frontier = procs
        .iter()
        .enumerate()
        .filter_map(|(p, ops)| ops.get(best.1[p]).copied())
        .filter(|&i| history.ops[i].outcome == Outcome::Ok)
        .collect();
    Ok(Err(frontier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::model::ModelKind::Register;
    use crate::sim::{Op, OpFn};
    use Value::{Int, Nil};

    fn h(ops: &[(u64, OpFn, Value, Value, u64, u64)]) -> History {
        History {
            ops: ops
                .iter()
                .enumerate()
                .map(|(index, (process, f, input, output, i, c))| Op {
                    index,
                    process: *process,
                    f: *f,
                    key: String::new(),
                    input: input.clone(),
                    output: output.clone(),
                    invoke: Time(*i),
                    complete: Time(*c),
                    outcome: Outcome::Ok,
                })
                .collect(),
        }
    }

    #[test]
    fn stale_read_is_sequentially_consistent_but_not_linearizable() {
        // p1 reads 0 after p0's write returned: fine for SC (order the read first).
        let hist = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 1),
            (1, OpFn::Read, Nil, Int(0), 2, 3),
        ]);
        assert!(
            check(&hist, Register, &Int(0), Options::default())
                .unwrap()
                .ok
        );
        let lin =
            crate::check::linearizability::check(&hist, Register, &Int(0), Default::default())
                .unwrap();
        assert!(!lin.ok);
    }

    #[test]
    fn reading_new_then_old_value_in_one_process_is_caught() {
        let hist = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 1),
            (1, OpFn::Read, Nil, Int(1), 2, 3),
            (1, OpFn::Read, Nil, Int(0), 4, 5),
        ]);
        let v = check(&hist, Register, &Int(0), Options::default()).unwrap();
        assert!(!v.ok);
        assert_eq!(v.witness, vec![1, 2]);
    }

    #[test]
    fn two_processes_disagreeing_on_write_order_is_caught() {
        // Classic IRIW-style: p2 sees 1 then 2, p3 sees 2 then 1.
        let hist = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 1),
            (1, OpFn::Write, Int(2), Nil, 0, 1),
            (2, OpFn::Read, Nil, Int(1), 2, 3),
            (2, OpFn::Read, Nil, Int(2), 4, 5),
            (3, OpFn::Read, Nil, Int(2), 2, 3),
            (3, OpFn::Read, Nil, Int(1), 4, 5),
        ]);
        assert!(
            !check(&hist, Register, &Int(0), Options::default())
                .unwrap()
                .ok
        );
    }
}
