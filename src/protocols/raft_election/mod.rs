//! Raft's leader election: terms, randomized election timeouts, RequestVote and heartbeats.
//!
//! Follows Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", USENIX ATC
//! 2014, §5.1–§5.2 and §5.4.1, Figure 2 (the rules), §5.6 and §9.3 (timing and the study of
//! election-timeout randomness). Only the election half of Raft lives here: logs are durable and
//! fixed for the run, so that the RequestVote log check (§5.4.1) has something to compare.
//!
//! ```text
//!                 times out,                receives votes from
//!   start ──► Follower ──starts election──► Candidate ──a majority───► Leader
//!               ▲  ▲                          │   │ times out: new term   │
//!               │  └── discovers the leader   │   └──────┐                │
//!               │      or a higher term ──────┘          ▼                │
//!               └───────────────── discovers a higher term ───────────────┘
//! ```
//!
//! A term is a logical clock: each election starts one, and at most one agent can win it,
//! because each agent votes at most once per term and a win needs a majority (§5.2). The
//! election timeout is drawn afresh from `[lo, hi]` every time it is armed, so that one agent
//! usually times out first and wins before the others stand (the randomness split votes need).
//!
//! Durable (survives a crash, Figure 2 "persistent state"): `current_term`, `voted_for`, the log.
//! Volatile: the role, the votes being counted, whom the agent follows.
//!
//! Module map: this file is the agent (one handler per RPC); `observer` the world-level checks
//! and metrics; `scenario` the catalogue entry and its parameters; `study` the timeout-randomness
//! experiment as CDFs.

mod observer;
mod scenario;
pub mod study;

pub use observer::{Observer, ELECTION_SAFETY, LEADER_COMPLETENESS};
pub use scenario::{build_world, Setup, BUILDER, CARD, SCENARIO};

use crate::sim::{
    Agent, ByzantineMode, Ctx, Message, NodeId, Role, SimRng, Summary, Time, TimerKey,
};
use std::fmt;

/// A Raft term: the election epoch (§5.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Term(pub u64);

/// A position in the log, from 1; 0 is "empty".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogIndex(pub u64);

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The RPCs of the election (Figure 2), requests and replies as separate messages.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    RequestVote {
        term: Term,
        last_log_index: LogIndex,
        last_log_term: Term,
    },
    RequestVoteReply {
        term: Term,
        granted: bool,
    },
    /// An AppendEntries with no entries: the leader's heartbeat.
    AppendEntries {
        term: Term,
    },
    AppendEntriesReply {
        term: Term,
        success: bool,
    },
}

impl Msg {
    pub fn term(&self) -> Term {
        match self {
            Msg::RequestVote { term, .. }
            | Msg::RequestVoteReply { term, .. }
            | Msg::AppendEntries { term }
            | Msg::AppendEntriesReply { term, .. } => *term,
        }
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::RequestVote { .. } => "RequestVote",
            Msg::RequestVoteReply { granted: true, .. } => "Vote",
            Msg::RequestVoteReply { granted: false, .. } => "VoteDenied",
            Msg::AppendEntries { .. } => "Heartbeat",
            Msg::AppendEntriesReply { .. } => "HeartbeatAck",
        }
    }
    fn label(&self) -> String {
        match self {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => format!(
                "RequestVote(term {term}, last log entry #{} of term {last_log_term})",
                last_log_index.0
            ),
            Msg::RequestVoteReply { term, granted } => {
                format!("RequestVote reply(term {term}, granted: {granted})")
            }
            Msg::AppendEntries { term } => format!("AppendEntries(term {term}, no entries)"),
            Msg::AppendEntriesReply { term, success } => {
                format!("AppendEntries reply(term {term}, success: {success})")
            }
        }
    }
    /// Raft assumes no Byzantine faults (§5): a voter that says yes to every candidate
    /// (equivocation) or an agent that inflates its term (a lie) breaks it, and the stage shows how.
    fn tamper(&self, mode: ByzantineMode, _to: NodeId, _rng: &mut SimRng) -> Option<Msg> {
        match (mode, self) {
            (ByzantineMode::Equivocate, Msg::RequestVoteReply { term, .. }) => {
                Some(Msg::RequestVoteReply {
                    term: *term,
                    granted: true,
                })
            }
            (ByzantineMode::Lie, m) => {
                let mut m = m.clone();
                match &mut m {
                    Msg::RequestVote { term, .. }
                    | Msg::RequestVoteReply { term, .. }
                    | Msg::AppendEntries { term }
                    | Msg::AppendEntriesReply { term, .. } => term.0 += 1,
                }
                Some(m)
            }
            _ => None,
        }
    }
}

/// Timer keys, named by value (setting one again re-arms it).
pub const ELECTION_TIMER: TimerKey = 1;
pub const HEARTBEAT_TIMER: TimerKey = 2;

/// How voters behave. Everything but `Raft` is a deliberately broken teaching variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Raft,
    /// Voters grant every RequestVote, ignoring terms and earlier votes: two leaders per term.
    ForgetfulVoters,
    /// Voters skip the §5.4.1 log comparison: a leader may lack committed entries.
    NoLogCheck,
}

impl Variant {
    pub const NAMES: &'static [&'static str] = &["raft", "forgetful-voters", "no-log-check"];
    pub fn from_name(s: &str) -> Option<Variant> {
        match s.trim() {
            "raft" => Some(Variant::Raft),
            "forgetful-voters" => Some(Variant::ForgetfulVoters),
            "no-log-check" => Some(Variant::NoLogCheck),
            _ => None,
        }
    }
}

/// The timing knobs, shared by every agent and changeable mid-run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Election timeouts are drawn uniformly from `[lo, hi]` (§5.2).
    pub election_lo: Time,
    pub election_hi: Time,
    /// How often a leader sends heartbeats.
    pub heartbeat: Time,
}

/// The role an agent plays now (volatile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftRole {
    Follower,
    Candidate,
    Leader,
}

/// One Raft agent, election part.
#[derive(Clone, Debug)]
pub struct RaftAgent {
    pub timing: Timing,
    pub variant: Variant,
    // Durable (Figure 2, "persistent state on all servers").
    pub current_term: Term,
    pub voted_for: Option<NodeId>,
    /// Terms of the log's entries, oldest first; fixed during the run.
    pub log: Vec<Term>,
    // Volatile.
    pub role: RaftRole,
    /// Whom this agent has accepted AppendEntries from in `current_term`.
    pub leader: Option<NodeId>,
    /// Votes for this candidate in `current_term`, one slot per agent.
    pub votes: Vec<Option<bool>>,
    /// The leader this agent gave up on when its election timer fired (its failure detector's
    /// verdict), until it accepts a leader or hears from that agent again. Volatile; shown on the
    /// stage as "suspected".
    pub suspect: Option<NodeId>,
}

impl RaftAgent {
    pub fn new(n: usize, timing: Timing, variant: Variant, log: Vec<Term>) -> RaftAgent {
        RaftAgent {
            timing,
            variant,
            current_term: Term(0),
            voted_for: None,
            log,
            role: RaftRole::Follower,
            leader: None,
            votes: vec![None; n],
            suspect: None,
        }
    }

    pub fn last_log_index(&self) -> LogIndex {
        LogIndex(self.log.len() as u64)
    }
    pub fn last_log_term(&self) -> Term {
        self.log.last().copied().unwrap_or_default()
    }

    fn majority(n: usize) -> usize {
        n / 2 + 1
    }

    fn arm_election_timer(&self, ctx: &mut Ctx<Msg>) {
        let (lo, hi) = (self.timing.election_lo, self.timing.election_hi);
        let after = Time(ctx.rng().range_inclusive(lo.0, hi.0.max(lo.0)));
        ctx.set_timer(ELECTION_TIMER, after);
    }

    /// §5.1: a higher term makes anyone a follower of that term, with no vote cast yet.
    fn observe_term(&mut self, ctx: &mut Ctx<Msg>, term: Term) {
        if term > self.current_term {
            if self.role == RaftRole::Leader {
                ctx.cancel_timer(HEARTBEAT_TIMER);
                ctx.note(format!("steps down: saw term {term}"));
                // A follower always has an election timer running; a leader had none.
                self.arm_election_timer(ctx);
            }
            self.current_term = term;
            self.voted_for = None;
            self.role = RaftRole::Follower;
            self.leader = None;
        }
    }

    /// §5.2: the election timeout elapsed: start a new term and stand in it.
    fn start_election(&mut self, ctx: &mut Ctx<Msg>) {
        // The timeout is the failure detector: a follower that hears nothing suspects its leader.
        if let Some(l) = self.leader.filter(|l| *l != ctx.id()) {
            self.suspect = Some(l);
        }
        self.current_term = Term(self.current_term.0 + 1);
        self.role = RaftRole::Candidate;
        self.leader = None;
        self.voted_for = Some(ctx.id());
        self.votes.iter_mut().for_each(|v| *v = None);
        if let Some(v) = self.votes.get_mut(ctx.id().index()) {
            *v = Some(true);
        }
        ctx.note(format!("stands for election in term {}", self.current_term));
        self.arm_election_timer(ctx);
        ctx.broadcast(Msg::RequestVote {
            term: self.current_term,
            last_log_index: self.last_log_index(),
            last_log_term: self.last_log_term(),
        });
        self.tally(ctx);
    }

    /// Counts the votes (raft-rs's three-valued quorum result, here pending / won / lost).
    fn tally(&mut self, ctx: &mut Ctx<Msg>) {
        let n = self.votes.len();
        let yes = self.votes.iter().filter(|v| **v == Some(true)).count();
        let no = self.votes.iter().filter(|v| **v == Some(false)).count();
        if yes >= Self::majority(n) {
            self.become_leader(ctx);
        } else if no == n - Self::majority(n) + 1 {
            // Lost (the refusal that just came in decided it): wait for the election timeout to
            // try again in a new term (§5.2). Each slot fills once, so this notes it once.
            ctx.note(format!("lost the election in term {}", self.current_term));
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx<Msg>) {
        self.role = RaftRole::Leader;
        self.leader = Some(ctx.id());
        ctx.cancel_timer(ELECTION_TIMER);
        ctx.note(format!("leads term {}", self.current_term));
        self.send_heartbeats(ctx);
    }

    /// §5.2: "upon election: send initial empty AppendEntries RPCs (heartbeat) to each server;
    /// repeat during idle periods to prevent election timeouts".
    fn send_heartbeats(&mut self, ctx: &mut Ctx<Msg>) {
        ctx.broadcast(Msg::AppendEntries {
            term: self.current_term,
        });
        ctx.set_timer(HEARTBEAT_TIMER, self.timing.heartbeat);
    }

    /// §5.4.1: the candidate's log is at least as up-to-date as mine if its last term is later,
    /// or the same with an index at least as long.
    fn log_ok(&self, last_log_index: LogIndex, last_log_term: Term) -> bool {
        (last_log_term, last_log_index) >= (self.last_log_term(), self.last_log_index())
    }

    fn on_request_vote(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, m: (Term, LogIndex, Term)) {
        let (term, last_log_index, last_log_term) = m;
        let granted = match self.variant {
            // Broken on purpose: a voter that forgets terms and earlier votes says yes to all.
            Variant::ForgetfulVoters => true,
            Variant::Raft | Variant::NoLogCheck => {
                // Figure 2, RequestVote receiver: deny a stale term; grant if not yet voted for
                // someone else in this term and the candidate's log is up to date (§5.4.1).
                let free = self.voted_for.is_none_or(|v| v == from);
                let log_ok = self.variant == Variant::NoLogCheck
                    || self.log_ok(last_log_index, last_log_term);
                term == self.current_term && free && log_ok
            }
        };
        if granted && term >= self.current_term {
            self.voted_for = Some(from);
            // Figure 2, followers: granting a vote resets the election timer.
            self.arm_election_timer(ctx);
            ctx.note(format!("votes for {from} in term {term}"));
        }
        ctx.send(
            from,
            Msg::RequestVoteReply {
                term: self.current_term,
                granted,
            },
        );
    }

    fn on_append_entries(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, term: Term) {
        if term < self.current_term {
            // Figure 2: reply false if term < currentTerm; the stale leader learns and steps down.
            ctx.send(
                from,
                Msg::AppendEntriesReply {
                    term: self.current_term,
                    success: false,
                },
            );
            return;
        }
        // §5.2: a candidate that hears from a leader of its own term concedes.
        if self.role == RaftRole::Candidate {
            ctx.note(format!("concedes term {term} to {from}"));
        }
        if self.role != RaftRole::Leader {
            self.role = RaftRole::Follower;
            self.suspect = None;
            if self.leader != Some(from) {
                self.leader = Some(from);
                ctx.note(format!("follows {from} in term {term}"));
            }
            self.arm_election_timer(ctx);
        }
        ctx.send(
            from,
            Msg::AppendEntriesReply {
                term: self.current_term,
                success: true,
            },
        );
    }
}

impl Agent for RaftAgent {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        if self.role == RaftRole::Leader {
            // A run that starts in a steady state (see `Setup::Leader`): lead at once.
            self.send_heartbeats(ctx);
        } else {
            self.role = RaftRole::Follower;
            self.arm_election_timer(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        // Hearing from the suspect at all shows it is alive (a new leader stops suspecting the
        // old one once it is back).
        if self.suspect == Some(from) {
            self.suspect = None;
        }
        self.observe_term(ctx, msg.term());
        match *msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.on_request_vote(ctx, from, (term, last_log_index, last_log_term)),
            Msg::RequestVoteReply { term, granted } => {
                if self.role == RaftRole::Candidate && term == self.current_term {
                    if let Some(v) = self.votes.get_mut(from.index()) {
                        if v.is_none() {
                            *v = Some(granted);
                            self.tally(ctx);
                        }
                    }
                }
            }
            Msg::AppendEntries { term } => self.on_append_entries(ctx, from, term),
            // Higher terms were handled above; a heartbeat ack carries nothing else here.
            Msg::AppendEntriesReply { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        match (key, self.role) {
            (HEARTBEAT_TIMER, RaftRole::Leader) => self.send_heartbeats(ctx),
            (ELECTION_TIMER, RaftRole::Follower | RaftRole::Candidate) => self.start_election(ctx),
            _ => {}
        }
    }

    fn on_crash(&mut self) {
        self.role = RaftRole::Follower;
        self.leader = None;
        self.suspect = None;
        self.votes.iter_mut().for_each(|v| *v = None);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<Msg>) {
        ctx.note(format!("recovers in term {}", self.current_term));
        self.role = RaftRole::Follower;
        self.arm_election_timer(ctx);
    }

    fn summary(&self) -> Summary {
        let state = match (self.role, self.leader, self.voted_for) {
            (RaftRole::Leader, _, _) => "leader".to_string(),
            (RaftRole::Candidate, _, _) => {
                let yes = self.votes.iter().filter(|v| **v == Some(true)).count();
                format!("candidate, {yes} vote{}", if yes == 1 { "" } else { "s" })
            }
            (RaftRole::Follower, Some(l), _) => format!("follows {l}"),
            (RaftRole::Follower, None, Some(v)) => format!("voted for {v}"),
            (RaftRole::Follower, None, None) => "no leader known".to_string(),
        };
        Summary {
            role: match self.role {
                RaftRole::Follower => Role::Follower,
                RaftRole::Candidate => Role::Candidate,
                RaftRole::Leader => Role::Leader,
            },
            epoch: Some(self.current_term.0),
            state,
            log: self.log.iter().map(|t| t.0.to_string()).collect(),
            suspects: self.suspect.into_iter().collect(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests;
