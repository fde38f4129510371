//! Eventual consistency by gossip: anti-entropy and rumor mongering among replicas
//! (Demers et al., "Epidemic algorithms for replicated database maintenance", PODC 1987).
//!
//! Every replica holds the same small state: a last-writer-wins register (the team's current
//! goal, ordered by Lamport stamp and writer id) and a G-counter (tasks done: one slot per
//! replica, merged by pointwise max — a state-based CRDT, Shapiro et al. 2011). Merge is the
//! join of a semilattice: commutative, associative, idempotent, so replicas that have seen the
//! same updates in any order, any number of times, hold the same state.
//!
//! * **Anti-entropy** (Demers §1.3): every `interval` each replica picks `fanout` random peers
//!   and exchanges state — `push` sends its state, `pull` asks for theirs (sending its own so the
//!   peer answers only if it has something newer), `push-pull` does both in one round trip.
//!   Anti-entropy never stops, so it also repairs partitions and recoveries.
//! * **Rumor mongering** (`mode=rumor`, Demers §1.4, "feedback, coin"): one update is a hot
//!   rumor; an infective agent pushes it to a random peer each interval and, when the peer
//!   already knew, loses interest with probability 1/k. The process dies out by itself, leaving
//!   a residue s of agents that never heard; the paper's analysis gives s = e^{-(k+1)(1-s)}.
//!
//! Writes are a fixed workload: write j (0 ≤ j < `writes`) happens at replica j mod n at time
//! (j + 1)·`write_every`. The checker measures how long after the last write all live replicas
//! agree, and holds the invariant that merged state never moves backwards.

use crate::sim::{Agent, Breach, Ctx, Event, EventKind, Message, NodeId, NodeState, Protocol};
use crate::sim::{Role, State, Status, Summary, Time, TimerKey};

pub use super::gossip_scenario::{BUILDER, CARD, SCENARIO};

const TICK: TimerKey = 1;
const WRITE: TimerKey = 2;

/// A Lamport stamp with the writer as tie-break.
pub type Stamp = (u64, u32);

/// The replicated state: an LWW register and a G-counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    /// (stamp, value); stamp (0, 0) = never written.
    pub goal: (Stamp, u32),
    pub done: Vec<u64>,
}

impl Data {
    pub fn new(n: usize) -> Data {
        Data {
            goal: ((0, 0), 0),
            done: vec![0; n],
        }
    }
    pub fn total(&self) -> u64 {
        self.done.iter().sum()
    }
    /// The join: LWW keeps the higher stamp, the G-counter the pointwise max.
    pub fn merge(&mut self, other: &Data) {
        if other.goal.0 > self.goal.0 {
            self.goal = other.goal;
        }
        if self.done.len() < other.done.len() {
            self.done.resize(other.done.len(), 0);
        }
        for (a, b) in self.done.iter_mut().zip(&other.done) {
            *a = (*a).max(*b);
        }
    }
    /// Whether `self` holds something `other` lacks.
    pub fn ahead_of(&self, other: &Data) -> bool {
        self.goal.0 > other.goal.0
            || self
                .done
                .iter()
                .enumerate()
                .any(|(i, c)| *c > other.done.get(i).copied().unwrap_or(0))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Push,
    Pull,
    PushPull,
    Rumor,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = &["push", "pull", "push-pull", "rumor"];
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim() {
            "push" => Some(Mode::Push),
            "pull" => Some(Mode::Pull),
            "push-pull" => Some(Mode::PushPull),
            "rumor" => Some(Mode::Rumor),
            _ => None,
        }
    }
}

/// Demers' rumor states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard {
    Susceptible,
    Infective,
    Removed,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Push { data: Data },
    Pull { data: Data },
    PushPull { data: Data },
    Reply { data: Data },
    Rumor { data: Data },
    Feedback { knew: bool },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Push { .. } => "Push",
            Msg::Pull { .. } => "Pull",
            Msg::PushPull { .. } => "PushPull",
            Msg::Reply { .. } => "Reply",
            Msg::Rumor { .. } => "Rumor",
            Msg::Feedback { .. } => "Feedback",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cfg {
    pub mode: Mode,
    pub fanout: usize,
    pub interval: Time,
    pub writes: u64,
    pub write_every: Time,
    /// Rumor mongering: lose interest with probability 1/k.
    pub k: u64,
    /// Broken variant for tests: merge by overwriting with whatever arrives.
    pub overwrite: bool,
}

#[derive(Clone, Debug)]
pub struct Replica {
    pub cfg: Cfg,
    /// Durable: the replicated state and the rumor state.
    pub data: Data,
    pub heard: Heard,
    /// Index of this replica's next write in the workload.
    next_write: u64,
}

impl Replica {
    pub fn new(cfg: Cfg, me: usize, n: usize) -> Replica {
        let mut data = Data::new(n);
        let mut heard = Heard::Susceptible;
        if cfg.mode == Mode::Rumor && me == 0 {
            // The one hot rumor starts at replica 0.
            data.goal = ((1, 0), 1);
            heard = Heard::Infective;
        }
        Replica {
            cfg,
            data,
            heard,
            next_write: me as u64,
        }
    }

    fn merge(&mut self, other: &Data) {
        if self.cfg.overwrite {
            self.data = other.clone();
        } else {
            self.data.merge(other);
        }
    }

    /// `fanout` distinct random peers (partial Fisher–Yates).
    fn targets(&self, ctx: &mut Ctx<Msg>) -> Vec<NodeId> {
        let mut peers: Vec<NodeId> = ctx.peers().collect();
        let f = self.cfg.fanout.min(peers.len());
        for i in 0..f {
            let j = i + ctx.rng().below((peers.len() - i) as u64) as usize;
            peers.swap(i, j);
        }
        peers.truncate(f);
        peers
    }

    fn tick(&mut self, ctx: &mut Ctx<Msg>) {
        let targets = self.targets(ctx);
        let data = self.data.clone();
        for t in targets {
            let msg = match self.cfg.mode {
                Mode::Push => Msg::Push { data: data.clone() },
                Mode::Pull => Msg::Pull { data: data.clone() },
                Mode::PushPull => Msg::PushPull { data: data.clone() },
                Mode::Rumor if self.heard == Heard::Infective => Msg::Rumor { data: data.clone() },
                Mode::Rumor => continue,
            };
            ctx.send(t, msg);
        }
    }

    fn write(&mut self, ctx: &mut Ctx<Msg>) {
        let me = ctx.id();
        let j = self.next_write;
        let stamp = (self.data.goal.0 .0 + 1, me.0);
        self.data.goal = (stamp, j as u32 + 1);
        if let Some(c) = self.data.done.get_mut(me.index()) {
            *c += 1;
        }
        ctx.note(format!("write {j}: goal = g{}", j + 1));
        self.next_write += ctx.n() as u64;
        if self.next_write < self.cfg.writes {
            ctx.set_timer(WRITE, Time(self.cfg.write_every.0 * ctx.n() as u64));
        }
    }
}

impl Agent for Replica {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        // A random phase, so that replicas do not gossip in lock-step.
        let phase = 1 + ctx.rng().below(self.cfg.interval.0.max(1));
        ctx.set_timer(TICK, Time(phase));
        if self.cfg.mode != Mode::Rumor && self.next_write < self.cfg.writes {
            ctx.set_timer(WRITE, Time(self.cfg.write_every.0 * (self.next_write + 1)));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        match msg {
            Msg::Push { data } | Msg::Reply { data } => self.merge(data),
            Msg::Pull { data } => {
                if self.data.ahead_of(data) {
                    ctx.send(
                        from,
                        Msg::Reply {
                            data: self.data.clone(),
                        },
                    );
                }
            }
            Msg::PushPull { data } => {
                let answer = self.data.ahead_of(data);
                self.merge(data);
                if answer {
                    ctx.send(
                        from,
                        Msg::Reply {
                            data: self.data.clone(),
                        },
                    );
                }
            }
            Msg::Rumor { data } => {
                let knew = self.heard != Heard::Susceptible;
                if !knew {
                    self.heard = Heard::Infective;
                    self.merge(data);
                    ctx.set_timer(TICK, self.cfg.interval);
                }
                ctx.send(from, Msg::Feedback { knew });
            }
            Msg::Feedback { knew } => {
                // Demers §1.4, feedback + coin: lose interest with probability 1/k.
                let k = self.cfg.k.max(1);
                if *knew && self.heard == Heard::Infective && ctx.rng().below(k) == 0 {
                    self.heard = Heard::Removed;
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        if key == WRITE {
            return self.write(ctx);
        }
        self.tick(ctx);
        if self.cfg.mode != Mode::Rumor || self.heard == Heard::Infective {
            ctx.set_timer(TICK, self.cfg.interval);
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<Msg>) {
        ctx.set_timer(TICK, self.cfg.interval);
        if self.cfg.mode != Mode::Rumor && self.next_write < self.cfg.writes {
            // A write due while crashed happens now.
            ctx.set_timer(WRITE, Time(1));
        }
    }

    fn summary(&self) -> Summary {
        let heard = match self.heard {
            Heard::Susceptible => "susceptible",
            Heard::Infective => "infective",
            Heard::Removed => "removed",
        };
        let goal = match self.data.goal.1 {
            0 => "none".to_string(),
            g => format!("g{g}"),
        };
        let state = if self.cfg.mode == Mode::Rumor {
            format!("{heard} · goal {goal}")
        } else {
            format!("goal {goal} · done {}", self.data.total())
        };
        Summary {
            role: Role::Replica,
            epoch: Some(self.data.goal.0 .0),
            state,
            log: vec![],
            ..Default::default()
        }
    }
}

/// The checker: agreement, convergence time, messages, monotonic state.
#[derive(Clone, Debug, Default)]
pub struct Spread {
    pub writes: u64,
    pub writes_seen: u64,
    pub last_write: Option<Time>,
    pub latest: Stamp,
    pub converged_at: Option<Time>,
    pub sent: u64,
    pub sent_at_convergence: u64,
    /// Per replica: (total, goal stamp) when last looked at; dirty node to look at next.
    seen: Vec<(u64, Stamp)>,
    dirty: Option<NodeId>,
    rescan: bool,
}

impl Spread {
    pub fn new(writes: u64) -> Spread {
        Spread {
            writes,
            ..Spread::default()
        }
    }
    fn agrees(&self, d: &Data) -> bool {
        d.total() == self.writes_seen && d.goal.0 == self.latest
    }
    pub fn disagreeing(&self, nodes: &[NodeState<Replica>]) -> usize {
        nodes
            .iter()
            .filter(|n| n.status != Status::Crashed && !self.agrees(&n.agent.data))
            .count()
    }
}

impl Protocol for Spread {
    type Agent = Replica;

    fn invariants(&self) -> &'static [&'static str] {
        &["merged state never moves backwards (a semilattice only grows)"]
    }

    fn observe(&mut self, e: &Event, _nodes: &[NodeState<Replica>]) {
        match &e.kind {
            EventKind::Send { .. } => self.sent += 1,
            EventKind::Deliver { .. } | EventKind::Timer { .. } => self.dirty = Some(e.node),
            EventKind::Crash | EventKind::Recover | EventKind::Intervention { .. } => {
                self.rescan = true
            }
            EventKind::Note(t) if t.starts_with("write") => {
                self.writes_seen += 1;
                self.last_write = Some(e.time);
                self.converged_at = None;
                self.dirty = Some(e.node);
            }
            _ => {}
        }
    }

    fn check(&mut self, now: Time, nodes: &[NodeState<Replica>], out: &mut Vec<Breach>) {
        self.seen.resize(nodes.len(), (0, (0, 0)));
        let Some(id) = self.dirty.take() else {
            return self.after(now, nodes);
        };
        let Some(node) = nodes.get(id.index()) else {
            return;
        };
        let d = &node.agent.data;
        let now_seen = (d.total(), d.goal.0);
        let before = self.seen[id.index()];
        if now_seen.0 < before.0 || now_seen.1 < before.1 {
            out.push(Breach {
                invariant: 0,
                message: format!(
                    "replica {id} went back from {} tasks done to {}, or to an older goal",
                    before.0, now_seen.0
                ),
                nodes: vec![id],
            });
        }
        self.seen[id.index()] = now_seen;
        self.latest = self.latest.max(d.goal.0);
        if self.agrees(d) {
            self.rescan = true;
        }
        self.after(now, nodes);
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let nodes = &state.nodes;
        let live = nodes.iter().filter(|n| n.status != Status::Crashed);
        let (mut live_n, mut never) = (0usize, 0usize);
        for n in live {
            live_n += 1;
            never += (n.agent.heard == Heard::Susceptible) as usize;
        }
        let rumor = nodes
            .first()
            .is_some_and(|n| n.agent.cfg.mode == Mode::Rumor);
        let conv = match (self.converged_at, self.last_write) {
            (Some(c), Some(w)) => (c - w).as_ms_f64(),
            _ => f64::NAN,
        };
        let per_update = if self.converged_at.is_some() && self.writes > 0 {
            self.sent_at_convergence as f64 / self.writes as f64
        } else {
            f64::NAN
        };
        let mut m = vec![
            ("disagreeing".into(), self.disagreeing(nodes) as f64),
            ("convergence_ms".into(), conv),
            ("messages_per_update".into(), per_update),
            ("messages".into(), self.sent as f64),
        ];
        if rumor {
            let residue = never as f64 / live_n.max(1) as f64;
            m.push(("residue".into(), residue));
            m.push(("infective".into(), infective(nodes) as f64));
        }
        m
    }

    fn set_param(
        &mut self,
        key: &str,
        value: &str,
        nodes: &mut [NodeState<Replica>],
    ) -> Result<bool, String> {
        let int = |lo: u64, hi: u64| match value.trim().parse::<u64>() {
            Ok(v) if (lo..=hi).contains(&v) => Ok(v),
            _ => Err(format!("expected a whole number in {lo}..={hi}")),
        };
        match key {
            "fanout" => {
                let f = int(1, 16)? as usize;
                nodes.iter_mut().for_each(|n| n.agent.cfg.fanout = f);
            }
            "interval" => {
                let t = crate::sim::time::parse_duration(value).map_err(|e| e.0)?;
                if t < Time::ms(1) {
                    return Err("must be at least 1ms".into());
                }
                nodes.iter_mut().for_each(|n| n.agent.cfg.interval = t);
            }
            "k" => {
                let k = int(1, 20)?;
                nodes.iter_mut().for_each(|n| n.agent.cfg.k = k);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn done(&self, state: &State<Self>) -> bool {
        match state.nodes.first().map(|n| n.agent.cfg.mode) {
            Some(Mode::Rumor) => infective(&state.nodes) == 0,
            _ => self.converged_at.is_some(),
        }
    }
}

fn infective(nodes: &[NodeState<Replica>]) -> usize {
    nodes
        .iter()
        .filter(|n| n.status != Status::Crashed && n.agent.heard == Heard::Infective)
        .count()
}

impl Spread {
    /// After the last write, the first moment every live replica agrees is the convergence.
    fn after(&mut self, now: Time, nodes: &[NodeState<Replica>]) {
        if !std::mem::take(&mut self.rescan) {
            return;
        }
        let all_written = self.writes_seen >= self.writes && self.writes > 0;
        if all_written && self.converged_at.is_none() && self.disagreeing(nodes) == 0 {
            self.converged_at = Some(now);
            self.sent_at_convergence = self.sent;
        }
    }
}

#[cfg(test)]
#[path = "gossip_tests.rs"]
mod tests;
