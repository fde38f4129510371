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

pub use super::cap_scenario::SCENARIO;

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

/// A Lamport timestamp with the writer's id as tie-break: the total order LWW uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub counter: u64,
    pub replica: u32,
}

/// One value of a register, with the version vector of the write that made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sib {
    pub value: i64,
    pub stamp: Stamp,
    pub vv: Vec<u64>,
}

/// A register: no siblings = never written; more than one = concurrent values (CRDT mode).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reg {
    pub sibs: Vec<Sib>,
}

fn dominates(a: &[u64], b: &[u64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x >= y)
}

impl Reg {
    pub fn stamp(&self) -> Stamp {
        self.sibs.iter().map(|s| s.stamp).max().unwrap_or_default()
    }
    /// The sibling with the highest stamp (what CP hands out).
    pub fn top(&self) -> Option<i64> {
        self.sibs.iter().max_by_key(|s| s.stamp).map(|s| s.value)
    }
    pub fn read(&self) -> Value {
        let mut v: Vec<i64> = self.sibs.iter().map(|s| s.value).collect();
        v.sort_unstable();
        match v.as_slice() {
            [] => Value::Nil,
            [x] => Value::Int(*x),
            many => Value::Str(
                many.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
        }
    }
    /// A local write: supersedes every sibling this replica has seen.
    pub fn write(&mut self, value: i64, stamp: Stamp, me: usize, n: usize) {
        let mut vv = vec![0; n];
        for s in &self.sibs {
            for (a, b) in vv.iter_mut().zip(&s.vv) {
                *a = (*a).max(*b);
            }
        }
        if let Some(c) = vv.get_mut(me) {
            *c += 1;
        }
        self.sibs = vec![Sib { value, stamp, vv }];
    }
    /// CP: keep the higher stamp.
    pub fn put(&mut self, value: i64, stamp: Stamp) {
        if stamp > self.stamp() {
            self.sibs = vec![Sib {
                value,
                stamp,
                vv: vec![],
            }];
        }
    }
    /// AP merge: drop what is causally overwritten; under LWW keep only the highest stamp of the
    /// concurrent rest and return the values it discarded (the lost updates).
    pub fn merge(&mut self, other: &Reg, merge: Merge) -> Vec<Sib> {
        let mut all = self.sibs.clone();
        for s in &other.sibs {
            if !all.iter().any(|a| a.stamp == s.stamp) {
                all.push(s.clone());
            }
        }
        let keep: Vec<Sib> = all
            .iter()
            .filter(|a| {
                !all.iter()
                    .any(|b| b.stamp != a.stamp && b.vv != a.vv && dominates(&b.vv, &a.vv))
            })
            .cloned()
            .collect();
        let mut keep = keep;
        keep.sort_by_key(|s| s.stamp);
        let mut lost = vec![];
        if merge == Merge::Lww && keep.len() > 1 {
            let winner = keep.pop();
            lost = keep;
            keep = winner.into_iter().collect();
        }
        self.sibs = keep;
        lost
    }
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

#[derive(Clone, Debug)]
struct Pend {
    client: NodeId,
    req: u64,
    key: usize,
    write: Option<i64>,
    phase2: bool,
    acks: Vec<bool>,
    best: (Stamp, Option<i64>),
}

#[derive(Clone, Debug)]
pub struct Replica {
    pub cfg: Cfg,
    /// Durable: the board, the Lamport counter, the values this replica discarded.
    pub board: Vec<Reg>,
    pub clock: u64,
    pub lost: Vec<i64>,
    next_op: u64,
    /// Volatile: operations this replica coordinates (CP).
    pending: std::collections::BTreeMap<u64, Pend>,
}

impl Replica {
    pub fn new(cfg: Cfg, keys: usize) -> Replica {
        Replica {
            cfg,
            board: vec![Reg::default(); keys],
            clock: 0,
            lost: vec![],
            next_op: 0,
            pending: Default::default(),
        }
    }

    fn to_replicas(&self, ctx: &mut Ctx<Msg>, msg: Msg) {
        for p in 0..self.cfg.replicas as u32 {
            if p != ctx.id().0 {
                ctx.send(NodeId(p), msg.clone());
            }
        }
    }

    fn request(
        &mut self,
        ctx: &mut Ctx<Msg>,
        client: NodeId,
        req: u64,
        key: usize,
        w: Option<i64>,
    ) {
        let Some(reg) = self.board.get_mut(key) else {
            return ctx.send(
                client,
                Msg::Reply {
                    req,
                    res: Res::Refused,
                },
            );
        };
        let me = ctx.id().index();
        if self.cfg.mode == Mode::Ap {
            // AP: answer from the local copy now; replicate afterwards.
            if let Some(v) = w {
                self.clock += 1;
                let stamp = Stamp {
                    counter: self.clock,
                    replica: me as u32,
                };
                reg.write(v, stamp, me, self.cfg.replicas);
                let board = self.board.clone();
                self.to_replicas(ctx, Msg::Sync { board });
            }
            let reg = &self.board[key];
            let res = Res::Ok {
                value: reg.read(),
                stamp: reg.stamp(),
            };
            return ctx.send(client, Msg::Reply { req, res });
        }
        // CP phase 1: ask every replica for its copy; a majority must answer.
        let op = self.next_op;
        self.next_op += 1;
        let mut acks = vec![false; self.cfg.replicas];
        acks[me] = true;
        let best = (reg.stamp(), reg.top());
        self.pending.insert(
            op,
            Pend {
                client,
                req,
                key,
                write: w,
                phase2: false,
                acks,
                best,
            },
        );
        ctx.set_timer(OP_BASE + op, self.cfg.timeout);
        self.to_replicas(ctx, Msg::Get { op, key });
        self.advance(ctx, op);
    }

    /// Moves operation `op` on once its current phase has a quorum.
    fn advance(&mut self, ctx: &mut Ctx<Msg>, op: u64) {
        let me = ctx.id();
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        if p.acks.iter().filter(|a| **a).count() < self.cfg.quorum {
            return;
        }
        if !p.phase2 {
            let (stamp, value) = match (p.write, p.best) {
                // ABD write: a stamp above every stamp a majority has seen.
                (Some(v), (s, _)) => {
                    self.clock = self.clock.max(s.counter) + 1;
                    (
                        Stamp {
                            counter: self.clock,
                            replica: me.0,
                        },
                        v,
                    )
                }
                // ABD read: write back what was found, so later reads cannot see less.
                (None, (s, Some(v))) => (s, v),
                (None, (_, None)) => {
                    let (client, req) = (p.client, p.req);
                    self.pending.remove(&op);
                    ctx.cancel_timer(OP_BASE + op);
                    let res = Res::Ok {
                        value: Value::Nil,
                        stamp: Stamp::default(),
                    };
                    return ctx.send(client, Msg::Reply { req, res });
                }
            };
            p.phase2 = true;
            p.best = (stamp, Some(value));
            p.acks = vec![false; self.cfg.replicas];
            p.acks[me.index()] = true;
            let key = p.key;
            self.board[key].put(value, stamp);
            self.to_replicas(
                ctx,
                Msg::Put {
                    op,
                    key,
                    stamp,
                    value,
                },
            );
            return self.advance(ctx, op);
        }
        let (client, req, (stamp, value)) = (p.client, p.req, p.best);
        self.pending.remove(&op);
        ctx.cancel_timer(OP_BASE + op);
        let value = value.map_or(Value::Nil, Value::Int);
        ctx.send(
            client,
            Msg::Reply {
                req,
                res: Res::Ok { value, stamp },
            },
        );
    }

    fn on_msg(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        let f = from.index();
        match msg {
            Msg::Req { req, key, write } => self.request(ctx, from, *req, *key, *write),
            Msg::Get { op, key } => {
                if let Some(r) = self.board.get(*key) {
                    let value = r.top();
                    ctx.send(
                        from,
                        Msg::GetAck {
                            op: *op,
                            stamp: r.stamp(),
                            value,
                        },
                    );
                }
            }
            Msg::Put {
                op,
                key,
                stamp,
                value,
            } => {
                if let Some(r) = self.board.get_mut(*key) {
                    self.clock = self.clock.max(stamp.counter);
                    r.put(*value, *stamp);
                    ctx.send(from, Msg::PutAck { op: *op });
                }
            }
            Msg::GetAck { op, stamp, value } => {
                if let Some(p) = self.pending.get_mut(op).filter(|p| !p.phase2) {
                    if f < p.acks.len() {
                        p.acks[f] = true;
                        if (*stamp, *value) > p.best {
                            p.best = (*stamp, *value);
                        }
                    }
                    self.advance(ctx, *op);
                }
            }
            Msg::PutAck { op } => {
                if let Some(p) = self.pending.get_mut(op).filter(|p| p.phase2) {
                    if f < p.acks.len() {
                        p.acks[f] = true;
                    }
                    self.advance(ctx, *op);
                }
            }
            Msg::Sync { board } => {
                for (k, (mine, theirs)) in self.board.iter_mut().zip(board).enumerate() {
                    self.clock = self.clock.max(theirs.stamp().counter);
                    for l in mine.merge(theirs, self.cfg.merge) {
                        let winner = mine.read();
                        ctx.note(format!(
                            "lost update: task{k} = {} overwritten by concurrent {winner}",
                            l.value
                        ));
                        if !self.lost.contains(&l.value) {
                            self.lost.push(l.value);
                        }
                    }
                }
            }
            Msg::Reply { .. } => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        if key == SYNC {
            if self.cfg.mode == Mode::Ap {
                let board = self.board.clone();
                self.to_replicas(ctx, Msg::Sync { board });
            }
            return ctx.set_timer(SYNC, self.cfg.sync);
        }
        let op = key.wrapping_sub(OP_BASE);
        if let Some(p) = self.pending.remove(&op) {
            // Phase 1 has no side effects: a definite refusal. Phase 2 may have landed somewhere.
            let res = if p.phase2 { Res::Unknown } else { Res::Refused };
            ctx.note(if p.phase2 {
                "quorum lost mid-write"
            } else {
                "no quorum: refuses"
            });
            ctx.send(p.client, Msg::Reply { req: p.req, res });
        }
    }
}

/// A client's completed operation, for the checker.
#[derive(Clone, Debug, PartialEq)]
pub struct Done {
    pub key: usize,
    pub write: Option<i64>,
    pub invoked: Time,
    pub completed: Time,
    pub outcome: Outcome,
    pub stamp: Stamp,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub home: NodeId,
    pub keys: usize,
    pub think: Time,
    pub timeout: Time,
    seq: u64,
    open: Option<(u64, usize, Option<i64>, Time)>,
    /// Durable counters and the last completed operation (read by the checker).
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
    pub last: Option<Done>,
}

impl Client {
    pub fn new(home: NodeId, keys: usize, think: Time, timeout: Time) -> Client {
        Client {
            home,
            keys,
            think,
            timeout,
            seq: 0,
            open: None,
            ok: 0,
            fail: 0,
            info: 0,
            last: None,
        }
    }
    pub fn done(&self) -> u64 {
        self.ok + self.fail + self.info
    }
    fn schedule(&mut self, ctx: &mut Ctx<Msg>) {
        let t = self.think.0.max(2);
        let after = t / 2 + ctx.rng().below(t);
        ctx.set_timer(NEXT, Time(after));
    }
    fn issue(&mut self, ctx: &mut Ctx<Msg>, key: usize, write: Option<i64>) {
        if self.open.is_some() {
            return;
        }
        self.seq += 1;
        let req = self.seq;
        let (f, input) = match write {
            Some(v) => (OpFn::Write, Value::Int(v)),
            None => (OpFn::Read, Value::Nil),
        };
        ctx.invoke(req, f, format!("task{key}"), input);
        self.open = Some((req, key, write, ctx.now()));
        ctx.send(self.home, Msg::Req { req, key, write });
        ctx.set_timer(CLIENT_TIMEOUT, self.timeout);
    }
    fn finish(&mut self, ctx: &mut Ctx<Msg>, outcome: Outcome, value: Value, stamp: Stamp) {
        let Some((req, key, write, invoked)) = self.open.take() else {
            return;
        };
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Info => self.info += 1,
        }
        let output = if write.is_some() {
            Value::Nil
        } else {
            value.clone()
        };
        ctx.complete(req, outcome, output);
        self.last = Some(Done {
            key,
            write,
            invoked,
            completed: ctx.now(),
            outcome,
            stamp,
            value,
        });
        ctx.cancel_timer(CLIENT_TIMEOUT);
        self.schedule(ctx);
    }
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
        let key = |s: &str| {
            s.trim_start_matches("task")
                .parse::<usize>()
                .ok()
                .filter(|k| *k < c.keys)
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
                    .map(|(k, g)| format!("task{k}={}", g.read()))
                    .collect::<Vec<_>>()
                    .join(" "),
                log: r.lost.iter().map(|v| format!("lost {v}")).collect(),
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
        lost.sort_unstable();
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

#[cfg(test)]
#[path = "cap_tests.rs"]
mod tests;
