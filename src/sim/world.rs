//! The world: agents, network, faults and clocks stepping through an event queue, recording a
//! trace. Seeking to time t restores the nearest snapshot and replays (RaftScope's history
//! model); an intervention in the past forks the run there.
//!
//! ```text
//!   queue ──pop──► handle (deliver / timer / fault / intervention)
//!                    │ agent handler pushes Effects into Ctx
//!                    ▼
//!                  apply effects ──► network (latency, loss, dup, partition) ──► queue
//!                    │
//!                    └──► trace (events, messages, hash) ──► protocol.check (invariants)
//! ```
//!
//! Ordering rule: an intervention at time t applies after every queued entry at time ≤ t and
//! before any later one, both live and in replay, so a run is a pure function of
//! (scenario, parameters, seed, interventions).

use super::agent::{Agent, ByzantineMode, Ctx, Effect, Message, NodeId, Summary, TimerKey};
use super::clock::{Lamport, PhysicalClock, VectorClock};
use super::dist::Dist;
use super::history::{History, Outcome, Value};
use super::intervention::{Action, Intervention};
use super::network::{LinkConfig, Network};
use super::queue::{EventQueue, Pending};
use super::rng::{Purpose, SimRng};
use super::time::Time;
use super::trace::{
    DropReason, Event, EventKind, Fate, MsgId, MsgRecord, Trace, TraceConfig, TraceHash, Violation,
};
use super::units::{parse_bool, parse_probability};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// Most agents a world may have.
pub const MAX_AGENTS: usize = 10_000;
/// Vector clocks are kept only up to this many agents (they cost n² memory).
pub const VECTOR_CLOCK_LIMIT: usize = 64;
/// Most violations recorded per invariant (the first is what matters; the rest are counted).
const MAX_VIOLATIONS_PER_INVARIANT: usize = 100;

/// A typed error with a human message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimError(pub String);

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for SimError {}

/// The engine's parameters (the scenario adds its own).
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub n: usize,
    pub seed: u64,
    pub link: LinkConfig,
    pub fifo: bool,
    /// Mean time between random crashes per agent (`None`: no random crashes).
    pub mtbf: Option<Time>,
    /// Mean time to recover after a random crash.
    pub mttr: Time,
    /// Largest |offset| of an agent's physical clock.
    pub clock_skew: Time,
    /// Largest |drift| of an agent's physical clock, parts per million.
    pub clock_drift_ppm: i64,
    /// Extra delay a `Delay` Byzantine sender adds.
    pub byzantine_delay: Time,
    pub trace: TraceConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            n: 5,
            seed: 1,
            link: LinkConfig::default(),
            fifo: false,
            mtbf: None,
            mttr: Time::secs(1),
            clock_skew: Time::ZERO,
            clock_drift_ppm: 0,
            byzantine_delay: Time::ms(200),
            trace: TraceConfig::default(),
        }
    }
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), SimError> {
        if self.n == 0 || self.n > MAX_AGENTS {
            return Err(SimError(format!(
                "number of agents must be between 1 and {MAX_AGENTS} (got {})",
                self.n
            )));
        }
        self.link
            .latency
            .validate()
            .map_err(|e| SimError(format!("latency: {e}")))?;
        for (name, p) in [("loss", self.link.loss), ("duplicate", self.link.duplicate)] {
            if !(0.0..=1.0).contains(&p) {
                return Err(SimError(format!("{name} must lie in [0, 1] (got {p})")));
            }
        }
        if self.mtbf == Some(Time::ZERO) {
            return Err(SimError("mtbf must be positive (or off)".into()));
        }
        if !(-500_000..=500_000).contains(&self.clock_drift_ppm) {
            return Err(SimError("clock drift must lie within ±500000 ppm".into()));
        }
        Ok(())
    }
}

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
    timers: Vec<(TimerKey, u64)>,
    timer_gen: u64,
    backlog: Vec<Pending>,
    rng: SimRng,
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
    /// Metrics computed from the run's client history (e.g. the live consistency checkers'
    /// verdicts as 0/1), appended to [`Protocol::metrics`]. Called only when metrics are asked
    /// for (the end of a sweep trial, the explorer's panel), never per event.
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
struct FlightMeta {
    from: NodeId,
    to: NodeId,
    lamport: u64,
    vclock: Option<VectorClock>,
    lost: bool,
}

/// A message on its way. It carries its payload, so delivery needs no trace (sweeps record
/// none) and replay re-creates it exactly.
#[derive(Clone, Debug)]
struct Flight<M> {
    msg: M,
    meta: FlightMeta,
}

/// Messages in flight, indexed by id. Ids are handed out in order and most messages resolve
/// roughly in order, so a deque with a moving base beats a map (no allocation per message, O(1)).
#[derive(Clone, Debug)]
struct InFlight<M> {
    base: MsgId,
    slots: std::collections::VecDeque<Option<Flight<M>>>,
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
    fn insert(&mut self, id: MsgId, f: Flight<M>) {
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
    fn get(&self, id: MsgId) -> Option<&Flight<M>> {
        let i = id.checked_sub(self.base)? as usize;
        self.slots.get(i)?.as_ref()
    }
    fn remove(&mut self, id: MsgId) -> Option<Flight<M>> {
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
    queue: EventQueue,
    next_msg: MsgId,
    next_iv: usize,
    history_len: usize,
    open_ops: BTreeMap<(u32, u64), usize>,
    net_rng: SimRng,
    fault_rng: SimRng,
    fault_gen: u64,
    violations_seen: Vec<usize>,
    first_violation: Vec<Option<Time>>,
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
    inflight: InFlight<Msg<P>>,
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
type Msg<P> = <<P as Protocol>::Agent as Agent>::Msg;

struct Snapshot<P: Protocol> {
    state: State<P>,
}

impl<P: Protocol> Clone for Snapshot<P> {
    fn clone(&self) -> Self {
        Snapshot {
            state: self.state.clone(),
        }
    }
}

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
struct Scratch<M> {
    /// Messages between an agent's handler and the network (see [`Slot`]).
    slots: Vec<Option<M>>,
    effects: Vec<Effect<M>>,
}

impl<M> Default for Scratch<M> {
    fn default() -> Self {
        Scratch {
            slots: vec![],
            effects: vec![],
        }
    }
}

/// Borrows a world's parts for one pass of the event loop: the protocol-independent core, the
/// typed part behind [`Typed`], and the recording context.
macro_rules! parts {
    ($state:expr, $w:expr, $mode:expr) => {{
        let (core, typed) = split(&mut $state, &mut $w.payloads, &mut $w.scratch);
        let ctx = LoopCtx {
            trace: &mut $w.trace,
            history: &mut $w.history,
            effects: &mut $w.effects,
            breaches: &mut $w.breaches,
            config: &$w.config,
            mode: $mode,
        };
        (core, typed, ctx)
    }};
}

/// A deterministic run.
pub struct World<P: Protocol> {
    pub config: SimConfig,
    state: State<P>,
    trace: Trace,
    payloads: Vec<Msg<P>>,
    history: History,
    interventions: Vec<Intervention>,
    snapshots: Vec<Snapshot<P>>,
    events_since_snapshot: usize,
    /// The last state replayed for viewing, to make forward scrubbing incremental.
    view_cache: Option<State<P>>,
    scratch: Scratch<Msg<P>>,
    effects: Vec<DynEffect>,
    breaches: Vec<Breach>,
}

/// Where the loop is: recording the live run, or replaying for a view.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Live,
    Replay,
}

impl<P: Protocol> World<P> {
    /// Builds a world of `config.n` agents made by `make`, with the interventions to replay.
    pub fn new(
        config: SimConfig,
        protocol: P,
        make: impl Fn(NodeId, usize) -> P::Agent,
        mut interventions: Vec<Intervention>,
    ) -> Result<World<P>, SimError> {
        config.validate()?;
        let n = config.n;
        let nodes = node_metas(&config)
            .into_iter()
            .enumerate()
            .map(|(i, meta)| NodeState {
                agent: make(NodeId(i as u32), n),
                meta,
            })
            .collect();
        let core = new_core(&config, protocol.invariants().len());
        let state = State {
            core,
            nodes,
            protocol,
            inflight: InFlight::default(),
        };
        // Interventions are validated now so a bad one is an error here, not a surprise later.
        sort_interventions(&mut interventions);
        let mut probe = state.clone();
        for iv in &interventions {
            validate_action(&mut probe, &iv.action)?;
        }
        let mut world = World {
            config,
            state,
            trace: Trace::default(),
            payloads: vec![],
            history: History::default(),
            interventions,
            snapshots: vec![],
            events_since_snapshot: 0,
            view_cache: None,
            scratch: Scratch::default(),
            effects: vec![],
            breaches: vec![],
        };
        world.snapshots.push(Snapshot {
            state: world.state.clone(),
        });
        Ok(world)
    }

    pub fn now(&self) -> Time {
        self.state.now
    }
    pub fn state(&self) -> &State<P> {
        &self.state
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    pub fn interventions(&self) -> &[Intervention] {
        &self.interventions
    }
    pub fn hash(&self) -> TraceHash {
        self.state.hash
    }
    pub fn payload(&self, id: MsgId) -> Option<&Msg<P>> {
        id.checked_sub(self.trace.first_msg)
            .and_then(|i| self.payloads.get(i as usize))
    }

    /// Processes one queued entry or intervention. False when nothing is left.
    pub fn step(&mut self) -> bool {
        let (core, mut typed, mut ctx) = parts!(self.state, self, Mode::Live);
        let stepped = step_state(core, &mut typed, &self.interventions, &mut ctx, Time::MAX);
        if stepped {
            self.after_live_event();
        }
        stepped
    }

    /// Runs every entry up to and including time `t` (at most `budget` entries), then sets the
    /// clock to `t` if it got there. Returns the number of entries processed.
    pub fn run_until(&mut self, t: Time, budget: u64) -> u64 {
        let mut done = 0;
        while done < budget {
            let (core, mut typed, mut ctx) = parts!(self.state, self, Mode::Live);
            if !step_state(core, &mut typed, &self.interventions, &mut ctx, t) {
                if core.now < t {
                    core.now = t;
                }
                break;
            }
            done += 1;
            self.after_live_event();
        }
        done
    }

    fn after_live_event(&mut self) {
        if !self.config.trace.record {
            return;
        }
        self.events_since_snapshot += 1;
        if self.events_since_snapshot >= self.config.trace.snapshot_every {
            self.events_since_snapshot = 0;
            self.snapshots.push(Snapshot {
                state: self.state.clone(),
            });
        }
        if self.trace.events.len() > self.config.trace.max_events {
            self.compact();
        }
    }

    /// Discards the oldest half of the trace (see the policy in `trace.rs`).
    fn compact(&mut self) {
        let drop_events = self.trace.events.len() / 2;
        let cutoff = self.trace.events[drop_events].time;
        // Keep the snapshot at or before the new first event so seeking still works there.
        let keep_from = self
            .snapshots
            .iter()
            .rposition(|s| s.state.now <= cutoff)
            .unwrap_or(0);
        let snap_time = self.snapshots[keep_from].state.now;
        self.snapshots.drain(..keep_from);
        let drop_msgs = compact_trace(&mut self.trace, snap_time);
        self.payloads.drain(..drop_msgs);
        self.view_cache = None;
    }

    /// Applies a user action now (after everything already due at `now`). Returns an error,
    /// and changes nothing, when the action is invalid.
    pub fn intervene(&mut self, action: Action) -> Result<(), SimError> {
        let mut probe = self.state.clone();
        validate_action(&mut probe, &action)?;
        let at = self.state.now;
        self.interventions.push(Intervention { at, action });
        self.run_until(at, u64::MAX);
        Ok(())
    }

    /// The state of the run at time `t` (replayed from the nearest snapshot).
    pub fn state_at(&mut self, t: Time) -> State<P> {
        if t >= self.state.now {
            return self.state.clone();
        }
        let base = match self.view_cache.take() {
            Some(c) if c.now <= t && self.snapshot_before(t).is_none_or(|s| s.now <= c.now) => c,
            _ => self
                .snapshot_before(t)
                .cloned()
                .unwrap_or_else(|| self.snapshots[0].state.clone()),
        };
        let replayed = self.replay(base, t);
        self.view_cache = Some(replayed.clone());
        replayed
    }

    fn snapshot_before(&self, t: Time) -> Option<&State<P>> {
        let i = self.snapshots.partition_point(|s| s.state.now <= t);
        i.checked_sub(1).map(|i| &self.snapshots[i].state)
    }

    fn replay(&mut self, mut state: State<P>, t: Time) -> State<P> {
        {
            let (core, mut typed, mut ctx) = parts!(state, self, Mode::Replay);
            while step_state(core, &mut typed, &self.interventions, &mut ctx, t) {}
            if core.now < t {
                core.now = t;
            }
        }
        state
    }

    /// Makes `t` the head of the run, discarding everything after it, so that the next
    /// intervention branches from there. A no-op when `t` is at or after the head.
    pub fn fork_at(&mut self, t: Time) {
        if t >= self.state.now {
            self.run_until(t, u64::MAX);
            return;
        }
        let t = t.max(self.trace.earliest().min(self.snapshots[0].state.now));
        let base = self
            .snapshot_before(t)
            .cloned()
            .unwrap_or_else(|| self.snapshots[0].state.clone());
        let state = self.replay(base, t);
        self.interventions.truncate(state.next_iv);
        self.snapshots.retain(|s| s.state.now <= t);
        let keep_msgs = truncate_recording(&mut self.trace, &mut self.history, &state.core, t);
        self.payloads.truncate(keep_msgs);
        self.events_since_snapshot = 0;
        self.view_cache = None;
        self.state = state;
    }

    /// What the stage shows at time `t`.
    pub fn frame_at(&mut self, t: Time) -> Frame {
        let state = if t >= self.state.now {
            None
        } else {
            Some(self.state_at(t))
        };
        let s = state.as_ref().unwrap_or(&self.state);
        let time = t
            .min(self.state.now)
            .max(if state.is_some() { s.now } else { Time::ZERO });
        let summaries = s.nodes.iter().map(|n| n.agent.summary()).collect();
        frame(
            &s.core,
            s.nodes.iter().map(|n| &n.meta).collect(),
            summaries,
            time,
        )
    }

    pub fn invariant_status(&self) -> Vec<InvariantStatus> {
        invariant_status(
            self.state.protocol.invariants(),
            &self.state.first_violation,
        )
    }

    pub fn metrics(&self) -> Vec<(String, f64)> {
        let mut m = self.state.protocol.metrics(&self.state);
        m.extend(self.state.protocol.history_metrics(&self.history));
        m
    }

    pub fn done(&self) -> bool {
        self.state.protocol.done(&self.state)
    }
}

/// In time order (stable: same-time interventions keep their order). Not generic, so the
/// sort is compiled once rather than once per protocol.
fn sort_interventions(interventions: &mut [Intervention]) {
    interventions.sort_by_key(|iv| iv.at);
}

/// Every agent's engine-side state at the start: clocks drawn from the scenario stream.
fn node_metas(config: &SimConfig) -> Vec<NodeMeta> {
    let n = config.n;
    let seed = config.seed;
    let mut clock_rng = SimRng::new(seed, Purpose::Scenario);
    (0..n)
        .map(|i| {
            let skew = config.clock_skew.0 as i64;
            let drift = config.clock_drift_ppm.abs();
            let clock = PhysicalClock {
                offset_us: if skew > 0 {
                    clock_rng.range_inclusive(0, 2 * skew as u64) as i64 - skew
                } else {
                    0
                },
                drift_ppm: if drift > 0 {
                    clock_rng.range_inclusive(0, 2 * drift as u64) as i64 - drift
                } else {
                    0
                },
            };
            NodeMeta {
                status: Status::Up,
                lamport: Lamport::default(),
                vclock: (n <= VECTOR_CLOCK_LIMIT).then(|| VectorClock::new(n)),
                clock,
                byzantine: None,
                send_omission: 0.0,
                recv_omission: 0.0,
                timers: vec![],
                timer_gen: 0,
                backlog: vec![],
                rng: SimRng::new(seed, Purpose::Agent(i as u32)),
            }
        })
        .collect()
}

/// The core at time zero: every agent's start queued, random faults scheduled.
fn new_core(config: &SimConfig, invariant_count: usize) -> Core {
    let seed = config.seed;
    let mut net = Network::new(config.link.clone());
    net.fifo = config.fifo;
    let mut core = Core {
        now: Time::ZERO,
        net,
        stats: Stats::default(),
        hash: TraceHash::default(),
        mtbf: config.mtbf,
        mttr: config.mttr,
        queue: EventQueue::default(),
        next_msg: 0,
        next_iv: 0,
        history_len: 0,
        open_ops: BTreeMap::new(),
        net_rng: SimRng::new(seed, Purpose::Network),
        fault_rng: SimRng::new(seed, Purpose::Faults),
        fault_gen: 0,
        violations_seen: vec![0; invariant_count],
        first_violation: vec![None; invariant_count],
    };
    for i in 0..config.n {
        core.queue
            .push(Time::ZERO, Pending::Start(NodeId(i as u32)));
    }
    schedule_random_faults(&mut core, config.n);
    core
}

/// Drops recorded events and messages before `snap_time`; returns how many messages went.
fn compact_trace(trace: &mut Trace, snap_time: Time) -> usize {
    let first_kept = trace.events.partition_point(|e| e.time < snap_time);
    trace.events.drain(..first_kept);
    trace.first_event += first_kept as u64;
    let drop_msgs = trace
        .msgs
        .iter()
        .position(|m| m.sent >= snap_time || m.fate == Fate::InFlight)
        .unwrap_or(trace.msgs.len());
    trace.msgs.drain(..drop_msgs);
    trace.first_msg += drop_msgs as u64;
    drop_msgs
}

/// Forgets what was recorded after `t` (a fork); returns how many messages are kept.
fn truncate_recording(trace: &mut Trace, history: &mut History, core: &Core, t: Time) -> usize {
    let keep = trace.events.partition_point(|e| e.time <= t);
    trace.events.truncate(keep);
    let keep_msgs = core.next_msg.saturating_sub(trace.first_msg) as usize;
    trace.msgs.truncate(keep_msgs);
    for m in trace.msgs.iter_mut() {
        if m.resolved_at > t {
            m.resolved_at = Time::MAX;
            m.fate = Fate::InFlight;
        }
    }
    history.ops.truncate(core.history_len);
    for op in history.ops.iter_mut() {
        if op.complete != Time::MAX && op.complete > t {
            op.complete = Time::MAX;
            op.outcome = Outcome::Info;
            op.output = Value::Nil;
        }
    }
    trace.violations.retain(|v| v.at <= t);
    keep_msgs
}

fn frame(core: &Core, metas: Vec<&NodeMeta>, summaries: Vec<Summary>, time: Time) -> Frame {
    Frame {
        time,
        nodes: metas
            .into_iter()
            .zip(summaries)
            .enumerate()
            .map(|(i, (m, summary))| NodeView {
                id: NodeId(i as u32),
                status: m.status,
                summary,
                lamport: m.lamport.0,
                vclock: m.vclock.as_ref().map(|v| v.0.clone()),
                clock: m.clock.read(core.now),
                byzantine: m.byzantine,
            })
            .collect(),
        groups: core.net.groups().to_vec(),
        cut: core.net.cut_links().copied().collect(),
    }
}

fn invariant_status(names: &[&str], first: &[Option<Time>]) -> Vec<InvariantStatus> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| InvariantStatus {
            name: name.to_string(),
            held: first[i].is_none(),
            first_violation: first[i],
        })
        .collect()
}

fn schedule_random_faults(core: &mut Core, n: usize) {
    core.fault_gen += 1;
    let Some(mtbf) = core.mtbf else { return };
    let gen = core.fault_gen;
    let d = Dist::Exp(1.0 / mtbf.as_ms_f64().max(0.001));
    for i in 0..n {
        let at = core.now + d.sample(&mut core.fault_rng);
        core.queue.push(
            at,
            Pending::FaultCrash {
                node: NodeId(i as u32),
                gen,
            },
        );
    }
}

/// Checks an action against a scratch copy of the state (applying it there).
fn validate_action<P: Protocol>(probe: &mut State<P>, action: &Action) -> Result<(), SimError> {
    let mut payloads = vec![];
    let mut scratch = Scratch::default();
    let (core, mut typed) = split(probe, &mut payloads, &mut scratch);
    validate(core, &mut typed, action)
}

fn validate(core: &mut Core, typed: &mut dyn Typed, action: &Action) -> Result<(), SimError> {
    let n = typed.n();
    let check = |id: &NodeId| {
        if id.index() < n {
            Ok(())
        } else {
            Err(SimError(format!(
                "agent {id} does not exist (there are {n} agents, 0..{})",
                n.saturating_sub(1)
            )))
        }
    };
    match action {
        Action::Crash(a)
        | Action::Recover(a)
        | Action::Pause(a)
        | Action::Resume(a)
        | Action::Client(a, _)
        | Action::Byzantine(a, _) => check(a),
        Action::Cut(a, b) | Action::Mend(a, b) => {
            check(a)?;
            check(b)
        }
        Action::Partition(groups) => core.net.partition(n, groups).map_err(|e| SimError(e.0)),
        Action::Heal | Action::Lose(_) => Ok(()),
        Action::Set(k, v) => set_param(core, typed, k, v),
    }
}

/// Engine parameters first, then the protocol's.
fn set_param(
    core: &mut Core,
    typed: &mut dyn Typed,
    key: &str,
    value: &str,
) -> Result<(), SimError> {
    let err = |e: String| SimError(format!("{key}: {e}"));
    match key {
        "latency" => {
            core.net.default.latency = super::dist::parse_dist(value).map_err(err)?;
        }
        "loss" => core.net.default.loss = parse_probability(value).map_err(err)?,
        "duplicate" | "dup" => {
            core.net.default.duplicate = parse_probability(value).map_err(err)?
        }
        "fifo" => core.net.fifo = parse_bool(value).map_err(err)?,
        "mtbf" => {
            core.mtbf = if matches!(value.trim(), "off" | "0" | "none") {
                None
            } else {
                let t = super::time::parse_duration(value).map_err(|e| err(e.0))?;
                if t == Time::ZERO {
                    None
                } else {
                    Some(t)
                }
            };
            schedule_random_faults(core, typed.n());
        }
        "mttr" => {
            core.mttr = super::time::parse_duration(value).map_err(|e| err(e.0))?;
        }
        _ => {
            let handled = typed.set_param(key, value).map_err(err)?;
            if !handled {
                return Err(SimError(format!(
                    "unknown parameter '{key}' (engine parameters: latency, loss, duplicate, fifo, mtbf, mttr)"
                )));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The event loop. It is written once, against `dyn Typed`, instead of once per protocol: the
// typed part (agents, protocol, payloads) sits behind a small object-safe trait, and messages
// cross between the two as slots. This keeps the wasm small (one loop, not one per scenario).

/// A message parked between an agent's handler and the network, by index into the slot buffer.
type Slot = usize;

/// Which handler to run.
#[derive(Clone, Copy)]
enum Call<'a> {
    Start,
    Message { from: NodeId, slot: Slot },
    Timer(TimerKey),
    Client(&'a str),
    Recover,
}

/// An agent's effect with its message (if any) parked in a slot.
type DynEffect = Effect<Slot>;

/// What the loop needs from the typed part of a run.
trait Typed {
    fn n(&self) -> usize;
    fn meta(&self, i: NodeId) -> &NodeMeta;
    fn meta_mut(&mut self, i: NodeId) -> &mut NodeMeta;
    fn invariant(&self, i: usize) -> &'static str;
    fn observe(&mut self, e: &Event);
    fn check(&mut self, now: Time, out: &mut Vec<Breach>);
    fn set_param(&mut self, key: &str, value: &str) -> Result<bool, String>;
    fn on_crash(&mut self, me: NodeId);
    /// Runs a handler of agent `me`; its effects are appended to `out`.
    fn run(&mut self, me: NodeId, call: Call<'_>, now: Time, out: &mut Vec<DynEffect>);
    fn flight(&self, id: MsgId) -> Option<&FlightMeta>;
    /// Takes a message out of flight; its payload goes to a slot.
    fn land(&mut self, id: MsgId) -> Option<(FlightMeta, Slot)>;
    /// Puts the message in `slot` in flight as `id`.
    fn fly(&mut self, slot: Slot, id: MsgId, meta: FlightMeta);
    /// A Byzantine sender `me` rewrites the message in `slot` for `to`.
    fn tamper(&mut self, slot: Slot, mode: ByzantineMode, me: NodeId, to: NodeId);
    fn kind(&self, slot: Slot) -> &'static str;
    /// Keeps a copy of the payload for the trace.
    fn record(&mut self, slot: Slot);
    /// A copy of the message in `slot`, in a new slot.
    fn copy(&mut self, slot: Slot) -> Slot;
}

/// The typed part of a state, borrowed.
struct TypedParts<'a, P: Protocol> {
    nodes: &'a mut Vec<NodeState<P::Agent>>,
    protocol: &'a mut P,
    inflight: &'a mut InFlight<Msg<P>>,
    payloads: &'a mut Vec<Msg<P>>,
    scratch: &'a mut Scratch<Msg<P>>,
}

fn split<'a, P: Protocol>(
    state: &'a mut State<P>,
    payloads: &'a mut Vec<Msg<P>>,
    scratch: &'a mut Scratch<Msg<P>>,
) -> (&'a mut Core, TypedParts<'a, P>) {
    let State {
        core,
        nodes,
        protocol,
        inflight,
    } = state;
    (
        core,
        TypedParts {
            nodes,
            protocol,
            inflight,
            payloads,
            scratch,
        },
    )
}

impl<P: Protocol> TypedParts<'_, P> {
    fn slot(&self, slot: Slot) -> Option<&Msg<P>> {
        self.scratch.slots.get(slot)?.as_ref()
    }
    fn park(&mut self, msg: Msg<P>) -> Slot {
        self.scratch.slots.push(Some(msg));
        self.scratch.slots.len() - 1
    }
}

impl<P: Protocol> Typed for TypedParts<'_, P> {
    fn n(&self) -> usize {
        self.nodes.len()
    }
    fn meta(&self, i: NodeId) -> &NodeMeta {
        &self.nodes[i.index()].meta
    }
    fn meta_mut(&mut self, i: NodeId) -> &mut NodeMeta {
        &mut self.nodes[i.index()].meta
    }
    fn invariant(&self, i: usize) -> &'static str {
        self.protocol.invariants()[i]
    }
    fn observe(&mut self, e: &Event) {
        self.protocol.observe(e, self.nodes);
    }
    fn check(&mut self, now: Time, out: &mut Vec<Breach>) {
        self.protocol.check(now, self.nodes, out);
    }
    fn set_param(&mut self, key: &str, value: &str) -> Result<bool, String> {
        self.protocol.set_param(key, value, self.nodes)
    }
    fn on_crash(&mut self, me: NodeId) {
        self.nodes[me.index()].agent.on_crash();
    }
    fn run(&mut self, me: NodeId, call: Call<'_>, now: Time, out: &mut Vec<DynEffect>) {
        let msg = match call {
            Call::Message { slot, .. } => self.scratch.slots.get_mut(slot).and_then(Option::take),
            _ => None,
        };
        // Slots live from one handler to the next: what a handler sends is parked here until
        // the loop has put it in flight, and the loop finishes that before the next handler.
        self.scratch.slots.clear();
        let n = self.nodes.len();
        let Scratch { slots, effects } = &mut *self.scratch;
        effects.clear();
        {
            let node = &mut self.nodes[me.index()];
            let local_now = node.meta.clock.read(now);
            let mut c = Ctx {
                me,
                now,
                local_now,
                n,
                rng: &mut node.meta.rng,
                out: effects,
            };
            let agent = &mut node.agent;
            match call {
                Call::Start => agent.on_start(&mut c),
                Call::Message { from, .. } => {
                    if let Some(m) = &msg {
                        agent.on_message(&mut c, from, m);
                    }
                }
                Call::Timer(key) => agent.on_timer(&mut c, key),
                Call::Client(req) => agent.on_client(&mut c, req),
                Call::Recover => agent.on_recover(&mut c),
            }
        }
        out.extend(effects.drain(..).map(|e| {
            e.map_msg(|msg| {
                slots.push(Some(msg));
                slots.len() - 1
            })
        }));
    }
    fn flight(&self, id: MsgId) -> Option<&FlightMeta> {
        self.inflight.get(id).map(|f| &f.meta)
    }
    fn land(&mut self, id: MsgId) -> Option<(FlightMeta, Slot)> {
        let f = self.inflight.remove(id)?;
        Some((f.meta, self.park(f.msg)))
    }
    fn fly(&mut self, slot: Slot, id: MsgId, meta: FlightMeta) {
        if let Some(msg) = self.scratch.slots.get_mut(slot).and_then(Option::take) {
            self.inflight.insert(id, Flight { msg, meta });
        }
    }
    fn tamper(&mut self, slot: Slot, mode: ByzantineMode, me: NodeId, to: NodeId) {
        let rng = &mut self.nodes[me.index()].meta.rng;
        if let Some(Some(msg)) = self.scratch.slots.get_mut(slot) {
            if let Some(t) = msg.tamper(mode, to, rng) {
                *msg = t;
            }
        }
    }
    fn kind(&self, slot: Slot) -> &'static str {
        self.slot(slot).map(|m| m.kind()).unwrap_or("?")
    }
    fn record(&mut self, slot: Slot) {
        if let Some(m) = self.slot(slot).cloned() {
            self.payloads.push(m);
        }
    }
    fn copy(&mut self, slot: Slot) -> Slot {
        match self.slot(slot).cloned() {
            Some(m) => self.park(m),
            None => slot,
        }
    }
}

struct LoopCtx<'a> {
    trace: &'a mut Trace,
    history: &'a mut History,
    effects: &'a mut Vec<DynEffect>,
    breaches: &'a mut Vec<Breach>,
    config: &'a SimConfig,
    mode: Mode,
}

impl LoopCtx<'_> {
    fn live(&self) -> bool {
        self.mode == Mode::Live
    }
}

/// Records an event: always hashed and counted, stored when recording live.
fn record(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    node: NodeId,
    kind: EventKind,
) {
    let lamport = if node.index() < typed.n() {
        typed.meta(node).lamport.0
    } else {
        0
    };
    let e = Event {
        time: core.now,
        node,
        lamport,
        kind,
    };
    core.hash.feed_event(&e);
    core.stats.events += 1;
    typed.observe(&e);
    if ctx.live() && ctx.config.trace.record {
        ctx.trace.events.push(e);
    }
}

fn tick(node: &mut NodeMeta, me: NodeId) {
    node.lamport.tick();
    if let Some(v) = node.vclock.as_mut() {
        v.tick(me.index());
    }
}

/// One step: the next intervention or queue entry at or before `limit`. False if none.
fn step_state(
    core: &mut Core,
    typed: &mut dyn Typed,
    ivs: &[Intervention],
    ctx: &mut LoopCtx,
    limit: Time,
) -> bool {
    let next_q = core.queue.peek_time();
    let next_iv = ivs.get(core.next_iv).map(|iv| iv.at.max(core.now));
    match (next_q, next_iv) {
        (q, Some(iv_at)) if iv_at <= limit && q.is_none_or(|q| iv_at < q) => {
            core.now = iv_at;
            let index = core.next_iv;
            core.next_iv += 1;
            apply_intervention(core, typed, ctx, index, &ivs[index].action);
            after_event(core, typed, ctx);
            true
        }
        (Some(q), _) if q <= limit => {
            let Some(entry) = core.queue.pop() else {
                return false;
            };
            core.now = entry.time;
            handle(core, typed, ctx, entry.what);
            after_event(core, typed, ctx);
            true
        }
        _ => false,
    }
}

fn after_event(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx) {
    if core.first_violation.is_empty() {
        return;
    }
    ctx.breaches.clear();
    typed.check(core.now, ctx.breaches);
    let breaches = std::mem::take(ctx.breaches);
    for b in &breaches {
        let Some(seen) = core.violations_seen.get_mut(b.invariant) else {
            continue;
        };
        *seen += 1;
        if core.first_violation[b.invariant].is_none() {
            core.first_violation[b.invariant] = Some(core.now);
        }
        let count = *seen;
        let node = b.nodes.first().copied().unwrap_or_default();
        if count <= MAX_VIOLATIONS_PER_INVARIANT {
            record(
                core,
                typed,
                ctx,
                node,
                EventKind::Violation {
                    invariant: b.invariant,
                },
            );
            if ctx.live() {
                ctx.trace.violations.push(Violation {
                    invariant: typed.invariant(b.invariant).to_string(),
                    at: core.now,
                    message: b.message.clone(),
                    nodes: b.nodes.clone(),
                });
            }
        }
    }
    *ctx.breaches = breaches;
}

fn apply_intervention(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    index: usize,
    action: &Action,
) {
    let n = typed.n();
    let target = match action {
        Action::Crash(a) | Action::Recover(a) | Action::Pause(a) | Action::Resume(a) => Some(*a),
        Action::Client(a, _) | Action::Byzantine(a, _) => Some(*a),
        _ => None,
    };
    if target.is_some_and(|a| a.index() >= n) {
        return;
    }
    record(
        core,
        typed,
        ctx,
        target.unwrap_or_default(),
        EventKind::Intervention { index },
    );
    match action {
        Action::Crash(a) => crash(core, typed, ctx, *a),
        Action::Recover(a) => recover(core, typed, ctx, *a),
        Action::Pause(a) => {
            if typed.meta(*a).status == Status::Up {
                typed.meta_mut(*a).status = Status::Paused;
                record(core, typed, ctx, *a, EventKind::Pause);
            }
        }
        Action::Resume(a) => {
            let node = typed.meta_mut(*a);
            if node.status == Status::Paused {
                node.status = Status::Up;
                let backlog = std::mem::take(&mut node.backlog);
                record(core, typed, ctx, *a, EventKind::Resume);
                for p in backlog {
                    core.queue.push(core.now, p);
                }
            }
        }
        Action::Partition(groups) => {
            let _ = core.net.partition(n, groups);
        }
        Action::Heal => core.net.heal(),
        Action::Cut(a, b) => {
            core.net.cut(*a, *b);
            core.net.cut(*b, *a);
        }
        Action::Mend(a, b) => {
            core.net.mend(*a, *b);
            core.net.mend(*b, *a);
        }
        Action::Set(k, v) => {
            let _ = set_param(core, typed, k, v);
        }
        Action::Client(a, req) => {
            if typed.meta(*a).status == Status::Up {
                run_handler(core, typed, ctx, *a, Call::Client(req));
            }
        }
        Action::Byzantine(a, mode) => {
            typed.meta_mut(*a).byzantine = *mode;
            record(core, typed, ctx, *a, EventKind::Byzantine);
        }
        Action::Lose(id) => {
            if let Some((f, _)) = typed.land(*id) {
                resolve(
                    core,
                    typed,
                    ctx,
                    *id,
                    f.to,
                    Fate::Dropped(DropReason::Adversary),
                );
            }
        }
    }
}

fn crash(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, a: NodeId) {
    let node = typed.meta_mut(a);
    if node.status == Status::Crashed {
        return;
    }
    node.status = Status::Crashed;
    node.timers.clear();
    node.backlog.clear();
    typed.on_crash(a);
    core.stats.crashes += 1;
    record(core, typed, ctx, a, EventKind::Crash);
}

fn recover(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, a: NodeId) {
    if typed.meta(a).status != Status::Crashed {
        return;
    }
    typed.meta_mut(a).status = Status::Up;
    record(core, typed, ctx, a, EventKind::Recover);
    run_handler(core, typed, ctx, a, Call::Recover);
}

fn handle(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, what: Pending) {
    match what {
        Pending::Start(a) => {
            record(core, typed, ctx, a, EventKind::Start);
            run_handler(core, typed, ctx, a, Call::Start);
        }
        Pending::Deliver(id) => deliver(core, typed, ctx, id),
        Pending::Timer { node, key, gen } => {
            let ns = typed.meta_mut(node);
            let live = ns.timers.iter().any(|(k, g)| *k == key && *g == gen);
            if !live || ns.status == Status::Crashed {
                return;
            }
            if ns.status == Status::Paused {
                ns.backlog.push(Pending::Timer { node, key, gen });
                return;
            }
            ns.timers.retain(|(k, _)| *k != key);
            tick(ns, node);
            core.stats.timers += 1;
            record(core, typed, ctx, node, EventKind::Timer { key });
            run_handler(core, typed, ctx, node, Call::Timer(key));
        }
        Pending::FaultCrash { node, gen } => {
            if gen != core.fault_gen {
                return;
            }
            if typed.meta(node).status != Status::Crashed {
                crash(core, typed, ctx, node);
            }
            let d = Dist::Exp(1.0 / core.mttr.as_ms_f64().max(0.001));
            let at = core.now + d.sample(&mut core.fault_rng);
            core.queue.push(at, Pending::FaultRecover { node, gen });
        }
        Pending::FaultRecover { node, gen } => {
            if gen != core.fault_gen {
                return;
            }
            recover(core, typed, ctx, node);
            if let Some(mtbf) = core.mtbf {
                let d = Dist::Exp(1.0 / mtbf.as_ms_f64().max(0.001));
                let at = core.now + d.sample(&mut core.fault_rng);
                core.queue.push(at, Pending::FaultCrash { node, gen });
            }
        }
    }
}

fn resolve(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    id: MsgId,
    at_node: NodeId,
    fate: Fate,
) {
    match fate {
        Fate::Delivered => core.stats.delivered += 1,
        Fate::Dropped(reason) => {
            core.stats.dropped += 1;
            record(
                core,
                typed,
                ctx,
                at_node,
                EventKind::Drop { msg: id, reason },
            );
        }
        Fate::InFlight => {}
    }
    if ctx.live() {
        let now = core.now;
        if let Some(m) = ctx.trace.msg_mut(id) {
            m.fate = fate;
            m.resolved_at = now;
            let span = now - m.sent;
            if span > ctx.trace.max_latency {
                ctx.trace.max_latency = span;
            }
        }
    }
}

fn deliver(core: &mut Core, typed: &mut dyn Typed, ctx: &mut LoopCtx, id: MsgId) {
    let Some(flight) = typed.flight(id) else {
        return;
    };
    let (to, lost) = (flight.to, flight.lost);
    let status = typed.meta(to).status;
    if status == Status::Paused && !lost {
        typed.meta_mut(to).backlog.push(Pending::Deliver(id));
        return;
    }
    let Some((flight, slot)) = typed.land(id) else {
        return;
    };
    let from = flight.from;
    let reason = if flight.lost {
        Some(DropReason::Loss)
    } else if !core.net.connected(from, to) {
        Some(DropReason::Partition)
    } else if status == Status::Crashed {
        Some(DropReason::Crashed)
    } else {
        let p = typed.meta(to).recv_omission;
        (p > 0.0 && core.net_rng.chance(p)).then_some(DropReason::Omission)
    };
    if let Some(reason) = reason {
        resolve(core, typed, ctx, id, to, Fate::Dropped(reason));
        return;
    }
    let node = typed.meta_mut(to);
    node.lamport.merge(Lamport(flight.lamport));
    if let (Some(v), Some(m)) = (node.vclock.as_mut(), flight.vclock.as_ref()) {
        v.merge(m);
        v.tick(to.index());
    }
    resolve(core, typed, ctx, id, to, Fate::Delivered);
    record(core, typed, ctx, to, EventKind::Deliver { msg: id });
    run_handler(core, typed, ctx, to, Call::Message { from, slot });
}

/// Runs a handler for node `me` and carries out its effects.
fn run_handler(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    me: NodeId,
    call: Call<'_>,
) {
    let mut effects = std::mem::take(ctx.effects);
    effects.clear();
    typed.run(me, call, core.now, &mut effects);
    for e in effects.drain(..) {
        apply_effect(core, typed, ctx, me, e);
    }
    *ctx.effects = effects;
}

fn apply_effect(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    me: NodeId,
    effect: DynEffect,
) {
    match effect {
        Effect::Send { to, msg } => send(core, typed, ctx, me, to, msg, None, None),
        Effect::SendAfter { to, msg, delay } => {
            send(core, typed, ctx, me, to, msg, None, Some(delay))
        }
        Effect::SetTimer { key, after } => {
            let now = core.now;
            let node = typed.meta_mut(me);
            node.timer_gen += 1;
            let gen = node.timer_gen;
            node.timers.retain(|(k, _)| *k != key);
            node.timers.push((key, gen));
            let at = now + node.clock.true_duration(after);
            core.queue.push(at, Pending::Timer { node: me, key, gen });
        }
        Effect::CancelTimer { key } => {
            typed.meta_mut(me).timers.retain(|(k, _)| *k != key);
        }
        Effect::Note(text) => record(core, typed, ctx, me, EventKind::Note(text)),
        Effect::Invoke { req, f, key, input } => {
            let op = core.history_len;
            core.history_len += 1;
            core.open_ops.insert((me.0, req), op);
            tick(typed.meta_mut(me), me);
            if ctx.live() {
                ctx.history.invoke(me.0 as u64, f, key, input, core.now);
            }
            record(core, typed, ctx, me, EventKind::Invoke { op });
        }
        Effect::Complete {
            req,
            outcome,
            output,
        } => {
            let Some(op) = core.open_ops.remove(&(me.0, req)) else {
                return;
            };
            tick(typed.meta_mut(me), me);
            if ctx.live() {
                ctx.history.complete(op, outcome, output, core.now);
            }
            record(core, typed, ctx, me, EventKind::Complete { op });
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn send(
    core: &mut Core,
    typed: &mut dyn Typed,
    ctx: &mut LoopCtx,
    me: NodeId,
    to: NodeId,
    slot: Slot,
    copy_of: Option<MsgId>,
    fixed: Option<Time>,
) {
    let byz = typed.meta(me).byzantine;
    let mut extra = Time::ZERO;
    match byz {
        Some(mode @ (ByzantineMode::Equivocate | ByzantineMode::Lie)) => {
            typed.tamper(slot, mode, me, to)
        }
        Some(ByzantineMode::Delay) => extra = ctx.config.byzantine_delay,
        _ => {}
    }
    let node = typed.meta_mut(me);
    if copy_of.is_none() {
        tick(node, me);
    }
    let lamport = node.lamport.0;
    let vclock = node.vclock.clone();
    let id = core.next_msg;
    core.next_msg += 1;
    core.stats.sent += 1;
    let link = core.net.link(me, to);
    let latency = match fixed {
        Some(d) => d,
        None => link.latency.sample(&mut core.net_rng),
    } + extra;
    let lost = link.loss > 0.0 && core.net_rng.chance(link.loss);
    let dup = copy_of.is_none() && link.duplicate > 0.0 && core.net_rng.chance(link.duplicate);
    let valid = to.index() < typed.n();
    let deliver_at = if lost {
        core.now + Time(latency.0 / 2)
    } else if valid {
        core.net.order_delivery(me, to, core.now + latency)
    } else {
        core.now
    };
    let recording = ctx.live() && ctx.config.trace.record;
    if recording {
        ctx.trace.msgs.push(MsgRecord {
            id,
            from: me,
            to,
            kind: typed.kind(slot),
            sent: core.now,
            deliver_at,
            resolved_at: Time::MAX,
            fate: Fate::InFlight,
            copy_of,
            lamport,
        });
        let span = deliver_at - core.now;
        if span > ctx.trace.max_latency {
            ctx.trace.max_latency = span;
        }
    }
    let kind = if copy_of.is_some() {
        EventKind::Duplicate { msg: id }
    } else {
        EventKind::Send { msg: id }
    };
    record(core, typed, ctx, me, kind);
    let silent = byz == Some(ByzantineMode::Silent);
    let omitted = {
        let p = typed.meta(me).send_omission;
        p > 0.0 && core.net_rng.chance(p)
    };
    let early_drop = if !valid {
        Some(DropReason::NoSuchAgent)
    } else if silent {
        Some(DropReason::Byzantine)
    } else if omitted {
        Some(DropReason::Omission)
    } else if !core.net.connected(me, to) {
        Some(DropReason::Partition)
    } else {
        None
    };
    if recording {
        typed.record(slot);
    }
    if let Some(reason) = early_drop {
        resolve(
            core,
            typed,
            ctx,
            id,
            if valid { to } else { me },
            Fate::Dropped(reason),
        );
        return;
    }
    let replay = byz == Some(ByzantineMode::Replay) && copy_of.is_none();
    let copy = (dup || replay).then(|| typed.copy(slot));
    typed.fly(
        slot,
        id,
        FlightMeta {
            from: me,
            to,
            lamport,
            vclock,
            lost,
        },
    );
    core.queue.push(deliver_at, Pending::Deliver(id));
    let Some(copy) = copy else { return };
    if dup {
        core.stats.duplicated += 1;
        core.stats.sent -= 1; // the copy is counted as duplicated, not sent
        let again = typed.copy(copy);
        send(core, typed, ctx, me, to, again, Some(id), fixed);
    }
    if replay && typed.meta_mut(me).rng.chance(0.5) {
        // Replays this message once more later, as a duplicate the receivers must tolerate.
        core.stats.duplicated += 1;
        core.stats.sent -= 1;
        send(core, typed, ctx, me, to, copy, Some(id), fixed);
    }
}
