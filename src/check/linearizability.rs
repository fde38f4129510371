//! Linearizability (Herlihy & Wing 1990), decided by the Wing–Gong search with Lowe's state
//! cache, the algorithm Porcupine implements (Lowe, "Testing for linearizability", 2017).
//!
//! The history becomes a doubly linked list of call and return entries in real-time order
//! (calls before returns at equal times, so touching operations count as concurrent). The search
//! walks the list: at a call it tries to linearize that operation now — apply it to the model;
//! if the recorded output is possible and the pair (set of linearized operations as a bitset,
//! model state) is new, it lifts the operation's two entries out of the list and starts again
//! from the head. Reaching a return entry means an operation that has already returned was not
//! linearized: backtrack by popping the last choice. The history is linearizable when the list
//! empties. The cache makes every (bitset, state) pair be explored once.
//!
//! Indeterminate operations (`Info`) return at +∞: they may take effect at any point after their
//! invocation. Their output is unknown, so every model state accepts them, which makes "took
//! effect at the very end" equivalent to "never took effect". Failed operations are dropped.
//!
//! Linearizability is local (P-compositional, Herlihy & Wing Thm. 1; Horn & Kroening 2015):
//! with `split_keys` each key is searched on its own, with state one `u32`. Without splitting,
//! the state is the vector of all keys' values and the search interleaves across keys.
//!
//! On a violation the verdict names the first bad operation — the one whose completion ends the
//! shortest non-linearizable prefix (found by binary search over completion times; at that
//! point every later-completing operation is still pending) — and a witness: the operations of
//! that key which, with every other operation relaxed to "may or may not have happened", still
//! cannot be linearized (greedy one-at-a-time relaxation, so removing any one witness operation
//! makes the prefix linearizable).

// Hash tables here use the fixed Fx hasher (model.rs) and serve lookups and membership tests
// only, never iteration, so results do not depend on hash order; the search needs their speed.
#![allow(clippy::disallowed_types)]

use super::model::{FxBuild, ModelKind, Spec, Step};
use super::{CheckError, Verdict};
use crate::sim::{History, Outcome, Time, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// How to search.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Check each key on its own (P-compositionality). Same answer, much faster.
    pub split_keys: bool,
    /// Compute the first bad operation and a minimal witness on a violation.
    pub witness: bool,
    /// Give up (with `CheckError::Budget`) after caching this many (bitset, state) pairs.
    pub max_states: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            split_keys: true,
            witness: true,
            max_states: 20_000_000,
        }
    }
}

/// An operation as the search sees it.
#[derive(Clone, Copy, Debug)]
struct Lop {
    call: u64,
    ret: u64,
    slot: usize,
    step: Step,
    /// May or may not have taken effect (indeterminate, or relaxed for a witness).
    optional: bool,
}

/// Checks `history` against `kind` starting from `initial`.
pub fn check(
    history: &History,
    kind: ModelKind,
    initial: &Value,
    opts: Options,
) -> Result<Verdict, CheckError> {
    let mut spec = Spec::new(kind, history, initial)?;
    let operations = spec.ops.iter().flatten().count();
    if search_all(
        &mut spec,
        history,
        opts.split_keys,
        opts.max_states,
        &BTreeSet::new(),
    )?
    .is_some()
    {
        let mut verdict = Verdict::violation(
            "linearizability",
            kind.name(),
            operations,
            Vec::new(),
            "no linearization exists".into(),
        );
        if opts.witness {
            explain(&mut verdict, history, kind, initial, opts.max_states)?;
        }
        Ok(verdict)
    } else {
        Ok(Verdict::pass(
            "linearizability",
            kind.name(),
            operations,
            format!(
                "a linearization exists ({} key{}{})",
                spec.keys.len(),
                if spec.keys.len() == 1 { "" } else { "s" },
                if opts.split_keys {
                    ", checked one by one"
                } else {
                    ", checked together"
                }
            ),
        ))
    }
}

/// Searches every partition; returns the first key id (in key order) that has no
/// linearization, or `None` when all do. Operations in `relaxed` are treated as optional with
/// unknown output (they may or may not have taken effect, within their interval).
fn search_all(
    spec: &mut Spec,
    history: &History,
    split: bool,
    max_states: usize,
    relaxed: &BTreeSet<usize>,
) -> Result<Option<u32>, CheckError> {
    let mut parts: BTreeMap<u32, Vec<Lop>> = BTreeMap::new();
    for (op, compiled) in spec.ops.iter().enumerate() {
        let Some((key, mut step)) = *compiled else {
            continue;
        };
        let h = &history.ops[op];
        let call = h.invoke.0;
        let info = h.outcome == Outcome::Info || h.complete >= Time::MAX;
        let ret = if info {
            u64::MAX
        } else {
            h.complete.0.max(call)
        };
        let optional = info || relaxed.contains(&op);
        if relaxed.contains(&op) {
            step = match step {
                Step::Read(_) => Step::Read(None),
                Step::Cas { expected, new, .. } => Step::Cas {
                    expected,
                    new,
                    result: None,
                },
                other => other,
            };
        }
        if step == Step::Read(None) {
            // A read with unknown output constrains nothing: leaving it out is exact, and
            // keeps crashed readers (Knossos' pending reads) from multiplying the search.
            continue;
        }
        let slot = if split { 0 } else { key as usize };
        parts
            .entry(if split { key } else { 0 })
            .or_default()
            .push(Lop {
                call,
                ret,
                slot,
                step,
                optional,
            });
    }
    let slots = if split { 1 } else { spec.keys.len().max(1) };
    for (key, ops) in parts {
        if !search(spec, &ops, slots, max_states)? {
            return Ok(Some(key));
        }
    }
    Ok(None)
}

const NIL: usize = usize::MAX;

/// A choice on the search stack.
struct Choice {
    op: usize,
    old: u32,
    /// The operation was decided "never happened" at its return entry.
    skipped: bool,
    /// The scan pass in which it was chosen (0: required operations, 1: optional ones).
    pass: u8,
}

/// The Wing–Gong–Lowe search over one partition.
///
/// Two refinements over the textbook loop, neither of which changes the set of explored
/// configurations: each scan first tries the required operations and only then the optional
/// (indeterminate) ones, so a linearization is usually found without guessing about timeouts;
/// and reaching the return entry of an optional operation is itself a choice — "it never took
/// effect" — rather than a dead end.
fn search(
    spec: &mut Spec,
    ops: &[Lop],
    slots: usize,
    max_states: usize,
) -> Result<bool, CheckError> {
    let n = ops.len();
    if n == 0 {
        return Ok(true);
    }
    // Entries: (time, 0 = call / 1 = return, local op). At equal times returns come first: an
    // operation that completed at t precedes one invoked at t (the simulator records a client's
    // completion before its next invocation at the same instant) — except an operation's own
    // call, which always precedes its return.
    let mut entries: Vec<(u64, u8, usize)> = Vec::with_capacity(2 * n);
    for (i, o) in ops.iter().enumerate() {
        entries.push((o.call, 0, i));
        entries.push((o.ret, 1, i));
    }
    entries.sort_unstable_by_key(|&(t, kind, i)| {
        let rank = match kind {
            1 if ops[i].call < t => 0,
            0 => 1,
            _ => 2,
        };
        (t, rank, i)
    });
    let head = 2 * n;
    let mut next = vec![NIL; 2 * n + 1];
    let mut prev = vec![NIL; 2 * n + 1];
    let mut call_node = vec![0; n];
    let mut ret_node = vec![0; n];
    let mut last = head;
    for (node, &(_, kind, i)) in entries.iter().enumerate() {
        if kind == 0 {
            call_node[i] = node;
        } else {
            ret_node[i] = node;
        }
        next[last] = node;
        prev[node] = last;
        last = node;
    }
    let lift = |next: &mut Vec<usize>, prev: &mut Vec<usize>, i: usize| {
        for e in [call_node[i], ret_node[i]] {
            next[prev[e]] = next[e];
            if next[e] != NIL {
                prev[next[e]] = prev[e];
            }
        }
    };
    let unlift = |next: &mut Vec<usize>, prev: &mut Vec<usize>, i: usize| {
        for e in [ret_node[i], call_node[i]] {
            next[prev[e]] = e;
            if next[e] != NIL {
                prev[next[e]] = e;
            }
        }
    };
    let words = n.div_ceil(64);
    let mut linearized = vec![0u64; words];
    let mut state = vec![spec.init; slots];
    let mut cache: HashSet<Box<[u64]>, FxBuild> = HashSet::default();
    let mut key: Vec<u64> = Vec::with_capacity(words + slots.div_ceil(2));
    let mut stack: Vec<Choice> = Vec::new();
    let mut entry = next[head];
    let mut pass = 0u8;
    // Records (linearized, state) if new; false if already explored.
    let mut remember =
        |linearized: &[u64], state: &[u32], key: &mut Vec<u64>| -> Result<bool, CheckError> {
            key.clear();
            key.extend_from_slice(linearized);
            key.extend(
                state
                    .chunks(2)
                    .map(|c| c[0] as u64 | (c.get(1).copied().unwrap_or(0) as u64) << 32),
            );
            if cache.contains(key.as_slice()) {
                return Ok(false);
            }
            if cache.len() >= max_states {
                return Err(CheckError::Budget(format!(
                    "linearizability search gave up after {max_states} states"
                )));
            }
            cache.insert(key.clone().into_boxed_slice());
            Ok(true)
        };
    while next[head] != NIL {
        let (_, kind, i) = entries[entry];
        let o = ops[i];
        if kind == 0 {
            if o.optional == (pass == 1) {
                let old = state[o.slot];
                if let Some(new) = spec.apply(old, o.step) {
                    linearized[i / 64] |= 1 << (i % 64);
                    state[o.slot] = new;
                    if remember(&linearized, &state, &mut key)? {
                        stack.push(Choice {
                            op: i,
                            old,
                            skipped: false,
                            pass,
                        });
                        lift(&mut next, &mut prev, i);
                        entry = next[head];
                        pass = 0;
                        continue;
                    }
                    linearized[i / 64] &= !(1 << (i % 64));
                    state[o.slot] = old;
                }
            }
            entry = next[entry];
            continue;
        }
        // A return entry: every candidate before it has been tried in this pass.
        if pass == 0 {
            pass = 1;
            entry = next[head];
            continue;
        }
        if o.optional {
            linearized[i / 64] |= 1 << (i % 64);
            if remember(&linearized, &state, &mut key)? {
                stack.push(Choice {
                    op: i,
                    old: state[o.slot],
                    skipped: true,
                    pass,
                });
                lift(&mut next, &mut prev, i);
                entry = next[head];
                pass = 0;
                continue;
            }
            linearized[i / 64] &= !(1 << (i % 64));
        }
        // Backtrack to the last real choice.
        loop {
            let Some(c) = stack.pop() else {
                return Ok(false);
            };
            linearized[c.op / 64] &= !(1 << (c.op % 64));
            state[ops[c.op].slot] = c.old;
            unlift(&mut next, &mut prev, c.op);
            if !c.skipped {
                entry = next[call_node[c.op]];
                pass = c.pass;
                break;
            }
        }
    }
    Ok(true)
}

/// `history` as known at time `t`: operations invoked later are gone, and operations that
/// complete later are still pending (indeterminate).
pub fn prefix(history: &History, t: u64) -> History {
    let mut h = history.clone();
    h.ops.retain(|o| o.invoke.0 <= t);
    for o in &mut h.ops {
        if o.complete.0 > t {
            relax(o);
        }
    }
    h
}

fn relax(o: &mut crate::sim::Op) {
    o.outcome = Outcome::Info;
    o.output = Value::Nil;
    o.complete = Time::MAX;
}

fn linearizable(
    h: &History,
    kind: ModelKind,
    initial: &Value,
    max: usize,
    relaxed: &BTreeSet<usize>,
) -> Result<bool, CheckError> {
    let mut spec = Spec::new(kind, h, initial)?;
    Ok(search_all(&mut spec, h, true, max, relaxed)?.is_none())
}

/// Fills in the first bad operation and a minimal witness.
fn explain(
    verdict: &mut Verdict,
    history: &History,
    kind: ModelKind,
    initial: &Value,
    max: usize,
) -> Result<(), CheckError> {
    let none = BTreeSet::new();
    let mut times: Vec<u64> = history
        .ops
        .iter()
        .filter(|o| o.outcome != Outcome::Info && o.complete < Time::MAX)
        .map(|o| o.complete.0)
        .collect();
    times.sort_unstable();
    times.dedup();
    // Smallest completion time whose prefix is not linearizable (monotone in t).
    let (mut lo, mut hi) = (0, times.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if linearizable(&prefix(history, times[mid]), kind, initial, max, &none)? {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let Some(&t) = times.get(lo) else {
        return Ok(());
    };
    // Among the operations completing at t, the one on a key whose prefix is not linearizable.
    let at_t: Vec<usize> = history
        .ops
        .iter()
        .filter(|o| o.complete.0 == t && o.outcome != Outcome::Info)
        .map(|o| o.index)
        .collect();
    let mut first = None;
    for &i in &at_t {
        let mut h = prefix(history, t);
        h.ops.retain(|o| o.key == history.ops[i].key);
        if !linearizable(&h, kind, initial, max, &none)? {
            first = Some(i);
            break;
        }
    }
    let Some(first) = first else { return Ok(()) };
    // Keep only that key, as known at t; relax the others one at a time while still bad.
    // A relaxed operation may or may not have taken effect, within its own interval, with any
    // output: strictly weaker, so what remains is still inconsistent on its own.
    let key = history.ops[first].key.clone();
    let mut h = prefix(history, t);
    h.ops.retain(|o| o.key == key);
    for (pos, o) in h.ops.iter_mut().enumerate() {
        o.index = pos;
    }
    let original: Vec<usize> = prefix(history, t)
        .ops
        .iter()
        .filter(|o| o.key == key)
        .map(|o| o.index)
        .collect();
    let candidates: Vec<usize> = (0..h.ops.len())
        .filter(|&i| h.ops[i].outcome != Outcome::Info && original[i] != first)
        .collect();
    let mut relaxed = BTreeSet::new();
    let step_budget = max.min(200_000);
    for i in candidates {
        relaxed.insert(i);
        // Over budget counts as "needed": the witness stays sound, only less minimal.
        if linearizable(&h, kind, initial, step_budget, &relaxed).unwrap_or(true) {
            relaxed.remove(&i);
        }
    }
    let witness: Vec<usize> = (0..h.ops.len())
        .filter(|i| h.ops[*i].outcome != Outcome::Info && !relaxed.contains(i))
        .map(|i| original[i])
        .collect();
    let o = &history.ops[first];
    verdict.first_bad_op = Some(first);
    verdict.explanation = format!(
        "no linearization exists: the history stops being linearizable when operation {first} \
         (process {}, {} on key {:?}, returned {}) completes; operations {:?} alone cannot be \
         ordered even if every other operation may or may not have taken effect",
        o.process,
        o.f.name(),
        o.key,
        o.output,
        witness
    );
    verdict.witness = witness;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::model::ModelKind::*;
    use crate::sim::{Op, OpFn};

    /// `(process, f, input, output, invoke, complete, outcome)`
    pub(crate) fn h(ops: &[(u64, OpFn, Value, Value, u64, u64, Outcome)]) -> History {
        History {
            ops: ops
                .iter()
                .enumerate()
                .map(|(index, (process, f, input, output, i, c, outcome))| Op {
                    index,
                    process: *process,
                    f: *f,
                    key: String::new(),
                    input: input.clone(),
                    output: output.clone(),
                    invoke: Time(*i),
                    complete: if *outcome == Outcome::Info {
                        Time::MAX
                    } else {
                        Time(*c)
                    },
                    outcome: *outcome,
                })
                .collect(),
        }
    }

    use Outcome::{Fail, Info, Ok as Done};
    use Value::{Int, Nil};

    fn run(hist: &History, kind: ModelKind) -> Verdict {
        check(hist, kind, &Int(0), Options::default()).unwrap()
    }

    #[test]
    fn overlapping_write_and_read_linearize() {
        let hist = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 10, Done),
            (1, OpFn::Read, Nil, Int(1), 5, 6, Done),
            (1, OpFn::Read, Nil, Int(1), 11, 12, Done),
        ]);
        assert!(run(&hist, Register).ok);
    }

    #[test]
    fn stale_read_after_write_is_caught_with_its_witness() {
        let hist = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 10, Done),
            (1, OpFn::Read, Nil, Int(1), 12, 13, Done),
            (2, OpFn::Read, Nil, Int(0), 14, 15, Done),
        ]);
        let v = run(&hist, Register);
        assert!(!v.ok);
        assert_eq!(v.first_bad_op, Some(2));
        // Read 1 then read 0: the write, relaxed to "may have happened", still explains 1.
        assert_eq!(v.witness, vec![1, 2]);
    }

    #[test]
    fn indeterminate_write_may_take_effect_late_or_never() {
        let late = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 0, Info),
            (1, OpFn::Read, Nil, Int(0), 5, 6, Done),
            (1, OpFn::Read, Nil, Int(1), 100, 101, Done),
        ]);
        assert!(run(&late, Register).ok);
        let never = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 0, Info),
            (1, OpFn::Read, Nil, Int(0), 5, 6, Done),
        ]);
        assert!(run(&never, Register).ok);
        let before_invoke = h(&[
            (1, OpFn::Read, Nil, Int(1), 0, 1, Done),
            (0, OpFn::Write, Int(1), Nil, 5, 0, Info),
        ]);
        assert!(!run(&before_invoke, Register).ok);
    }

    #[test]
    fn failed_write_never_happened() {
        let hist = h(&[
            (0, OpFn::Write, Int(3), Nil, 0, 2, Fail),
            (1, OpFn::Read, Nil, Int(3), 1, 3, Done),
        ]);
        assert!(!run(&hist, Register).ok);
    }

    #[test]
    fn cas_that_lost_must_have_seen_another_value() {
        let hist = h(&[
            (
                0,
                OpFn::Cas,
                Value::Pair(0, 1),
                Value::Bool(false),
                0,
                1,
                Done,
            ),
            (1, OpFn::Read, Nil, Int(0), 2, 3, Done),
        ]);
        assert!(!run(&hist, CasRegister).ok);
        let hist = h(&[
            (
                0,
                OpFn::Cas,
                Value::Pair(0, 1),
                Value::Bool(true),
                0,
                1,
                Done,
            ),
            (1, OpFn::Read, Nil, Int(1), 2, 3, Done),
        ]);
        assert!(run(&hist, CasRegister).ok);
    }

    #[test]
    fn splitting_and_not_splitting_agree_on_keys() {
        let mut hist = h(&[
            (0, OpFn::Write, Int(1), Nil, 0, 1, Done),
            (1, OpFn::Write, Int(2), Nil, 0, 1, Done),
            (0, OpFn::Read, Nil, Int(2), 2, 3, Done),
            (1, OpFn::Read, Nil, Int(1), 2, 3, Done),
        ]);
        hist.ops[1].key = "b".into();
        hist.ops[3].key = "b".into();
        for split in [true, false] {
            let o = Options {
                split_keys: split,
                ..Options::default()
            };
            assert!(
                !check(&hist, Register, &Int(0), o).unwrap().ok,
                "split={split}"
            );
        }
        hist.ops[2].output = Int(1);
        hist.ops[3].output = Int(2);
        for split in [true, false] {
            let o = Options {
                split_keys: split,
                ..Options::default()
            };
            assert!(
                check(&hist, Register, &Int(0), o).unwrap().ok,
                "split={split}"
            );
        }
    }
}
