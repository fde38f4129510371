//! The rules of Figure 2, one handler at a time (the exact effects each emits), then whole runs:
//! the invariants under faults, each caught failing by its broken variant, and the metrics.

use super::*;
use crate::sim::{Action, Effect, Intervention, Simulation, TraceConfig};
use proptest::prelude::*;
use std::collections::BTreeMap;

const T300: Time = Time::ms(300);
const HB: Time = Time::ms(100);

fn timing() -> Timing {
    Timing {
        election_lo: T300,
        election_hi: T300,
        heartbeat: HB,
    }
}

fn agent(n: usize, term: u64) -> RaftAgent {
    let mut a = RaftAgent::new(n, timing(), Variant::Raft, vec![Term(1); 3]);
    a.current_term = Term(term);
    a
}

/// Runs one handler on agent `me` of `n` and returns its effects.
fn effects(
    a: &mut RaftAgent,
    me: u32,
    n: usize,
    f: impl FnOnce(&mut RaftAgent, &mut Ctx<Msg>),
) -> Vec<Effect<Msg>> {
    let mut rng = SimRng::new(1, crate::sim::Purpose::Agent(me));
    let mut out = vec![];
    let mut ctx = Ctx::for_test(NodeId(me), Time::ZERO, n, &mut rng, &mut out);
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
fn reply(term: u64, granted: bool) -> Msg {
    Msg::RequestVoteReply {
        term: Term(term),
        granted,
    }
}
fn request_vote(term: u64, last_index: u64, last_term: u64) -> Msg {
    Msg::RequestVote {
        term: Term(term),
        last_log_index: LogIndex(last_index),
        last_log_term: Term(last_term),
    }
}
const ARM_ELECTION: Effect<Msg> = Effect::SetTimer {
    key: ELECTION_TIMER,
    after: T300,
};

#[test]
fn a_follower_whose_timeout_elapses_stands_in_the_next_term() {
    // §5.2: increment the term, vote for self, reset the timer, send RequestVote to all.
    let mut a = agent(3, 1);
    let e = effects(&mut a, 0, 3, |a, c| a.on_timer(c, ELECTION_TIMER));
    assert_eq!(
        e,
        vec![
            note("stands for election in term 2"),
            ARM_ELECTION,
            send(1, request_vote(2, 3, 1)),
            send(2, request_vote(2, 3, 1)),
        ]
    );
    assert_eq!(
        (a.role, a.current_term, a.voted_for),
        (RaftRole::Candidate, Term(2), Some(NodeId(0)))
    );
}

#[test]
fn a_voter_grants_one_vote_per_term() {
    // Figure 2: grant if votedFor is null or the candidate, and reset the election timer.
    let mut a = agent(3, 1);
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(0), &request_vote(2, 3, 1))
    });
    assert_eq!(
        e,
        vec![
            ARM_ELECTION,
            note("votes for 0 in term 2"),
            send(0, reply(2, true))
        ]
    );
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(1), &request_vote(2, 3, 1))
    });
    assert_eq!(e, vec![send(1, reply(2, false))]);
    // The same candidate asking again (a duplicate) gets the same answer.
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(0), &request_vote(2, 3, 1))
    });
    assert_eq!(
        e,
        vec![
            ARM_ELECTION,
            note("votes for 0 in term 2"),
            send(0, reply(2, true))
        ]
    );
}

#[test]
fn a_voter_denies_a_candidate_from_an_older_term() {
    let mut a = agent(3, 4);
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(0), &request_vote(3, 9, 3))
    });
    assert_eq!(e, vec![send(0, reply(4, false))]);
    assert_eq!(a.voted_for, None);
}

#[test]
fn a_voter_denies_a_candidate_whose_log_is_behind() {
    // §5.4.1: compare the last entries' terms, then the lengths.
    let mut a = agent(3, 1);
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(0), &request_vote(2, 2, 1))
    });
    assert_eq!(e, vec![send(0, reply(2, false))]);
    let mut a = agent(3, 1);
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(0), &request_vote(2, 1, 2))
    });
    assert_eq!(
        e,
        vec![
            ARM_ELECTION,
            note("votes for 0 in term 2"),
            send(0, reply(2, true))
        ]
    );
}

#[test]
fn a_candidate_with_a_majority_leads_and_sends_heartbeats_at_once() {
    let mut a = agent(3, 1);
    effects(&mut a, 0, 3, |a, c| a.on_timer(c, ELECTION_TIMER));
    let e = effects(&mut a, 0, 3, |a, c| {
        a.on_message(c, NodeId(1), &reply(2, true))
    });
    let hb = Msg::AppendEntries { term: Term(2) };
    assert_eq!(
        e,
        vec![
            Effect::CancelTimer {
                key: ELECTION_TIMER
            },
            note("leads term 2"),
            send(1, hb.clone()),
            send(2, hb),
            Effect::SetTimer {
                key: HEARTBEAT_TIMER,
                after: HB
            },
        ]
    );
    assert_eq!(a.role, RaftRole::Leader);
    // A late vote changes nothing.
    assert!(effects(&mut a, 0, 3, |a, c| a.on_message(
        c,
        NodeId(2),
        &reply(2, true)
    ))
    .is_empty());
}

#[test]
fn a_lone_agent_elects_itself() {
    let mut a = agent(1, 1);
    let e = effects(&mut a, 0, 1, |a, c| a.on_timer(c, ELECTION_TIMER));
    assert!(e.contains(&note("leads term 2")), "{e:?}");
    assert_eq!(a.role, RaftRole::Leader);
}

#[test]
fn a_lost_election_is_noted_once() {
    // Five agents: the third refusal leaves at most two votes of five, so the election is lost.
    let mut a = agent(5, 1);
    effects(&mut a, 0, 5, |a, c| a.on_timer(c, ELECTION_TIMER));
    for (from, expected) in [
        (1, vec![]),
        (2, vec![]),
        (3, vec![note("lost the election in term 2")]),
        (4, vec![]),
    ] {
        let e = effects(&mut a, 0, 5, |a, c| {
            a.on_message(c, NodeId(from), &reply(2, false))
        });
        assert_eq!(e, expected, "refusal from {from}");
    }
    assert_eq!(a.role, RaftRole::Candidate, "waits for its timeout");
}

#[test]
fn a_leader_that_sees_a_higher_term_steps_down() {
    // §5.1: a higher term in any RPC makes the receiver a follower of that term.
    let mut a = agent(3, 2);
    a.role = RaftRole::Leader;
    let m = Msg::AppendEntriesReply {
        term: Term(3),
        success: false,
    };
    let e = effects(&mut a, 0, 3, |a, c| a.on_message(c, NodeId(1), &m));
    assert_eq!(
        e,
        vec![
            Effect::CancelTimer {
                key: HEARTBEAT_TIMER
            },
            note("steps down: saw term 3"),
            ARM_ELECTION,
        ]
    );
    assert_eq!(
        (a.role, a.current_term, a.voted_for),
        (RaftRole::Follower, Term(3), None)
    );
}

#[test]
fn a_candidate_concedes_to_a_leader_of_its_own_term() {
    let mut a = agent(3, 1);
    effects(&mut a, 0, 3, |a, c| a.on_timer(c, ELECTION_TIMER));
    let m = Msg::AppendEntries { term: Term(2) };
    let e = effects(&mut a, 0, 3, |a, c| a.on_message(c, NodeId(1), &m));
    let ok = Msg::AppendEntriesReply {
        term: Term(2),
        success: true,
    };
    assert_eq!(
        e,
        vec![
            note("concedes term 2 to 1"),
            note("follows 1 in term 2"),
            ARM_ELECTION,
            send(1, ok)
        ]
    );
    assert_eq!((a.role, a.leader), (RaftRole::Follower, Some(NodeId(1))));
}

#[test]
fn a_stale_leaders_heartbeat_is_refused_and_does_not_reset_the_timer() {
    let mut a = agent(3, 3);
    let m = Msg::AppendEntries { term: Term(2) };
    let e = effects(&mut a, 1, 3, |a, c| a.on_message(c, NodeId(0), &m));
    let no = Msg::AppendEntriesReply {
        term: Term(3),
        success: false,
    };
    assert_eq!(e, vec![send(0, no)]);
    assert_eq!(a.leader, None);
}

#[test]
fn a_crash_keeps_the_term_and_the_vote_and_forgets_the_role() {
    let mut a = agent(3, 5);
    a.role = RaftRole::Leader;
    a.voted_for = Some(NodeId(0));
    a.leader = Some(NodeId(0));
    a.on_crash();
    assert_eq!((a.current_term, a.voted_for), (Term(5), Some(NodeId(0))));
    assert_eq!((a.role, a.leader), (RaftRole::Follower, None));
    let e = effects(&mut a, 0, 3, |a, c| a.on_recover(c));
    assert_eq!(e, vec![note("recovers in term 5"), ARM_ELECTION]);
}

#[test]
fn forgetful_voters_vote_for_everyone() {
    let mut a = agent(3, 1);
    a.variant = Variant::ForgetfulVoters;
    effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(0), &request_vote(2, 3, 1))
    });
    let e = effects(&mut a, 2, 3, |a, c| {
        a.on_message(c, NodeId(1), &request_vote(2, 3, 1))
    });
    assert!(e.contains(&send(1, reply(2, true))), "{e:?}");
}

#[test]
fn an_equivocating_voter_grants_every_request() {
    let mut rng = SimRng::new(1, crate::sim::Purpose::Agent(0));
    let t = reply(2, false).tamper(ByzantineMode::Equivocate, NodeId(1), &mut rng);
    assert_eq!(t, Some(reply(2, true)));
    let t = Msg::AppendEntries { term: Term(2) }.tamper(ByzantineMode::Lie, NodeId(1), &mut rng);
    assert_eq!(t, Some(Msg::AppendEntries { term: Term(3) }));
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

fn held(sim: &dyn Simulation, invariant: usize) -> bool {
    sim.invariants()[invariant].held
}

#[test]
fn after_the_leader_crashes_a_new_leader_is_followed_by_all() {
    for seed in 1..=10 {
        let sim = run(&[], seed, vec![], Time::secs(4));
        let t = metric(sim.as_ref(), "time_without_leader_ms");
        // At least one election timeout minus the heartbeat the crash may follow, at most a few.
        assert!(t > 150.0 && t < 3_000.0, "seed {seed}: {t}");
        assert_eq!(metric(sim.as_ref(), "leader_crashes"), 1.0);
        assert!(sim.done(), "seed {seed}");
        assert!(held(sim.as_ref(), ELECTION_SAFETY) && held(sim.as_ref(), LEADER_COMPLETENESS));
    }
}

#[test]
fn a_run_is_a_pure_function_of_its_inputs() {
    let a = run(&[("loss", "5%")], 7, vec![], Time::secs(3)).hash();
    let b = run(&[("loss", "5%")], 7, vec![], Time::secs(3)).hash();
    let c = run(&[("loss", "5%")], 8, vec![], Time::secs(3)).hash();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn the_experiments_crashes_are_added_once() {
    // A share link replays the interventions the run already holds: same run, same hash.
    let sets = [("failed", "1"), ("start", "cold")];
    let first = run(&sets, 3, vec![], Time::secs(3));
    let ivs = first.interventions().to_vec();
    assert_eq!(ivs.len(), 2, "{ivs:?}");
    let again = run(&sets, 3, ivs.clone(), Time::secs(3));
    assert_eq!(again.interventions(), &ivs[..]);
    assert_eq!(again.hash(), first.hash());
}

#[test]
fn a_cold_start_crash_hits_whoever_leads_then() {
    let sim = run(
        &[("start", "cold"), ("leader_crash", "2s")],
        5,
        vec![],
        Time::secs(5),
    );
    assert_eq!(metric(sim.as_ref(), "leader_crashes"), 1.0);
    assert!(metric(sim.as_ref(), "time_without_leader_ms").is_finite());
}

#[test]
fn identical_timeouts_split_every_vote() {
    // Everyone stands at the same instant, votes for itself and denies the rest: no one wins,
    // term after term — the reason §5.2 randomizes the timeout.
    let sets = [
        ("start", "cold"),
        ("election_timeout", "300ms..300ms"),
        ("latency", "10ms"),
        ("leader_crash", "off"),
    ];
    let sim = run(&sets, 1, vec![], Time::secs(2));
    assert!(metric(sim.as_ref(), "split_votes") >= 5.0);
    assert!(held(sim.as_ref(), ELECTION_SAFETY));
}

#[test]
fn forgetful_voters_elect_two_leaders_in_one_term_and_election_safety_catches_it() {
    let sets = [
        ("start", "cold"),
        ("election_timeout", "300ms..300ms"),
        ("latency", "10ms"),
        ("variant", "forgetful-voters"),
    ];
    let sim = run(&sets, 1, vec![], Time::secs(1));
    assert!(!held(sim.as_ref(), ELECTION_SAFETY));
}

#[test]
fn skipping_the_log_check_lets_a_stale_agent_lead_and_leader_completeness_catches_it() {
    let caught = |variant: &str| {
        (1..=40)
            .filter(|seed| {
                let sim = run(
                    &[("stale", "2"), ("variant", variant)],
                    *seed,
                    vec![],
                    Time::secs(3),
                );
                !held(sim.as_ref(), LEADER_COMPLETENESS)
            })
            .count()
    };
    assert!(caught("no-log-check") > 0);
    assert_eq!(caught("raft"), 0);
}

#[test]
fn timing_changes_mid_run_reach_every_agent_and_set_up_ones_are_refused() {
    let o = BTreeMap::new();
    let mut sim = SCENARIO
        .instantiate(&o, 1, vec![], TraceConfig::default())
        .unwrap();
    sim.run_until(Time::ms(100), 1_000_000);
    sim.intervene(Action::Set("heartbeat".into(), "20ms".into()))
        .unwrap();
    sim.intervene(Action::Set("election_timeout".into(), "50ms..60ms".into()))
        .unwrap();
    let e = sim
        .intervene(Action::Set("failed".into(), "1".into()))
        .unwrap_err();
    assert!(e.0.contains("restart"), "{e}");
    let e = sim
        .intervene(Action::Set("heartbeat".into(), "0ms".into()))
        .unwrap_err();
    assert!(e.0.contains("heartbeat"), "{e}");
}

#[test]
fn bad_parameters_are_rejected_with_reasons() {
    let bad = |sets: &[(&str, &str)]| -> String {
        let o: BTreeMap<String, String> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match SCENARIO.instantiate(&o, 1, vec![], TraceConfig::default()) {
            Ok(_) => panic!("{sets:?} accepted"),
            Err(e) => e.0,
        }
    };
    assert!(bad(&[("failed", "5")]).contains("at least one agent must be up"));
    assert!(bad(&[("stale", "3")]).contains("never committed"));
    assert!(bad(&[("election_timeout", "600ms..300ms")]).contains("empty"));
    assert!(bad(&[("heartbeat", "0ms")]).contains("out of range"));
    assert!(bad(&[("variant", "sloppy")]).contains("not a choice"));
    // Too many failures for a majority is allowed: the cluster just stays leaderless.
    let sim = run(&[("failed", "2")], 1, vec![], Time::secs(4));
    assert!(metric(sim.as_ref(), "time_without_leader_ms").is_nan());
    assert!(!sim.done());
}

#[derive(Clone, Debug)]
enum Fault {
    Crash(u32),
    Recover(u32),
    Split(u32),
    Heal,
}

fn fault() -> impl Strategy<Value = (u64, Fault)> {
    (
        0u64..3_000,
        prop_oneof![
            (0u32..7).prop_map(Fault::Crash),
            (0u32..7).prop_map(Fault::Recover),
            (1u32..6).prop_map(Fault::Split),
            Just(Fault::Heal),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    /// Election safety and leader completeness under crashes, recoveries, partitions, loss,
    /// duplication and reordering, over a thousand seeds.
    #[test]
    fn elections_stay_safe_under_random_faults(
        seed in any::<u64>(),
        n in 1usize..=7,
        loss in 0u32..30,
        dup in 0u32..20,
        cold in any::<bool>(),
        narrow in any::<bool>(),
        faults in proptest::collection::vec(fault(), 0..8),
    ) {
        let n_s = n.to_string();
        let loss_s = format!("{loss}%");
        let dup_s = format!("{dup}%");
        let stale_s = ((n - 1) / 2).to_string();
        let sets = [
            ("nodes", n_s.as_str()),
            ("loss", loss_s.as_str()),
            ("duplicate", dup_s.as_str()),
            ("start", if cold { "cold" } else { "leader" }),
            ("election_timeout", if narrow { "100ms..110ms" } else { "100ms..200ms" }),
            ("heartbeat", "40ms"),
            ("latency", "5ms..60ms"),
            ("stale", stale_s.as_str()),
            ("mtbf", "2s"),
            ("mttr", "300ms"),
        ];
        let ivs = faults
            .into_iter()
            .filter_map(|(ms, f)| {
                let id = |i: u32| NodeId(i % n as u32);
                let action = match f {
                    Fault::Crash(i) => Action::Crash(id(i)),
                    Fault::Recover(i) => Action::Recover(id(i)),
                    Fault::Split(k) if (k as usize) < n => Action::Partition(vec![
                        (0..k).map(NodeId).collect(),
                    ]),
                    Fault::Split(_) => return None,
                    Fault::Heal => Action::Heal,
                };
                Some(Intervention { at: Time::ms(ms), action })
            })
            .collect();
        let sim = run(&sets, seed, ivs, Time::secs(3));
        for inv in sim.invariants() {
            prop_assert!(inv.held, "{} broken (seed {seed})", inv.name);
        }
    }
}

#[test]
fn a_follower_that_times_out_suspects_its_leader_until_it_follows_one_again() {
    // The election timeout is Raft's failure detector: the summary says whom it gave up on.
    let mut a = agent(3, 1);
    effects(&mut a, 0, 3, |a, c| {
        a.on_message(c, NodeId(1), &Msg::AppendEntries { term: Term(1) })
    });
    assert_eq!(a.leader, Some(NodeId(1)));
    assert!(a.summary().suspects.is_empty());
    effects(&mut a, 0, 3, |a, c| a.on_timer(c, ELECTION_TIMER));
    assert_eq!(a.summary().suspects, vec![NodeId(1)]);
    // A split vote and another timeout: still the same suspicion.
    effects(&mut a, 0, 3, |a, c| a.on_timer(c, ELECTION_TIMER));
    assert_eq!(a.summary().suspects, vec![NodeId(1)]);
    // A new leader's heartbeat ends it; so does a crash.
    effects(&mut a, 0, 3, |a, c| {
        a.on_message(c, NodeId(2), &Msg::AppendEntries { term: Term(3) })
    });
    assert!(a.summary().suspects.is_empty());
    a.suspect = Some(NodeId(2));
    a.on_crash();
    assert!(a.summary().suspects.is_empty());
    // A leader that replaced the suspect stops suspecting it once it hears from it.
    a.suspect = Some(NodeId(1));
    a.role = RaftRole::Leader;
    effects(&mut a, 0, 3, |a, c| {
        a.on_message(
            c,
            NodeId(1),
            &Msg::AppendEntriesReply {
                term: Term(3),
                success: true,
            },
        )
    });
    assert!(a.summary().suspects.is_empty());
}
