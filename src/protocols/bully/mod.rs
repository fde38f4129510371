//! The bully algorithm: the highest-ranked live agent takes over.
//!
//! Garcia-Molina, "Elections in a Distributed Computing System", IEEE Trans. Computers C-31(1),
//! 1982, the algorithm for the synchronous model. An agent that finds the coordinator gone holds an
//! election: it sends `Election` to every agent ranked above it. Any of them that is alive
//! answers (`Answer`: "I'm above you, I take it from here") and holds its own election; if
//! nobody answers within `answer_timeout`, the agent crowns itself and tells everyone
//! (`Coordinator`). An agent that recovers holds an election at once, and so bullies its way
//! back to the top. The coordinator's heartbeats double as the failure detector.
//!
//! ```text
//!   silence ──► Election to higher ──no Answer in T──► Coordinator to all ──► heartbeats
//!                       │                                     ▲
//!                    Answer ──► wait 3T for Coordinator ──────┘ (or hold a new election)
//! ```
//!
//! Its correctness rests on synchrony: an `Answer` must arrive within `answer_timeout`. Slow the
//! network or cut it and two coordinators coexist, and nothing (no term, no epoch) tells their
//! followers which is current — the gap that Raft's terms close (compare `raft-election`).
//!
//! Volatile: everything (the whom-I-follow and the election in progress). Durable: counters
//! kept for the metrics.

mod scenario;

pub use scenario::{BullyObserver, BUILDER, CARD, RANK_ORDER, SCENARIO};

use crate::sim::{Agent, Ctx, Message, NodeId, Role, Summary, Time, TimerKey};

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// "The coordinator is gone; anyone above me alive?"
    Election,
    /// "Yes, I am above you; stand down."
    Answer,
    /// "I am the coordinator."
    Coordinator,
    /// The coordinator's periodic "still here".
    Heartbeat,
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Election => "Election",
            Msg::Answer => "Answer",
            Msg::Coordinator => "Coordinator",
            Msg::Heartbeat => "Heartbeat",
        }
    }
}

pub const FAILURE_TIMER: TimerKey = 1;
pub const ANSWER_TIMER: TimerKey = 2;
pub const COORDINATOR_TIMER: TimerKey = 3;
pub const HEARTBEAT_TIMER: TimerKey = 4;

/// How agents behave; `Meek` is a deliberately broken teaching variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Bully,
    /// Agents that neither answer an Election nor object to a lower-ranked coordinator.
    Meek,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub heartbeat: Time,
    /// Silence from the coordinator after which an agent holds an election.
    pub timeout: Time,
    /// How long to wait for an Answer (the synchrony bound T); three times that for the
    /// Coordinator message after an Answer.
    pub answer_timeout: Time,
}

#[derive(Clone, Debug)]
pub struct BullyAgent {
    pub me: NodeId,
    pub timing: Timing,
    pub variant: Variant,
    /// Whom this agent obeys (itself, when it is the coordinator).
    pub leader: Option<NodeId>,
    /// Holding an election: waiting for answers (`answered` false) or for the winner.
    pub electing: bool,
    pub answered: bool,
    /// The coordinator this agent found silent (its failure detector's verdict), until it
    /// follows a coordinator or hears from that agent again. Shown on the stage as "suspected".
    pub suspect: Option<NodeId>,
    /// Durable counters for the metrics.
    pub elections_held: u64,
    pub election_messages: u64,
}

impl BullyAgent {
    pub fn new(me: NodeId, timing: Timing, variant: Variant) -> BullyAgent {
        BullyAgent {
            me,
            timing,
            variant,
            leader: None,
            electing: false,
            answered: false,
            suspect: None,
            elections_held: 0,
            election_messages: 0,
        }
    }

    pub fn is_coordinator(&self) -> bool {
        self.leader == Some(self.me) && !self.electing
    }

    fn send(&mut self, ctx: &mut Ctx<Msg>, to: NodeId, m: Msg) {
        if m != Msg::Heartbeat {
            self.election_messages += 1;
        }
        ctx.send(to, m);
    }

    /// Garcia-Molina: send Election to every higher-ranked agent and wait T for an answer.
    fn hold_election(&mut self, ctx: &mut Ctx<Msg>) {
        let me = self.me;
        self.electing = true;
        self.answered = false;
        self.elections_held += 1;
        if self.leader != Some(me) {
            self.leader = None;
        }
        ctx.cancel_timer(FAILURE_TIMER);
        ctx.note("holds an election");
        let higher: Vec<NodeId> = ctx.peers().filter(|p| *p > me).collect();
        if higher.is_empty() {
            self.crown(ctx);
            return;
        }
        for p in higher {
            self.send(ctx, p, Msg::Election);
        }
        ctx.set_timer(ANSWER_TIMER, self.timing.answer_timeout);
    }

    /// Nobody above answered: this agent is the coordinator and says so to all.
    fn crown(&mut self, ctx: &mut Ctx<Msg>) {
        let me = self.me;
        self.electing = false;
        self.answered = false;
        if self.leader != Some(me) {
            ctx.note("is the coordinator");
        }
        self.leader = Some(me);
        ctx.cancel_timer(ANSWER_TIMER);
        ctx.cancel_timer(COORDINATOR_TIMER);
        ctx.cancel_timer(FAILURE_TIMER);
        let peers: Vec<NodeId> = ctx.peers().collect();
        for p in peers {
            self.send(ctx, p, Msg::Coordinator);
        }
        ctx.set_timer(HEARTBEAT_TIMER, self.timing.heartbeat);
    }

    /// Obeys `c`, which ranks at or above this agent.
    fn follow(&mut self, ctx: &mut Ctx<Msg>, c: NodeId) {
        if self.leader != Some(c) {
            ctx.note(format!("follows {c}"));
        }
        if self.leader == Some(self.me) {
            ctx.cancel_timer(HEARTBEAT_TIMER);
        }
        self.leader = Some(c);
        self.suspect = None;
        self.electing = false;
        self.answered = false;
        ctx.cancel_timer(ANSWER_TIMER);
        ctx.cancel_timer(COORDINATOR_TIMER);
        ctx.set_timer(FAILURE_TIMER, self.timing.timeout);
    }

    /// A coordinator (or its heartbeat) from `c`: obey it if it ranks higher, else bully it.
    fn on_claim(&mut self, ctx: &mut Ctx<Msg>, c: NodeId, heartbeat: bool) {
        if c > self.me || self.variant == Variant::Meek {
            if heartbeat && self.leader == Some(c) {
                ctx.set_timer(FAILURE_TIMER, self.timing.timeout);
            } else {
                self.follow(ctx, c);
            }
        } else if self.is_coordinator() {
            // A lower agent thinks it leads (a partition healed, or it was slow): correct it.
            self.send(ctx, c, Msg::Coordinator);
        } else if !self.electing {
            // Garcia-Molina: a live agent never accepts a coordinator ranked below itself.
            self.hold_election(ctx);
        }
    }
}

impl Agent for BullyAgent {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        self.hold_election(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        if self.suspect == Some(from) {
            self.suspect = None;
        }
        match msg {
            Msg::Election => {
                if from >= self.me || self.variant == Variant::Meek {
                    return;
                }
                self.send(ctx, from, Msg::Answer);
                if self.is_coordinator() {
                    self.send(ctx, from, Msg::Coordinator);
                } else if !self.electing {
                    self.hold_election(ctx);
                }
            }
            Msg::Answer => {
                if self.electing && !self.answered {
                    self.answered = true;
                    ctx.cancel_timer(ANSWER_TIMER);
                    let wait = Time(self.timing.answer_timeout.0.saturating_mul(3));
                    ctx.set_timer(COORDINATOR_TIMER, wait);
                }
            }
            Msg::Coordinator => self.on_claim(ctx, from, false),
            Msg::Heartbeat => self.on_claim(ctx, from, true),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        match key {
            FAILURE_TIMER => {
                self.suspect = self.leader.filter(|l| *l != self.me);
                ctx.note("coordinator silent");
                self.hold_election(ctx);
            }
            ANSWER_TIMER if self.electing => self.crown(ctx),
            COORDINATOR_TIMER if self.electing => self.hold_election(ctx),
            HEARTBEAT_TIMER if self.is_coordinator() => {
                let peers: Vec<NodeId> = ctx.peers().collect();
                for p in peers {
                    self.send(ctx, p, Msg::Heartbeat);
                }
                ctx.set_timer(HEARTBEAT_TIMER, self.timing.heartbeat);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self) {
        self.leader = None;
        self.suspect = None;
        self.electing = false;
        self.answered = false;
    }

    fn summary(&self) -> Summary {
        let (role, state) = match (self.leader, self.electing, self.answered) {
            (_, true, false) => (Role::Candidate, "holding an election".to_string()),
            (_, true, true) => (Role::Candidate, "answered; awaiting the winner".into()),
            (Some(l), false, _) if l == self.me => (Role::Coordinator, "coordinator".into()),
            (Some(l), false, _) => (Role::Follower, format!("follows {l}")),
            (None, false, _) => (Role::Peer, "no coordinator known".into()),
        };
        Summary {
            role,
            epoch: None,
            state,
            log: vec![],
            suspects: self.suspect.into_iter().collect(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests;
