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
                return Err(SimError(format!(
                    "{name} must lie in [0, 1] (got {})",
                    super::decimal::Shortest(p)
                )));
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
mod store;
mod typed;

use setup::*;
use state::*;
pub use state::{
    Breach, Core, Frame, InvariantStatus, NodeMeta, NodeState, NodeView, Protocol, State, Stats,
    Status,
};
use step::*;
use store::{Rec, Store};
use typed::*;

/// A deterministic run.
pub struct World<P: Protocol> {
    pub config: SimConfig,
    rec: Rec,
    store: Store<P>,
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
        let snapshots = vec![state.clone()];
        Ok(World {
            config,
            rec: Rec::new(interventions),
            store: Store {
                state,
                payloads: vec![],
                snapshots,
                view: None,
                scratch: Scratch::default(),
            },
        })
    }

    pub fn now(&self) -> Time {
        self.store.state.now
    }
    pub fn state(&self) -> &State<P> {
        &self.store.state
    }
    pub fn trace(&self) -> &Trace {
        &self.rec.trace
    }
    pub fn history(&self) -> &History {
        &self.rec.history
    }
    pub fn interventions(&self) -> &[Intervention] {
        &self.rec.interventions
    }
    pub fn hash(&self) -> TraceHash {
        self.store.state.hash
    }
    pub fn payload(&self, id: MsgId) -> Option<&Msg<P>> {
        id.checked_sub(self.rec.trace.first_msg)
            .and_then(|i| self.store.payloads.get(i as usize))
    }

    /// Processes one queued entry or intervention. False when nothing is left.
    pub fn step(&mut self) -> bool {
        store::step(&self.config, &mut self.rec, &mut self.store)
    }

    /// Runs every entry up to and including time `t` (at most `budget` entries), then sets the
    /// clock to `t` if it got there. Returns the number of entries processed.
    pub fn run_until(&mut self, t: Time, budget: u64) -> u64 {
        store::run_until(&self.config, &mut self.rec, &mut self.store, t, budget)
    }

    /// Applies a user action now (after everything already due at `now`). Returns an error,
    /// and changes nothing, when the action is invalid.
    pub fn intervene(&mut self, action: Action) -> Result<(), SimError> {
        store::intervene(&self.config, &mut self.rec, &mut self.store, action)
    }

    /// The state of the run at time `t` (replayed from the nearest snapshot).
    pub fn state_at(&mut self, t: Time) -> State<P> {
        let which = store::seek(&self.config, &mut self.rec, &mut self.store, t);
        self.store.get(which).clone()
    }

    /// Makes `t` the head of the run, discarding everything after it, so that the next
    /// intervention branches from there. A no-op when `t` is at or after the head.
    pub fn fork_at(&mut self, t: Time) {
        store::fork_at(&self.config, &mut self.rec, &mut self.store, t)
    }

    /// What the stage shows at time `t`.
    pub fn frame_at(&mut self, t: Time) -> Frame {
        store::frame_at(&self.config, &mut self.rec, &mut self.store, t)
    }

    pub fn invariant_status(&self) -> Vec<InvariantStatus> {
        invariant_status(
            self.store.state.protocol.invariants(),
            &self.store.state.first_violation,
        )
    }

    pub fn metrics(&self) -> Vec<(String, f64)> {
        let mut m = self.store.state.protocol.metrics(&self.store.state);
        m.extend(self.store.state.protocol.history_metrics(&self.rec.history));
        m
    }

    pub fn done(&self) -> bool {
        self.store.state.protocol.done(&self.store.state)
    }
}
