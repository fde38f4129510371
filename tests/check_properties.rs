//! Property tests: histories produced by a correct (atomic) register are accepted by every
//! checker; a single corrupted read is caught.

use proptest::prelude::*;
use swarmscope::check::linearizability::{self, Options};
use swarmscope::check::model::ModelKind;
use swarmscope::check::{causal, sequential, session};
use swarmscope::sim::{History, Op, OpFn, Outcome, Time, Value};

/// A sequential execution on one register per key, then timed: each op takes effect at
/// `10 * i + 5`, and its interval is stretched by random amounts around that point (so
/// intervals overlap, but always contain the linearization point). Writes write unique values.
fn atomic_history(ops: &[(u8, bool, u8, u8, u8)]) -> History {
    let mut state = [0i64; 3];
    let mut history = History::default();
    let mut next_value = 1i64;
    let mut busy_until = [0u64; 4];
    for (i, &(process, is_write, key, before, after)) in ops.iter().enumerate() {
        let p = (process % 4) as usize;
        let k = (key % 3) as usize;
        let point = 10 * i as u64 + 5;
        // A process has one operation open at a time: start after its previous one ended.
        let invoke = point
            .saturating_sub(before as u64 % 40)
            .max(busy_until[p] + 1)
            .min(point);
        let complete = point + after as u64 % 40;
        busy_until[p] = complete;
        let (f, input, output) = if is_write {
            state[k] = next_value;
            next_value += 1;
            (OpFn::Write, Value::Int(state[k]), Value::Nil)
        } else {
            (OpFn::Read, Value::Nil, Value::Int(state[k]))
        };
        history.ops.push(Op {
            index: i,
            process: p as u64,
            f,
            key: format!("k{k}"),
            input,
            output,
            invoke: Time(invoke),
            complete: Time(complete),
            outcome: Outcome::Ok,
        });
    }
    // Program order must follow invocation order within a process: re-sort by invoke.
    history.ops.sort_by_key(|o| (o.invoke, o.index));
    for (i, o) in history.ops.iter_mut().enumerate() {
        o.index = i;
    }
    history
}

fn ops_strategy() -> impl Strategy<Value = Vec<(u8, bool, u8, u8, u8)>> {
    prop::collection::vec(any::<(u8, bool, u8, u8, u8)>(), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn atomic_histories_pass_every_checker(ops in ops_strategy()) {
        let h = atomic_history(&ops);
        let zero = Value::Int(0);
        for split in [true, false] {
            let v = linearizability::check(&h, ModelKind::Register, &zero, Options { split_keys: split, ..Options::default() }).unwrap();
            prop_assert!(v.ok, "linearizability split={}: {}", split, v.explanation);
        }
        let v = sequential::check(&h, ModelKind::Register, &zero, Default::default()).unwrap();
        prop_assert!(v.ok, "sequential: {}", v.explanation);
        let v = causal::check(&h, ModelKind::Register, &zero).unwrap();
        prop_assert!(v.ok, "causal: {}", v.explanation);
        for g in [session::Guarantee::ReadYourWrites, session::Guarantee::MonotonicReads,
                  session::Guarantee::MonotonicWrites, session::Guarantee::WritesFollowReads] {
            let v = session::check(&h, g, &zero).unwrap();
            prop_assert!(v.ok, "{}: {}", g.name(), v.explanation);
        }
    }

    #[test]
    fn a_read_of_a_value_never_written_is_caught(ops in ops_strategy(), pick in any::<prop::sample::Index>()) {
        let mut h = atomic_history(&ops);
        let reads: Vec<usize> = h.ops.iter().filter(|o| o.f == OpFn::Read).map(|o| o.index).collect();
        prop_assume!(!reads.is_empty());
        let r = reads[pick.index(reads.len())];
        h.ops[r].output = Value::Int(1_000_000);
        let zero = Value::Int(0);
        let v = linearizability::check(&h, ModelKind::Register, &zero, Options::default()).unwrap();
        prop_assert!(!v.ok);
        prop_assert!(v.witness.contains(&r), "witness {:?} misses read {}", v.witness, r);
        let quick = sequential::Options { minimize_limit: 0, ..Default::default() };
        prop_assert!(!sequential::check(&h, ModelKind::Register, &zero, quick).unwrap().ok);
        prop_assert!(!causal::check(&h, ModelKind::Register, &zero).unwrap().ok);
    }

    #[test]
    fn a_stale_read_after_a_completed_write_is_not_linearizable(ops in ops_strategy()) {
        // Append a write of a fresh value, then (strictly later) a read of the old one.
        let mut h = atomic_history(&ops);
        let end = h.ops.iter().map(|o| o.complete.0).max().unwrap_or(0) + 10;
        let n = h.ops.len();
        h.ops.push(Op { index: n, process: 9, f: OpFn::Write, key: "k0".into(), input: Value::Int(777_777),
            output: Value::Nil, invoke: Time(end), complete: Time(end + 1), outcome: Outcome::Ok });
        h.ops.push(Op { index: n + 1, process: 9, f: OpFn::Read, key: "k0".into(), input: Value::Nil,
            output: Value::Int(0), invoke: Time(end + 2), complete: Time(end + 3), outcome: Outcome::Ok });
        let zero = Value::Int(0);
        let v = linearizability::check(&h, ModelKind::Register, &zero, Options::default()).unwrap();
        prop_assert!(!v.ok);
        prop_assert_eq!(v.first_bad_op, Some(n + 1));
        prop_assert!(!session::check(&h, session::Guarantee::ReadYourWrites, &zero).unwrap().ok);
    }
}
