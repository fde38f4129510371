//! The `bully` catalogue entry: the world-level checks and metrics, parameters, and the build.
//!
//! Invariant: the bully rule itself — no live agent obeys a coordinator ranked below it
//! (Garcia-Molina 1982). What the algorithm does *not* promise without synchrony, a single
//! coordinator, is measured instead (`two_coordinators_ms`), so the viewer can watch it fail.

use super::{BullyAgent, Timing, Variant};
use crate::scenario::params::{self, ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{
    Action, Breach, Event, EventKind, Intervention, NodeId, NodeState, Protocol, Purpose,
    SimConfig, SimError, SimRng, Simulation, State, Status, Time, World,
};

/// Index of the rank-order invariant.
pub const RANK_ORDER: usize = 0;

const MAX_NODES: i64 = 101;

#[derive(Clone, Debug, Default)]
pub struct BullyObserver {
    pub expect_crash: bool,
    /// The coordinator as of the last check: the highest live agent that leads itself.
    current: Option<NodeId>,
    outage: Option<Time>,
    outages_ms: Vec<f64>,
    coordinator_crashes: u64,
    two_since: Option<Time>,
    two_total: Time,
    /// Agents already reported obeying a lower coordinator (reported once per episode).
    reported: Vec<bool>,
}

impl BullyObserver {
    fn everyone_follows(nodes: &[NodeState<BullyAgent>], c: NodeId) -> bool {
        nodes
            .iter()
            .all(|n| n.status != Status::Up || n.agent.leader == Some(c) && !n.agent.electing)
    }
}

impl Protocol for BullyObserver {
    type Agent = BullyAgent;

    fn invariants(&self) -> &'static [&'static str] {
        &["Rank order: no agent obeys a coordinator ranked below itself (the bully rule)"]
    }

    fn check(&mut self, now: Time, nodes: &[NodeState<BullyAgent>], out: &mut Vec<Breach>) {
        if self.reported.len() != nodes.len() {
            self.reported = vec![false; nodes.len()];
        }
        let mut coordinators = 0;
        let mut current = None;
        for (i, n) in nodes.iter().enumerate() {
            if n.status == Status::Crashed {
                continue;
            }
            let a = &n.agent;
            if a.is_coordinator() {
                coordinators += 1;
                current = Some(a.me);
            }
            let below = a.leader.is_some_and(|l| l < a.me);
            if below && !self.reported[i] {
                out.push(Breach {
                    invariant: RANK_ORDER,
                    message: format!(
                        "agent {} obeys {}, which ranks below it",
                        a.me,
                        a.leader.unwrap_or_default()
                    ),
                    nodes: vec![a.me],
                });
            }
            self.reported[i] = below;
        }
        self.current = current;
        match (coordinators >= 2, self.two_since) {
            (true, None) => self.two_since = Some(now),
            (false, Some(s)) => {
                self.two_total += now - s;
                self.two_since = None;
            }
            _ => {}
        }
        if let (Some(since), Some(c)) = (self.outage, current) {
            if nodes[c.index()].status == Status::Up && Self::everyone_follows(nodes, c) {
                self.outages_ms.push((now - since).as_ms_f64());
                self.outage = None;
            }
        }
    }

    fn observe(&mut self, event: &Event, _nodes: &[NodeState<BullyAgent>]) {
        if event.kind == EventKind::Crash && self.current == Some(event.node) {
            self.coordinator_crashes += 1;
            self.current = None;
            self.outage.get_or_insert(event.time);
        }
    }

    fn metrics(&self, state: &State<Self>) -> Vec<(String, f64)> {
        let mean = if self.outages_ms.is_empty() {
            f64::NAN
        } else {
            self.outages_ms.iter().sum::<f64>() / self.outages_ms.len() as f64
        };
        let open = self.two_since.map(|s| state.now - s).unwrap_or(Time::ZERO);
        let sum = |f: fn(&BullyAgent) -> u64| state.nodes.iter().map(|n| f(&n.agent)).sum::<u64>();
        vec![
            ("time_without_leader_ms".into(), mean),
            ("elections".into(), sum(|a| a.elections_held) as f64),
            (
                "election_messages".into(),
                sum(|a| a.election_messages) as f64,
            ),
            (
                "two_coordinators_ms".into(),
                (self.two_total + open).as_ms_f64(),
            ),
            (
                "coordinator_crashes".into(),
                self.coordinator_crashes as f64,
            ),
            ("messages".into(), state.stats.sent as f64),
        ]
    }

    fn set_param(
        &mut self,
        key: &str,
        value: &str,
        nodes: &mut [NodeState<BullyAgent>],
    ) -> Result<bool, String> {
        let Some(spec) = PARAMS.iter().find(|p| p.key == key) else {
            return Ok(false);
        };
        spec.kind.validate(value)?;
        let t = crate::sim::time::parse_duration(value).unwrap_or(Time::ZERO);
        for n in nodes.iter_mut() {
            let timing = &mut n.agent.timing;
            match key {
                "heartbeat" => timing.heartbeat = t,
                "timeout" => timing.timeout = t,
                "answer_timeout" => timing.answer_timeout = t,
                "variant" => n.agent.variant = variant(value),
                "nodes" => return Ok(false),
                _ => return Err("takes effect when a run starts: change it and restart".into()),
            }
        }
        Ok(true)
    }

    fn done(&self, _state: &State<Self>) -> bool {
        self.expect_crash && !self.outages_ms.is_empty()
    }
}

fn variant(s: &str) -> Variant {
    if s.trim() == "meek" {
        Variant::Meek
    } else {
        Variant::Bully
    }
}

const PARAMS: &[ParamSpec] = &[
    params::nodes(1, MAX_NODES, "5"),
    ParamSpec {
        key: "heartbeat",
        label: "Heartbeat interval",
        help: "how often the coordinator says it is alive",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "100ms",
    },
    ParamSpec {
        key: "timeout",
        label: "Failure timeout",
        help: "silence from the coordinator after which an agent holds an election",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(600),
        },
        default: "300ms",
    },
    ParamSpec {
        key: "answer_timeout",
        label: "Answer timeout (T)",
        help: "how long an agent waits for a higher one to answer; the algorithm assumes every round trip is shorter",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "50ms",
    },
    ParamSpec {
        key: "leader_crash",
        label: "Coordinator crash at",
        help: "the top agent crashes at this time plus a random moment within one heartbeat; off for none",
        kind: ParamKind::OptDuration {
            min: Time::ms(1),
            max: Time::secs(3_600),
        },
        default: "1s",
    },
    ParamSpec {
        key: "variant",
        label: "Teaching variant",
        help: "bully; or meek, deliberately broken: agents that neither answer elections nor object to a lower coordinator",
        kind: ParamKind::Choice(&["bully", "meek"]),
        default: "bully",
    },
];

fn build(
    p: &Params,
    config: SimConfig,
    mut ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    let timing = Timing {
        heartbeat: p.duration("heartbeat"),
        timeout: p.duration("timeout"),
        answer_timeout: p.duration("answer_timeout"),
    };
    let v = variant(p.raw("variant"));
    let crash_at = p.opt_duration("leader_crash").map(|t| {
        let mut rng = SimRng::new(config.seed, Purpose::Workload);
        t + Time(rng.below(timing.heartbeat.0.max(1)))
    });
    if let Some(at) = crash_at {
        // The top agent wins the boot-time election, so it is the coordinator to crash. Added
        // once: a share link's list already holds it.
        let iv = Intervention {
            at,
            action: Action::Crash(NodeId(config.n.saturating_sub(1) as u32)),
        };
        if !ivs.contains(&iv) {
            ivs.push(iv);
        }
    }
    let observer = BullyObserver {
        expect_crash: crash_at.is_some(),
        ..BullyObserver::default()
    };
    let w = World::new(
        config,
        observer,
        |id, _| BullyAgent::new(id, timing, v),
        ivs,
    )?;
    Ok(Box::new(w))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "bully",
    title: "Leader election: the bully algorithm",
    group: Group::ConsensusProtocols,
    tagline: "The most senior agent alive takes charge — as long as the network is punctual.",
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
