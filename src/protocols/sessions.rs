//! Session guarantees: an agent bouncing between lazily replicated copies of a shared notebook.
//!
//! Each client agent owns one note (key `x<j>`, only it writes there) and reads its own note and
//! the others'. Replicas apply a write at once, acknowledge it, and pass it on to the other
//! replicas lazily (after a random delay, so copies lag and overtake each other). The writer
//! numbers its own writes, so every replica applies a note's versions in order ("newer wins").
//!
//! With `session=none` a client sends every request to a random replica: it can write a note at
//! one replica and read the old text back from another (a **read-your-writes** violation), or
//! read a newer note and then an older one (a **monotonic-reads** violation). The two classic
//! fixes from Bayou (Terry, Demers, Petersen, Spreitzer, Theimer, Welch, "Session Guarantees for
//! Weakly Consistent Replicated Data", PDIS 1994):
//!
//! - `sticky`: the session always talks to the same replica (whose versions only grow);
//! - `version-token`: the session carries, per key, the highest version it has written or read
//!   (Bayou's read-set/write-set vectors, reduced to one number per single-writer key); a replica
//!   that is behind holds the read until replication catches up.
//!
//! The checkers of `check::session` run on the recorded history: in the CLI's `run` and `sweep`
//! the metrics `ryw_ok`, `monotonic_reads_ok`, `monotonic_writes_ok`, `writes_follow_reads_ok`,
//! `causal_ok` and `linearizable` ([`CHECKED`], added by `scenario::checked`) are 1 when the run
//! kept the guarantee, 0 when it broke it; the explorer's Guarantees panel runs the same
//! checkers in its Web Worker.

use crate::sim::{
    Agent, Ctx, History, Message, NodeId, OpFn, Outcome, Protocol, Role, State, Summary, Time,
    TimerKey, Value,
};

pub use super::sessions_scenario::{BUILDER, CARD, SCENARIO};

const THINK: TimerKey = 1;
const TIMEOUT: TimerKey = 2;

/// How a client picks its replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Session {
    /// A random replica per request: no session guarantee.
    None,
    /// Always the home replica.
    Sticky,
    /// A random replica, but reads carry the session's version token.
    VersionToken,
}

impl Session {
    pub fn from_name(s: &str) -> Option<Session> {
        match s {
            "none" => Some(Session::None),
            "sticky" => Some(Session::Sticky),
            "version-token" => Some(Session::VersionToken),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Write {
        req: u64,
        key: usize,
        version: u64,
        value: i64,
    },
    WriteAck {
        req: u64,
    },
    /// Read `key`; answer only with version ≥ `min` (0: any).
    Read {
        req: u64,
        key: usize,
        min: u64,
    },
    ReadReply {
        req: u64,
        version: u64,
        value: Option<i64>,
    },
    /// Lazy replication of one note's version.
    Replicate {
        key: usize,
        version: u64,
        value: i64,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Write { .. } => "Write",
            Msg::WriteAck { .. } => "WriteAck",
            Msg::Read { .. } => "Read",
            Msg::ReadReply { .. } => "ReadReply",
            Msg::Replicate { .. } => "Replicate",
        }
    }
}

/// Settings shared by all agents.
#[derive(Clone, Copy, Debug)]
pub struct Cfg {
    pub replicas: usize,
    pub clients: usize,
    pub session: Session,
    /// Mean lazy-replication delay (each copy waits uniformly in `0..=2·lag`).
    pub lag: Time,
    pub think: Time,
    pub timeout: Time,
}

/// A replica: one (version, value) per note, and reads waiting for a version.
#[derive(Clone, Debug)]
pub struct Replica {
    cfg: Cfg,
    store: Vec<(u64, Option<i64>)>,
    waiting: Vec<(NodeId, u64, usize, u64)>,
}

impl Replica {
    pub fn new(cfg: Cfg) -> Replica {
        Replica {
            cfg,
            store: vec![(0, None); cfg.clients],
            waiting: Vec::new(),
        }
    }

    fn apply(&mut self, ctx: &mut Ctx<Msg>, key: usize, version: u64, value: i64) {
        let Some(slot) = self.store.get_mut(key) else {
            return;
        };
        if version > slot.0 {
            *slot = (version, Some(value));
        }
        let store = &self.store;
        let mut ready = Vec::new();
        self.waiting.retain(|&(from, req, k, min)| {
            let ok = k == key && store[k].0 >= min;
            if ok {
                ready.push((from, req, k));
            }
            !ok
        });
        for (from, req, k) in ready {
            let (version, value) = self.store[k];
            ctx.send(
                from,
                Msg::ReadReply {
                    req,
                    version,
                    value,
                },
            );
        }
    }
}

/// A client session: writes its own note, reads notes, one request at a time.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: Cfg,
    /// This client's note.
    key: usize,
    home: NodeId,
    seq: u64,
    req: u64,
    open: bool,
    /// Highest version written or read per note (the version token).
    token: Vec<u64>,
    /// The version the open request is about (a write's own version).
    pending_version: u64,
    pending_key: usize,
}

impl Client {
    pub fn new(cfg: Cfg, key: usize) -> Client {
        Client {
            cfg,
            key,
            home: NodeId((key % cfg.replicas.max(1)) as u32),
            seq: 0,
            req: 0,
            open: false,
            token: vec![0; cfg.clients],
            pending_version: 0,
            pending_key: 0,
        }
    }

    fn next_request(&mut self, ctx: &mut Ctx<Msg>) {
        self.req += 1;
        self.open = true;
        let to = match self.cfg.session {
            Session::Sticky => self.home,
            _ => NodeId(ctx.rng().below(self.cfg.replicas as u64) as u32),
        };
        let dice = ctx.rng().below(10);
        let req = self.req;
        if dice < 4 {
            self.seq += 1;
            let value = (self.key as i64 + 1) * 1_000_000 + self.seq as i64;
            self.pending_key = self.key;
            self.pending_version = self.seq;
            ctx.invoke(req, OpFn::Write, key_name(self.key), Value::Int(value));
            let (key, version) = (self.key, self.seq);
            ctx.send(
                to,
                Msg::Write {
                    req,
                    key,
                    version,
                    value,
                },
            );
        } else {
            let key = if dice < 8 {
                self.key
            } else {
                ctx.rng().below(self.cfg.clients as u64) as usize
            };
            self.pending_key = key;
            let min = match self.cfg.session {
                Session::VersionToken => self.token[key],
                _ => 0,
            };
            ctx.invoke(req, OpFn::Read, key_name(key), Value::Nil);
            ctx.send(to, Msg::Read { req, key, min });
        }
        ctx.set_timer(TIMEOUT, self.cfg.timeout);
    }

    fn finish(&mut self, ctx: &mut Ctx<Msg>, outcome: Outcome, output: Value) {
        self.open = false;
        ctx.complete(self.req, outcome, output);
        ctx.cancel_timer(TIMEOUT);
        let think = self.cfg.think.0.max(1);
        let pause = ctx.rng().range_inclusive(think / 2, think + think / 2);
        ctx.set_timer(THINK, Time(pause));
    }
}

/// The key name of note `j` in the history.
pub fn key_name(j: usize) -> String {
    format!("x{j}")
}

#[derive(Clone, Debug)]
pub enum Node {
    Replica(Replica),
    Client(Client),
}

impl Agent for Node {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        if let Node::Client(c) = self {
            let first = ctx.rng().range_inclusive(1, c.cfg.think.0.max(2));
            ctx.set_timer(THINK, Time(first));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, msg: &Msg) {
        match (self, msg) {
            (
                Node::Replica(r),
                Msg::Write {
                    req,
                    key,
                    version,
                    value,
                },
            ) => {
                r.apply(ctx, *key, *version, *value);
                ctx.send(from, Msg::WriteAck { req: *req });
                let lag = r.cfg.lag.0;
                for p in 0..r.cfg.replicas as u32 {
                    if p != ctx.id().0 {
                        let delay = Time(ctx.rng().range_inclusive(0, 2 * lag));
                        let m = Msg::Replicate {
                            key: *key,
                            version: *version,
                            value: *value,
                        };
                        ctx.send_after(NodeId(p), m, delay);
                    }
                }
            }
            (
                Node::Replica(r),
                Msg::Replicate {
                    key,
                    version,
                    value,
                },
            ) => {
                r.apply(ctx, *key, *version, *value);
            }
            (Node::Replica(r), Msg::Read { req, key, min }) => match r.store.get(*key) {
                Some(&(version, value)) if version >= *min => {
                    ctx.send(
                        from,
                        Msg::ReadReply {
                            req: *req,
                            version,
                            value,
                        },
                    );
                }
                Some(_) => r.waiting.push((from, *req, *key, *min)),
                None => {}
            },
            (Node::Client(c), Msg::WriteAck { req }) if c.open && *req == c.req => {
                let k = c.pending_key;
                c.token[k] = c.token[k].max(c.pending_version);
                c.finish(ctx, Outcome::Ok, Value::Nil);
            }
            (
                Node::Client(c),
                Msg::ReadReply {
                    req,
                    version,
                    value,
                },
            ) if c.open && *req == c.req => {
                let k = c.pending_key;
                c.token[k] = c.token[k].max(*version);
                let out = value.map(Value::Int).unwrap_or(Value::Nil);
                c.finish(ctx, Outcome::Ok, out);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        let Node::Client(c) = self else { return };
        match key {
            THINK if !c.open => c.next_request(ctx),
            // No answer: the write may or may not have happened; a read observed nothing.
            TIMEOUT if c.open => c.finish(ctx, Outcome::Info, Value::Nil),
            _ => {}
        }
    }

    fn summary(&self) -> Summary {
        match self {
            Node::Replica(r) => Summary {
                role: Role::Replica,
                epoch: None,
                state: format!("{} waiting reads", r.waiting.len()),
                log: r
                    .store
                    .iter()
                    .enumerate()
                    .map(|(k, (v, x))| match x {
                        Some(x) => format!("x{k} v{v} = {x}"),
                        None => format!("x{k} empty"),
                    })
                    .collect(),
                ..Default::default()
            },
            Node::Client(c) => Summary {
                role: Role::Client,
                epoch: None,
                state: format!("token {:?}", c.token),
                log: Vec::new(),
                ..Default::default()
            },
        }
    }
}

/// The metrics the live checkers give this scenario.
pub const CHECKED: &[(&str, &str)] = &[
    ("ryw_ok", "ryw"),
    ("monotonic_reads_ok", "monotonic-reads"),
    ("monotonic_writes_ok", "monotonic-writes"),
    ("writes_follow_reads_ok", "writes-follow-reads"),
    ("causal_ok", "causal"),
    ("linearizable", "linearizability"),
];

/// World-level view: counts and the live checkers' verdicts.
#[derive(Clone, Debug, Default)]
pub struct Lab;

impl Protocol for Lab {
    type Agent = Node;

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let waiting: usize = state
            .nodes
            .iter()
            .map(|n| match &n.agent {
                Node::Replica(r) => r.waiting.len(),
                Node::Client(_) => 0,
            })
            .sum();
        vec![("reads_waiting".into(), waiting as f64)]
    }

    fn history_metrics(&self, history: &History) -> Vec<(String, f64)> {
        let done = history.ops.iter().filter(|o| o.outcome == Outcome::Ok);
        vec![("ops_ok".into(), done.count() as f64)]
    }
}
