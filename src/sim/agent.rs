//! The sans-IO agent interface.
//!
//! An agent reacts to start, message, timer, client request and recovery by pushing effects into
//! the buffer of the [`Ctx`] it is handed. It never reads time or randomness except through that
//! context, so a run is a pure function of its inputs. (Shape learned from stateright's `Actor`
//! and openraft's engine: events in, commands out.)

use super::history::{OpFn, Outcome, Value};
use super::rng::SimRng;
use super::time::Time;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An agent's identity: its index in the world, `0..n`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A timer is named by value: setting the same key again re-arms it.
pub type TimerKey = u64;

/// Byzantine behaviours the engine can impose on a node's outgoing traffic. `Silent`, `Delay`
/// and `Replay` are generic; `Equivocate` and `Lie` ask the protocol's [`Message::tamper`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ByzantineMode {
    /// Sends nothing (a traitor that stays quiet).
    Silent,
    /// Holds every message for an extra delay.
    Delay,
    /// Also re-sends an old message of its own later.
    Replay,
    /// Tells different peers different things.
    Equivocate,
    /// Tells everyone the same wrong thing.
    Lie,
}

impl ByzantineMode {
    pub const ALL: [ByzantineMode; 5] = [
        ByzantineMode::Silent,
        ByzantineMode::Delay,
        ByzantineMode::Replay,
        ByzantineMode::Equivocate,
        ByzantineMode::Lie,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ByzantineMode::Silent => "silent",
            ByzantineMode::Delay => "delay",
            ByzantineMode::Replay => "replay",
            ByzantineMode::Equivocate => "equivocate",
            ByzantineMode::Lie => "lie",
        }
    }
    pub fn from_name(s: &str) -> Option<ByzantineMode> {
        ByzantineMode::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// A protocol's message type.
pub trait Message: Clone + fmt::Debug + 'static {
    /// Short kind for the stage and the diagram (`"RequestVote"`, `"Ack"`).
    fn kind(&self) -> &'static str;
    /// Full content for the inspector; Debug by default.
    fn label(&self) -> String {
        format!("{self:?}")
    }
    /// What a Byzantine sender turns this message into for recipient `to` (`Equivocate`,
    /// `Lie`). `None`: the protocol has no lie for this message, send it unchanged.
    fn tamper(&self, _mode: ByzantineMode, _to: NodeId, _rng: &mut SimRng) -> Option<Self> {
        None
    }
}

/// What an agent looks like from outside, for the stage and inspector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub role: Role,
    /// Term, epoch, ballot or view, where the protocol has one.
    pub epoch: Option<u64>,
    /// One line of state ("voted for 2", "x = 3").
    pub state: String,
    /// A compact log or store, newest last.
    pub log: Vec<String>,
    /// Agents this one's failure detector suspects now (heartbeat timeouts, a follower that gave
    /// up on its leader). The stage draws an agent as suspected when a live agent lists it.
    #[serde(default)]
    pub suspects: Vec<NodeId>,
    /// What this agent noticed about agents (itself or others) that the stage should highlight
    /// on them, e.g. a coordinator flagging the replica that answered a read with stale data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
}

/// A highlight on agent `node`, with `text` as its explanation ("stale read: answered v3,
/// latest v5"). It lasts as long as the reporting agent keeps it in its summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub node: NodeId,
    pub text: String,
}

/// Role glyphs the stage knows how to draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    #[default]
    Peer,
    Leader,
    Candidate,
    Follower,
    Coordinator,
    Replica,
    Client,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Peer => "peer",
            Role::Leader => "leader",
            Role::Candidate => "candidate",
            Role::Follower => "follower",
            Role::Coordinator => "coordinator",
            Role::Replica => "replica",
            Role::Client => "client",
        }
    }
}

/// An effect an agent asks the world to carry out.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<M> {
    Send {
        to: NodeId,
        msg: M,
    },
    /// A send whose latency the protocol chose (loss and partitions still apply).
    SendAfter {
        to: NodeId,
        msg: M,
        delay: Time,
    },
    SetTimer {
        key: TimerKey,
        after: Time,
    },
    CancelTimer {
        key: TimerKey,
    },
    Note(String),
    /// A client operation begins (recorded in the run's client history).
    Invoke {
        req: u64,
        f: OpFn,
        key: String,
        input: Value,
    },
    /// A client operation ends.
    Complete {
        req: u64,
        outcome: Outcome,
        output: Value,
    },
}

impl<M> Effect<M> {
    /// The same effect with its message (if any) turned into something else.
    pub fn map_msg<N>(self, f: impl FnOnce(M) -> N) -> Effect<N> {
        match self {
            Effect::Send { to, msg } => Effect::Send { to, msg: f(msg) },
            Effect::SendAfter { to, msg, delay } => Effect::SendAfter {
                to,
                msg: f(msg),
                delay,
            },
            Effect::SetTimer { key, after } => Effect::SetTimer { key, after },
            Effect::CancelTimer { key } => Effect::CancelTimer { key },
            Effect::Note(text) => Effect::Note(text),
            Effect::Invoke {
                req,
                f: op,
                key,
                input,
            } => Effect::Invoke {
                req,
                f: op,
                key,
                input,
            },
            Effect::Complete {
                req,
                outcome,
                output,
            } => Effect::Complete {
                req,
                outcome,
                output,
            },
        }
    }
}

/// The handle an agent gets in each handler: who it is, what time its own clock says, a random
/// stream of its own, and the buffer its effects go into.
pub struct Ctx<'a, M> {
    pub(crate) me: NodeId,
    pub(crate) now: Time,
    pub(crate) local_now: Time,
    pub(crate) n: usize,
    pub(crate) rng: &'a mut SimRng,
    pub(crate) out: &'a mut Vec<Effect<M>>,
}

impl<'a, M> Ctx<'a, M> {
    /// A context for unit tests of a protocol, outside any world.
    pub fn for_test(
        me: NodeId,
        now: Time,
        n: usize,
        rng: &'a mut SimRng,
        out: &'a mut Vec<Effect<M>>,
    ) -> Ctx<'a, M> {
        Ctx {
            me,
            now,
            local_now: now,
            n,
            rng,
            out,
        }
    }
    pub fn id(&self) -> NodeId {
        self.me
    }
    /// Virtual (true) time. Protocols that reason about wall clocks should use [`Ctx::local_now`].
    pub fn now(&self) -> Time {
        self.now
    }
    /// This agent's own, possibly skewed and drifting, physical clock.
    pub fn local_now(&self) -> Time {
        self.local_now
    }
    /// Number of agents in the world.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Everyone but me.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> {
        let me = self.me;
        (0..self.n as u32).map(NodeId).filter(move |p| *p != me)
    }
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.out.push(Effect::Send { to, msg });
    }
    /// Sends with a latency the protocol drew itself (e.g. a per-leg latency of the PBS WARS
    /// model) instead of the link's; loss, duplication and partitions still apply.
    pub fn send_after(&mut self, to: NodeId, msg: M, delay: Time) {
        self.out.push(Effect::SendAfter { to, msg, delay });
    }
    /// Sends a copy to every other agent.
    pub fn broadcast(&mut self, msg: M)
    where
        M: Clone,
    {
        for p in 0..self.n as u32 {
            if p != self.me.0 {
                self.out.push(Effect::Send {
                    to: NodeId(p),
                    msg: msg.clone(),
                });
            }
        }
    }
    /// Arms timer `key` to fire `after` from now on this agent's own clock; re-arms if set.
    pub fn set_timer(&mut self, key: TimerKey, after: Time) {
        self.out.push(Effect::SetTimer { key, after });
    }
    pub fn cancel_timer(&mut self, key: TimerKey) {
        self.out.push(Effect::CancelTimer { key });
    }
    pub fn note(&mut self, text: impl Into<String>) {
        self.out.push(Effect::Note(text.into()));
    }
    pub fn invoke(&mut self, req: u64, f: OpFn, key: impl Into<String>, input: Value) {
        self.out.push(Effect::Invoke {
            req,
            f,
            key: key.into(),
            input,
        });
    }
    pub fn complete(&mut self, req: u64, outcome: Outcome, output: Value) {
        self.out.push(Effect::Complete {
            req,
            outcome,
            output,
        });
    }
}

/// A participant in a run. Agents may differ per node (an enum of clients and replicas).
pub trait Agent: Clone + fmt::Debug + 'static {
    type Msg: Message;

    fn on_start(&mut self, ctx: &mut Ctx<Self::Msg>);
    fn on_message(&mut self, ctx: &mut Ctx<Self::Msg>, from: NodeId, msg: &Self::Msg);
    fn on_timer(&mut self, ctx: &mut Ctx<Self::Msg>, key: TimerKey);
    /// A request from outside (a user's click, a workload generator). Default: ignored.
    fn on_client(&mut self, _ctx: &mut Ctx<Self::Msg>, _request: &str) {}
    /// The node crashed: drop volatile state, keep what the protocol declares durable.
    /// Default: keep everything (the protocol treats all its state as durable).
    fn on_crash(&mut self) {}
    /// The node comes back after a crash. Default: start again.
    fn on_recover(&mut self, ctx: &mut Ctx<Self::Msg>) {
        self.on_start(ctx);
    }
    fn summary(&self) -> Summary;
}
