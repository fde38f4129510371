//! The `swarmscope` command line as a user types it: list, describe, run, sweep, and bad input
//! that exits with code 2 and a message naming the problem.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::swarmscope;
use serde_json::Value;

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

#[test]
fn check_gives_verdicts_witnesses_and_line_numbers() {
    let (code, out, err) = swarmscope(&[
        "check",
        "linearizability",
        "tests/data/porcupine/etcd/etcd_000.log",
        "--json",
    ]);
    assert_eq!(code, 1, "a violation exits 1: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "violation");
    assert!(!v["witness"].as_array().unwrap().is_empty());
    for key in ["model", "operations", "elapsed_ms"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let (code, out, _) = swarmscope(&[
        "check",
        "linearizability",
        "tests/data/porcupine/etcd/etcd_002.log",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["verdict"],
        "ok"
    );
    let dir = std::env::temp_dir().join(format!("swarmscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.edn");
    std::fs::write(
        &bad,
        "[{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0 :type\n",
    )
    .unwrap();
    let (code, _, err) = swarmscope(&["check", "linearizability", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line"), "{err}");
    let (code, _, err) = swarmscope(&["check", "serializable", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("linearizability"),
        "should list the accepted checkers: {err}"
    );
}

#[test]
fn run_and_sweep_report_the_checkers_verdicts_as_metrics() {
    // The explorer computes these in its Web Worker; the CLI adds them (scenario::checked).
    let (code, out, err) = swarmscope(&["run", "strong-register", "--until", "3s", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["metrics"]["linearizable"], 1.0);
    assert_eq!(v["metrics"]["sequential_ok"], 1.0);
    let (code, out, err) = swarmscope(&[
        "sweep", "sessions", "--trials", "2", "--until", "3s", "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["metrics"].get("ryw_ok").is_some(), "{out}");
}
