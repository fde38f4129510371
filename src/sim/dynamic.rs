//! A type-erased handle on a running world, so the UI and the CLI stay generic over protocols
//! (stateright's lesson: the model supplies its own view).

use super::history::History;
use super::intervention::{Action, Intervention};
use super::time::Time;
use super::trace::{MsgId, Trace};
use super::world::{Frame, InvariantStatus, Protocol, SimError, Stats, World};

/// What the explorer and the command line can do with any scenario's run.
pub trait Simulation {
    fn now(&self) -> Time;
    fn n(&self) -> usize;
    fn seed(&self) -> u64;
    /// One entry; false when nothing is left to do.
    fn step(&mut self) -> bool;
    /// Everything due up to `t` (at most `budget` entries); returns how many ran.
    fn run_until(&mut self, t: Time, budget: u64) -> u64;
    fn intervene(&mut self, action: Action) -> Result<(), SimError>;
    fn fork_at(&mut self, t: Time);
    fn frame_at(&mut self, t: Time) -> Frame;
    fn trace(&self) -> &Trace;
    fn history(&self) -> &History;
    fn stats(&self) -> Stats;
    fn hash(&self) -> u64;
    fn interventions(&self) -> &[Intervention];
    fn message_label(&self, id: MsgId) -> Option<String>;
    fn metrics(&self) -> Vec<(String, f64)>;
    fn invariants(&self) -> Vec<InvariantStatus>;
    fn done(&self) -> bool;
    fn queue_len(&self) -> usize;

    /// One metric by name; NaN when the scenario has no such metric.
    fn metric(&self, key: &str) -> f64 {
        self.metrics()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or(f64::NAN)
    }
}

impl<P: Protocol> Simulation for World<P> {
    fn now(&self) -> Time {
        World::now(self)
    }
    fn n(&self) -> usize {
        self.config.n
    }
    fn seed(&self) -> u64 {
        self.config.seed
    }
    fn step(&mut self) -> bool {
        World::step(self)
    }
    fn run_until(&mut self, t: Time, budget: u64) -> u64 {
        World::run_until(self, t, budget)
    }
    fn intervene(&mut self, action: Action) -> Result<(), SimError> {
        World::intervene(self, action)
    }
    fn fork_at(&mut self, t: Time) {
        World::fork_at(self, t)
    }
    fn frame_at(&mut self, t: Time) -> Frame {
        World::frame_at(self, t)
    }
    fn trace(&self) -> &Trace {
        World::trace(self)
    }
    fn history(&self) -> &History {
        World::history(self)
    }
    fn stats(&self) -> Stats {
        self.state().stats
    }
    fn hash(&self) -> u64 {
        World::hash(self).0
    }
    fn interventions(&self) -> &[Intervention] {
        World::interventions(self)
    }
    fn message_label(&self, id: MsgId) -> Option<String> {
        use super::agent::Message;
        self.payload(id).map(|m| m.label())
    }
    fn metrics(&self) -> Vec<(String, f64)> {
        World::metrics(self)
    }
    fn invariants(&self) -> Vec<InvariantStatus> {
        self.invariant_status()
    }
    fn done(&self) -> bool {
        World::done(self)
    }
    fn queue_len(&self) -> usize {
        self.state().queue_len()
    }
}
