//! A linearizable register through a leader, and the classic way to break it.
//!
//! Replica 0 is the leader. Clients send every write and read to it; it applies writes in
//! arrival order, copies each to the followers (with a random lag) and acknowledges the client
//! once a majority (itself included) holds it. Reads are answered from the leader's copy. One
//! copy decides every answer, and it answers each request between its invocation and its
//! response, so the history is **linearizable** (Herlihy & Wing, "Linearizability: A Correctness
//! Condition for Concurrent Objects", TOPLAS 1990): every operation appears to take effect at one
//! instant inside its interval — strictly stronger than Lamport's sequential consistency (1979),
//! which ignores real time across clients.
//!
//! `variant=read-from-follower` (a **teaching** variant, deliberately broken) serves reads from a
//! random replica to spread load: a follower the write has not reached yet returns the old
//! value after the write was acknowledged — a stale read the live linearizability checker
//! (Wing–Gong/Lowe search) catches and marks (the read and the write it missed).

use crate::scenario::params::{ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{
    Agent, Ctx, History, Intervention, Message, NodeId, OpFn, Outcome, Protocol, Role, SimConfig,
    SimError, Simulation, State, Summary, Time, TimerKey, Value, World,
};

const THINK: TimerKey = 1;
const TIMEOUT: TimerKey = 2;

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Write { req: u64, value: i64 },
    Read { req: u64 },
    Ack { req: u64, value: Option<i64> },
    Replicate { index: u64, value: i64 },
    Replicated { index: u64 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Write { .. } => "Write",
            Msg::Read { .. } => "Read",
            Msg::Ack { .. } => "Ack",
            Msg::Replicate { .. } => "Replicate",
            Msg::Replicated { .. } => "Replicated",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Cfg {
    pub replicas: usize,
    pub follower_reads: bool,
    pub lag: Time,
    pub think: Time,
    pub timeout: Time,
}

#[derive(Clone, Debug)]
pub enum Node {
    Replica {
        cfg: Cfg,
        index: u64,
        value: Option<i64>,
        /// Leader: writes waiting for a majority (index, client, req, acks).
        waiting: Vec<(u64, NodeId, u64, usize)>,
    },
    Client {
        cfg: Cfg,
        seq: u64,
        req: u64,
        open: bool,
    },
}

impl Agent for Node {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        if let Node::Client { cfg, .. } = self {
            let first = ctx.rng().range_inclusive(1, cfg.think.0.max(2));
            ctx.set_timer(THINK, Time(first));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        match (self, msg) {
            (
                Node::Replica {
                    cfg,
                    index,
                    value,
                    waiting,
                },
                Msg::Write { req, value: v },
            ) => {
                *index += 1;
                *value = Some(*v);
                waiting.push((*index, from, *req, 1));
                for p in 1..cfg.replicas as u32 {
                    let delay = Time(ctx.rng().range_inclusive(0, 2 * cfg.lag.0));
                    let m = Msg::Replicate {
                        index: *index,
                        value: *v,
                    };
                    ctx.send_after(NodeId(p), m, delay);
                }
                let majority = cfg.replicas / 2 + 1;
                release(ctx, waiting, majority);
            }
            (Node::Replica { value, .. }, Msg::Read { req }) => {
                ctx.send(
                    from,
                    Msg::Ack {
                        req: *req,
                        value: *value,
                    },
                );
            }
            (Node::Replica { index, value, .. }, Msg::Replicate { index: i, value: v }) => {
                if *i > *index {
                    *index = *i;
                    *value = Some(*v);
                }
                ctx.send(from, Msg::Replicated { index: *i });
            }
            (Node::Replica { cfg, waiting, .. }, Msg::Replicated { index: i }) => {
                for w in waiting.iter_mut().filter(|w| w.0 <= *i) {
                    w.3 += 1;
                }
                release(ctx, waiting, cfg.replicas / 2 + 1);
            }
            (Node::Client { cfg, req, open, .. }, Msg::Ack { req: r, value })
                if *open && r == req =>
            {
                *open = false;
                let out = value.map(Value::Int).unwrap_or(Value::Nil);
                ctx.complete(*r, Outcome::Ok, out);
                ctx.cancel_timer(TIMEOUT);
                let t = cfg.think.0.max(1);
                let pause = ctx.rng().range_inclusive(t / 2, t + t / 2);
                ctx.set_timer(THINK, Time(pause));
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        let Node::Client {
            cfg,
            seq,
            req,
            open,
        } = self
        else {
            return;
        };
        match key {
            THINK if !*open => {
                *req += 1;
                *open = true;
                let r = *req;
                if ctx.rng().chance(0.5) {
                    *seq += 1;
                    let v = (ctx.id().0 as i64 + 1) * 1_000_000 + *seq as i64;
                    ctx.invoke(r, OpFn::Write, "x", Value::Int(v));
                    ctx.send(NodeId(0), Msg::Write { req: r, value: v });
                } else {
                    let to = if cfg.follower_reads {
                        NodeId(ctx.rng().below(cfg.replicas as u64) as u32)
                    } else {
                        NodeId(0)
                    };
                    ctx.invoke(r, OpFn::Read, "x", Value::Nil);
                    ctx.send(to, Msg::Read { req: r });
                }
                ctx.set_timer(TIMEOUT, cfg.timeout);
            }
            TIMEOUT if *open => {
                *open = false;
                ctx.complete(*req, Outcome::Info, Value::Nil);
                ctx.set_timer(THINK, cfg.think);
            }
            _ => {}
        }
    }

    fn summary(&self) -> Summary {
        match self {
            Node::Replica { index, value, .. } => Summary {
                role: Role::Replica,
                epoch: Some(*index),
                state: value.map_or("x empty".into(), |v| format!("x = {}", written(v))),
                log: Vec::new(),
                ..Default::default()
            },
            Node::Client { seq, .. } => Summary {
                role: Role::Client,
                epoch: None,
                state: format!("{seq} write{}", if *seq == 1 { "" } else { "s" }),
                log: Vec::new(),
                ..Default::default()
            },
        }
    }
}

/// Acknowledges every write a majority holds.
fn release(ctx: &mut Ctx<Msg>, waiting: &mut Vec<(u64, NodeId, u64, usize)>, majority: usize) {
    waiting.retain(|&(_, client, req, acks)| {
        let done = acks >= majority;
        if done {
            ctx.send(client, Msg::Ack { req, value: None });
        }
        !done
    });
}

/// The live checkers' verdicts this scenario reports as metrics (`scenario::checked`; the
/// explorer shows them in its Guarantees panel, computed in the Web Worker).
pub const CHECKED: &[(&str, &str)] = &[
    ("linearizable", "linearizability"),
    ("sequential_ok", "sequential"),
];

/// World-level view: operations completed.
#[derive(Clone, Debug, Default)]
pub struct Register;

impl Protocol for Register {
    type Agent = Node;
    fn metrics(&self, _state: &State<Self>) -> Vec<(String, f64)> {
        Vec::new()
    }
    fn history_metrics(&self, history: &History) -> Vec<(String, f64)> {
        let ok = history
            .ops
            .iter()
            .filter(|o| o.outcome == Outcome::Ok)
            .count();
        vec![("ops_ok".to_string(), ok as f64)]
    }
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "variant",
        label: "Variant",
        help: "leader: every request to the leader (linearizable); read-from-follower: \
               TEACHING, deliberately broken — reads from any replica, stale reads appear",
        kind: ParamKind::Choice(&["leader", "read-from-follower"]),
        default: "leader",
    },
    ParamSpec {
        key: "replicas",
        label: "Replicas",
        help: "replica 0 leads; a write needs a majority",
        kind: ParamKind::Int { min: 3, max: 7 },
        default: "3",
    },
    ParamSpec {
        key: "clients",
        label: "Agents",
        help: "agents reading and writing the register",
        kind: ParamKind::Int { min: 1, max: 6 },
        default: "3",
    },
    ParamSpec {
        key: "lag",
        label: "Replication lag",
        help: "mean extra delay of a copy to a follower (uniform in 0..2×lag)",
        kind: ParamKind::Duration {
            min: Time::ZERO,
            max: Time::secs(30),
        },
        default: "200ms",
    },
    ParamSpec {
        key: "think",
        label: "Think time",
        help: "mean pause between an agent's requests",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "150ms",
    },
];

/// The protocol settings from validated parameters.
pub fn cfg(p: &Params) -> Cfg {
    Cfg {
        replicas: p.int("replicas").clamp(3, 7) as usize,
        follower_reads: p.raw("variant") == "read-from-follower",
        lag: p.duration("lag"),
        think: p.duration("think").max(Time::ms(1)),
        timeout: Time::secs(3),
    }
}

/// The world: replicas `0..replicas`, then the clients.
pub fn world(
    config: SimConfig,
    cfg: Cfg,
    clients: usize,
    ivs: Vec<Intervention>,
) -> Result<World<Register>, SimError> {
    let mut config = config;
    config.n = cfg.replicas + clients;
    World::new(
        config,
        Register,
        |id, _| {
            if id.index() < cfg.replicas {
                Node::Replica {
                    cfg,
                    index: 0,
                    value: None,
                    waiting: Vec::new(),
                }
            } else {
                Node::Client {
                    cfg,
                    seq: 0,
                    req: 0,
                    open: false,
                }
            }
        },
        ivs,
    )
}

fn build(
    p: &Params,
    config: SimConfig,
    ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    let clients = p.int("clients").clamp(1, 6) as usize;
    Ok(Box::new(world(config, cfg(p), clients, ivs)?))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "strong-register",
    title: "Strong consistency: a linearizable register",
    group: Group::ConsistencyModels,
    tagline: "One leader answers everything: every agent sees one up-to-date value.",
    agents: 6,
};

pub static SCENARIO: ScenarioDef = ScenarioDef {
    params: PARAMS,
    engine_params: true,
    default_until: Time::secs(10),
    ..ScenarioDef::of(CARD)
};

/// How to build a run of it: an entry of [`crate::scenario::BUILDERS`], linked into a browser
/// build only if that build installs it (see `crate::scenario::install`).
pub const BUILDER: crate::scenario::Builder = crate::scenario::Builder {
    def: &SCENARIO,
    build,
};

/// A value as its writer and that writer's count: client a3's first write is
/// (3 + 1) × 1,000,000 + 1 (see the client's think timer), shown "a3#1".
fn written(v: i64) -> String {
    match (v / 1_000_000, v % 1_000_000) {
        (w, n) if w >= 1 && n >= 0 => format!("a{}#{n}", w - 1),
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::live;

    #[test]
    fn a_value_reads_as_its_writer_and_count() {
        assert_eq!(written(4_000_001), "a3#1");
        assert_eq!(written(1_000_012), "a0#12");
        assert_eq!(written(7), "7");
        assert_eq!(written(-3), "-3");
    }
    use crate::sim::TraceConfig;
    use std::collections::BTreeMap;

    fn run(variant: &str, seed: u64, secs: u64) -> World<Register> {
        let mut o = BTreeMap::new();
        o.insert("variant".to_string(), variant.to_string());
        let p = SCENARIO.params(&o).unwrap_or_else(|e| panic!("{e}"));
        let mut config = crate::scenario::engine_config(&p, seed, TraceConfig::default());
        config.trace.record = false;
        let mut w = world(config, cfg(&p), 3, vec![]).unwrap_or_else(|e| panic!("{e}"));
        w.run_until(Time::secs(secs), 1_000_000);
        w
    }

    #[test]
    fn the_leader_register_is_linearizable_on_every_seed() {
        for seed in 0..100 {
            let w = run("leader", seed, 3);
            assert!(w.history().ops.len() > 20, "seed {seed}");
            let g = live::check_one("linearizability", w.history(), &Value::Nil);
            assert_eq!(g.kept(), Some(true), "seed {seed}: {:?}", g.verdict);
        }
    }

    #[test]
    fn reading_from_followers_is_caught_by_the_linearizability_checker() {
        let mut caught = 0;
        for seed in 0..20 {
            let w = run("read-from-follower", seed, 3);
            let g = live::check_one("linearizability", w.history(), &Value::Nil);
            if let Ok(v) = g.verdict {
                if !v.ok {
                    caught += 1;
                    let bad = v.first_bad_op.map(|i| w.history().ops[i].f);
                    assert!(bad.is_some() && !v.witness.is_empty());
                }
            }
        }
        assert!(caught >= 15, "caught {caught} of 20");
    }

    #[test]
    fn bad_params_are_rejected() {
        let bad = |k: &str, v: &str| SCENARIO.rejects(k, v);
        assert!(bad("variant", "quorum"));
        assert!(bad("replicas", "2"));
        assert!(bad("think", "0ms"));
    }
}
