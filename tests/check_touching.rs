//! Regression: operations of one client that touch in time (the next invoked at the instant the
//! previous completed, as the simulator records them) are ordered, not concurrent. A stale read
//! right after the client's own newer write is therefore not linearizable.

use swarmscope::check::live;
use swarmscope::sim::{History, OpFn, Outcome, Time, Value};

#[test]
fn touching_operations_of_one_client_are_ordered() {
    let mut h = History::default();
    let w1 = h.invoke(3, OpFn::Write, "x".into(), Value::Int(1), Time(0));
    h.complete(w1, Outcome::Ok, Value::Int(1), Time(100));
    let w2 = h.invoke(3, OpFn::Write, "x".into(), Value::Int(2), Time(100));
    h.complete(w2, Outcome::Ok, Value::Int(2), Time(200));
    let r = h.invoke(3, OpFn::Read, "x".into(), Value::Nil, Time(200));
    h.complete(r, Outcome::Ok, Value::Int(1), Time(300));
    for g in live::guarantees(&h, &Value::Nil) {
        if g.name == "linearizability" || g.name == "sequential" {
            let v = g.verdict.unwrap_or_else(|e| panic!("{}: {e}", g.name));
            assert!(
                !v.ok,
                "{} must catch the stale read: {}",
                g.name, v.explanation
            );
            assert!(
                v.witness.contains(&r),
                "{}: witness {:?}",
                g.name,
                v.witness
            );
        }
    }
}
