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

/// An agent and what the engine keeps about it.
#[derive(Clone, Debug)]
pub struct NodeState<A> {
    pub agent: A,
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
    last_sent: Option<MsgId>,
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

/// A message on its way. It carries its payload, so delivery needs no trace (sweeps record
/// none) and replay re-creates it exactly.
#[derive(Clone, Debug)]
struct Flight<M> {
    msg: M,
    from: NodeId,
    to: NodeId,
    lamport: u64,
    vclock: Option<VectorClock>,
    lost: bool,
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

/// Everything that changes as the run goes; cloned for snapshots.
#[derive(Clone, Debug)]
pub struct State<P: Protocol> {
    pub now: Time,
    pub nodes: Vec<NodeState<P::Agent>>,
    pub net: Network,
    pub protocol: P,
    pub stats: Stats,
    pub hash: TraceHash,
    pub mtbf: Option<Time>,
    pub mttr: Time,
    queue: EventQueue,
    inflight: InFlight<<P::Agent as Agent>::Msg>,
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

impl<P: Protocol> State<P> {
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
    pub fn first_violation(&self) -> &[Option<Time>] {
        &self.first_violation
    }
}

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

/// The loop's view of a world's recording parts, borrowed field by field so that `state` stays
/// free to be stepped alongside.
macro_rules! loop_ctx {
    ($w:expr, $mode:expr) => {
        LoopCtx {
            trace: &mut $w.trace,
            payloads: &mut $w.payloads,
            history: &mut $w.history,
            effects: &mut $w.effects,
            breaches: &mut $w.breaches,
            config: &$w.config,
            mode: $mode,
        }
    };
}

/// A deterministic run.
pub struct World<P: Protocol> {
    pub config: SimConfig,
    state: State<P>,
    trace: Trace,
    payloads: Vec<<P::Agent as Agent>::Msg>,
    history: History,
    interventions: Vec<Intervention>,
    snapshots: Vec<Snapshot<P>>,
    events_since_snapshot: usize,
    /// The last state replayed for viewing, to make forward scrubbing incremental.
    view_cache: Option<State<P>>,
    effects: Vec<Effect<<P::Agent as Agent>::Msg>>,
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
        let seed = config.seed;
        let mut clock_rng = SimRng::new(seed, Purpose::Scenario);
        let nodes = (0..n)
            .map(|i| {
                let id = NodeId(i as u32);
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
                NodeState {
                    agent: make(id, n),
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
                    last_sent: None,
                }
            })
            .collect();
        let mut net = Network::new(config.link.clone());
        net.fifo = config.fifo;
        let invariant_count = protocol.invariants().len();
        let mut state = State {
            now: Time::ZERO,
            nodes,
            net,
            protocol,
            stats: Stats::default(),
            hash: TraceHash::default(),
            mtbf: config.mtbf,
            mttr: config.mttr,
            queue: EventQueue::default(),
            inflight: InFlight::default(),
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
        for i in 0..n {
            state
                .queue
                .push(Time::ZERO, Pending::Start(NodeId(i as u32)));
        }
        schedule_random_faults(&mut state);
        // Interventions are validated now so a bad one is an error here, not a surprise later.
        interventions.sort_by_key(|iv| iv.at);
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
    pub fn payload(&self, id: MsgId) -> Option<&<P::Agent as Agent>::Msg> {
        id.checked_sub(self.trace.first_msg)
            .and_then(|i| self.payloads.get(i as usize))
    }

    /// Processes one queued entry or intervention. False when nothing is left.
    pub fn step(&mut self) -> bool {
        let mut ctx = loop_ctx!(self, Mode::Live);
        let stepped = step_state(&mut self.state, &self.interventions, &mut ctx, Time::MAX);
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
            let mut ctx = loop_ctx!(self, Mode::Live);
            if !step_state(&mut self.state, &self.interventions, &mut ctx, t) {
                if self.state.now < t {
                    self.state.now = t;
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
        let first_kept = self.trace.events.partition_point(|e| e.time < snap_time);
        self.trace.events.drain(..first_kept);
        self.trace.first_event += first_kept as u64;
        let drop_msgs = self
            .trace
            .msgs
            .iter()
            .position(|m| m.sent >= snap_time || m.fate == Fate::InFlight)
            .unwrap_or(self.trace.msgs.len());
        self.trace.msgs.drain(..drop_msgs);
        self.payloads.drain(..drop_msgs);
        self.trace.first_msg += drop_msgs as u64;
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
        let mut ctx = loop_ctx!(self, Mode::Replay);
        while step_state(&mut state, &self.interventions, &mut ctx, t) {}
        if state.now < t {
            state.now = t;
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
        let keep = self.trace.events.partition_point(|e| e.time <= t);
        self.trace.events.truncate(keep);
        let keep_msgs = state.next_msg.saturating_sub(self.trace.first_msg) as usize;
        self.trace.msgs.truncate(keep_msgs);
        self.payloads.truncate(keep_msgs);
        for m in self.trace.msgs.iter_mut() {
            if m.resolved_at > t {
                m.resolved_at = Time::MAX;
                m.fate = Fate::InFlight;
            }
        }
        self.history.ops.truncate(state.history_len);
        for op in self.history.ops.iter_mut() {
            if op.complete != Time::MAX && op.complete > t {
                op.complete = Time::MAX;
                op.outcome = Outcome::Info;
                op.output = Value::Nil;
            }
        }
        self.trace.violations.retain(|v| v.at <= t);
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
        Frame {
            time: t
                .min(self.state.now)
                .max(if state.is_some() { s.now } else { Time::ZERO }),
            nodes: s
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| NodeView {
                    id: NodeId(i as u32),
                    status: n.status,
                    summary: n.agent.summary(),
                    lamport: n.lamport.0,
                    vclock: n.vclock.as_ref().map(|v| v.0.clone()),
                    clock: n.clock.read(s.now),
                    byzantine: n.byzantine,
                })
                .collect(),
            groups: s.net.groups().to_vec(),
            cut: s.net.cut_links().copied().collect(),
        }
    }

    pub fn invariant_status(&self) -> Vec<InvariantStatus> {
        self.state
            .protocol
            .invariants()
            .iter()
            .enumerate()
            .map(|(i, name)| InvariantStatus {
                name: name.to_string(),
                held: self.state.first_violation[i].is_none(),
                first_violation: self.state.first_violation[i],
            })
            .collect()
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

fn schedule_random_faults<P: Protocol>(state: &mut State<P>) {
    state.fault_gen += 1;
    let Some(mtbf) = state.mtbf else { return };
    let gen = state.fault_gen;
    let d = Dist::Exp(1.0 / mtbf.as_ms_f64().max(0.001));
    for i in 0..state.nodes.len() {
        let at = state.now + d.sample(&mut state.fault_rng);
        state.queue.push(
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
    let n = probe.nodes.len();
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
        Action::Partition(groups) => probe.net.partition(n, groups).map_err(|e| SimError(e.0)),
        Action::Heal | Action::Lose(_) => Ok(()),
        Action::Set(k, v) => set_param(probe, k, v),
    }
}

/// Engine parameters first, then the protocol's.
fn set_param<P: Protocol>(state: &mut State<P>, key: &str, value: &str) -> Result<(), SimError> {
    let err = |e: String| SimError(format!("{key}: {e}"));
    match key {
        "latency" => {
            state.net.default.latency = super::dist::parse_dist(value).map_err(err)?;
        }
        "loss" => state.net.default.loss = parse_probability(value).map_err(err)?,
        "duplicate" | "dup" => {
            state.net.default.duplicate = parse_probability(value).map_err(err)?
        }
        "fifo" => state.net.fifo = parse_bool(value).map_err(err)?,
        "mtbf" => {
            state.mtbf = if matches!(value.trim(), "off" | "0" | "none") {
                None
            } else {
                let t = super::time::parse_duration(value).map_err(|e| err(e.0))?;
                if t == Time::ZERO {
                    None
                } else {
                    Some(t)
                }
            };
            schedule_random_faults(state);
        }
        "mttr" => {
            state.mttr = super::time::parse_duration(value).map_err(|e| err(e.0))?;
        }
        _ => {
            let handled = state
                .protocol
                .set_param(key, value, &mut state.nodes)
                .map_err(err)?;
            if !handled {
                return Err(SimError(format!(
                    "unknown parameter '{key}' (engine parameters: latency, loss, duplicate, fifo, mtbf, mttr)"
                )));
            }
        }
    }
    Ok(())
}

struct LoopCtx<'a, M> {
    trace: &'a mut Trace,
    payloads: &'a mut Vec<M>,
    history: &'a mut History,
    effects: &'a mut Vec<Effect<M>>,
    breaches: &'a mut Vec<Breach>,
    config: &'a SimConfig,
    mode: Mode,
}

impl<M> LoopCtx<'_, M> {
    fn live(&self) -> bool {
        self.mode == Mode::Live
    }
}

/// Records an event: always hashed and counted, stored when recording live.
fn record<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    node: NodeId,
    kind: EventKind,
) {
    let lamport = state
        .nodes
        .get(node.index())
        .map(|n| n.lamport.0)
        .unwrap_or(0);
    let e = Event {
        time: state.now,
        node,
        lamport,
        kind,
    };
    state.hash.feed_event(&e);
    state.stats.events += 1;
    state.protocol.observe(&e, &state.nodes);
    if ctx.live() && ctx.config.trace.record {
        ctx.trace.events.push(e);
    }
}

fn tick<A>(node: &mut NodeState<A>, me: NodeId) {
    node.lamport.tick();
    if let Some(v) = node.vclock.as_mut() {
        v.tick(me.index());
    }
}

/// One step: the next intervention or queue entry at or before `limit`. False if none.
fn step_state<P: Protocol>(
    state: &mut State<P>,
    ivs: &[Intervention],
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    limit: Time,
) -> bool {
    let next_q = state.queue.peek_time();
    let next_iv = ivs.get(state.next_iv).map(|iv| iv.at.max(state.now));
    match (next_q, next_iv) {
        (q, Some(iv_at)) if iv_at <= limit && q.is_none_or(|q| iv_at < q) => {
            state.now = iv_at;
            let index = state.next_iv;
            state.next_iv += 1;
            apply_intervention(state, ctx, index, &ivs[index].action);
            after_event(state, ctx);
            true
        }
        (Some(q), _) if q <= limit => {
            let Some(entry) = state.queue.pop() else {
                return false;
            };
            state.now = entry.time;
            handle(state, ctx, entry.what);
            after_event(state, ctx);
            true
        }
        _ => false,
    }
}

fn after_event<P: Protocol>(state: &mut State<P>, ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>) {
    if state.first_violation.is_empty() {
        return;
    }
    ctx.breaches.clear();
    state.protocol.check(state.now, &state.nodes, ctx.breaches);
    let breaches = std::mem::take(ctx.breaches);
    for b in &breaches {
        let Some(seen) = state.violations_seen.get_mut(b.invariant) else {
            continue;
        };
        *seen += 1;
        if state.first_violation[b.invariant].is_none() {
            state.first_violation[b.invariant] = Some(state.now);
        }
        let count = *seen;
        let node = b.nodes.first().copied().unwrap_or_default();
        if count <= MAX_VIOLATIONS_PER_INVARIANT {
            record(
                state,
                ctx,
                node,
                EventKind::Violation {
                    invariant: b.invariant,
                },
            );
            if ctx.live() {
                ctx.trace.violations.push(Violation {
                    invariant: state.protocol.invariants()[b.invariant].to_string(),
                    at: state.now,
                    message: b.message.clone(),
                    nodes: b.nodes.clone(),
                });
            }
        }
    }
    *ctx.breaches = breaches;
}

fn apply_intervention<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    index: usize,
    action: &Action,
) {
    let n = state.nodes.len();
    let target = match action {
        Action::Crash(a) | Action::Recover(a) | Action::Pause(a) | Action::Resume(a) => Some(*a),
        Action::Client(a, _) | Action::Byzantine(a, _) => Some(*a),
        _ => None,
    };
    if target.is_some_and(|a| a.index() >= n) {
        return;
    }
    record(
        state,
        ctx,
        target.unwrap_or_default(),
        EventKind::Intervention { index },
    );
    match action {
        Action::Crash(a) => crash(state, ctx, *a),
        Action::Recover(a) => recover(state, ctx, *a),
        Action::Pause(a) => {
            if state.nodes[a.index()].status == Status::Up {
                state.nodes[a.index()].status = Status::Paused;
                record(state, ctx, *a, EventKind::Pause);
            }
        }
        Action::Resume(a) => {
            let node = &mut state.nodes[a.index()];
            if node.status == Status::Paused {
                node.status = Status::Up;
                let backlog = std::mem::take(&mut node.backlog);
                record(state, ctx, *a, EventKind::Resume);
                for p in backlog {
                    state.queue.push(state.now, p);
                }
            }
        }
        Action::Partition(groups) => {
            let _ = state.net.partition(n, groups);
        }
        Action::Heal => state.net.heal(),
        Action::Cut(a, b) => {
            state.net.cut(*a, *b);
            state.net.cut(*b, *a);
        }
        Action::Mend(a, b) => {
            state.net.mend(*a, *b);
            state.net.mend(*b, *a);
        }
        Action::Set(k, v) => {
            let _ = set_param(state, k, v);
        }
        Action::Client(a, req) => {
            if state.nodes[a.index()].status == Status::Up {
                run_handler(state, ctx, *a, |agent, c| agent.on_client(c, req));
            }
        }
        Action::Byzantine(a, mode) => {
            state.nodes[a.index()].byzantine = *mode;
            record(state, ctx, *a, EventKind::Byzantine);
        }
        Action::Lose(id) => {
            if let Some(f) = state.inflight.remove(*id) {
                resolve(state, ctx, *id, f.to, Fate::Dropped(DropReason::Adversary));
            }
        }
    }
}

fn crash<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    a: NodeId,
) {
    let node = &mut state.nodes[a.index()];
    if node.status == Status::Crashed {
        return;
    }
    node.status = Status::Crashed;
    node.timers.clear();
    node.backlog.clear();
    node.agent.on_crash();
    state.stats.crashes += 1;
    record(state, ctx, a, EventKind::Crash);
}

fn recover<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    a: NodeId,
) {
    if state.nodes[a.index()].status != Status::Crashed {
        return;
    }
    state.nodes[a.index()].status = Status::Up;
    record(state, ctx, a, EventKind::Recover);
    run_handler(state, ctx, a, |agent, c| agent.on_recover(c));
}

fn handle<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    what: Pending,
) {
    match what {
        Pending::Start(a) => {
            record(state, ctx, a, EventKind::Start);
            run_handler(state, ctx, a, |agent, c| agent.on_start(c));
        }
        Pending::Deliver(id) => deliver(state, ctx, id),
        Pending::Timer { node, key, gen } => {
            let ns = &mut state.nodes[node.index()];
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
            state.stats.timers += 1;
            record(state, ctx, node, EventKind::Timer { key });
            run_handler(state, ctx, node, |agent, c| agent.on_timer(c, key));
        }
        Pending::FaultCrash { node, gen } => {
            if gen != state.fault_gen {
                return;
            }
            if state.nodes[node.index()].status != Status::Crashed {
                crash(state, ctx, node);
            }
            let d = Dist::Exp(1.0 / state.mttr.as_ms_f64().max(0.001));
            let at = state.now + d.sample(&mut state.fault_rng);
            state.queue.push(at, Pending::FaultRecover { node, gen });
        }
        Pending::FaultRecover { node, gen } => {
            if gen != state.fault_gen {
                return;
            }
            recover(state, ctx, node);
            if let Some(mtbf) = state.mtbf {
                let d = Dist::Exp(1.0 / mtbf.as_ms_f64().max(0.001));
                let at = state.now + d.sample(&mut state.fault_rng);
                state.queue.push(at, Pending::FaultCrash { node, gen });
            }
        }
    }
}

fn resolve<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    id: MsgId,
    at_node: NodeId,
    fate: Fate,
) {
    match fate {
        Fate::Delivered => state.stats.delivered += 1,
        Fate::Dropped(reason) => {
            state.stats.dropped += 1;
            record(state, ctx, at_node, EventKind::Drop { msg: id, reason });
        }
        Fate::InFlight => {}
    }
    if ctx.live() {
        let now = state.now;
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

fn deliver<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    id: MsgId,
) {
    let Some(flight) = state.inflight.get(id) else {
        return;
    };
    let (from, to) = (flight.from, flight.to);
    let status = state.nodes[to.index()].status;
    if status == Status::Paused && !flight.lost {
        state.nodes[to.index()].backlog.push(Pending::Deliver(id));
        return;
    }
    let Some(flight) = state.inflight.remove(id) else {
        return;
    };
    let reason = if flight.lost {
        Some(DropReason::Loss)
    } else if !state.net.connected(from, to) {
        Some(DropReason::Partition)
    } else if status == Status::Crashed {
        Some(DropReason::Crashed)
    } else {
        let p = state.nodes[to.index()].recv_omission;
        (p > 0.0 && state.net_rng.chance(p)).then_some(DropReason::Omission)
    };
    if let Some(reason) = reason {
        resolve(state, ctx, id, to, Fate::Dropped(reason));
        return;
    }
    let node = &mut state.nodes[to.index()];
    node.lamport.merge(Lamport(flight.lamport));
    if let (Some(v), Some(m)) = (node.vclock.as_mut(), flight.vclock.as_ref()) {
        v.merge(m);
        v.tick(to.index());
    }
    resolve(state, ctx, id, to, Fate::Delivered);
    record(state, ctx, to, EventKind::Deliver { msg: id });
    let msg = flight.msg;
    run_handler(state, ctx, to, |agent, c| agent.on_message(c, from, &msg));
}

/// Runs a handler for node `me` and carries out its effects.
fn run_handler<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    me: NodeId,
    f: impl FnOnce(&mut P::Agent, &mut Ctx<<P::Agent as Agent>::Msg>),
) {
    let n = state.nodes.len();
    let now = state.now;
    let mut effects = std::mem::take(ctx.effects);
    effects.clear();
    {
        let node = &mut state.nodes[me.index()];
        let local_now = node.clock.read(now);
        let mut c = Ctx {
            me,
            now,
            local_now,
            n,
            rng: &mut node.rng,
            out: &mut effects,
        };
        f(&mut node.agent, &mut c);
    }
    for e in effects.drain(..) {
        apply_effect(state, ctx, me, e);
    }
    *ctx.effects = effects;
}

fn apply_effect<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    me: NodeId,
    effect: Effect<<P::Agent as Agent>::Msg>,
) {
    match effect {
        Effect::Send { to, msg } => send(state, ctx, me, to, msg, None, None),
        Effect::SendAfter { to, msg, delay } => send(state, ctx, me, to, msg, None, Some(delay)),
        Effect::SetTimer { key, after } => {
            let node = &mut state.nodes[me.index()];
            node.timer_gen += 1;
            let gen = node.timer_gen;
            node.timers.retain(|(k, _)| *k != key);
            node.timers.push((key, gen));
            let at = state.now + node.clock.true_duration(after);
            state.queue.push(at, Pending::Timer { node: me, key, gen });
        }
        Effect::CancelTimer { key } => {
            state.nodes[me.index()].timers.retain(|(k, _)| *k != key);
        }
        Effect::Note(text) => record(state, ctx, me, EventKind::Note(text)),
        Effect::Invoke { req, f, key, input } => {
            let op = state.history_len;
            state.history_len += 1;
            state.open_ops.insert((me.0, req), op);
            tick(&mut state.nodes[me.index()], me);
            if ctx.live() {
                ctx.history.invoke(me.0 as u64, f, key, input, state.now);
            }
            record(state, ctx, me, EventKind::Invoke { op });
        }
        Effect::Complete {
            req,
            outcome,
            output,
        } => {
            let Some(op) = state.open_ops.remove(&(me.0, req)) else {
                return;
            };
            tick(&mut state.nodes[me.index()], me);
            if ctx.live() {
                ctx.history.complete(op, outcome, output, state.now);
            }
            record(state, ctx, me, EventKind::Complete { op });
        }
    }
}

fn send<P: Protocol>(
    state: &mut State<P>,
    ctx: &mut LoopCtx<<P::Agent as Agent>::Msg>,
    me: NodeId,
    to: NodeId,
    mut msg: <P::Agent as Agent>::Msg,
    copy_of: Option<MsgId>,
    fixed: Option<Time>,
) {
    let byz = state.nodes[me.index()].byzantine;
    let mut extra = Time::ZERO;
    match byz {
        Some(ByzantineMode::Equivocate) | Some(ByzantineMode::Lie) => {
            let mode = byz.unwrap_or(ByzantineMode::Lie);
            if let Some(t) = msg.tamper(mode, to, &mut state.nodes[me.index()].rng) {
                msg = t;
            }
        }
        Some(ByzantineMode::Delay) => extra = ctx.config.byzantine_delay,
        _ => {}
    }
    let node = &mut state.nodes[me.index()];
    if copy_of.is_none() {
        tick(node, me);
    }
    let lamport = node.lamport.0;
    let vclock = node.vclock.clone();
    let id = state.next_msg;
    state.next_msg += 1;
    state.stats.sent += 1;
    let link = state.net.link(me, to);
    let latency = match fixed {
        Some(d) => d,
        None => link.latency.sample(&mut state.net_rng),
    } + extra;
    let lost = link.loss > 0.0 && state.net_rng.chance(link.loss);
    let dup = copy_of.is_none() && link.duplicate > 0.0 && state.net_rng.chance(link.duplicate);
    let valid = to.index() < state.nodes.len();
    let deliver_at = if lost {
        state.now + Time(latency.0 / 2)
    } else if valid {
        state.net.order_delivery(me, to, state.now + latency)
    } else {
        state.now
    };
    let recording = ctx.live() && ctx.config.trace.record;
    if recording {
        ctx.trace.msgs.push(MsgRecord {
            id,
            from: me,
            to,
            kind: msg.kind(),
            sent: state.now,
            deliver_at,
            resolved_at: Time::MAX,
            fate: Fate::InFlight,
            copy_of,
            lamport,
        });
        let span = deliver_at - state.now;
        if span > ctx.trace.max_latency {
            ctx.trace.max_latency = span;
        }
    }
    let kind = if copy_of.is_some() {
        EventKind::Duplicate { msg: id }
    } else {
        EventKind::Send { msg: id }
    };
    record(state, ctx, me, kind);
    let silent = byz == Some(ByzantineMode::Silent);
    let omitted = {
        let p = state.nodes[me.index()].send_omission;
        p > 0.0 && state.net_rng.chance(p)
    };
    let early_drop = if !valid {
        Some(DropReason::NoSuchAgent)
    } else if silent {
        Some(DropReason::Byzantine)
    } else if omitted {
        Some(DropReason::Omission)
    } else if !state.net.connected(me, to) {
        Some(DropReason::Partition)
    } else {
        None
    };
    if recording {
        ctx.payloads.push(msg.clone());
    }
    if let Some(reason) = early_drop {
        resolve(
            state,
            ctx,
            id,
            if valid { to } else { me },
            Fate::Dropped(reason),
        );
        return;
    }
    let replay = byz == Some(ByzantineMode::Replay) && copy_of.is_none();
    let copy = (dup || replay).then(|| msg.clone());
    state.inflight.insert(
        id,
        Flight {
            msg,
            from: me,
            to,
            lamport,
            vclock,
            lost,
        },
    );
    state.queue.push(deliver_at, Pending::Deliver(id));
    if copy_of.is_none() {
        state.nodes[me.index()].last_sent = Some(id);
    }
    let Some(copy) = copy else { return };
    if dup {
        state.stats.duplicated += 1;
        state.stats.sent -= 1; // the copy is counted as duplicated, not sent
        send(state, ctx, me, to, copy.clone(), Some(id), fixed);
    }
    if replay && state.nodes[me.index()].rng.chance(0.5) {
        // Replays this message once more later, as a duplicate the receivers must tolerate.
        state.stats.duplicated += 1;
        state.stats.sent -= 1;
        send(state, ctx, me, to, copy, Some(id), fixed);
    }
}
