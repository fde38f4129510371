//! The `swarmscope` command line as a user types it: list, describe, run, sweep, and bad input
//! that exits with code 2 and a message naming the problem.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::process::Command;

fn swarmscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmscope"))
        .args(args)
        .output()
        .expect("the swarmscope binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_prints_every_scenario_id_first() {
    let (code, out, _) = swarmscope(&["list"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    for id in swarmscope::scenario::ids() {
        assert!(ids.contains(&id), "{id} missing from {out}");
    }
}

#[test]
fn run_reports_counters_metrics_invariants_and_a_stable_hash() {
    let args = [
        "run",
        "heartbeat",
        "--seed",
        "3",
        "--set",
        "latency=30ms..40ms",
        "--set",
        "loss=10%",
        "--until",
        "2s",
        "--do",
        "500ms*crash*1",
        "--json",
    ];
    let (code, out, err) = swarmscope(&args);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    for key in [
        "scenario",
        "seed",
        "params",
        "sim_time_us",
        "events",
        "messages",
        "trace_hash",
        "metrics",
        "invariants",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["sim_time_us"], 2_000_000);
    assert_eq!(v["params"]["loss"], "10%");
    let m = &v["messages"];
    let sent = m["sent"].as_u64().unwrap() + m["duplicated"].as_u64().unwrap();
    let out_ = m["delivered"].as_u64().unwrap()
        + m["dropped"].as_u64().unwrap()
        + m["in_flight"].as_u64().unwrap();
    assert_eq!(sent, out_);
    let (_, again, _) = swarmscope(&args);
    let w: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["trace_hash"], w["trace_hash"]);
}

#[test]
fn sweep_aggregates_each_metric_with_percentiles() {
    let (code, out, err) = swarmscope(&[
        "sweep",
        "heartbeat",
        "--trials",
        "8",
        "--until",
        "1s",
        "--set",
        "latency=200ms..400ms",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let m = &v["metrics"]["false_suspicions"];
    for k in ["mean", "p50", "p90", "p99", "p999", "min", "max"] {
        assert!(m.get(k).is_some(), "missing {k} in {m}");
    }
    assert!(m["max"].as_f64().unwrap() >= m["min"].as_f64().unwrap());
}

#[test]
fn bad_values_exit_2_naming_the_key_and_its_range() {
    for (args, must) in [
        (vec!["run", "heartbeat", "--set", "nodes=0"], "nodes"),
        (vec!["run", "heartbeat", "--set", "loss=2"], "loss"),
        (vec!["run", "heartbeat", "--set", "warp=9"], "warp"),
        (vec!["run", "heartbeat", "--set", "latency"], "key=value"),
        (vec!["run", "heartbeat", "--until", "forever"], "--until"),
        (vec!["run", "heartbeat", "--do", "1s*crash*99"], "agent 99"),
        (vec!["run", "nope"], "unknown scenario"),
        (vec!["sweep", "heartbeat", "--trials", "0"], "trials"),
    ] {
        let (code, out, err) = swarmscope(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(must), "{args:?}: {err}");
    }
}
