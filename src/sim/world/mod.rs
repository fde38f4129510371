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

mod setup;
mod state;
mod step;
mod typed;

use setup::*;
use state::*;
pub use state::{
    Breach, Core, Frame, InvariantStatus, NodeMeta, NodeState, NodeView, Protocol, State, Stats,
    Status,
};
use step::*;
use typed::*;

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
pub(super) enum Mode {
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
