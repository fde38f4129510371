use super::*;
use crate::protocols::gossip_scenario::world;
use crate::sim::{Action, Intervention, Purpose, SimConfig, SimRng, World};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn cfg(mode: Mode) -> Cfg {
    Cfg {
        mode,
        fanout: 1,
        interval: Time::ms(100),
        writes: 10,
        write_every: Time::ms(50),
        k: 2,
        overwrite: false,
    }
}

fn config(seed: u64, n: usize) -> SimConfig {
    let mut c = SimConfig {
        seed,
        n,
        ..SimConfig::default()
    };
    c.trace.record = false;
    c
}

fn metrics(w: &World<Spread>) -> BTreeMap<String, f64> {
    w.state().protocol.metrics(w.state()).into_iter().collect()
}

fn data() -> impl Strategy<Value = Data> {
    (
        0u64..5,
        0u32..3,
        0u32..9,
        proptest::collection::vec(0u64..5, 4),
    )
        // A stamp names one write, so one value.
        .prop_map(|(c, w, _, done)| Data {
            goal: ((c, w), (c * 3) as u32 + w),
            done,
        })
}

fn join(a: &Data, b: &Data) -> Data {
    let mut x = a.clone();
    x.merge(b);
    x
}

proptest! {
    #[test]
    fn merge_is_commutative_associative_and_idempotent(a in data(), b in data(), c in data()) {
        prop_assert_eq!(join(&a, &b), join(&b, &a));
        prop_assert_eq!(join(&join(&a, &b), &c), join(&a, &join(&b, &c)));
        prop_assert_eq!(join(&a, &a), a.clone());
        prop_assert!(!join(&a, &b).ahead_of(&join(&b, &a)));
    }
}

#[test]
fn every_anti_entropy_style_converges_after_the_last_write() {
    for mode in [Mode::Push, Mode::Pull, Mode::PushPull] {
        let mut w = world(config(1, 8), cfg(mode), vec![]).expect("world");
        w.run_until(Time::secs(5), 10_000_000);
        let m = metrics(&w);
        assert_eq!(m["disagreeing"], 0.0, "{mode:?}");
        assert!(
            m["convergence_ms"] > 0.0 && m["convergence_ms"] < 2000.0,
            "{mode:?} {m:?}"
        );
        let d = &w.state().nodes[0].agent.data;
        assert_eq!(d.total(), 10);
        // Concurrent writes: the highest Lamport stamp wins, not necessarily the latest in real time.
        assert!(d.goal.1 >= 1);
    }
}

/// Random loss, duplication, partitions and crash/recover before `quiet`; then all is well.
fn faulty(seed: u64, overwrite: bool) -> World<Spread> {
    let mut rng = SimRng::new(seed, Purpose::Scenario);
    let n = 3 + rng.below(6) as usize;
    let mut c = config(seed, n);
    c.link.loss = rng.below(30) as f64 / 100.0;
    c.link.duplicate = rng.below(20) as f64 / 100.0;
    let mut k = cfg([Mode::Push, Mode::Pull, Mode::PushPull][rng.below(3) as usize]);
    k.fanout = 1 + rng.below(3) as usize;
    k.overwrite = overwrite;
    let mut ivs = vec![];
    for _ in 0..rng.below(3) {
        let g: Vec<NodeId> = (0..n as u32)
            .filter(|_| rng.chance(0.5))
            .map(NodeId)
            .collect();
        let at = Time::ms(rng.below(800));
        ivs.push(Intervention {
            at,
            action: Action::Partition(vec![g]),
        });
        let a = NodeId(rng.below(n as u64) as u32);
        let down = Time::ms(rng.below(900));
        ivs.push(Intervention {
            at: down,
            action: Action::Crash(a),
        });
        ivs.push(Intervention {
            at: down + Time::ms(rng.below(400)),
            action: Action::Recover(a),
        });
    }
    ivs.push(Intervention {
        at: Time::secs(1),
        action: Action::Heal,
    });
    let mut w = world(c, k, ivs).expect("world");
    w.run_until(Time::secs(5), 10_000_000);
    w
}

#[test]
fn live_replicas_agree_within_4s_of_the_heal_over_1000_seeds() {
    for seed in 0..1000 {
        let w = faulty(seed, false);
        let m = metrics(&w);
        assert_eq!(m["disagreeing"], 0.0, "seed {seed}: {m:?}");
        assert!(w.state().first_violation()[0].is_none(), "seed {seed}");
    }
}

#[test]
fn a_merge_that_overwrites_is_caught_by_the_monotonic_invariant() {
    let caught = (0..50).filter(|s| faulty(*s, true).state().first_violation()[0].is_some());
    assert!(caught.count() > 25);
}

/// The fixed point of s = e^{-(k+1)(1-s)} below 1.
fn demers_residue(k: f64) -> f64 {
    let mut s = 0.0;
    for _ in 0..200 {
        s = libm::exp(-(k + 1.0) * (1.0 - s));
    }
    s
}

#[test]
fn rumor_residue_matches_demers_over_many_seeds() {
    for (k, tol) in [(1u64, 0.05), (2, 0.03), (3, 0.02)] {
        let mut c = cfg(Mode::Rumor);
        c.k = k;
        let seeds = 20;
        let mut sum = 0.0;
        for seed in 0..seeds {
            let mut w = world(config(seed, 500), c, vec![]).expect("world");
            w.run_until(Time::secs(60), 50_000_000);
            assert!(w.done(), "the rumor dies out");
            sum += metrics(&w)["residue"];
        }
        let (got, want) = (sum / seeds as f64, demers_residue(k as f64));
        assert!(
            (got - want).abs() < tol,
            "k={k}: residue {got}, Demers {want}"
        );
    }
}

#[test]
fn bad_parameters_are_rejected_with_messages() {
    for (k, v) in [
        ("mode", "shout"),
        ("fanout", "0"),
        ("fanout", "17"),
        ("interval", "0ms"),
        ("writes", "0"),
        ("k", "0"),
        ("nodes", "1"),
    ] {
        let mut o = BTreeMap::new();
        o.insert(k.to_string(), v.to_string());
        let err = SCENARIO.params(&o).expect_err(k);
        assert_eq!(err.key, k);
        assert!(err.message.contains("expected"), "{err}");
    }
}
