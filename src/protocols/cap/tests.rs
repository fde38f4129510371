use super::scenario::{minority, world};
use super::*;
use crate::sim::{Action, Effect, Intervention, Purpose, SimConfig, SimRng, World};
use std::collections::BTreeMap;

fn cfg(mode: Mode, merge: Merge, replicas: usize) -> Cfg {
    Cfg {
        mode,
        merge,
        replicas,
        quorum: replicas / 2 + 1,
        timeout: Time::ms(300),
        sync: Time::ms(200),
    }
}

fn config(seed: u64) -> SimConfig {
    let mut c = SimConfig {
        seed,
        ..SimConfig::default()
    };
    c.trace.record = false;
    c
}

fn split(replicas: usize, clients: usize, at: u64, heal: u64) -> Vec<Intervention> {
    vec![
        Intervention {
            at: Time::ms(at),
            action: Action::Partition(vec![minority(replicas, clients)]),
        },
        Intervention {
            at: Time::ms(heal),
            action: Action::Heal,
        },
    ]
}

fn metrics(w: &World<Board>) -> BTreeMap<String, f64> {
    w.state().protocol.metrics(w.state()).into_iter().collect()
}

fn sib(value: i64, counter: u64, replica: u32, vv: Vec<u64>) -> Sib {
    Sib {
        value,
        stamp: Stamp { counter, replica },
        vv,
    }
}

#[test]
fn lww_merge_loses_the_concurrent_update_and_crdt_keeps_it() {
    let a = Reg {
        sibs: vec![sib(1, 1, 0, vec![1, 0])],
    };
    let b = Reg {
        sibs: vec![sib(2, 1, 1, vec![0, 1])],
    };
    let mut lww = a.clone();
    let lost = lww.merge(&b, Merge::Lww);
    assert_eq!(lww.read(), Value::Int(2));
    assert_eq!(lost.iter().map(|s| s.value).collect::<Vec<_>>(), vec![1]);
    let mut crdt = a.clone();
    assert!(crdt.merge(&b, Merge::Crdt).is_empty());
    assert_eq!(crdt.read(), Value::Str("1|2".into()));
    // A write that has seen both supersedes both, and nothing is lost.
    crdt.write(
        3,
        Stamp {
            counter: 2,
            replica: 0,
        },
        0,
        2,
    );
    let mut other = b.clone();
    assert!(other.merge(&crdt, Merge::Lww).is_empty());
    assert_eq!(other.read(), Value::Int(3));
}

#[test]
fn an_ap_write_is_answered_at_once_and_pushed_to_the_peers() {
    let mut r = Node::Replica(Replica::new(cfg(Mode::Ap, Merge::Lww, 3), 1));
    let (mut rng, mut out) = (SimRng::new(1, Purpose::Workload), vec![]);
    let mut ctx = Ctx::for_test(NodeId(0), Time::ms(5), 4, &mut rng, &mut out);
    let req = Msg::Req {
        req: 1,
        key: 0,
        write: Some(7),
    };
    r.on_message(&mut ctx, NodeId(3), &req);
    let stamp = Stamp {
        counter: 1,
        replica: 0,
    };
    let reg = Reg {
        sibs: vec![sib(7, 1, 0, vec![1, 0, 0])],
    };
    let sync = Msg::Sync { board: vec![reg] };
    assert_eq!(
        out,
        vec![
            Effect::Send {
                to: NodeId(1),
                msg: sync.clone()
            },
            Effect::Send {
                to: NodeId(2),
                msg: sync
            },
            Effect::Send {
                to: NodeId(3),
                msg: Msg::Reply {
                    req: 1,
                    res: Res::Ok {
                        value: Value::Int(7),
                        stamp
                    }
                }
            },
        ]
    );
}

#[test]
fn cp_minority_refuses_during_the_partition_and_stays_consistent() {
    let w = {
        let mut w = world(
            config(1),
            cfg(Mode::Cp, Merge::Lww, 5),
            2,
            1,
            Time::ms(100),
            split(5, 2, 1000, 3000),
        )
        .expect("world");
        w.run_until(Time::secs(4), 10_000_000);
        w
    };
    let m = metrics(&w);
    assert!(m["availability"] < 0.9, "{m:?}");
    assert_eq!(m["stale_reads"], 0.0);
    assert!(w.state().first_violation()[0].is_none());
    // The minority's client (node 5, home replica 0) got definite refusals.
    let Node::Client(c) = &w.state().nodes[5].agent else {
        panic!("node 5 is a client")
    };
    assert!(c.fail > 0, "{c:?}");
}

fn run_ap(seed: u64, merge: Merge) -> World<Board> {
    // The clients stop at 4s so the boards can settle by 5s.
    let mut ivs = split(5, 2, 1000, 3000);
    for c in [5, 6] {
        ivs.push(Intervention {
            at: Time::secs(4),
            action: Action::Crash(NodeId(c)),
        });
    }
    let mut w = world(
        config(seed),
        cfg(Mode::Ap, merge, 5),
        2,
        1,
        Time::ms(100),
        ivs,
    )
    .expect("world");
    w.run_until(Time::secs(5), 10_000_000);
    w
}

fn boards_agree(w: &World<Board>) -> bool {
    let boards: Vec<&Vec<Reg>> = w
        .state()
        .nodes
        .iter()
        .filter_map(|n| match &n.agent {
            Node::Replica(r) => Some(&r.board),
            _ => None,
        })
        .collect();
    boards.windows(2).all(|b| b[0] == b[1])
}

#[test]
fn ap_lww_is_available_but_loses_updates_on_heal() {
    let w = run_ap(1, Merge::Lww);
    let m = metrics(&w);
    assert_eq!(m["availability"], 1.0);
    assert!(m["lost_updates"] > 0.0, "{m:?}");
    assert!(m["stale_reads"] > 0.0, "{m:?}");
    assert!(boards_agree(&w), "anti-entropy reconciles after the heal");
}

#[test]
fn ap_crdt_loses_nothing_over_200_seeds() {
    let mut conflicts = 0.0;
    for seed in 0..200 {
        let w = run_ap(seed, Merge::Crdt);
        let m = metrics(&w);
        assert_eq!(m["lost_updates"], 0.0, "seed {seed}");
        assert!(boards_agree(&w), "seed {seed}");
        conflicts += m["conflicting_reads"];
    }
    assert!(conflicts > 0.0, "siblings are visible to readers");
}

/// Small worlds under random partitions, loss, duplication and crashes.
fn faulty(seed: u64, quorum: Option<usize>) -> World<Board> {
    let mut rng = SimRng::new(seed, Purpose::Scenario);
    let mut c = config(seed);
    c.link.loss = rng.below(20) as f64 / 100.0;
    c.link.duplicate = rng.below(20) as f64 / 100.0;
    if rng.chance(0.5) {
        c.mtbf = Some(Time::ms(500 + rng.below(1000)));
        c.mttr = Time::ms(100);
    }
    let mut k = cfg(Mode::Cp, Merge::Lww, 3);
    if let Some(q) = quorum {
        k.quorum = q;
    }
    let mut ivs = vec![];
    for _ in 0..rng.below(4) {
        let at = Time::ms(rng.below(2000));
        let g: Vec<NodeId> = (0..5).filter(|_| rng.chance(0.5)).map(NodeId).collect();
        ivs.push(Intervention {
            at,
            action: Action::Partition(vec![g]),
        });
        let heal = at + Time::ms(rng.below(800));
        ivs.push(Intervention {
            at: heal,
            action: Action::Heal,
        });
    }
    let mut w = world(c, k, 2, 1, Time::ms(50), ivs).expect("world");
    w.run_until(Time::ms(2500), 10_000_000);
    w
}

#[test]
fn cp_reads_are_never_stale_under_random_faults_over_1000_seeds() {
    for seed in 0..1000 {
        let w = faulty(seed, None);
        assert!(
            w.state().first_violation()[0].is_none(),
            "seed {seed}: {:?}",
            metrics(&w)
        );
    }
}

#[test]
fn a_cp_store_that_answers_from_the_minority_is_caught() {
    let caught = (0..50).filter(|s| faulty(*s, Some(1)).state().first_violation()[0].is_some());
    assert!(caught.count() > 0);
}

#[test]
fn switching_mode_mid_run_is_a_parameter() {
    let mut w = run_ap(2, Merge::Lww);
    w.intervene(Action::Set("mode".into(), "cp".into()))
        .expect("valid");
    assert!(w
        .intervene(Action::Set("mode".into(), "xp".into()))
        .is_err());
    assert_eq!(w.state().protocol.mode, Mode::Cp);
}

#[test]
fn bad_parameters_are_rejected_with_messages() {
    for (k, v) in [
        ("mode", "ca"),
        ("merge", "max"),
        ("replicas", "2"),
        ("replicas", "10"),
        ("clients", "0"),
        ("keys", "9"),
        ("think", "1ms"),
        ("timeout", "0ms"),
        ("partition", "soon"),
    ] {
        let mut o = BTreeMap::new();
        o.insert(k.to_string(), v.to_string());
        let err = SCENARIO.params(&o).expect_err(k);
        assert_eq!(err.key, k);
        assert!(err.message.contains("expected"), "{err}");
    }
}

#[test]
fn values_read_as_their_writer_and_count() {
    assert_eq!(named(600_003), "a6#3");
    assert_eq!(named(42), "42");
    assert_eq!(shown(&Value::Int(500_001)), "a5#1");
    assert_eq!(shown(&Value::Str("500002|600001".into())), "a5#2|a6#1");
    assert_eq!(shown(&Value::Nil), Value::Nil.to_string());
}
