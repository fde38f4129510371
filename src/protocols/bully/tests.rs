//! Garcia-Molina's rules one handler at a time, then whole runs under faults.

use super::*;
use crate::sim::{Action, Effect, Intervention, SimRng, Simulation, TraceConfig};
use proptest::prelude::*;
use std::collections::BTreeMap;

const T: Time = Time::ms(50);

fn timing() -> Timing {
    Timing {
        heartbeat: Time::ms(100),
        timeout: Time::ms(300),
        answer_timeout: T,
    }
}

fn effects(
    a: &mut BullyAgent,
    n: usize,
    f: impl FnOnce(&mut BullyAgent, &mut Ctx<Msg>),
) -> Vec<Effect<Msg>> {
    let mut rng = SimRng::new(1, crate::sim::Purpose::Agent(a.me.0));
    let mut out = vec![];
    let mut ctx = Ctx::for_test(a.me, Time::ZERO, n, &mut rng, &mut out);
    f(a, &mut ctx);
    out
}

fn send(to: u32, msg: Msg) -> Effect<Msg> {
    Effect::Send {
        to: NodeId(to),
        msg,
    }
}
fn note(s: &str) -> Effect<Msg> {
    Effect::Note(s.to_string())
}
fn agent(me: u32) -> BullyAgent {
    BullyAgent::new(NodeId(me), timing(), Variant::Bully)
}

#[test]
fn an_election_asks_only_higher_agents_and_waits_t() {
    let mut a = agent(2);
    let e = effects(&mut a, 5, |a, c| a.on_timer(c, FAILURE_TIMER));
    assert_eq!(
        e,
        vec![
            note("coordinator silent"),
            Effect::CancelTimer { key: FAILURE_TIMER },
            note("holds an election"),
            send(3, Msg::Election),
            send(4, Msg::Election),
            Effect::SetTimer {
                key: ANSWER_TIMER,
                after: T
            },
        ]
    );
    assert!(a.electing);
}

#[test]
fn the_top_agent_crowns_itself_at_once() {
    let mut a = agent(2);
    let e = effects(&mut a, 3, |a, c| a.on_start(c));
    assert_eq!(
        e,
        vec![
            Effect::CancelTimer { key: FAILURE_TIMER },
            note("holds an election"),
            note("is the coordinator"),
            Effect::CancelTimer { key: ANSWER_TIMER },
            Effect::CancelTimer {
                key: COORDINATOR_TIMER
            },
            Effect::CancelTimer { key: FAILURE_TIMER },
            send(0, Msg::Coordinator),
            send(1, Msg::Coordinator),
            Effect::SetTimer {
                key: HEARTBEAT_TIMER,
                after: Time::ms(100)
            },
        ]
    );
    assert!(a.is_coordinator());
}

#[test]
fn a_higher_agent_answers_and_takes_over_the_election() {
    let mut a = agent(3);
    let e = effects(&mut a, 5, |a, c| a.on_message(c, NodeId(1), &Msg::Election));
    assert_eq!(e[0], send(1, Msg::Answer));
    assert!(e.contains(&send(4, Msg::Election)), "{e:?}");
    // Elections travel upward only: one from a higher agent gets no answer.
    let e = effects(&mut a, 5, |a, c| a.on_message(c, NodeId(4), &Msg::Election));
    assert!(e.is_empty());
}

#[test]
fn an_answer_means_waiting_3t_for_the_winner_then_trying_again() {
    let mut a = agent(1);
    effects(&mut a, 5, |a, c| a.on_timer(c, FAILURE_TIMER));
    let e = effects(&mut a, 5, |a, c| a.on_message(c, NodeId(3), &Msg::Answer));
    assert_eq!(
        e,
        vec![
            Effect::CancelTimer { key: ANSWER_TIMER },
            Effect::SetTimer {
                key: COORDINATOR_TIMER,
                after: Time::ms(150)
            },
        ]
    );
    let e = effects(&mut a, 5, |a, c| a.on_timer(c, COORDINATOR_TIMER));
    assert!(e.contains(&note("holds an election")));
}

#[test]
fn a_lower_coordinator_is_bullied_and_a_higher_one_obeyed() {
    let mut a = agent(3);
    let e = effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(1), &Msg::Coordinator)
    });
    assert!(e.contains(&note("holds an election")), "{e:?}");
    assert_eq!(a.leader, None);
    let e = effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(4), &Msg::Coordinator)
    });
    assert!(e.contains(&note("follows 4")));
    assert_eq!((a.leader, a.electing), (Some(NodeId(4)), false));
    // Its heartbeat only re-arms the failure timer.
    let e = effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(4), &Msg::Heartbeat)
    });
    assert_eq!(
        e,
        vec![Effect::SetTimer {
            key: FAILURE_TIMER,
            after: Time::ms(300)
        }]
    );
}

#[test]
fn a_coordinator_corrects_a_lower_claimant() {
    let mut a = agent(4);
    effects(&mut a, 5, |a, c| a.on_start(c));
    let e = effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(2), &Msg::Heartbeat)
    });
    assert_eq!(e, vec![send(2, Msg::Coordinator)]);
    let e = effects(&mut a, 5, |a, c| a.on_message(c, NodeId(0), &Msg::Election));
    assert_eq!(e, vec![send(0, Msg::Answer), send(0, Msg::Coordinator)]);
}

#[test]
fn meek_agents_stay_silent_and_obey_anyone() {
    let mut a = agent(3);
    a.variant = Variant::Meek;
    assert!(effects(&mut a, 5, |a, c| a.on_message(c, NodeId(1), &Msg::Election)).is_empty());
    effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(1), &Msg::Coordinator)
    });
    assert_eq!(a.leader, Some(NodeId(1)));
}

// ---- whole runs ----

fn run(
    sets: &[(&str, &str)],
    seed: u64,
    ivs: Vec<Intervention>,
    until: Time,
) -> Box<dyn Simulation> {
    SCENARIO
        .run_unrecorded(sets, seed, ivs, until)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn metric(sim: &dyn Simulation, key: &str) -> f64 {
    sim.metric(key)
}

#[test]
fn after_the_coordinator_crashes_the_next_highest_takes_over() {
    for seed in 1..=5 {
        let mut sim = run(&[], seed, vec![], Time::secs(3));
        let t = metric(sim.as_ref(), "time_without_leader_ms");
        // Detection (the failure timeout less at most one heartbeat) plus the answer timeout.
        assert!(t > 200.0 && t < 1_000.0, "seed {seed}: {t}");
        assert!(sim.done());
        let f = sim.frame_at(sim.now());
        assert_eq!(f.nodes[3].summary.state, "coordinator");
        assert!(sim.invariants()[RANK_ORDER].held);
        assert_eq!(metric(sim.as_ref(), "two_coordinators_ms"), 0.0);
    }
}

#[test]
fn a_slow_network_breaks_the_synchrony_bully_assumes() {
    // Round trips above T: lower agents crown themselves before the higher answers arrive.
    let sim = run(&[("latency", "40ms..90ms")], 1, vec![], Time::secs(3));
    assert!(metric(sim.as_ref(), "two_coordinators_ms") > 0.0);
    assert!(
        sim.invariants()[RANK_ORDER].held,
        "the rank rule still holds"
    );
}

#[test]
fn meek_agents_obey_a_junior_coordinator_and_the_rank_invariant_catches_it() {
    let sim = run(&[("variant", "meek")], 1, vec![], Time::secs(3));
    assert!(!sim.invariants()[RANK_ORDER].held);
}

#[test]
fn a_recovered_senior_agent_bullies_its_way_back() {
    let ivs = vec![Intervention {
        at: Time::secs(2),
        action: Action::Recover(NodeId(4)),
    }];
    let mut sim = run(&[], 2, ivs, Time::secs(3));
    let f = sim.frame_at(sim.now());
    assert_eq!(f.nodes[4].summary.state, "coordinator");
    assert!(f.nodes[..4].iter().all(|n| n.summary.state == "follows 4"));
}

#[test]
fn bad_parameters_are_rejected_and_set_up_ones_wait_for_a_restart() {
    let o: BTreeMap<String, String> = [("answer_timeout".to_string(), "0ms".to_string())].into();
    assert!(SCENARIO
        .instantiate(&o, 1, vec![], TraceConfig::default())
        .is_err());
    let mut sim = SCENARIO
        .instantiate(&BTreeMap::new(), 1, vec![], TraceConfig::default())
        .unwrap();
    sim.intervene(Action::Set("answer_timeout".into(), "80ms".into()))
        .unwrap();
    let e = sim
        .intervene(Action::Set("leader_crash".into(), "2s".into()))
        .unwrap_err();
    assert!(e.0.contains("restart"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    /// The bully rule holds whatever the faults: crashes, recoveries, partitions, loss and slow
    /// links (which do break single-coordinator, as the scenario shows, but never rank order).
    #[test]
    fn no_agent_ever_obeys_a_junior_under_random_faults(
        seed in any::<u64>(),
        n in 1usize..=7,
        loss in 0u32..30,
        slow in any::<bool>(),
        faults in proptest::collection::vec((0u64..2_000, 0u32..7, 0u8..4), 0..8),
    ) {
        let n_s = n.to_string();
        let loss_s = format!("{loss}%");
        let sets = [
            ("nodes", n_s.as_str()),
            ("loss", loss_s.as_str()),
            ("latency", if slow { "20ms..120ms" } else { "5ms..20ms" }),
            ("mtbf", "1500ms"),
            ("mttr", "300ms"),
        ];
        let ivs = faults
            .into_iter()
            .map(|(ms, i, kind)| {
                let id = NodeId(i % n as u32);
                let action = match kind {
                    0 => Action::Crash(id),
                    1 => Action::Recover(id),
                    2 => Action::Partition(vec![(0..=id.0).map(NodeId).collect()]),
                    _ => Action::Heal,
                };
                Intervention { at: Time::ms(ms), action }
            })
            .collect();
        let sim = run(&sets, seed, ivs, Time::secs(2));
        prop_assert!(sim.invariants()[RANK_ORDER].held, "seed {seed}");
    }
}

#[test]
fn a_silent_coordinator_is_suspected_until_heard_from_or_replaced() {
    let mut a = agent(1);
    effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(4), &Msg::Coordinator)
    });
    assert_eq!(a.leader, Some(NodeId(4)));
    assert!(a.summary().suspects.is_empty());
    effects(&mut a, 5, |a, c| a.on_timer(c, FAILURE_TIMER));
    assert_eq!(a.summary().suspects, vec![NodeId(4)]);
    // A new coordinator ends the suspicion; so does a word from the suspect itself.
    effects(&mut a, 5, |a, c| {
        a.on_message(c, NodeId(3), &Msg::Coordinator)
    });
    assert!(a.summary().suspects.is_empty());
    a.suspect = Some(NodeId(4));
    effects(&mut a, 5, |a, c| a.on_message(c, NodeId(4), &Msg::Answer));
    assert!(a.summary().suspects.is_empty());
}
