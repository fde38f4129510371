//! The Two Generals' problem (Akkoyunlu, Ekanadham & Huber 1975; named by Gray 1978): two
//! agents must both take an irreversible action or neither, talking only through messengers a
//! lossy channel may eat. No finite protocol solves it.
//!
//! The protocol here is the obvious one, parameterised by how many acknowledgements it insists
//! on. With `rounds = R` it is a chain of `R + 1` messages m₀ … m_R: m₀ (the order, "deploy at
//! the deadline") goes from general 0 to general 1, and each mₖ₊₁ acknowledges mₖ, in the other
//! direction. At the deadline each general deploys iff it holds every message of the chain
//! addressed to it.
//!
//! ```text
//!   g0 ──m0 order──► g1
//!   g0 ◄──m1 ack──── g1
//!   g0 ──m2 ack────► g1     … the sender of m_R can never learn whether it arrived
//! ```
//!
//! Why it fails, the classic argument: take a run in which both deploy and remove its last
//! delivered message. The sender's view is unchanged (it still deploys); only the receiver's
//! view changes. Repeating this drives every finite protocol to a run where one deploys alone —
//! or to one where nobody ever deploys. Here: if the chain stalls at mₖ with k < R, neither
//! general holds all its messages and both stand down (coordinated); if it stalls exactly at
//! m_R, the sender of m_R deploys and the receiver does not. So with loss p and no
//! retransmission, P(disagreement) = (1 − p)^R · p: more rounds make it rarer, never zero.
//!
//! `retry` makes each sender repeat its latest message until the next one arrives (the
//! messengers of the story); the last one is repeated until the deadline. It shrinks the risk
//! and, again, cannot remove it.

use crate::scenario::params::{ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{
    Agent, Breach, Ctx, Intervention, Message, NodeId, NodeState, Protocol, Role, SimConfig,
    SimError, Simulation, State, Summary, Time, TimerKey, World,
};

const DEADLINE: TimerKey = 1;
const RETRY: TimerKey = 2;

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Message `step` of the chain (0 = the order, k ≥ 1 = the k-th acknowledgement).
    Messenger { step: u32 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Messenger { step: 0 } => "Order",
            Msg::Messenger { .. } => "Ack",
        }
    }
}

/// What a general did at the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Deploy,
    StandDown,
}

#[derive(Clone, Debug)]
pub struct General {
    pub me: u32,
    /// The chain has `rounds + 1` messages.
    pub rounds: u32,
    pub deadline: Time,
    pub retry: Option<Time>,
    /// Highest step of the chain received (None: nothing yet).
    pub received: Option<u32>,
    /// Highest step sent.
    pub sent: Option<u32>,
    pub decision: Option<Decision>,
    /// Broken variant for tests: general 1 deploys at the deadline even without the order.
    pub reckless: bool,
}

impl General {
    pub fn new(me: u32, rounds: u32, deadline: Time, retry: Option<Time>) -> General {
        General {
            me,
            rounds,
            deadline,
            retry,
            received: None,
            sent: None,
            decision: None,
            reckless: false,
        }
    }

    /// Steps addressed to me: general 1 receives the even steps, general 0 the odd ones.
    fn mine(&self, step: u32) -> bool {
        step % 2 == if self.me == 1 { 0 } else { 1 }
    }

    /// The last step of the chain addressed to me, if any.
    fn last_mine(&self) -> Option<u32> {
        (0..=self.rounds).rev().find(|s| self.mine(*s))
    }

    /// Whether I hold every message of the chain addressed to me (the deploy rule).
    pub fn complete(&self) -> bool {
        match self.last_mine() {
            None => true,
            Some(last) => self.received.is_some_and(|r| r >= last),
        }
    }

    /// "Sure": I know the other general will deploy too — only the receiver of the last message
    /// can know that; everyone else is waiting for news that may never come.
    pub fn sure(&self) -> bool {
        self.received == Some(self.rounds)
    }

    fn send_step(&mut self, ctx: &mut Ctx<Msg>, step: u32) {
        self.sent = Some(step);
        ctx.send(NodeId(1 - self.me), Msg::Messenger { step });
        if let Some(r) = self.retry {
            ctx.set_timer(RETRY, r);
        }
    }
}

impl Agent for General {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        ctx.set_timer(DEADLINE, self.deadline);
        if self.me == 0 {
            ctx.note("decides to deploy; sends the order");
            self.send_step(ctx, 0);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, _from: NodeId, msg: &Msg) {
        let Msg::Messenger { step } = *msg;
        if self.decision.is_some() || !self.mine(step) || step > self.rounds {
            return;
        }
        if self.received.is_some_and(|r| r >= step) {
            // A retransmitted copy: our answer may have been lost, answer again.
            if let Some(s) = self.sent.filter(|s| *s == step + 1) {
                ctx.send(NodeId(1 - self.me), Msg::Messenger { step: s });
            }
            return;
        }
        self.received = Some(step);
        ctx.cancel_timer(RETRY);
        if step < self.rounds {
            self.send_step(ctx, step + 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, key: TimerKey) {
        if self.decision.is_some() {
            return;
        }
        match key {
            DEADLINE => {
                ctx.cancel_timer(RETRY);
                let deploy = self.complete() || (self.reckless && self.me == 1);
                self.decision = Some(if deploy {
                    Decision::Deploy
                } else {
                    Decision::StandDown
                });
                ctx.note(if deploy { "deploys" } else { "stands down" });
            }
            _ => {
                if let Some(s) = self.sent {
                    self.send_step(ctx, s);
                }
            }
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<Msg>) {
        // Everything is durable; the deadline is absolute, so re-arm what is left of it.
        if self.decision.is_none() {
            let left = if ctx.now() < self.deadline {
                self.deadline - ctx.now()
            } else {
                Time::ZERO
            };
            ctx.set_timer(DEADLINE, left);
            if let (Some(_), Some(r)) = (self.sent, self.retry) {
                ctx.set_timer(RETRY, r);
            }
        }
    }

    fn summary(&self) -> Summary {
        let got = self.received.map_or("nothing".into(), |r| format!("m{r}"));
        let state = match self.decision {
            Some(Decision::Deploy) => "deployed".to_string(),
            Some(Decision::StandDown) => "stood down".to_string(),
            None => format!(
                "{} (got {got})",
                if self.sure() { "sure" } else { "unsure" }
            ),
        };
        Summary {
            role: if self.me == 0 {
                Role::Coordinator
            } else {
                Role::Peer
            },
            epoch: None,
            state,
            log: self
                .sent
                .map(|s| vec![format!("sent m{s}")])
                .unwrap_or_default(),
            ..Default::default()
        }
    }
}

/// World-level view: did they coordinate?
#[derive(Clone, Debug, Default)]
pub struct Generals;

fn decisions(nodes: &[NodeState<General>]) -> Option<(Decision, Decision)> {
    Some((
        nodes.first()?.agent.decision?,
        nodes.get(1)?.agent.decision?,
    ))
}

impl Protocol for Generals {
    type Agent = General;

    fn invariants(&self) -> &'static [&'static str] {
        &[
            // The lesson: this one is EXPECTED to go red under loss. It is shown, not fixed.
            "never one deploys alone (no finite protocol can guarantee this)",
            "a general deploys only if the order was given and reached it",
        ]
    }

    fn check(&mut self, _now: Time, nodes: &[NodeState<General>], out: &mut Vec<Breach>) {
        if let Some((a, b)) = decisions(nodes) {
            if a != b {
                let alone = if a == Decision::Deploy { 0 } else { 1 };
                out.push(Breach {
                    invariant: 0,
                    message: format!("general {alone} deployed alone"),
                    nodes: vec![NodeId(alone)],
                });
            }
        }
        if let Some(g1) = nodes.get(1) {
            if g1.agent.decision == Some(Decision::Deploy) && g1.agent.received.is_none() {
                out.push(Breach {
                    invariant: 1,
                    message: "general 1 deployed without ever receiving the order".into(),
                    nodes: vec![NodeId(1)],
                });
            }
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let d = decisions(&state.nodes);
        let bit = |f: fn(Decision, Decision) -> bool| match d {
            Some((a, b)) => f(a, b) as u8 as f64,
            None => f64::NAN,
        };
        vec![
            ("coordinated".into(), bit(|a, b| a == b)),
            ("disagreement".into(), bit(|a, b| a != b)),
            (
                "both_deployed".into(),
                bit(|a, b| a == Decision::Deploy && b == Decision::Deploy),
            ),
            (
                "neither_deployed".into(),
                bit(|a, b| a == Decision::StandDown && b == Decision::StandDown),
            ),
            ("messages".into(), state.stats.sent as f64),
        ]
    }

    fn done(&self, state: &State<Self>) -> bool {
        decisions(&state.nodes).is_some()
    }
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "rounds",
        label: "Acknowledgements",
        help: "how many acknowledgements the protocol insists on after the order (the chain has rounds + 1 messages)",
        kind: ParamKind::Int { min: 0, max: 50 },
        default: "1",
    },
    ParamSpec {
        key: "deadline",
        label: "Deadline",
        help: "when both generals must decide, deploy or stand down",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(600),
        },
        default: "1s",
    },
    ParamSpec {
        key: "retry",
        label: "Resend every",
        help: "repeat the latest messenger until the next one arrives (off: each messenger goes once)",
        kind: ParamKind::OptDuration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "off",
    },
    ParamSpec {
        key: "loss",
        label: "Message loss",
        help: "probability that a messenger is captured",
        kind: ParamKind::Probability,
        default: "10%",
    },
];

fn build(
    p: &Params,
    mut config: SimConfig,
    ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    config.n = 2;
    let rounds = p.int("rounds").clamp(0, 50) as u32;
    let (deadline, retry) = (p.duration("deadline"), p.opt_duration("retry"));
    let w = World::new(
        config,
        Generals,
        |id, _| General::new(id.0, rounds, deadline, retry),
        ivs,
    )?;
    Ok(Box::new(w))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "two-generals",
    title: "Two Generals",
    group: Group::FundamentalTheorems,
    tagline: "Two agents must both deploy or neither — over a channel that loses messages.",
    agents: 2,
};

pub static SCENARIO: ScenarioDef = ScenarioDef {
    params: PARAMS,
    engine_params: true,
    default_until: Time::secs(2),
    ..ScenarioDef::of(CARD)
};

/// How to build a run of it: an entry of [`crate::scenario::BUILDERS`], linked into a browser
/// build only if that build installs it (see `crate::scenario::install`).
pub const BUILDER: crate::scenario::Builder = crate::scenario::Builder {
    def: &SCENARIO,
    build,
};

#[cfg(test)]
#[path = "two_generals_tests.rs"]
mod tests;
