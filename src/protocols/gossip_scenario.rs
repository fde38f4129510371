//! The gossip scenario's parameters and stories (the protocol is in `gossip.rs`).

use super::gossip::{Cfg, Mode, Replica, Spread};
use crate::scenario::params::{self, ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{Intervention, SimConfig, SimError, Simulation, Time, World};

const PARAMS: &[ParamSpec] = &[
    params::nodes(2, 2000, "8"),
    ParamSpec {
        key: "mode",
        label: "Gossip style",
        help: "anti-entropy by push, pull or push-pull; or rumor mongering (one rumor, agents lose interest)",
        kind: ParamKind::Choice(Mode::NAMES),
        default: "push-pull",
    },
    ParamSpec {
        key: "fanout",
        label: "Fan-out",
        help: "peers each replica contacts per round",
        kind: ParamKind::Int { min: 1, max: 16 },
        default: "1",
    },
    ParamSpec {
        key: "interval",
        label: "Gossip interval",
        help: "time between a replica's rounds",
        kind: ParamKind::Duration { min: Time::ms(1), max: Time::secs(60) },
        default: "100ms",
    },
    ParamSpec {
        key: "writes",
        label: "Writes",
        help: "updates in the workload, round-robin over the replicas (anti-entropy modes)",
        kind: ParamKind::Int { min: 1, max: 10_000 },
        default: "10",
    },
    ParamSpec {
        key: "write_every",
        label: "Write every",
        help: "time between successive writes",
        kind: ParamKind::Duration { min: Time::ms(1), max: Time::secs(60) },
        default: "100ms",
    },
    ParamSpec {
        key: "k",
        label: "Rumor: lose interest 1/k",
        help: "after telling an agent that already knew, stop spreading with probability 1/k",
        kind: ParamKind::Int { min: 1, max: 20 },
        default: "2",
    },
];

/// The world for given settings (the tests build broken variants through it).
pub fn world(
    config: SimConfig,
    cfg: Cfg,
    ivs: Vec<Intervention>,
) -> Result<World<Spread>, SimError> {
    let writes = if cfg.mode == Mode::Rumor {
        0
    } else {
        cfg.writes
    };
    World::new(
        config,
        Spread::new(writes),
        |id, n| Replica::new(cfg, id.index(), n),
        ivs,
    )
}

fn build(
    p: &Params,
    config: SimConfig,
    ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    let cfg = Cfg {
        mode: Mode::parse(p.raw("mode")).unwrap_or(Mode::PushPull),
        fanout: p.int("fanout").clamp(1, 16) as usize,
        interval: p.duration("interval").max(Time::ms(1)),
        writes: p.int("writes").clamp(1, 10_000) as u64,
        write_every: p.duration("write_every").max(Time::ms(1)),
        k: p.int("k").clamp(1, 20) as u64,
        overwrite: false,
    };
    Ok(Box::new(world(config, cfg, ivs)?))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "gossip",
    title: "Eventual consistency by gossip",
    group: Group::ConsistencyModels,
    tagline: "Agents whisper their notes to random peers until everyone knows everything.",
    agents: 8,
};

pub static SCENARIO: ScenarioDef = ScenarioDef {
    params: PARAMS,
    engine_params: true,
    default_until: Time::secs(5),
    ..ScenarioDef::of(CARD)
};

/// How to build a run of it: an entry of [`crate::scenario::BUILDERS`], linked into a browser
/// build only if that build installs it (see `crate::scenario::install`).
pub const BUILDER: crate::scenario::Builder = crate::scenario::Builder {
    def: &SCENARIO,
    build,
};
