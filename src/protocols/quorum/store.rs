//! The animated store: replicas and one coordinator (which is also the client) as agents.
//!
//! ```text
//!  nodes 0..N      replicas of the key (home replicas, Dynamo §4.3 preference list)
//!  node N          coordinator + client: round k = write v_k, wait t after commit, read
//!  nodes N+1..     spare nodes: sloppy-quorum fallbacks (Dynamo §4.6)
//! ```
//!
//! Every message leg's latency is drawn by the sender from the WARS leg distributions (PBS §4.1)
//! and sent with [`Ctx::send_after`], so the animation and [`super::montecarlo`] sample the same
//! model. Versions only grow (last writer wins by version), so rounds are independent: read k is
//! consistent iff it returns a version ≥ v_k.
//!
//! With `partition` on, the engine cuts the coordinator's side (replicas `0..reachable`, the
//! coordinator, the spares) from the other replicas at time 0; heal it with an intervention.
//! Strict quorums then time out (unavailable); sloppy ones hand unacknowledged writes to
//! fallbacks after half the timeout, which forward them home every `timeout` until they arrive.

use super::{Config, Legs};
use crate::scenario::params::Params;
use crate::sim::{
    Action, Agent, Alert, Ctx, Intervention, Message, NodeId, NodeState, OpFn, Outcome, Protocol,
    Role, SimConfig, SimError, Simulation, State, Summary, Time, TimerKey, Value, World,
};

const READ_TIMER: TimerKey = 1;
const NEXT_ROUND: TimerKey = 2;
const WRITE_TIMEOUT: TimerKey = 3;
const READ_TIMEOUT: TimerKey = 4;
const SLOPPY: TimerKey = 5;
const ANTI_ENTROPY: TimerKey = 6;
const HANDOFF: TimerKey = 7;

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// W leg. `hint_for`: a sloppy write held for that home replica.
    Write {
        round: u64,
        version: u64,
        remote: bool,
        hint_for: Option<NodeId>,
    },
    /// A leg.
    Ack { round: u64 },
    /// R leg.
    Read { round: u64, remote: bool },
    /// S leg.
    Value { round: u64, version: u64 },
    /// Read repair (Dynamo §4.5): the newest version, to a stale responder.
    Repair { version: u64 },
    /// Anti-entropy (Dynamo §4.7) and hinted handoff (§4.6): a replica's version.
    Sync { version: u64 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Write { hint_for: None, .. } => "Write",
            Msg::Write { .. } => "HintedWrite",
            Msg::Ack { .. } => "Ack",
            Msg::Read { .. } => "Read",
            Msg::Value { .. } => "Value",
            Msg::Repair { .. } => "Repair",
            Msg::Sync { .. } => "Sync",
        }
    }
}

/// A replica (or a spare node holding hints).
#[derive(Clone, Debug)]
pub struct Replica {
    pub version: u64,
    /// Hinted versions kept for unreachable home replicas: (home, version).
    pub hints: Vec<(NodeId, u64)>,
    legs: Legs,
    n: usize,
    anti_entropy: Option<Time>,
    handoff_every: Time,
}

/// What the coordinator is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Writing {
        started: Time,
        acks: usize,
        acked: Vec<bool>,
    },
    Waiting,
    Reading {
        started: Time,
        responses: Vec<(NodeId, u64)>,
    },
    Idle,
}

/// The coordinator-client: drives rounds and keeps the measurements.
#[derive(Clone, Debug)]
pub struct Coordinator {
    pub cfg: Config,
    pub round: u64,
    pub phase: Phase,
    pub gap: Time,
    pub timeout: Time,
    /// Deliberately broken variant for tests: commit after W − 1 acknowledgements.
    pub broken_early_ack: bool,
    pub write_ms: Vec<f64>,
    pub read_ms: Vec<f64>,
    pub reads: u64,
    pub consistent: u64,
    pub writes_failed: u64,
    pub reads_failed: u64,
    /// Rounds with R + W > N whose read was stale (must stay 0 unless broken).
    pub stale_strict: u64,
    /// The replicas that answered the last read with a version older than the write committed
    /// before it began; shown on the stage until the next read starts.
    pub alerts: Vec<Alert>,
}

#[derive(Clone, Debug)]
pub enum Node {
    Replica(Replica),
    Coordinator(Box<Coordinator>),
}

fn leg(ctx: &mut Ctx<Msg>, d: &crate::sim::Dist, remote: bool, extra: f64) -> Time {
    let ms = d.sample_ms(ctx.rng()) + if remote { extra } else { 0.0 };
    Time::from_ms_f64(ms)
}

impl Replica {
    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        let x = self.legs.remote_extra_ms;
        match *msg {
            Msg::Write {
                round,
                version,
                remote,
                hint_for,
            } => {
                match hint_for {
                    Some(home) => {
                        self.hints.push((home, version));
                        ctx.set_timer(HANDOFF, self.handoff_every);
                    }
                    None => self.version = self.version.max(version),
                }
                let d = leg(ctx, &self.legs.a, remote, x);
                ctx.send_after(from, Msg::Ack { round }, d);
            }
            Msg::Read { round, remote } => {
                let d = leg(ctx, &self.legs.s, remote, x);
                ctx.send_after(
                    from,
                    Msg::Value {
                        round,
                        version: self.version,
                    },
                    d,
                );
            }
            Msg::Repair { version } | Msg::Sync { version } => {
                if version > self.version {
                    ctx.note(format!("repaired to v{version}"));
                }
                self.version = self.version.max(version);
            }
            Msg::Ack { .. } | Msg::Value { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        let x = self.legs.remote_extra_ms;
        match key {
            ANTI_ENTROPY => {
                if let Some(p) = self.anti_entropy {
                    if self.n > 1 {
                        let me = ctx.id().index();
                        let mut peer = ctx.rng().below(self.n as u64 - 1) as usize;
                        if peer >= me {
                            peer += 1;
                        }
                        let d = leg(ctx, &self.legs.w, true, x);
                        ctx.send_after(
                            NodeId(peer as u32),
                            Msg::Sync {
                                version: self.version,
                            },
                            d,
                        );
                    }
                    ctx.set_timer(ANTI_ENTROPY, p);
                }
            }
            HANDOFF => {
                // Hinted handoff: keep forwarding until the partition heals (a lost Sync is
                // simply resent; the home replica keeps the max).
                for (home, v) in self.hints.clone() {
                    let d = leg(ctx, &self.legs.w, true, x);
                    ctx.send_after(home, Msg::Sync { version: v }, d);
                }
                if !self.hints.is_empty() {
                    ctx.set_timer(HANDOFF, self.handoff_every);
                }
            }
            _ => {}
        }
    }
}

impl Coordinator {
    fn me(&self) -> u32 {
        self.cfg.n as u32
    }

    fn start_write(&mut self, ctx: &mut Ctx<Msg>) {
        self.round += 1;
        let n = self.cfg.n;
        let version = self.round;
        ctx.invoke(self.round * 2, OpFn::Write, "x", Value::Int(version as i64));
        let local = ctx.rng().below(n as u64) as usize;
        let x = self.cfg.legs.remote_extra_ms;
        for i in 0..n {
            let remote = x > 0.0 && i != local;
            let d = leg(ctx, &self.cfg.legs.w, remote, x);
            ctx.send_after(
                NodeId(i as u32),
                Msg::Write {
                    round: self.round,
                    version,
                    remote,
                    hint_for: None,
                },
                d,
            );
        }
        self.phase = Phase::Writing {
            started: ctx.now(),
            acks: 0,
            acked: vec![false; n],
        };
        ctx.set_timer(WRITE_TIMEOUT, self.timeout);
        if self.cfg.sloppy {
            ctx.set_timer(SLOPPY, Time(self.timeout.0 / 2));
        }
    }

    fn start_read(&mut self, ctx: &mut Ctx<Msg>) {
        let n = self.cfg.n;
        self.alerts.clear();
        ctx.invoke(self.round * 2 + 1, OpFn::Read, "x", Value::Nil);
        let local = ctx.rng().below(n as u64) as usize;
        let x = self.cfg.legs.remote_extra_ms;
        for i in 0..n {
            let remote = x > 0.0 && i != local;
            let d = leg(ctx, &self.cfg.legs.r, remote, x);
            ctx.send_after(
                NodeId(i as u32),
                Msg::Read {
                    round: self.round,
                    remote,
                },
                d,
            );
        }
        self.phase = Phase::Reading {
            started: ctx.now(),
            responses: vec![],
        };
        ctx.set_timer(READ_TIMEOUT, self.timeout);
    }

    fn committed(&mut self, ctx: &mut Ctx<Msg>, started: Time) {
        ctx.cancel_timer(WRITE_TIMEOUT);
        ctx.cancel_timer(SLOPPY);
        self.write_ms.push((ctx.now() - started).as_ms_f64());
        ctx.complete(self.round * 2, Outcome::Ok, Value::Int(self.round as i64));
        self.phase = Phase::Waiting;
        ctx.set_timer(READ_TIMER, Time::from_ms_f64(self.cfg.t_ms));
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        let need_w = if self.broken_early_ack {
            self.cfg.w.saturating_sub(1).max(1)
        } else {
            self.cfg.w
        };
        match (&mut self.phase, msg) {
            (
                Phase::Writing {
                    started,
                    acks,
                    acked,
                },
                Msg::Ack { round },
            ) if *round == self.round => {
                if let Some(a) = acked.get_mut(from.index()) {
                    *a = true;
                }
                *acks += 1;
                if *acks >= need_w {
                    let s = *started;
                    self.committed(ctx, s);
                }
            }
            (Phase::Reading { started, responses }, Msg::Value { round, version })
                if *round == self.round =>
            {
                responses.push((from, *version));
                if responses.len() >= self.cfg.r {
                    let started = *started;
                    let responses = std::mem::take(responses);
                    self.finish_read(ctx, started, &responses);
                }
            }
            _ => {}
        }
    }

    fn finish_read(&mut self, ctx: &mut Ctx<Msg>, started: Time, responses: &[(NodeId, u64)]) {
        ctx.cancel_timer(READ_TIMEOUT);
        let newest = responses.iter().map(|r| r.1).max().unwrap_or(0);
        self.read_ms.push((ctx.now() - started).as_ms_f64());
        self.reads += 1;
        // A read starts only after this round's write committed, so v_round is the latest
        // write committed before the read began; every responder of a stale read is behind it.
        let fresh = newest >= self.round;
        if fresh {
            self.consistent += 1;
        } else {
            let latest = self.round;
            let who: Vec<String> = responses.iter().map(|(id, _)| id.to_string()).collect();
            ctx.note(if responses.len() == 1 {
                format!(
                    "stale read: replica {} answered v{newest}, latest v{latest}",
                    who[0]
                )
            } else {
                format!(
                    "stale read: replicas {} answered at most v{newest}, latest v{latest}",
                    who.join(", ")
                )
            });
            self.alerts = responses
                .iter()
                .map(|(id, v)| Alert {
                    node: *id,
                    text: format!("stale read: answered v{v}, latest committed v{latest}"),
                })
                .collect();
            if self.cfg.r + self.cfg.w > self.cfg.n {
                self.stale_strict += 1;
            }
        }
        ctx.complete(self.round * 2 + 1, Outcome::Ok, Value::Int(newest as i64));
        if self.cfg.read_repair {
            for (who, v) in responses {
                if *v < newest {
                    let d = leg(ctx, &self.cfg.legs.w, false, 0.0);
                    ctx.send_after(*who, Msg::Repair { version: newest }, d);
                }
            }
        }
        self.phase = Phase::Idle;
        ctx.set_timer(NEXT_ROUND, self.gap);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        match key {
            READ_TIMER => self.start_read(ctx),
            NEXT_ROUND => self.start_write(ctx),
            SLOPPY => {
                // Dynamo §4.6: each home replica that has not acknowledged gets a stand-in.
                if let Phase::Writing { acked, .. } = &self.phase {
                    let missing: Vec<usize> = (0..acked.len()).filter(|i| !acked[*i]).collect();
                    let x = self.cfg.legs.remote_extra_ms;
                    let spares = ctx.n().saturating_sub(self.me() as usize + 1);
                    for (k, home) in missing.into_iter().take(spares).enumerate() {
                        let d = leg(ctx, &self.cfg.legs.w, x > 0.0, x);
                        let to = NodeId(self.me() + 1 + k as u32);
                        ctx.note(format!("hinted write for {home} to {to}"));
                        ctx.send_after(
                            to,
                            Msg::Write {
                                round: self.round,
                                version: self.round,
                                remote: x > 0.0,
                                hint_for: Some(NodeId(home as u32)),
                            },
                            d,
                        );
                    }
                }
            }
            WRITE_TIMEOUT => {
                if matches!(self.phase, Phase::Writing { .. }) {
                    self.writes_failed += 1;
                    ctx.complete(self.round * 2, Outcome::Info, Value::Nil);
                    ctx.note("write unavailable: no write quorum");
                    self.phase = Phase::Idle;
                    ctx.set_timer(NEXT_ROUND, self.gap);
                }
            }
            READ_TIMEOUT => {
                if matches!(self.phase, Phase::Reading { .. }) {
                    self.reads_failed += 1;
                    ctx.complete(self.round * 2 + 1, Outcome::Fail, Value::Nil);
                    ctx.note("read unavailable: no read quorum");
                    self.phase = Phase::Idle;
                    ctx.set_timer(NEXT_ROUND, self.gap);
                }
            }
            _ => {}
        }
    }
}

impl Agent for Node {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        match self {
            Node::Replica(r) => {
                if let Some(p) = r.anti_entropy {
                    let phase = Time(ctx.rng().below(p.0.max(1)));
                    ctx.set_timer(ANTI_ENTROPY, phase);
                }
            }
            Node::Coordinator(c) => c.start_write(ctx),
        }
    }
    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        match self {
            Node::Replica(r) => r.on_message(ctx, from, msg),
            Node::Coordinator(c) => c.on_message(ctx, from, msg),
        }
    }
    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        match self {
            Node::Replica(r) => r.on_timer(ctx, key),
            Node::Coordinator(c) => c.on_timer(ctx, key),
        }
    }
    fn summary(&self) -> Summary {
        match self {
            Node::Replica(r) => Summary {
                role: Role::Replica,
                epoch: None,
                state: format!("x = v{}", r.version),
                log: r
                    .hints
                    .iter()
                    .map(|(h, v)| format!("hint v{v} for {h}"))
                    .collect(),
                ..Default::default()
            },
            Node::Coordinator(c) => Summary {
                role: Role::Coordinator,
                epoch: Some(c.round),
                state: match &c.phase {
                    Phase::Writing { acks, .. } => {
                        format!("writing v{}: {acks}/{} acks", c.round, c.cfg.w)
                    }
                    Phase::Waiting => format!("v{} committed; reading in t", c.round),
                    Phase::Reading { responses, .. } => {
                        format!("reading: {}/{} responses", responses.len(), c.cfg.r)
                    }
                    Phase::Idle => format!("round {} done", c.round),
                },
                log: vec![format!("fresh {}/{} reads", c.consistent, c.reads)],
                alerts: c.alerts.clone(),
                ..Default::default()
            },
        }
    }
}

/// World-level view: the metrics and the quorum-intersection invariant.
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub n: usize,
}

fn coordinator(nodes: &[NodeState<Node>], n: usize) -> Option<&Coordinator> {
    match nodes.get(n).map(|s| &s.agent) {
        Some(Node::Coordinator(c)) => Some(c),
        _ => None,
    }
}

/// Nearest-rank percentile of unsorted values.
pub fn percentile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    crate::sim::sort::sort_by(&mut s, f64::total_cmp);
    let rank = (q * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

impl Protocol for Store {
    type Agent = Node;

    fn invariants(&self) -> &'static [&'static str] {
        &["strict quorums read fresh (R + W > N)"]
    }

    fn check(&mut self, _now: Time, nodes: &[NodeState<Node>], out: &mut Vec<crate::sim::Breach>) {
        if let Some(c) = coordinator(nodes, self.n) {
            if c.stale_strict > 0 {
                out.push(crate::sim::Breach {
                    invariant: 0,
                    message: format!("{} stale reads with R + W > N", c.stale_strict),
                    nodes: vec![NodeId(self.n as u32)],
                });
            }
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let Some(c) = coordinator(&state.nodes, self.n) else {
            return vec![];
        };
        let p = if c.reads == 0 {
            f64::NAN
        } else {
            c.consistent as f64 / c.reads as f64
        };
        let writes = c.write_ms.len() as u64 + c.writes_failed;
        let reads = c.reads + c.reads_failed;
        let ratio = |ok: u64, all: u64| {
            if all == 0 {
                f64::NAN
            } else {
                ok as f64 / all as f64
            }
        };
        vec![
            ("p_consistent".into(), p),
            ("reads".into(), c.reads as f64),
            ("write_latency_ms_p50".into(), percentile(&c.write_ms, 0.5)),
            ("write_latency_ms_p99".into(), percentile(&c.write_ms, 0.99)),
            ("read_latency_ms_p50".into(), percentile(&c.read_ms, 0.5)),
            ("read_latency_ms_p99".into(), percentile(&c.read_ms, 0.99)),
            (
                "write_availability".into(),
                ratio(c.write_ms.len() as u64, writes),
            ),
            ("read_availability".into(), ratio(c.reads, reads)),
        ]
    }

    fn set_param(
        &mut self,
        key: &str,
        value: &str,
        nodes: &mut [NodeState<Node>],
    ) -> Result<bool, String> {
        let Some(Node::Coordinator(c)) = nodes.get_mut(self.n).map(|s| &mut s.agent) else {
            return Ok(false);
        };
        let int = |v: &str| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| format!("'{v}' is not a whole number"))
        };
        match key {
            "t" => {
                c.cfg.t_ms = crate::sim::time::parse_duration(value)
                    .map_err(|e| e.0)?
                    .as_ms_f64()
            }
            "r" | "w" => {
                let v = int(value)?;
                if v < 1 || v > c.cfg.n {
                    return Err(format!("must be between 1 and n = {}", c.cfg.n));
                }
                if key == "r" {
                    c.cfg.r = v
                } else {
                    c.cfg.w = v
                }
            }
            "read_repair" => {
                c.cfg.read_repair = crate::sim::units::parse_bool(value)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Builds the animated world from validated parameters (cross-checks in words).
pub fn build(
    p: &Params,
    mut config: SimConfig,
    mut ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    let cfg = Config::from_params(p).map_err(SimError)?;
    let (gap, timeout) = (p.duration("gap"), p.duration("timeout"));
    Ok(Box::new(world(
        cfg,
        gap,
        timeout,
        false,
        &mut config,
        &mut ivs,
    )?))
}

/// The world for `cfg` (also used by tests, with `broken` for the early-ack variant).
pub fn world(
    cfg: Config,
    gap: Time,
    timeout: Time,
    broken: bool,
    config: &mut SimConfig,
    ivs: &mut Vec<Intervention>,
) -> Result<World<Store>, SimError> {
    let n = cfg.n;
    let spares = cfg.partition.map(|p| p.spares).unwrap_or(0);
    config.n = n + 1 + spares;
    if let Some(part) = cfg.partition {
        // The coordinator's side: replicas 0..reachable, the coordinator, the spares.
        let near: Vec<NodeId> = (0..part.reachable.min(n))
            .chain(n..n + 1 + spares)
            .map(|i| NodeId(i as u32))
            .collect();
        ivs.insert(
            0,
            Intervention {
                at: Time::ZERO,
                action: Action::Partition(vec![near]),
            },
        );
    }
    let handoff_every = timeout.max(Time::ms(1));
    let proto = Store { n };
    World::new(
        config.clone(),
        proto,
        |id, _| {
            if id.index() == n {
                Node::Coordinator(Box::new(Coordinator {
                    cfg: cfg.clone(),
                    round: 0,
                    phase: Phase::Idle,
                    gap,
                    timeout,
                    broken_early_ack: broken,
                    write_ms: vec![],
                    read_ms: vec![],
                    reads: 0,
                    consistent: 0,
                    writes_failed: 0,
                    reads_failed: 0,
                    stale_strict: 0,
                    alerts: vec![],
                }))
            } else {
                Node::Replica(Replica {
                    version: 0,
                    hints: vec![],
                    legs: cfg.legs.clone(),
                    n,
                    anti_entropy: if id.index() < n {
                        cfg.anti_entropy_ms.map(Time::from_ms_f64)
                    } else {
                        None
                    },
                    handoff_every,
                })
            }
        },
        std::mem::take(ivs),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{montecarlo, Legs, PartitionCfg};
    use super::*;
    use crate::sim::TraceConfig;

    fn run(cfg: Config, broken: bool, seed: u64, until: Time) -> Coordinator {
        let mut sc = SimConfig {
            seed,
            trace: TraceConfig {
                record: false,
                ..TraceConfig::default()
            },
            ..SimConfig::default()
        };
        let n = cfg.n;
        let mut w = world(cfg, Time::ZERO, Time::secs(1), broken, &mut sc, &mut vec![])
            .unwrap_or_else(|e| panic!("{e}"));
        w.run_until(until, 10_000_000);
        match &w.state().nodes[n].agent {
            Node::Coordinator(c) => (**c).clone(),
            Node::Replica(_) => panic!("node {n} is the coordinator"),
        }
    }

    /// The animated store and the Monte Carlo sample the same WARS model: P(consistent) agrees
    /// within 3σ of the two estimates' combined binomial error, at several t.
    #[test]
    fn animation_and_monte_carlo_agree() {
        for (t, preset) in [(0.0, "lnkd-disk"), (3.0, "lnkd-disk"), (0.0, "ymmr")] {
            let mut cfg = Config::new(3, 1, 1, Legs::preset(preset).unwrap());
            cfg.t_ms = t;
            cfg.read_repair = false;
            let until = if preset == "ymmr" {
                Time::secs(800)
            } else {
                Time::secs(60)
            };
            let c = run(cfg.clone(), false, 7, until);
            assert!(c.reads >= 1_000, "{preset} t={t}: only {} reads", c.reads);
            let pa = c.consistent as f64 / c.reads as f64;
            let mc = montecarlo::run(&cfg, 50_000, 7);
            let pm = mc.p_consistent;
            let sd = libm::sqrt(pm * (1.0 - pm) * (1.0 / c.reads as f64 + 1.0 / 50_000.0));
            assert!(
                (pa - pm).abs() <= 3.0 * sd,
                "{preset} t={t}: animated {pa} ({} reads) vs Monte Carlo {pm} (σ {sd})",
                c.reads
            );
            // Latency medians agree too (within 5 %: ~1000 samples, µs rounding).
            let wa = percentile(&c.write_ms, 0.5);
            assert!(
                (wa - mc.write_latency.p50).abs() / mc.write_latency.p50 < 0.05,
                "{wa} vs {:?}",
                mc.write_latency
            );
        }
    }

    /// What a recorded run shows on the stage: every stale read puts a highlight (a Summary
    /// alert) on exactly the replicas whose stale answers it returned, checked against the
    /// Value messages the coordinator received, plus a "stale read" note in the trace.
    /// Returns (stale reads highlighted, reads).
    fn stale_highlights(n: usize, r: usize, w: usize, preset: &str, seed: u64) -> (u64, u64) {
        let mut cfg = Config::new(n, r, w, Legs::preset(preset).unwrap());
        cfg.read_repair = false;
        let mut sc = SimConfig {
            seed,
            ..SimConfig::default()
        };
        let mut w = world(
            cfg,
            Time::ms(50),
            Time::secs(1),
            false,
            &mut sc,
            &mut vec![],
        )
        .unwrap();
        let coord = NodeId(n as u32);
        let alerts = |w: &World<Store>| match &w.state().nodes[n].agent {
            Node::Coordinator(c) => (c.alerts.clone(), c.round, c.reads),
            Node::Replica(_) => panic!("node {n} is the coordinator"),
        };
        // Value messages of the current read, in delivery order: (from, version).
        let mut answered: Vec<(NodeId, u64)> = vec![];
        let (mut seen_events, mut highlighted) = (0usize, 0u64);
        let mut prev: Vec<Alert> = vec![];
        while w.now() < Time::secs(10) && w.step() {
            let (now_alerts, round, _) = alerts(&w);
            let events = &w.trace().events;
            let mut noted = None;
            for e in &events[seen_events..] {
                match &e.kind {
                    crate::sim::EventKind::Deliver { msg } if e.node == coord => {
                        if let Some(Msg::Value { round: rd, version }) = w.payload(*msg) {
                            let from = w.trace().msg(*msg).unwrap().from;
                            if *rd == round {
                                answered.push((from, *version));
                            }
                        }
                    }
                    crate::sim::EventKind::Note(t) if t.starts_with("stale read") => {
                        noted = Some(t.clone())
                    }
                    crate::sim::EventKind::Send { msg } if e.node == coord => {
                        if let Some(Msg::Read { .. }) = w.payload(*msg) {
                            answered.clear();
                        }
                    }
                    _ => {}
                }
            }
            seen_events = events.len();
            if now_alerts != prev && !now_alerts.is_empty() {
                highlighted += 1;
                let note = noted.expect("a stale read is noted in the trace");
                // The read returned the first R answers; each is older than v_round.
                assert_eq!(now_alerts.len(), r, "{now_alerts:?}");
                assert!(answered.len() >= r, "{answered:?}");
                for (a, (from, version)) in now_alerts.iter().zip(&answered) {
                    assert_eq!(a.node, *from, "{now_alerts:?} vs {answered:?}");
                    assert!(*version < round, "{answered:?} at round {round}");
                    assert!(a.text.contains(&format!("latest committed v{round}")));
                    assert!(note.contains(&from.to_string()), "{note}");
                }
            }
            prev = now_alerts;
        }
        (highlighted, alerts(&w).2)
    }

    #[test]
    fn a_stale_read_highlights_the_replica_that_answered_it() {
        // R = W = 1 with slow writes (lnkd-disk at t = 0, wan): about half the reads are stale.
        for preset in ["lnkd-disk", "wan"] {
            let (stale, reads) = stale_highlights(3, 1, 1, preset, 4);
            assert!(reads > 50, "{preset}: {reads} reads");
            assert!(
                stale * 5 > reads,
                "{preset}: {stale} highlighted of {reads}"
            );
        }
        // Strict quorums: never a highlight.
        for (r, w) in [(2, 2), (1, 3), (3, 1)] {
            let (stale, reads) = stale_highlights(3, r, w, "wan", 4);
            assert!(reads > 20);
            assert_eq!(stale, 0, "R{r} W{w}");
        }
    }

    #[test]
    fn strict_quorums_never_read_stale_in_the_animation() {
        for preset in ["lnkd-ssd", "lnkd-disk", "wan"] {
            for seed in 1..4 {
                let cfg = Config::new(3, 2, 2, Legs::preset(preset).unwrap());
                let c = run(cfg, false, seed, Time::secs(20));
                assert!(c.reads > 20);
                assert_eq!(c.consistent, c.reads, "{preset} seed {seed}");
            }
        }
    }

    /// A coordinator that reports the write after W − 1 acknowledgements breaks quorum
    /// intersection; the invariant catches it.
    #[test]
    fn a_coordinator_that_acks_early_is_caught() {
        let cfg = Config::new(3, 2, 2, Legs::preset("lnkd-disk").unwrap());
        let c = run(cfg, true, 1, Time::secs(20));
        assert!(c.stale_strict > 0, "no stale read in {} reads", c.reads);
        let mut sc = SimConfig::default();
        let cfg = Config::new(3, 2, 2, Legs::preset("lnkd-disk").unwrap());
        let mut w = world(cfg, Time::ZERO, Time::secs(1), true, &mut sc, &mut vec![]).unwrap();
        w.run_until(Time::secs(20), 10_000_000);
        assert!(w.invariant_status().iter().any(|i| !i.held));
    }

    #[test]
    fn a_partition_costs_strict_writes_and_sloppy_consistency() {
        let mut cfg = Config::new(3, 2, 2, Legs::preset("lnkd-ssd").unwrap());
        cfg.partition = Some(PartitionCfg {
            reachable: 1,
            spares: 2,
        });
        let c = run(cfg.clone(), false, 1, Time::secs(10));
        assert!(c.write_ms.is_empty() && c.writes_failed > 0);
        cfg.sloppy = true;
        let c = run(cfg, false, 1, Time::secs(10));
        assert!(!c.write_ms.is_empty(), "sloppy writes succeed");
        // Reads need R = 2 home replicas: only one is reachable, so they fail (until healed).
        assert!(c.reads_failed > 0);
    }

    #[test]
    fn the_scenario_runs_from_the_catalogue() {
        use std::collections::BTreeMap;
        let mut o = BTreeMap::new();
        o.insert("anti_entropy".to_string(), "50ms".to_string());
        o.insert("latency".to_string(), "wan".to_string());
        let mut sim = super::super::SCENARIO
            .instantiate(&o, 3, vec![], TraceConfig::default())
            .unwrap();
        sim.run_until(Time::secs(5), 1_000_000);
        let m: BTreeMap<String, f64> = sim.metrics().into_iter().collect();
        assert!(
            m["reads"] > 5.0 && (0.0..=1.0).contains(&m["p_consistent"]),
            "{m:?}"
        );
        o.insert("r".to_string(), "4".to_string());
        assert!(super::super::SCENARIO
            .instantiate(&o, 3, vec![], TraceConfig::default())
            .is_err());
    }
}
