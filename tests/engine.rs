//! Engine properties over whole runs: determinism, conservation, partitions, FIFO, crash
//! recovery, seek and fork, and bad input that must be refused in words.

use proptest::prelude::*;
use std::collections::BTreeMap;
use swarmscope::protocols::heartbeat::{Detector, Monitor};
use swarmscope::scenario::{self, url::Run};
use swarmscope::sim::{
    Action, EventKind, Fate, Intervention, NodeId, SimConfig, Simulation, Time, TraceConfig, World,
};

fn heartbeat(seed: u64, set: &[(&str, &str)], ivs: Vec<Intervention>) -> Box<dyn Simulation> {
    let def = scenario::find("heartbeat").unwrap();
    let o: BTreeMap<String, String> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    def.instantiate(&o, seed, ivs, TraceConfig::default())
        .unwrap()
}

fn iv(at_ms: u64, action: Action) -> Intervention {
    Intervention {
        at: Time::ms(at_ms),
        action,
    }
}

#[test]
fn same_inputs_give_the_same_trace_hash_over_100_seeds_and_different_seeds_differ() {
    let mut hashes = std::collections::BTreeSet::new();
    for seed in 0..100 {
        let set = [
            ("latency", "5ms..50ms"),
            ("loss", "5%"),
            ("duplicate", "2%"),
        ];
        let ivs = || {
            vec![
                iv(300, Action::Crash(NodeId(1))),
                iv(700, Action::Recover(NodeId(1))),
            ]
        };
        let mut a = heartbeat(seed, &set, ivs());
        let mut b = heartbeat(seed, &set, ivs());
        a.run_until(Time::secs(1), u64::MAX);
        b.run_until(Time::secs(1), u64::MAX);
        assert_eq!(
            a.hash(),
            b.hash(),
            "seed {seed} is not deterministic; rerun with --seed {seed}"
        );
        assert_eq!(a.trace().events, b.trace().events, "seed {seed}");
        hashes.insert(a.hash());
    }
    assert_eq!(
        hashes.len(),
        100,
        "different seeds must give different runs"
    );
}

#[test]
fn the_trace_hash_matches_the_golden_value_shared_with_the_wasm_test() {
    let mut s = heartbeat(7, &[("latency", "lnkd-ssd"), ("loss", "10%")], vec![]);
    s.run_until(Time::secs(2), u64::MAX);
    assert_eq!(
        s.hash(),
        swarmscope::sim::golden::HEARTBEAT_SEED7_HASH,
        "got {:016x}",
        s.hash()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn messages_are_conserved(seed in any::<u64>(), loss in 0u32..100, dup in 0u32..50, crash in 0u32..5, part in any::<bool>()) {
        let loss = format!("{loss}%");
        let dup = format!("{dup}%");
        let mut ivs = vec![iv(200, Action::Crash(NodeId(crash)))];
        if part {
            ivs.push(iv(300, Action::Partition(vec![vec![NodeId(0), NodeId(1)]])));
            ivs.push(iv(600, Action::Heal));
        }
        let mut s = heartbeat(seed, &[("loss", &loss), ("duplicate", &dup), ("latency", "1ms..80ms")], ivs);
        for step in 1..=8 {
            s.run_until(Time::ms(100 * step), u64::MAX);
            let st = s.stats();
            let in_flight = s.trace().msgs.iter().filter(|m| m.fate == Fate::InFlight).count() as u64;
            prop_assert_eq!(st.sent + st.duplicated, st.delivered + st.dropped + in_flight);
            prop_assert_eq!(st.in_flight(), in_flight);
        }
    }
}

#[test]
fn no_message_crosses_a_partition() {
    let groups = vec![
        vec![NodeId(0), NodeId(1)],
        vec![NodeId(2), NodeId(3), NodeId(4)],
    ];
    let mut s = heartbeat(
        3,
        &[],
        vec![iv(500, Action::Partition(groups)), iv(1500, Action::Heal)],
    );
    s.run_until(Time::secs(2), u64::MAX);
    let side = |n: NodeId| n.0 < 2;
    let mut crossed_after_heal = 0;
    for e in &s.trace().events {
        if let EventKind::Deliver { msg } = e.kind {
            let m = s.trace().msg(msg).unwrap();
            if side(m.from) != side(m.to) {
                assert!(
                    e.time < Time::ms(500) || e.time >= Time::ms(1500),
                    "{m:?} crossed the wall at {}",
                    e.time
                );
                if e.time >= Time::ms(1500) {
                    crossed_after_heal += 1;
                }
            }
        }
    }
    assert!(crossed_after_heal > 0, "healing must reconnect the sides");
}

#[test]
fn fifo_links_deliver_in_send_order_when_asked() {
    for fifo in ["on", "off"] {
        let mut s = heartbeat(
            5,
            &[
                ("fifo", fifo),
                ("latency", "1ms..100ms"),
                ("interval", "5ms"),
                ("timeout", "1s"),
            ],
            vec![],
        );
        s.run_until(Time::secs(1), u64::MAX);
        let mut last: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        let mut overtakes = 0;
        for e in &s.trace().events {
            if let EventKind::Deliver { msg } = e.kind {
                let m = s.trace().msg(msg).unwrap();
                let prev = last.insert((m.from.0, m.to.0), msg).unwrap_or(0);
                if msg < prev {
                    overtakes += 1;
                }
            }
        }
        if fifo == "on" {
            assert_eq!(overtakes, 0, "FIFO links reordered messages");
        } else {
            assert!(
                overtakes > 0,
                "without FIFO a 1..100 ms spread should reorder some messages"
            );
        }
    }
}

#[test]
fn crash_recovery_keeps_durable_and_loses_volatile_state() {
    let config = SimConfig {
        n: 3,
        seed: 9,
        ..SimConfig::default()
    };
    let mut w = World::new(
        config,
        Detector::default(),
        |_, n| Monitor::new(n, Time::ms(100), Time::ms(300)),
        vec![],
    )
    .unwrap();
    w.run_until(Time::secs(1), u64::MAX);
    assert!(w.state().nodes[1]
        .agent
        .last_heard
        .iter()
        .any(|h| h.is_some()));
    w.intervene(Action::Crash(NodeId(1))).unwrap();
    assert!(
        w.state().nodes[1]
            .agent
            .last_heard
            .iter()
            .all(|h| h.is_none()),
        "volatile table survived a crash"
    );
    w.run_until(Time::ms(1500), u64::MAX);
    w.intervene(Action::Recover(NodeId(1))).unwrap();
    w.run_until(Time::secs(2), u64::MAX);
    w.intervene(Action::Crash(NodeId(1))).unwrap();
    w.intervene(Action::Recover(NodeId(1))).unwrap();
    assert_eq!(
        w.state().nodes[1].agent.incarnation,
        2,
        "the durable incarnation counter must survive crashes"
    );
}

#[test]
fn seeking_equals_a_straight_run_to_that_time() {
    let set = [("latency", "1ms..40ms"), ("loss", "10%")];
    let ivs = || {
        vec![
            iv(400, Action::Crash(NodeId(2))),
            iv(900, Action::Partition(vec![vec![NodeId(0)]])),
        ]
    };
    let mut long = heartbeat(11, &set, ivs());
    long.run_until(Time::secs(3), u64::MAX);
    for t in [0, 1, 399, 400, 401, 777, 900, 1234, 2999] {
        let t = Time::ms(t);
        let mut short = heartbeat(11, &set, ivs());
        short.run_until(t, u64::MAX);
        assert_eq!(long.frame_at(t), short.frame_at(t), "frame at {t}");
    }
    // Backwards and forwards again (exercises the replay cache).
    let a = long.frame_at(Time::ms(2500));
    let _ = long.frame_at(Time::ms(100));
    assert_eq!(long.frame_at(Time::ms(2500)), a);
}

#[test]
fn forking_in_the_past_equals_a_fresh_run_with_that_intervention() {
    let mut live = heartbeat(21, &[("loss", "5%")], vec![]);
    live.run_until(Time::secs(2), u64::MAX);
    live.fork_at(Time::ms(750));
    live.intervene(Action::Crash(NodeId(3))).unwrap();
    live.run_until(Time::secs(2), u64::MAX);
    let mut fresh = heartbeat(
        21,
        &[("loss", "5%")],
        vec![iv(750, Action::Crash(NodeId(3)))],
    );
    fresh.run_until(Time::secs(2), u64::MAX);
    assert_eq!(live.hash(), fresh.hash());
    assert_eq!(live.trace().events, fresh.trace().events);
    assert_eq!(live.interventions(), fresh.interventions());
}

#[test]
fn a_replayed_url_gives_the_same_hash_as_the_live_session() {
    let mut live = heartbeat(4, &[], vec![]);
    live.run_until(Time::ms(300), u64::MAX);
    live.intervene(Action::Crash(NodeId(0))).unwrap();
    live.run_until(Time::ms(800), u64::MAX);
    live.intervene(Action::Set("latency".into(), "50ms..90ms".into()))
        .unwrap();
    live.run_until(Time::secs(2), u64::MAX);
    let mut run = Run::new("heartbeat", 4);
    run.interventions = live.interventions().to_vec();
    let parsed = Run::parse(&run.to_query()).unwrap();
    let def = scenario::find(&parsed.scenario).unwrap();
    let mut replay = def
        .instantiate(
            &parsed.params,
            parsed.seed,
            parsed.interventions,
            TraceConfig::default(),
        )
        .unwrap();
    replay.run_until(Time::secs(2), u64::MAX);
    assert_eq!(live.hash(), replay.hash());
}

#[test]
fn bad_input_is_refused_in_words_never_a_panic() {
    let def = scenario::find("heartbeat").unwrap();
    let build = |set: &[(&str, &str)], ivs: Vec<Intervention>| {
        let o: BTreeMap<String, String> = set
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        def.instantiate(&o, 1, ivs, TraceConfig::default())
    };
    for set in [
        [("nodes", "0")],
        [("nodes", "10001")],
        [("loss", "101%")],
        [("latency", "-5ms")],
        [("interval", "0ms")],
    ] {
        let e = build(&set, vec![])
            .err()
            .unwrap_or_else(|| panic!("{set:?} accepted"));
        assert!(e.0.contains(set[0].0), "{e}");
    }
    let e = build(
        &[],
        vec![iv(10, Action::Partition(vec![vec![NodeId(0), NodeId(9)]]))],
    )
    .err()
    .unwrap();
    assert!(e.0.contains("does not exist"), "{e}");
    let e = build(&[], vec![iv(10, Action::Crash(NodeId(5)))])
        .err()
        .unwrap();
    assert!(e.0.contains("agent 5"), "{e}");
    assert!(build(&[], vec![iv(10, Action::Set("warp".into(), "9".into()))]).is_err());
    assert!("-1s*crash*0".parse::<Intervention>().is_err());
    // Extremes that are legal must run, bounded.
    for set in [
        [("latency", "0ms"), ("loss", "100%")],
        [("latency", "pareto(0.001,0.05)"), ("loss", "0")],
    ] {
        let mut s = build(&set, vec![]).unwrap();
        s.run_until(Time::secs(1), 2_000_000);
    }
    // The engine itself takes 10,000 agents (a cheap protocol: heartbeats to one neighbour).
    let config = SimConfig {
        n: 10_000,
        seed: 1,
        ..SimConfig::default()
    };
    let mut w = World::new(
        config,
        Detector::default(),
        |_, _| Monitor::new(0, Time::ms(100), Time::ms(300)),
        vec![],
    )
    .unwrap();
    w.run_until(Time::ms(1), 20);
    assert!(
        w.state().stats.events >= 20 * 9_999,
        "each start broadcasts to every peer"
    );
    let config = SimConfig {
        n: 10_001,
        ..SimConfig::default()
    };
    assert!(World::new(
        config,
        Detector::default(),
        |_, _| Monitor::new(0, Time::ms(1), Time::ms(1)),
        vec![]
    )
    .is_err());
}

#[test]
fn a_silent_byzantine_agent_sends_nothing_that_arrives() {
    let mut s = heartbeat(
        2,
        &[],
        vec![iv(
            100,
            Action::Byzantine(NodeId(0), Some(swarmscope::sim::ByzantineMode::Silent)),
        )],
    );
    s.run_until(Time::secs(1), u64::MAX);
    for m in &s.trace().msgs {
        if m.from == NodeId(0) && m.sent > Time::ms(100) {
            assert_eq!(
                m.fate,
                Fate::Dropped(swarmscope::sim::DropReason::Byzantine)
            );
        }
    }
}

#[test]
fn random_failures_crash_and_recover_agents() {
    let mut s = heartbeat(8, &[("mtbf", "500ms"), ("mttr", "100ms")], vec![]);
    s.run_until(Time::secs(5), u64::MAX);
    let crashes = s
        .trace()
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Crash)
        .count();
    let recovers = s
        .trace()
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Recover)
        .count();
    assert!(
        crashes > 10 && recovers > 10,
        "{crashes} crashes, {recovers} recoveries"
    );
}

#[test]
fn long_runs_keep_bounded_trace_memory_and_still_seek() {
    let def = scenario::find("heartbeat").unwrap();
    let trace = TraceConfig {
        record: true,
        max_events: 5_000,
        snapshot_every: 256,
    };
    let mut s = def.instantiate(&BTreeMap::new(), 1, vec![], trace).unwrap();
    s.run_until(Time::secs(60), u64::MAX);
    // One step may record a handful of events before compaction runs.
    assert!(
        s.trace().events.len() <= 5_100,
        "{}",
        s.trace().events.len()
    );
    assert!(s.stats().events > 20_000);
    let t = s.trace().earliest() + Time::ms(50);
    let f = s.frame_at(t);
    assert_eq!(f.time, t);
}
