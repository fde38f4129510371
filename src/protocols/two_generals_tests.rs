use super::*;
use crate::sim::{Action, Dist, Effect, SimRng};
use std::collections::BTreeMap;

fn config(seed: u64, loss: f64) -> SimConfig {
    let mut c = SimConfig {
        n: 2,
        seed,
        ..SimConfig::default()
    };
    c.trace.record = false;
    c.link.loss = loss;
    c
}

fn run(
    config: SimConfig,
    rounds: u32,
    retry: Option<Time>,
    ivs: Vec<Intervention>,
) -> World<Generals> {
    run_with(config, ivs, move |id| {
        General::new(id.0, rounds, Time::secs(1), retry)
    })
}

fn run_with(
    config: SimConfig,
    ivs: Vec<Intervention>,
    make: impl Fn(NodeId) -> General,
) -> World<Generals> {
    let mut w = World::new(config, Generals, |id, _| make(id), ivs).expect("valid world");
    w.run_until(Time::secs(2), 1_000_000);
    w
}

fn outcome(w: &World<Generals>) -> (Option<Decision>, Option<Decision>) {
    let n = &w.state().nodes;
    (n[0].agent.decision, n[1].agent.decision)
}

#[test]
fn receiving_the_order_sends_exactly_the_first_ack() {
    let mut g = General::new(1, 2, Time::secs(1), None);
    let (mut rng, mut out) = (SimRng::new(1, crate::sim::Purpose::Workload), vec![]);
    let mut ctx = Ctx::for_test(NodeId(1), Time::ms(15), 2, &mut rng, &mut out);
    g.on_message(&mut ctx, NodeId(0), &Msg::Messenger { step: 0 });
    assert_eq!(
        out,
        vec![
            Effect::CancelTimer { key: RETRY },
            Effect::Send {
                to: NodeId(0),
                msg: Msg::Messenger { step: 1 }
            }
        ]
    );
    assert!(!g.sure(), "the sender of m1 cannot know it arrived");
}

#[test]
fn only_the_receiver_of_the_last_message_is_sure() {
    let w = run(config(3, 0.0), 3, None, vec![]);
    let n = &w.state().nodes;
    // rounds = 3: m3 goes from general 1 to general 0.
    assert!(n[0].agent.sure());
    assert!(!n[1].agent.sure());
    assert_eq!(
        outcome(&w),
        (Some(Decision::Deploy), Some(Decision::Deploy))
    );
}

#[test]
fn without_loss_they_always_coordinate_over_1000_seeds() {
    for seed in 0..1000 {
        let mut c = config(seed, 0.0);
        c.link.latency = Dist::Uniform(1.0, 200.0);
        let w = run(c, (seed % 5) as u32, None, vec![]);
        assert!(
            w.state().first_violation().iter().all(|v| v.is_none()),
            "seed {seed}"
        );
        assert_eq!(
            outcome(&w),
            (Some(Decision::Deploy), Some(Decision::Deploy))
        );
    }
}

#[test]
fn validity_holds_under_random_faults_over_1000_seeds() {
    for seed in 0..1000 {
        let mut c = config(seed, (seed % 7) as f64 / 10.0);
        c.link.duplicate = 0.1;
        c.mtbf = Some(Time::ms(300));
        c.mttr = Time::ms(100);
        let retry = (seed % 2 == 0).then_some(Time::ms(50));
        let w = run(c, (seed % 4) as u32, retry, vec![]);
        assert!(w.state().first_violation()[1].is_none(), "seed {seed}");
        // Both decide (the deadline is re-armed after a crash).
        let (a, b) = outcome(&w);
        assert!(a.is_some() && b.is_some(), "seed {seed}");
    }
}

#[test]
fn losing_the_last_message_leaves_one_general_deploying_alone() {
    let mut c = config(1, 0.0);
    c.link.latency = Dist::Uniform(30.0, 30.0);
    c.trace.record = true;
    // m0 is message 0 (delivered at 30ms), m1 is message 1 (in flight 30ms..60ms).
    let lose = Intervention {
        at: Time::ms(45),
        action: Action::Lose(1),
    };
    let w = run(c, 1, None, vec![lose]);
    assert_eq!(
        outcome(&w),
        (Some(Decision::StandDown), Some(Decision::Deploy))
    );
    assert!(w.state().first_violation()[0].is_some());
    assert!(w.state().first_violation()[1].is_none());
}

#[test]
fn disagreement_rate_matches_the_chain_argument() {
    // P(disagree) = (1-p)^R * p without resends: the chain stalls exactly at its last message.
    let (p, rounds, trials) = (0.3, 2, 4000);
    let mut disagree = 0;
    for seed in 0..trials {
        let w = run(config(seed, p), rounds, None, vec![]);
        let (a, b) = outcome(&w);
        disagree += (a != b) as u32;
    }
    let got = disagree as f64 / trials as f64;
    let want = 0.7f64 * 0.7 * 0.3;
    assert!((got - want).abs() < 0.03, "got {got}, want {want}");
}

#[test]
fn a_reckless_general_is_caught_by_the_validity_invariant() {
    let w = run_with(config(1, 1.0), vec![], |id| General {
        reckless: true,
        ..General::new(id.0, 1, Time::secs(1), None)
    });
    assert!(w.state().first_violation()[1].is_some());
}

#[test]
fn bad_parameters_are_rejected_with_messages() {
    for (k, v) in [
        ("rounds", "-1"),
        ("rounds", "51"),
        ("rounds", "many"),
        ("loss", "120%"),
        ("deadline", "0ms"),
        ("retry", "0ms"),
    ] {
        let mut o = BTreeMap::new();
        o.insert(k.to_string(), v.to_string());
        let err = SCENARIO.params(&o).expect_err(k);
        assert_eq!(err.key, k);
        assert!(err.message.contains("expected"), "{err}");
    }
}

#[test]
fn the_scenario_stops_once_both_have_decided() {
    let mut o = BTreeMap::new();
    o.insert("rounds".to_string(), "3".to_string());
    let mut sim = SCENARIO
        .instantiate(&o, 7, vec![], crate::sim::TraceConfig::default())
        .expect("builds");
    assert_eq!(sim.n(), 2);
    sim.run_until(Time::secs(2), 1_000_000);
    assert!(sim.done());
    let m: BTreeMap<String, f64> = sim.metrics().into_iter().collect();
    assert_eq!(m["coordinated"] + m["disagreement"], 1.0);
}
