//! A run's state: the protocol-independent `Core`, agents with their `NodeMeta`, the `Protocol`
//! trait, messages in flight, and what the explorer reads (`Frame`, `NodeView`, invariants).

use super::*;

/// Liveness of an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    Up,
    Crashed,
    Paused,
}

/// What the engine keeps about an agent besides the agent itself. [`NodeState`] derefs to it,
/// so `node.status` reads as before.
#[derive(Clone, Debug)]
pub struct NodeMeta {
    pub status: Status,
    pub lamport: Lamport,
    pub vclock: Option<VectorClock>,
    pub clock: PhysicalClock,
    pub byzantine: Option<ByzantineMode>,
    pub send_omission: f64,
    pub recv_omission: f64,
    pub(super) timers: Vec<(TimerKey, u64)>,
    pub(super) timer_gen: u64,
    pub(super) backlog: Vec<Pending>,
    pub(super) rng: SimRng,
}

/// An agent and what the engine keeps about it.
#[derive(Clone, Debug)]
pub struct NodeState<A> {
    pub agent: A,
    pub meta: NodeMeta,
}

impl<A> Deref for NodeState<A> {
    type Target = NodeMeta;
    fn deref(&self) -> &NodeMeta {
        &self.meta
    }
}

impl<A> DerefMut for NodeState<A> {
    fn deref_mut(&mut self) -> &mut NodeMeta {
        &mut self.meta
    }
}

/// A protocol-level violation found by [`Protocol::check`].
#[derive(Clone, Debug, PartialEq)]
pub struct Breach {
    pub invariant: usize,
    pub message: String,
    pub nodes: Vec<NodeId>,
}

/// World-level behaviour of a scenario: invariants over all agents, metrics, its parameters.
/// It is cloned into snapshots, so stateful checks (leaders seen per term) replay correctly.
pub trait Protocol: Clone + 'static {
    type Agent: Agent;
    /// Names of the invariants `check` reports by index.
    fn invariants(&self) -> &'static [&'static str] {
        &[]
    }
    /// Called after every event; push what is violated now.
    fn check(&mut self, _now: Time, _nodes: &[NodeState<Self::Agent>], _out: &mut Vec<Breach>) {}
    /// Observes every event (for metrics that need the stream, e.g. time without a leader).
    fn observe(&mut self, _event: &Event, _nodes: &[NodeState<Self::Agent>]) {}
    /// Live metrics.
    fn metrics(&self, _state: &State<Self>) -> Vec<(String, f64)> {
        vec![]
    }
    /// Metrics computed from the run's client history (e.g. operations completed), appended to
    /// [`Protocol::metrics`]. Called only when metrics are asked for (the end of a sweep trial,
    /// the explorer's panel), never per event. Keep it cheap: the explorer asks every frame (the
    /// consistency checkers' verdicts are added by the CLI, `scenario::checked`, and computed in
    /// the browser's Web Worker).
    fn history_metrics(&self, _history: &History) -> Vec<(String, f64)> {
        vec![]
    }
    /// A scenario parameter changed mid-run. `Ok(false)`: not a parameter of this protocol.
    fn set_param(
        &mut self,
        _key: &str,
        _value: &str,
        _nodes: &mut [NodeState<Self::Agent>],
    ) -> Result<bool, String> {
        Ok(false)
    }
    /// Whether the run has nothing more to show (sweeps stop early).
    fn done(&self, _state: &State<Self>) -> bool {
        false
    }
}

/// Counters over the whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub events: u64,
    pub sent: u64,
    pub delivered: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub timers: u64,
    pub crashes: u64,
}

impl Stats {
    /// Conservation: sent + duplicated = delivered + dropped + in flight.
    pub fn in_flight(&self) -> u64 {
        (self.sent + self.duplicated).saturating_sub(self.delivered + self.dropped)
    }
}

/// Where a message in flight goes (the payload travels beside it, in the typed part).
#[derive(Clone, Debug)]
pub(super) struct FlightMeta {
    pub(super) from: NodeId,
    pub(super) to: NodeId,
    pub(super) lamport: u64,
    pub(super) vclock: Option<VectorClock>,
    pub(super) lost: bool,
}

/// A message on its way. It carries its payload, so delivery needs no trace (sweeps record
/// none) and replay re-creates it exactly.
#[derive(Clone, Debug)]
pub(super) struct Flight<M> {
    pub(super) msg: M,
    pub(super) meta: FlightMeta,
}

/// Messages in flight, indexed by id. Ids are handed out in order and most messages resolve
/// roughly in order, so a deque with a moving base beats a map (no allocation per message, O(1)).
#[derive(Clone, Debug)]
pub(super) struct InFlight<M> {
    pub(super) base: MsgId,
    pub(super) slots: std::collections::VecDeque<Option<Flight<M>>>,
}

impl<M> Default for InFlight<M> {
    fn default() -> Self {
        InFlight {
            base: 0,
            slots: std::collections::VecDeque::new(),
        }
    }
}

impl<M> InFlight<M> {
    pub(super) fn insert(&mut self, id: MsgId, f: Flight<M>) {
        if self.slots.is_empty() {
            self.base = id;
        }
        let Some(i) = id.checked_sub(self.base) else {
            return;
        };
        let i = i as usize;
        while self.slots.len() <= i {
            self.slots.push_back(None);
        }
        self.slots[i] = Some(f);
    }
    pub(super) fn get(&self, id: MsgId) -> Option<&Flight<M>> {
        let i = id.checked_sub(self.base)? as usize;
        self.slots.get(i)?.as_ref()
    }
    pub(super) fn remove(&mut self, id: MsgId) -> Option<Flight<M>> {
        let i = id.checked_sub(self.base)? as usize;
        let f = self.slots.get_mut(i)?.take();
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        f
    }
}

/// The part of a run's state that does not depend on the protocol: clock, network, queue,
/// counters, random streams. [`State`] derefs to it.
#[derive(Clone, Debug)]
pub struct Core {
    pub now: Time,
    pub net: Network,
    pub stats: Stats,
    pub hash: TraceHash,
    pub mtbf: Option<Time>,
    pub mttr: Time,
    pub(super) queue: EventQueue,
    pub(super) next_msg: MsgId,
    pub(super) next_iv: usize,
    pub(super) history_len: usize,
    pub(super) open_ops: crate::sim::vecmap::VecMap<(u32, u64), usize>,
    pub(super) net_rng: SimRng,
    pub(super) fault_rng: SimRng,
    pub(super) fault_gen: u64,
    pub(super) violations_seen: Vec<usize>,
    pub(super) first_violation: Vec<Option<Time>>,
}

impl Core {
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
    pub fn first_violation(&self) -> &[Option<Time>] {
        &self.first_violation
    }
}

/// Everything that changes as the run goes; cloned for snapshots.
#[derive(Clone, Debug)]
pub struct State<P: Protocol> {
    pub core: Core,
    pub nodes: Vec<NodeState<P::Agent>>,
    pub protocol: P,
    pub(super) inflight: InFlight<Msg<P>>,
}

impl<P: Protocol> Deref for State<P> {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}

impl<P: Protocol> DerefMut for State<P> {
    fn deref_mut(&mut self) -> &mut Core {
        &mut self.core
    }
}

/// A protocol's message type.
pub(super) type Msg<P> = <<P as Protocol>::Agent as Agent>::Msg;

/// What the stage draws for one agent at some time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    pub id: NodeId,
    pub status: Status,
    pub summary: Summary,
    pub lamport: u64,
    pub vclock: Option<Vec<u64>>,
    pub clock: Time,
    pub byzantine: Option<ByzantineMode>,
}

/// Everything the stage needs at a time, except the messages (those come from the trace).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Frame {
    pub time: Time,
    pub nodes: Vec<NodeView>,
    /// Partition group per agent (empty: whole).
    pub groups: Vec<u32>,
    pub cut: Vec<(NodeId, NodeId)>,
}

/// An invariant and whether it has held so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvariantStatus {
    pub name: String,
    pub held: bool,
    pub first_violation: Option<Time>,
}

/// Scratch buffers of the typed part, kept between steps to avoid allocating.
pub(super) struct Scratch<M> {
    /// Messages between an agent's handler and the network (see [`Slot`]).
    pub(super) slots: Vec<Option<M>>,
    pub(super) effects: Vec<Effect<M>>,
}

impl<M> Default for Scratch<M> {
    fn default() -> Self {
        Scratch {
            slots: vec![],
            effects: vec![],
        }
    }
}
