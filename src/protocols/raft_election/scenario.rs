//! The `raft-election` catalogue entry: parameters, the experiment set-up, and building a world.
//!
//! The experiment follows Raft §9.3: a steady cluster whose leader crashes at a uniformly random
//! moment within its heartbeat interval, with all logs equal and `failed` other agents already
//! down; the run is over once every live agent follows the new leader. The crashes are ordinary
//! interventions, added to the run's list (once: a list that already holds them, as a share
//! link's does, is left alone), so the stage shows them like a user's click.

use super::{Observer, RaftAgent, RaftRole, Term, Timing, Variant};
use crate::scenario::params::{self, ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{
    Action, Intervention, NodeId, NodeState, Purpose, SimConfig, SimError, SimRng, Simulation,
    Status, Time, TraceConfig, World,
};

/// Length of every agent's log at the start (all entries from term 1); stale agents lack the
/// last one.
const LOG_LEN: usize = 3;
/// Largest cluster: votes and broadcasts grow with n², and the stage is a ring.
const MAX_NODES: i64 = 101;

/// How the run begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    /// Agent 0 already leads term 1 and everyone follows it (the steady state of §9.3).
    Leader,
    /// Every agent boots as a follower at once, with no leader (a whole-cluster restart).
    Cold,
}

/// Everything that shapes a run besides the engine's config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Experiment {
    pub timing: Timing,
    pub variant: Variant,
    pub setup: Setup,
    /// Agents (the highest ids) already down at the start.
    pub failed: usize,
    /// Agents (ids 1, 2, …) whose log lacks the last committed entry.
    pub stale: usize,
    /// The leader crashes at this time plus a uniformly random moment within one heartbeat.
    pub leader_crash: Option<Time>,
}

impl Experiment {
    /// Checks the combination against the cluster size, in words a user can act on. Too many
    /// failures for a majority is allowed: the cluster then stays without a leader, safely,
    /// which is the lesson (a sweep reports such trials as undefined).
    pub fn validate(&self, n: usize) -> Result<(), SimError> {
        let majority = n / 2 + 1;
        if self.failed >= n {
            return Err(SimError(format!(
                "failed={} with {n} agents: at least one agent must be up",
                self.failed
            )));
        }
        if self.stale > n - majority {
            return Err(SimError(format!(
                "stale={} with {n} agents: an entry missing from that many logs is not on a majority, so it was never committed; use stale ≤ {}",
                self.stale,
                n - majority
            )));
        }
        Ok(())
    }

    fn agent(&self, id: NodeId, n: usize) -> RaftAgent {
        let i = id.index();
        let len = if (1..=self.stale).contains(&i) {
            LOG_LEN - 1
        } else {
            LOG_LEN
        };
        let mut a = RaftAgent::new(n, self.timing, self.variant, vec![Term(1); len]);
        a.current_term = Term(1);
        if self.setup == Setup::Leader {
            a.voted_for = Some(NodeId(0));
            a.leader = Some(NodeId(0));
            if i == 0 {
                a.role = RaftRole::Leader;
            }
        }
        a
    }
}

/// Builds the world, adding the experiment's crashes to `ivs`.
pub fn build_world(
    config: SimConfig,
    e: &Experiment,
    mut ivs: Vec<Intervention>,
) -> Result<World<Observer>, SimError> {
    let n = config.n;
    e.validate(n)?;
    let crash_at = e.leader_crash.map(|t| {
        // §9.3: "each leader crash was randomized within its heartbeat interval".
        let mut rng = SimRng::new(config.seed, Purpose::Workload);
        t + Time(rng.below(e.timing.heartbeat.0.max(1)))
    });
    for k in 0..e.failed {
        let down = Action::Crash(NodeId((n - 1 - k) as u32));
        add_once(&mut ivs, Time::ZERO, down);
    }
    let make = |id: NodeId, n: usize| e.agent(id, n);
    let observer = Observer::new(LOG_LEN, crash_at.is_some());
    if let Some(at) = crash_at {
        let leader = match e.setup {
            Setup::Leader => Some(NodeId(0)),
            Setup::Cold => leader_at(&config, &observer, &make, &ivs, at)?,
        };
        if let Some(l) = leader {
            add_once(&mut ivs, at, Action::Crash(l));
        }
    }
    World::new(config, observer, make, ivs)
}

/// Adds a scripted intervention unless the list already holds it (a replayed share link does).
fn add_once(ivs: &mut Vec<Intervention>, at: Time, action: Action) {
    let iv = Intervention { at, action };
    if !ivs.contains(&iv) {
        ivs.push(iv);
    }
}

/// Who leads just before `at` in a run with these inputs (a cold start elects someone the
/// experiment cannot name in advance; the run is deterministic, so a probe finds out).
fn leader_at(
    config: &SimConfig,
    observer: &Observer,
    make: &impl Fn(NodeId, usize) -> RaftAgent,
    ivs: &[Intervention],
    at: Time,
) -> Result<Option<NodeId>, SimError> {
    let mut probe_config = config.clone();
    probe_config.trace = TraceConfig {
        record: false,
        ..TraceConfig::default()
    };
    let mut probe = World::new(probe_config, observer.clone(), make, ivs.to_vec())?;
    probe.run_until(at.saturating_sub(Time(1)), u64::MAX);
    Ok(probe
        .state()
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status != Status::Crashed && s.agent.role == RaftRole::Leader)
        .max_by_key(|(_, s)| s.agent.current_term)
        .map(|(i, _)| NodeId(i as u32)))
}

/// Parameters that may change mid-run: the timing and the voters' variant.
pub(super) fn set_live_param(
    key: &str,
    value: &str,
    nodes: &mut [NodeState<RaftAgent>],
) -> Result<bool, String> {
    let spec = PARAMS.iter().find(|p| p.key == key);
    let Some(spec) = spec else { return Ok(false) };
    spec.kind.validate(value)?;
    match key {
        "election_timeout" => {
            let (lo, hi) = params::parse_duration_range(value)?;
            for n in nodes.iter_mut() {
                n.agent.timing.election_lo = lo;
                n.agent.timing.election_hi = hi;
            }
        }
        "heartbeat" => {
            let t = crate::sim::time::parse_duration(value).map_err(|e| e.0)?;
            nodes.iter_mut().for_each(|n| n.agent.timing.heartbeat = t);
        }
        "variant" => {
            let v = Variant::from_name(value).ok_or("unknown variant")?;
            nodes.iter_mut().for_each(|n| n.agent.variant = v);
        }
        "nodes" => return Ok(false),
        _ => return Err("takes effect when a run starts: change it and restart".into()),
    }
    Ok(true)
}

const PARAMS: &[ParamSpec] = &[
    params::nodes(1, MAX_NODES, "5"),
    ParamSpec {
        key: "election_timeout",
        label: "Election timeout",
        help: "silence after which a follower stands for election, drawn uniformly from lo..hi each time",
        kind: ParamKind::DurationRange {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "300ms..600ms",
    },
    ParamSpec {
        key: "heartbeat",
        label: "Heartbeat interval",
        help: "how often the leader sends its (empty) AppendEntries",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "150ms",
    },
    ParamSpec {
        key: "leader_crash",
        label: "Leader crash at",
        help: "the leader crashes at this time plus a random moment within one heartbeat interval; off for none",
        kind: ParamKind::OptDuration {
            min: Time::ms(1),
            max: Time::secs(3_600),
        },
        default: "1s",
    },
    ParamSpec {
        key: "failed",
        label: "Agents already down",
        help: "agents (the highest ids) that are down from the start",
        kind: ParamKind::Int { min: 0, max: MAX_NODES - 1 },
        default: "0",
    },
    ParamSpec {
        key: "start",
        label: "Start",
        help: "leader: agent 0 already leads term 1; cold: everyone boots at once with no leader",
        kind: ParamKind::Choice(&["leader", "cold"]),
        default: "leader",
    },
    ParamSpec {
        key: "stale",
        label: "Agents with stale logs",
        help: "agents 1, 2, … that lack the last committed entry; the RequestVote log check keeps them from leading",
        kind: ParamKind::Int { min: 0, max: MAX_NODES / 2 },
        default: "0",
    },
    ParamSpec {
        key: "variant",
        label: "Teaching variant",
        help: "raft; or a deliberately broken one: forgetful-voters (vote for every candidate, ignoring terms) or no-log-check (skip §5.4.1)",
        kind: ParamKind::Choice(Variant::NAMES),
        default: "raft",
    },
];

/// The experiment described by validated parameters.
pub fn experiment(p: &Params) -> Experiment {
    let (lo, hi) = p.range("election_timeout");
    Experiment {
        timing: Timing {
            election_lo: lo,
            election_hi: hi,
            heartbeat: p.duration("heartbeat"),
        },
        variant: Variant::from_name(p.raw("variant")).unwrap_or(Variant::Raft),
        setup: if p.raw("start") == "cold" {
            Setup::Cold
        } else {
            Setup::Leader
        },
        failed: p.int("failed").max(0) as usize,
        stale: p.int("stale").max(0) as usize,
        leader_crash: p.opt_duration("leader_crash"),
    }
}

fn build(
    p: &Params,
    config: SimConfig,
    ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    Ok(Box::new(build_world(config, &experiment(p), ivs)?))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "raft-election",
    title: "Leader election with Raft timing",
    group: Group::ConsensusProtocols,
    tagline: "When the lead agent dies, the others race to replace it — randomized timeouts keep the race short.",
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
