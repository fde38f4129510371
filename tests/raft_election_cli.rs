//! The election-timeout study from the command line, exactly as issue 5 words it:
//! `swarmscope sweep raft-election --trials N --set nodes=5 --set failed=K --set latency=30ms..40ms
//! --set election_timeout=300ms..600ms --set heartbeat=150ms --json`.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::swarmscope;
use serde_json::Value;

fn study(failed: &str) -> Value {
    let args = [
        "sweep",
        "raft-election",
        "--trials",
        "200",
        "--set",
        "nodes=5",
        "--set",
        &format!("failed={failed}"),
        "--set",
        "latency=30ms..40ms",
        "--set",
        "election_timeout=300ms..600ms",
        "--set",
        "heartbeat=150ms",
        "--json",
    ];
    let (code, out, err) = swarmscope(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON on stdout")
}

#[test]
fn the_sweep_reports_time_without_leader_and_split_votes_per_trial() {
    let v = study("1");
    let t = &v["metrics"]["time_without_leader_ms"];
    for k in ["mean", "p50", "p90", "p99", "p999", "max"] {
        assert!(t[k].is_f64(), "{k} missing in {t}");
    }
    assert_eq!(t["samples"], 200, "every trial elects a new leader: {t}");
    // A lower bound from the rules: the earliest election starts a minimum timeout after the
    // last heartbeat arrived, minus the heartbeat interval the crash may follow, and then needs a
    // RequestVote, its reply and a heartbeat, each at least 30 ms.
    let min = t["min"].as_f64().unwrap_or(0.0);
    assert!(min >= 300.0 - 150.0 + 3.0 * 30.0, "{t}");
    assert!(t["p50"].as_f64() <= t["p99"].as_f64());
    assert!(v["metrics"]["split_votes"]["mean"].is_f64());
    // Same inputs, same numbers.
    assert_eq!(study("1")["metrics"], v["metrics"]);
}

#[test]
fn a_failure_count_that_leaves_nobody_up_is_refused_in_words() {
    let (code, _, err) = swarmscope(&[
        "sweep",
        "raft-election",
        "--set",
        "failed=5",
        "--trials",
        "3",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("at least one agent must be up"), "{err}");
}
