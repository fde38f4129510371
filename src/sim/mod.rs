//! The deterministic discrete-event engine: virtual time, one seeded RNG split into streams, a
//! network with latency distributions, loss, duplication and partitions, faults, clocks, and a
//! trace of everything that happened. No UI, no browser, no wall clock.

pub mod agent;
pub mod dist;
pub mod golden;
pub mod history;
pub mod rng;
pub mod sort;
pub mod time;

pub use agent::{
    Agent, Alert, ByzantineMode, Ctx, Effect, Message, NodeId, Role, Summary, TimerKey,
};
pub use dist::Dist;
pub use history::{History, Op, OpFn, Outcome, Value};
pub use rng::{Purpose, SimRng};
pub use time::Time;
pub mod clock;
pub mod decimal;
pub mod dynamic;
pub mod intervention;
pub mod network;
pub mod parse_float;
pub mod queue;
pub mod text;
pub mod trace;
pub mod units;
pub mod vecmap;
pub mod world;

pub use dynamic::Simulation;
pub use intervention::{Action, Intervention};
pub use trace::{DropReason, Event, EventKind, Fate, MsgId, MsgRecord, Trace, TraceConfig};
pub use world::{
    Breach, Core, Frame, InvariantStatus, NodeMeta, NodeState, NodeView, Protocol, SimConfig,
    SimError, State, Stats, Status, World,
};
