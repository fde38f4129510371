//! Heartbeats and a timeout failure detector: the first scenario, and the engine's workout.
//!
//! Every agent sends `Heartbeat` to every peer each `interval`; an agent that has heard nothing
//! from a peer for `timeout` suspects it (Chandra & Toueg 1996: this is an eventually perfect
//! detector ◇P when delays are bounded after some unknown time, and only that — with a timeout
//! shorter than the real delay it wrongly suspects live agents).
//!
//! Durable state: the incarnation number (bumped on every recovery, like SWIM's). Volatile: the
//! table of when each peer was last heard, lost on a crash.

use crate::scenario::params::{self, ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{
    Agent, Ctx, Event, EventKind, Intervention, Message, NodeId, NodeState, Protocol, Role,
    SimConfig, SimError, Simulation, State, Summary, Time, TimerKey, World,
};

const TICK: TimerKey = 1;

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Heartbeat { incarnation: u64 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        "Heartbeat"
    }
}

#[derive(Clone, Debug)]
pub struct Monitor {
    pub interval: Time,
    pub timeout: Time,
    /// Durable: survives crashes.
    pub incarnation: u64,
    /// Volatile: when each peer was last heard (`None`: never).
    pub last_heard: Vec<Option<Time>>,
    /// Volatile: whom this agent suspects now.
    pub suspected: Vec<bool>,
}

impl Monitor {
    pub fn new(n: usize, interval: Time, timeout: Time) -> Monitor {
        Monitor {
            interval,
            timeout,
            incarnation: 0,
            last_heard: vec![None; n],
            suspected: vec![false; n],
        }
    }

    fn check_peers(&mut self, ctx: &mut Ctx<Msg>) {
        let now = ctx.now();
        let me = ctx.id().index();
        for p in 0..self.last_heard.len() {
            if p == me {
                continue;
            }
            let since = self.last_heard[p].unwrap_or(Time::ZERO);
            let late = now - since > self.timeout;
            if late && !self.suspected[p] {
                self.suspected[p] = true;
                ctx.note(format!("suspects {p}"));
            }
        }
    }
}

impl Agent for Monitor {
    type Msg = Msg;

    fn on_start(&mut self, ctx: &mut Ctx<Msg>) {
        ctx.broadcast(Msg::Heartbeat {
            incarnation: self.incarnation,
        });
        ctx.set_timer(TICK, self.interval);
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg>, from: NodeId, _msg: &Msg) {
        let p = from.index();
        if p < self.last_heard.len() {
            self.last_heard[p] = Some(ctx.now());
            if self.suspected[p] {
                self.suspected[p] = false;
                ctx.note(format!("trusts {p} again"));
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg>, _key: TimerKey) {
        self.check_peers(ctx);
        ctx.broadcast(Msg::Heartbeat {
            incarnation: self.incarnation,
        });
        ctx.set_timer(TICK, self.interval);
    }

    fn on_crash(&mut self) {
        let n = self.last_heard.len();
        self.last_heard = vec![None; n];
        self.suspected = vec![false; n];
    }

    fn on_recover(&mut self, ctx: &mut Ctx<Msg>) {
        self.incarnation += 1;
        // Fresh start: give every peer a full timeout before suspecting it.
        let now = ctx.now();
        self.last_heard = vec![Some(now); self.last_heard.len()];
        self.on_start(ctx);
    }

    fn summary(&self) -> Summary {
        let s: Vec<String> = self
            .suspected
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| i.to_string())
            .collect();
        Summary {
            role: Role::Peer,
            epoch: Some(self.incarnation),
            state: if s.is_empty() {
                "trusts all".into()
            } else {
                format!("suspects {}", s.join(","))
            },
            log: vec![],
            suspects: self
                .suspected
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(i, _)| NodeId(i as u32))
                .collect(),
            ..Default::default()
        }
    }
}

/// World-level bookkeeping: false suspicions and detection times.
#[derive(Clone, Debug, Default)]
pub struct Detector {
    pub false_suspicions: u64,
    pub crashed_at: Vec<Option<Time>>,
    pub detections: Vec<f64>,
}

impl Protocol for Detector {
    type Agent = Monitor;

    fn observe(&mut self, e: &Event, nodes: &[NodeState<Monitor>]) {
        if self.crashed_at.len() != nodes.len() {
            self.crashed_at = vec![None; nodes.len()];
        }
        match &e.kind {
            EventKind::Crash => self.crashed_at[e.node.index()] = Some(e.time),
            EventKind::Recover => self.crashed_at[e.node.index()] = None,
            EventKind::Note(text) => {
                if let Some(p) = text
                    .strip_prefix("suspects ")
                    .and_then(|p| p.parse::<usize>().ok())
                {
                    match self.crashed_at.get(p).copied().flatten() {
                        Some(at) => self.detections.push((e.time - at).as_ms_f64()),
                        None => self.false_suspicions += 1,
                    }
                }
            }
            _ => {}
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let mean = if self.detections.is_empty() {
            f64::NAN
        } else {
            self.detections.iter().sum::<f64>() / self.detections.len() as f64
        };
        vec![
            ("false_suspicions".into(), self.false_suspicions as f64),
            ("detections".into(), self.detections.len() as f64),
            ("detection_time_ms".into(), mean),
            (
                "messages_per_second".into(),
                state.stats.sent as f64 / state.now.as_ms_f64().max(1.0) * 1000.0,
            ),
        ]
    }

    fn set_param(
        &mut self,
        key: &str,
        value: &str,
        nodes: &mut [NodeState<Monitor>],
    ) -> Result<bool, String> {
        let t = crate::sim::time::parse_duration(value).map_err(|e| e.0)?;
        if t == Time::ZERO {
            return Err("must be positive".into());
        }
        match key {
            "interval" => nodes.iter_mut().for_each(|n| n.agent.interval = t),
            "timeout" => nodes.iter_mut().for_each(|n| n.agent.timeout = t),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

const PARAMS: &[ParamSpec] = &[
    // All-to-all heartbeats cost n² messages per interval: 200 agents is plenty to see it.
    params::nodes(1, 200, "5"),
    ParamSpec {
        key: "interval",
        label: "Heartbeat interval",
        help: "how often each agent says it is alive",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "100ms",
    },
    ParamSpec {
        key: "timeout",
        label: "Suspicion timeout",
        help: "silence after which a peer is suspected",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(600),
        },
        default: "300ms",
    },
];

fn build(
    p: &Params,
    config: SimConfig,
    ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    let (interval, timeout) = (p.duration("interval"), p.duration("timeout"));
    let w = World::new(
        config,
        Detector::default(),
        |_, n| Monitor::new(n, interval, timeout),
        ivs,
    )?;
    Ok(Box::new(w))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "heartbeat",
    title: "Heartbeats and failure detectors",
    group: Group::FailureHandling,
    tagline: "Agents ping each other to learn who is still alive — and sometimes guess wrong.",
    agents: 5,
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

/// The engine's load test: `n` agents heart-beating every millisecond over sub-millisecond links,
/// trace recording on or off. Used by `benches/engine.rs` (native) and `tests/web_bench.rs`
/// (the same loop in wasm, timed in headless Chromium).
pub fn load_world(n: usize, seed: u64, record: bool) -> Result<World<Detector>, SimError> {
    let config = SimConfig {
        n,
        seed,
        link: crate::sim::network::LinkConfig {
            latency: crate::sim::Dist::Uniform(0.1, 1.0),
            loss: 0.01,
            duplicate: 0.0,
        },
        trace: crate::sim::TraceConfig {
            record,
            ..Default::default()
        },
        ..SimConfig::default()
    };
    World::new(
        config,
        Detector::default(),
        |_, n| Monitor::new(n, Time::ms(1), Time::ms(50)),
        vec![],
    )
}

/// Steps `world` until `events` more events have been processed; returns how many were.
pub fn churn(world: &mut World<Detector>, events: u64) -> u64 {
    let start = world.state().stats.events;
    while world.state().stats.events - start < events {
        if !world.step() {
            break;
        }
    }
    world.state().stats.events - start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Action, Status, TraceConfig};

    fn frame_after(ivs: Vec<Intervention>, t: Time) -> crate::sim::Frame {
        let mut sim = SCENARIO
            .instantiate(&Default::default(), 3, ivs, TraceConfig::default())
            .expect("builds");
        sim.run_until(t, u64::MAX);
        sim.frame_at(t)
    }

    fn suspects(f: &crate::sim::Frame, who: u32) -> Vec<NodeId> {
        f.nodes[who as usize].summary.suspects.clone()
    }

    #[test]
    fn the_summary_lists_whom_the_detector_suspects() {
        // Nobody is suspected in a calm run.
        let f = frame_after(vec![], Time::secs(1));
        assert!(f.nodes.iter().all(|n| n.summary.suspects.is_empty()));
        // A crash: every live agent suspects it within about one timeout.
        let crash = Intervention {
            at: Time::ms(500),
            action: Action::Crash(NodeId(2)),
        };
        let f = frame_after(vec![crash], Time::ms(1200));
        assert_eq!(f.nodes[2].status, Status::Crashed);
        for i in [0, 1, 3, 4] {
            assert_eq!(suspects(&f, i), vec![NodeId(2)], "agent {i}");
        }
    }

    #[test]
    fn a_cut_link_makes_both_ends_suspect_each_other_falsely() {
        let cut = Intervention {
            at: Time::ms(500),
            action: Action::Cut(NodeId(1), NodeId(3)),
        };
        let f = frame_after(vec![cut], Time::ms(1200));
        assert!(f.nodes.iter().all(|n| n.status == Status::Up));
        assert_eq!(suspects(&f, 1), vec![NodeId(3)]);
        assert_eq!(suspects(&f, 3), vec![NodeId(1)]);
        assert!(suspects(&f, 0).is_empty());
    }
}
