//! Causal delivery: an agents' chat where nobody should see an answer before its question.
//!
//! Every agent posts to everyone: new questions, and answers to messages it has already seen.
//! Copies travel with independent random delays, so they overtake each other. How a receiver
//! *delivers* (shows) what it received is the parameter `delivery`:
//!
//! - `none`: on receipt (plain gossip) — an answer can be shown before its question;
//! - `fifo`: per-sender order (a sequence number per sender) — one agent's posts stay in order,
//!   but an answer from Bob can still overtake Alice's question;
//! - `causal`: CBCAST (Birman, Schiper & Stephenson, "Lightweight Causal and Atomic Group
//!   Multicast", ACM TOCS 1991): each post carries the sender's vector clock `V` (posts of each
//!   agent it had delivered, its own included); agent `i` delivers a post from `j` once
//!   `V[j] = VCᵢ[j] + 1` and `V[k] ≤ VCᵢ[k]` for every `k ≠ j`, and holds it back until then.
//!   The protocol carries its own clock in the message, independent of the engine's.
//!
//! The history makes the chat a key-value store, one key per post: posting is a write of the
//! post's key; delivering is a read of it, and, for an answer, a read of its question's key (nil
//! if the question has not been shown yet). "Answer before question" is then exactly the bad
//! pattern **WriteCOInitRead** of Bouajjani, Enea, Guerraoui & Hamza ("On Verifying Causal
//! Consistency", POPL 2017): `w(q) → r(q) → w(a) → r(a) → r(q) = nil`. The live causal checker
//! (metric `causal_ok`) and the per-agent invariant "no answer before its question" both flag it.

use crate::sim::vecmap::VecMap;
use crate::sim::{
    Agent, Breach, Ctx, Message, NodeId, NodeState, OpFn, Outcome, Protocol, Role, State, Summary,
    Time, TimerKey, Value,
};

pub use super::causal_scenario::{BUILDER, CARD, SCENARIO};

const POST: TimerKey = 1;

/// How received posts are delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    None,
    Fifo,
    Causal,
}

impl Delivery {
    pub fn from_name(s: &str) -> Option<Delivery> {
        match s {
            "none" => Some(Delivery::None),
            "fifo" => Some(Delivery::Fifo),
            "causal" => Some(Delivery::Causal),
            _ => None,
        }
    }
}

/// A post's identity: (author, the author's post number from 1).
pub type PostId = (u32, u64);

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Post {
        id: PostId,
        reply_to: Option<PostId>,
        /// The author's vector clock when posting (CBCAST's timestamp).
        vc: Vec<u64>,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        "Post"
    }
}

/// Settings shared by all agents.
#[derive(Clone, Copy, Debug)]
pub struct Cfg {
    pub delivery: Delivery,
    /// Mean extra delay of each copy (uniform in `0..=2·lag`).
    pub lag: Time,
    /// Mean time between an agent's posts.
    pub every: Time,
    /// Chance that a post answers the latest post the agent has seen.
    pub answer: f64,
}

#[derive(Clone, Debug)]
pub struct Peer {
    cfg: Cfg,
    /// Posts delivered per author (own included): the CBCAST vector clock.
    pub vc: Vec<u64>,
    delivered: VecMap<PostId, ()>,
    held: Vec<(PostId, Option<PostId>, Vec<u64>)>,
    latest_seen: Option<PostId>,
    req: u64,
    /// Answers shown before their question.
    pub orphans: u64,
}

/// The history key of a post.
pub fn key(id: PostId) -> String {
    format!("m{}.{}", id.0, id.1)
}

impl Peer {
    pub fn new(cfg: Cfg, n: usize) -> Peer {
        Peer {
            cfg,
            vc: vec![0; n],
            delivered: VecMap::new(),
            held: Vec::new(),
            latest_seen: None,
            req: 0,
            orphans: 0,
        }
    }

    fn record(&mut self, ctx: &mut Ctx<Msg>, f: OpFn, id: PostId, output: Value) {
        self.req += 1;
        let input = if f == OpFn::Write {
            Value::Int(1)
        } else {
            Value::Nil
        };
        ctx.invoke(self.req, f, key(id), input);
        ctx.complete(self.req, Outcome::Ok, output);
    }

    fn post(&mut self, ctx: &mut Ctx<Msg>) {
        let me = ctx.id();
        let Some(mine) = self.vc.get_mut(me.index()) else {
            return;
        };
        *mine += 1;
        let id = (me.0, *mine);
        let answer = ctx.rng().chance(self.cfg.answer);
        let reply_to = if answer { self.latest_seen } else { None };
        self.delivered.insert(id, ());
        self.record(ctx, OpFn::Write, id, Value::Nil);
        let lag = self.cfg.lag.0;
        for p in ctx.peers().collect::<Vec<_>>() {
            let delay = Time(ctx.rng().range_inclusive(0, 2 * lag));
            let vc = self.vc.clone();
            ctx.send_after(p, Msg::Post { id, reply_to, vc }, delay);
        }
        match reply_to {
            Some(q) => ctx.note(format!("answers {}", key(q))),
            None => ctx.note("asks"),
        }
    }

    fn deliverable(&self, id: PostId, vc: &[u64]) -> bool {
        let s = id.0 as usize;
        let next = self.vc.get(s).map_or(0, |v| v + 1);
        match self.cfg.delivery {
            Delivery::None => true,
            Delivery::Fifo => id.1 == next,
            Delivery::Causal => {
                id.1 == next
                    && vc
                        .iter()
                        .zip(&self.vc)
                        .enumerate()
                        .all(|(k, (m, mine))| k == s || m <= mine)
            }
        }
    }

    fn deliver(&mut self, ctx: &mut Ctx<Msg>, id: PostId, reply_to: Option<PostId>) {
        if let Some(v) = self.vc.get_mut(id.0 as usize) {
            *v = (*v).max(id.1);
        }
        self.delivered.insert(id, ());
        self.latest_seen = Some(id);
        self.record(ctx, OpFn::Read, id, Value::Int(1));
        if let Some(q) = reply_to {
            if self.delivered.contains_key(&q) {
                self.record(ctx, OpFn::Read, q, Value::Int(1));
            } else {
                self.orphans += 1;
                self.record(ctx, OpFn::Read, q, Value::Nil);
                ctx.note(format!("sees the answer {} before its question", key(id)));
            }
        }
    }

    fn receive(&mut self, ctx: &mut Ctx<Msg>, id: PostId, reply_to: Option<PostId>, vc: &[u64]) {
        if self.delivered.contains_key(&id) || self.held.iter().any(|h| h.0 == id) {
            return; // a duplicate
        }
        self.held.push((id, reply_to, vc.to_vec()));
        // Deliver everything that has become deliverable, in arrival order, until stable.
        while let Some(i) = self.held.iter().position(|h| self.deliverable(h.0, &h.2)) {
            let (id, reply_to, _) = self.held.remove(i);
            self.deliver(ctx, id, reply_to);
        }
    }
}

impl Agent for Peer {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        let first = ctx.rng().range_inclusive(1, self.cfg.every.0.max(2));
        ctx.set_timer(POST, Time(first));
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, _from: NodeId, msg: &Msg) {
        let Msg::Post { id, reply_to, vc } = msg;
        self.receive(ctx, *id, *reply_to, vc);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, _key: TimerKey) {
        self.post(ctx);
        let e = self.cfg.every.0.max(1);
        let pause = ctx.rng().range_inclusive(e / 2, e + e / 2).max(1);
        ctx.set_timer(POST, Time(pause));
    }

    fn summary(&self) -> Summary {
        Summary {
            role: Role::Peer,
            epoch: None,
            state: format!("VC {:?}, {} held back", self.vc, self.held.len()),
            log: self
                .delivered
                .keys()
                .rev()
                .take(6)
                .map(|&i| key(i))
                .collect(),
            ..Default::default()
        }
    }
}

/// World-level view: the invariant and the metrics.
#[derive(Clone, Debug, Default)]
pub struct Chat {
    orphans_seen: u64,
}

/// The live checker's verdict this scenario reports as a metric (`scenario::checked`; the
/// explorer's Guarantees panel computes it in the Web Worker).
pub const CHECKED: &[(&str, &str)] = &[("causal_ok", "causal")];

impl Protocol for Chat {
    type Agent = Peer;

    fn invariants(&self) -> &'static [&'static str] {
        &["no answer before its question"]
    }

    fn check(&mut self, _now: Time, nodes: &[NodeState<Peer>], out: &mut Vec<Breach>) {
        let total: u64 = nodes.iter().map(|n| n.agent.orphans).sum();
        if total > self.orphans_seen {
            self.orphans_seen = total;
            let who = (0..nodes.len() as u32).map(NodeId);
            out.push(Breach {
                invariant: 0,
                message: "an agent was shown an answer before its question".into(),
                nodes: who.filter(|i| nodes[i.index()].agent.orphans > 0).collect(),
            });
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let orphans: u64 = state.nodes.iter().map(|n| n.agent.orphans).sum();
        let held: usize = state.nodes.iter().map(|n| n.agent.held.len()).sum();
        let posts: u64 = state
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| n.agent.vc.get(i).copied().unwrap_or(0))
            .sum();
        vec![
            ("answers_before_question".into(), orphans as f64),
            (
                "answer_before_question".into(),
                f64::from(u8::from(orphans > 0)),
            ),
            ("held_back".into(), held as f64),
            ("posts".into(), posts as f64),
        ]
    }
}
