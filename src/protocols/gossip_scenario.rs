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

pub static SCENARIO: ScenarioDef = ScenarioDef {
    id: "gossip",
    title: "Eventual consistency by gossip",
    group: Group::ConsistencyModels,
    tagline: "Agents whisper their notes to random peers until everyone knows everything.",
    ai_story: "Eight research agents each keep their own copy of the team's notes: the current goal (the newest one wins) and a tally of tasks done (each agent counts its own, copies take the maximum). No one coordinates: every interval each agent compares notes with a random colleague. Updates spread like an epidemic; after the last update the disagreeing count falls to zero within a few rounds. Switch to rumor mode and a single piece of news spreads until agents grow bored of repeating it — and a few never hear it.",
    classic_story: "Epidemic algorithms (Demers, Greene, Hauser, Irish, Larson, Shenker, Sturgis, Swinehart & Terry, PODC 1987), built for the Clearinghouse database at Xerox PARC. Anti-entropy (push, pull, push-pull) converges in O(log n) rounds and never stops, so it repairs anything; push-pull is fastest once most replicas are up to date. Rumor mongering is cheaper but probabilistic: with feedback and loss of interest with probability 1/k, the residue s satisfies s = e^{-(k+1)(1-s)} (about 20% for k=1, 6% for k=2, 2% for k=3). The state is a last-writer-wins register and a G-counter, both state-based CRDTs (Shapiro et al. 2011): merge is commutative, associative and idempotent, which is why gossip's duplicates and reorderings do no harm. Used today in Cassandra, Dynamo, Consul/Serf (SWIM) and Bitcoin's transaction relay.",
    try_this: &[
        "Watch the disagreeing count: it jumps with every write and falls back to 0 a few rounds after the last one.",
        "Switch push-pull to push or pull and compare convergence_ms and messages_per_update (sweep it with --trials 1000).",
        "Partition the network during the writes, heal later: the sides diverge, then agree a few rounds after the heal.",
        "Set mode=rumor, nodes=500: the rumor dies out with about e^{-(k+1)(1-s)} of the agents never hearing it (the residue); raise k to shrink it.",
        "Raise the fan-out: faster convergence, more messages.",
    ],
    params: PARAMS,
    engine_params: true,
    default_until: Time::secs(5),
    build,
};
