//! CAP: a replicated task board, and what a partition forces it to give up (Brewer 2000;
//! Gilbert & Lynch 2002: no register is both atomic and available in every partition).
//!
//! Replicas `0..replicas` hold one register per task card; client agents (the rest) each talk to
//! a home replica. Two modes, switchable mid-run:
//!
//! * **CP** — majority quorums in the style of ABD (Attiya, Bar-Noy & Dolev 1995). The home
//!   replica coordinates every operation in two phases: `Get` from a majority (highest stamp
//!   wins), then `Put` to a majority — a write puts a fresh, higher stamp; a read writes back what
//!   it found, so no later read can see anything older. Because any two majorities intersect,
//!   a read returns the latest acknowledged write. On the minority side of a partition phase 1
//!   cannot finish: the client gets a definite refusal (`Fail`, nothing was written); if phase 2
//!   times out the write may or may not have landed (`Info`).
//!
//! * **AP** — the home replica answers at once from its own copy and pushes the change to its
//!   peers, with periodic anti-entropy (`Sync` of the whole board) to reconcile after a heal.
//!   Each value carries a version vector (Parker et al. 1983) to tell "overwrote knowingly" from
//!   "concurrent". Concurrent values are reconciled by `merge`:
//!   - `lww` — last writer wins by Lamport stamp: the loser was acknowledged to its client and is
//!     silently gone, a **lost update** (noted and counted);
//!   - `crdt` — a multi-value register (Dynamo's siblings; Shapiro et al. 2011): both survive
//!     until a client writes over them having seen them; nothing is lost, reads may conflict.
//!
//! The checker reads each client's completed operations: a read that returns something older
//! than a write acknowledged before the read began is *stale* — the invariant of CP mode, and a
//! metric in both.

use crate::sim::{
    Agent, Breach, Ctx, Message, NodeId, NodeState, OpFn, Outcome, Protocol, Role, State, Summary,
    Time, TimerKey, Value,
};

mod client;
mod register;
mod replica;
mod scenario;

pub use client::{Client, Done};
pub use register::{Reg, Sib, Stamp};
pub use replica::Replica;
pub use scenario::{BUILDER, CARD, SCENARIO};

const NEXT: TimerKey = 1;
const CLIENT_TIMEOUT: TimerKey = 2;
const SYNC: TimerKey = 3;
/// Coordinator timers are `OP_BASE + op`.
const OP_BASE: TimerKey = 1 << 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Cp,
    Ap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    Lww,
    Crdt,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Res {
    Ok {
        value: Value,
        stamp: Stamp,
    },
    /// Definitely not applied (no quorum reachable).
    Refused,
    /// May or may not have been applied.
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Req {
        req: u64,
        key: usize,
        write: Option<i64>,
    },
    Reply {
        req: u64,
        res: Res,
    },
    Get {
        op: u64,
        key: usize,
    },
    GetAck {
        op: u64,
        stamp: Stamp,
        value: Option<i64>,
    },
    Put {
        op: u64,
        key: usize,
        stamp: Stamp,
        value: i64,
    },
    PutAck {
        op: u64,
    },
    Sync {
        board: Vec<Reg>,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Req { write: None, .. } => "Read",
            Msg::Req { .. } => "Write",
            Msg::Reply { .. } => "Reply",
            Msg::Get { .. } => "Get",
            Msg::GetAck { .. } => "GetAck",
            Msg::Put { .. } => "Put",
            Msg::PutAck { .. } => "PutAck",
            Msg::Sync { .. } => "Sync",
        }
    }
}

/// Settings shared by the replicas (changed together by `set_param`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cfg {
    pub mode: Mode,
    pub merge: Merge,
    pub replicas: usize,
    /// Replies needed per phase (a majority; the broken variant uses 1).
    pub quorum: usize,
    pub timeout: Time,
    pub sync: Time,
}

/// Replicas and clients are different agents on one stage.
#[derive(Clone, Debug)]
pub enum Node {
    Replica(Replica),
    Client(Client),
}

impl Agent for Node {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        match self {
            Node::Replica(r) => ctx.set_timer(SYNC, r.cfg.sync),
            Node::Client(c) => c.schedule(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        match (self, msg) {
            (Node::Replica(r), m) => r.on_msg(ctx, from, m),
            (Node::Client(c), Msg::Reply { req, res }) if c.open.is_some_and(|o| o.0 == *req) => {
                match res {
                    Res::Ok { value, stamp } => c.finish(ctx, Outcome::Ok, value.clone(), *stamp),
                    Res::Refused => c.finish(ctx, Outcome::Fail, Value::Nil, Stamp::default()),
                    Res::Unknown => c.finish(ctx, Outcome::Info, Value::Nil, Stamp::default()),
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        match self {
            Node::Replica(r) => r.on_tick(ctx, key),
            Node::Client(c) if key == CLIENT_TIMEOUT => {
                ctx.note("request timed out");
                c.finish(ctx, Outcome::Info, Value::Nil, Stamp::default());
            }
            Node::Client(c) => {
                let key = ctx.rng().below(c.keys.max(1) as u64) as usize;
                let write = ctx
                    .rng()
                    .chance(0.5)
                    .then(|| ctx.id().0 as i64 * 100_000 + c.seq as i64 + 1);
                c.issue(ctx, key, write);
            }
        }
    }

    /// `read K` or `write K V` (K a task number).
    fn on_client(&mut self, ctx: &mut Ctx<Msg>, request: &str) {
        let Node::Client(c) = self else { return };
        let w: Vec<&str> = request.split_whitespace().collect();
        let key = |mut s: &str| {
            while let Some(r) = s.strip_prefix("task") {
                s = r;
            }
            s.parse::<usize>().ok().filter(|k| *k < c.keys)
        };
        match w.as_slice() {
            ["read", k] => {
                if let Some(k) = key(k) {
                    c.issue(ctx, k, None)
                }
            }
            ["write", k, v] => {
                if let (Some(k), Ok(v)) = (key(k), v.parse::<i64>()) {
                    c.issue(ctx, k, Some(v))
                }
            }
            _ => ctx.note(format!(
                "unknown request '{request}' (try: read 0, write 0 42)"
            )),
        }
    }

    fn on_crash(&mut self) {
        match self {
            Node::Replica(r) => r.pending.clear(),
            Node::Client(c) => c.open = None,
        }
    }

    fn summary(&self) -> Summary {
        match self {
            Node::Replica(r) => Summary {
                role: Role::Replica,
                epoch: Some(r.clock),
                state: r
                    .board
                    .iter()
                    .enumerate()
                    .map(|(k, g)| format!("task{k}={}", shown(&g.read())))
                    .collect::<Vec<_>>()
                    .join(" "),
                log: r
                    .lost
                    .iter()
                    .map(|v| format!("lost {}", named(*v)))
                    .collect(),
                ..Default::default()
            },
            Node::Client(c) => Summary {
                role: Role::Client,
                epoch: None,
                state: format!("ok {} · refused {} · unknown {}", c.ok, c.fail, c.info),
                log: c
                    .last
                    .iter()
                    .map(|d| {
                        format!(
                            "{} task{} → {}",
                            if d.write.is_some() { "write" } else { "read" },
                            d.key,
                            d.value
                        )
                    })
                    .collect(),
                ..Default::default()
            },
        }
    }
}

/// The checker: acknowledged writes per task, and what reads returned.
#[derive(Clone, Debug)]
pub struct Board {
    pub mode: Mode,
    seen: Vec<u64>,
    /// Per key: (completion time, stamp) of every acknowledged write.
    acked: Vec<Vec<(Time, Stamp)>>,
    pub stale_reads: u64,
    pub conflicting_reads: u64,
}

impl Board {
    pub fn new(mode: Mode, keys: usize) -> Board {
        Board {
            mode,
            seen: vec![],
            acked: vec![vec![]; keys],
            stale_reads: 0,
            conflicting_reads: 0,
        }
    }
}

impl Protocol for Board {
    type Agent = Node;

    fn invariants(&self) -> &'static [&'static str] {
        &["CP: a read returns the latest write acknowledged before it began"]
    }

    fn check(&mut self, _now: Time, nodes: &[NodeState<Node>], out: &mut Vec<Breach>) {
        self.seen.resize(nodes.len(), 0);
        for (i, n) in nodes.iter().enumerate() {
            let Node::Client(c) = &n.agent else { continue };
            if c.done() == self.seen[i] {
                continue;
            }
            self.seen[i] = c.done();
            let Some(d) = c.last.as_ref().filter(|d| d.outcome == Outcome::Ok) else {
                continue;
            };
            let Some(acked) = self.acked.get_mut(d.key) else {
                continue;
            };
            if d.write.is_some() {
                acked.push((d.completed, d.stamp));
                continue;
            }
            let latest = acked
                .iter()
                .filter(|(t, _)| *t < d.invoked)
                .map(|(_, s)| *s)
                .max();
            if matches!(d.value, Value::Str(_)) {
                self.conflicting_reads += 1;
            }
            if let Some(l) = latest.filter(|l| d.stamp < *l) {
                self.stale_reads += 1;
                if self.mode == Mode::Cp {
                    out.push(Breach {
                        invariant: 0,
                        message: format!("client {i} read task{} = {} (stamp {}.{}) after a write with stamp {}.{} was acknowledged", d.key, d.value, d.stamp.counter, d.stamp.replica, l.counter, l.replica),
                        nodes: vec![NodeId(i as u32)],
                    });
                }
            }
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let (mut ok, mut all, mut lost) = (0, 0, Vec::new());
        for n in &state.nodes {
            match &n.agent {
                Node::Client(c) => {
                    ok += c.ok;
                    all += c.done();
                }
                Node::Replica(r) => lost.extend(r.lost.iter().copied()),
            }
        }
        crate::sim::sort::sort(&mut lost);
        lost.dedup();
        let avail = if all == 0 {
            f64::NAN
        } else {
            ok as f64 / all as f64
        };
        vec![
            ("availability".into(), avail),
            ("requests".into(), all as f64),
            ("stale_reads".into(), self.stale_reads as f64),
            ("conflicting_reads".into(), self.conflicting_reads as f64),
            ("lost_updates".into(), lost.len() as f64),
        ]
    }

    fn set_param(
        &mut self,
        key: &str,
        value: &str,
        nodes: &mut [NodeState<Node>],
    ) -> Result<bool, String> {
        let cfgs = nodes.iter_mut().filter_map(|n| match &mut n.agent {
            Node::Replica(r) => Some(&mut r.cfg),
            Node::Client(_) => None,
        });
        match (key, value.trim()) {
            ("mode", "cp") | ("mode", "ap") => {
                let m = if value.trim() == "cp" {
                    Mode::Cp
                } else {
                    Mode::Ap
                };
                self.mode = m;
                cfgs.for_each(|c| c.mode = m);
            }
            ("merge", "lww") | ("merge", "crdt") => {
                let m = if value.trim() == "lww" {
                    Merge::Lww
                } else {
                    Merge::Crdt
                };
                cfgs.for_each(|c| c.merge = m);
            }
            ("mode", _) => return Err("expected cp or ap".into()),
            ("merge", _) => return Err("expected lww or crdt".into()),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A written value as its writer and that writer's count: client a6's third write is
/// 6 × 100,000 + 3 (see the client's think step), shown "a6#3".
fn named(v: i64) -> String {
    match (v / 100_000, v % 100_000) {
        (w, n) if w >= 1 && n >= 1 => format!("a{w}#{n}"),
        _ => v.to_string(),
    }
}

/// A register's read for the stage: one value, or siblings `a|b`, each [`named`].
fn shown(v: &Value) -> String {
    match v {
        Value::Int(x) => named(*x),
        Value::Str(s) => s
            .split('|')
            .map(|p| p.parse::<i64>().map_or_else(|_| p.to_string(), named))
            .collect::<Vec<_>>()
            .join("|"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
