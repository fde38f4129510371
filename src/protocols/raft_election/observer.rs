//! The world-level view of a Raft election run: the invariants it must keep and the metrics the
//! scenario charts and the sweep aggregates.
//!
//! Invariants (Raft Figure 3):
//! - Election safety: at most one leader can be elected in a given term (§5.2).
//! - Leader completeness, the part elections are responsible for: a leader holds every committed
//!   entry, which the RequestVote log check guarantees (§5.4.1). Entries that a majority held
//!   at the start are the committed ones.
//!
//! Time without a leader, as the issue and Raft §9.3 define it: from the crash of the leader
//! until every other live agent has accepted a heartbeat from its successor.
//!
//! The observer is part of the world's state, so its bookkeeping is snapshotted and replays
//! exactly. It reads agents' states after every event (`check`) and the event stream
//! (`observe`) for crashes.

use super::{RaftAgent, RaftRole, Term};
use crate::sim::vecmap::VecMap;
use crate::sim::{Breach, Event, EventKind, NodeId, NodeState, Protocol, State, Status, Time};

/// Index of "at most one leader per term" in [`Observer::invariants`].
pub const ELECTION_SAFETY: usize = 0;
/// Index of "a leader holds every committed entry".
pub const LEADER_COMPLETENESS: usize = 1;

const INVARIANTS: &[&str] = &[
    "Election safety: at most one leader per term (Raft §5.2)",
    "Leader completeness: every leader holds all committed entries (Raft §5.4.1)",
];

/// What happened in one term.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct TermRecord {
    /// Agents that stood as candidates in it.
    candidates: u32,
    /// Agents that led it (more than one breaks election safety).
    leaders: Vec<NodeId>,
}

#[derive(Clone, Debug, Default)]
pub struct Observer {
    /// Log length that a majority held at the start: the committed prefix.
    pub committed_len: usize,
    /// Whether the run has a scripted leader crash (the sweep stops once it is measured).
    pub expect_crash: bool,
    terms: VecMap<Term, TermRecord>,
    /// The last term each agent was counted as a candidate in.
    stood: Vec<Term>,
    max_term: Term,
    /// The leader as of the last check: a live leader of the highest term.
    current: Option<(NodeId, Term)>,
    /// An open outage: when the leader crashed and the term it led.
    outage: Option<(Time, Term)>,
    outages_ms: Vec<f64>,
    leader_crashes: u64,
}

impl Observer {
    pub fn new(committed_len: usize, expect_crash: bool) -> Observer {
        Observer {
            committed_len,
            expect_crash,
            ..Observer::default()
        }
    }

    /// Completed periods without a leader after a leader crash, in milliseconds.
    pub fn outages_ms(&self) -> &[f64] {
        &self.outages_ms
    }

    /// Terms in which two or more agents stood and none won, counted once the term is over.
    pub fn split_votes(&self) -> u64 {
        self.terms
            .iter()
            .filter(|(t, r)| **t < self.max_term && r.candidates >= 2 && r.leaders.is_empty())
            .count() as u64
    }

    /// Terms in which someone stood.
    pub fn elections(&self) -> u64 {
        self.terms.values().filter(|r| r.candidates > 0).count() as u64
    }

    /// The outage ends when a leader newer than the crashed one is followed by every other
    /// live agent in its term.
    fn outage_over(&self, nodes: &[NodeState<RaftAgent>], crashed_term: Term) -> bool {
        let Some((l, term)) = self.current else {
            return false;
        };
        if term <= crashed_term || nodes[l.index()].status != Status::Up {
            return false;
        }
        nodes.iter().enumerate().all(|(j, n)| {
            j == l.index()
                || n.status != Status::Up
                || (n.agent.current_term == term && n.agent.leader == Some(l))
        })
    }
}

impl Protocol for Observer {
    type Agent = RaftAgent;

    fn invariants(&self) -> &'static [&'static str] {
        INVARIANTS
    }

    fn check(&mut self, now: Time, nodes: &[NodeState<RaftAgent>], out: &mut Vec<Breach>) {
        if self.stood.len() != nodes.len() {
            self.stood = vec![Term(0); nodes.len()];
        }
        let mut current: Option<(NodeId, Term)> = None;
        for (i, node) in nodes.iter().enumerate() {
            let a = &node.agent;
            let id = NodeId(i as u32);
            let term = a.current_term;
            if term > self.max_term {
                self.max_term = term;
            }
            if node.status == Status::Crashed {
                continue;
            }
            match a.role {
                RaftRole::Follower => {}
                RaftRole::Candidate => {
                    if self.stood[i] != term {
                        self.stood[i] = term;
                        self.terms
                            .get_or_insert_with(term, Default::default)
                            .candidates += 1;
                    }
                }
                RaftRole::Leader => {
                    if current.is_none_or(|(_, t)| term > t) {
                        current = Some((id, term));
                    }
                    let rec = self.terms.get_or_insert_with(term, Default::default);
                    if rec.leaders.contains(&id) {
                        continue;
                    }
                    rec.leaders.push(id);
                    if rec.leaders.len() > 1 {
                        out.push(Breach {
                            invariant: ELECTION_SAFETY,
                            message: format!(
                                "agents {} all lead term {term}",
                                rec.leaders
                                    .iter()
                                    .map(|l| l.to_string())
                                    .collect::<Vec<_>>()
                                    .join(" and ")
                            ),
                            nodes: rec.leaders.clone(),
                        });
                    }
                    if a.log.len() < self.committed_len {
                        out.push(Breach {
                            invariant: LEADER_COMPLETENESS,
                            message: format!(
                                "agent {id} leads term {term} with {} log entries; {} are committed",
                                a.log.len(),
                                self.committed_len
                            ),
                            nodes: vec![id],
                        });
                    }
                }
            }
        }
        self.current = current;
        if let Some((since, crashed_term)) = self.outage {
            if self.outage_over(nodes, crashed_term) {
                self.outages_ms.push((now - since).as_ms_f64());
                self.outage = None;
            }
        }
    }

    fn observe(&mut self, event: &Event, _nodes: &[NodeState<RaftAgent>]) {
        // `current` is from the check after the previous event: who led just before the crash.
        if let (EventKind::Crash, Some((leader, term))) = (&event.kind, self.current) {
            if event.node == leader {
                self.leader_crashes += 1;
                self.current = None;
                if self.outage.is_none() {
                    self.outage = Some((event.time, term));
                }
            }
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let mean = if self.outages_ms.is_empty() {
            f64::NAN
        } else {
            self.outages_ms.iter().sum::<f64>() / self.outages_ms.len() as f64
        };
        vec![
            ("time_without_leader_ms".into(), mean),
            ("split_votes".into(), self.split_votes() as f64),
            ("elections".into(), self.elections() as f64),
            ("leader_crashes".into(), self.leader_crashes as f64),
            ("term".into(), self.max_term.0 as f64),
            ("messages".into(), state.stats.sent as f64),
        ]
    }

    fn set_param(
        &mut self,
        key: &str,
        value: &str,
        nodes: &mut [NodeState<RaftAgent>],
    ) -> Result<bool, String> {
        super::scenario::set_live_param(key, value, nodes)
    }

    fn done(&self, _state: &State<Self>) -> bool {
        self.expect_crash && !self.outages_ms.is_empty()
    }
}
