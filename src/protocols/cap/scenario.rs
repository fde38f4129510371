//! The CAP scenario's parameters, scripted partition and stories (the protocol is in `cap.rs`).

use super::{Board, Cfg, Client, Merge, Mode, Node, Replica};
use crate::scenario::params::{ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{Action, Intervention, NodeId, SimConfig, SimError, Simulation, Time, World};

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "mode",
        label: "Mode",
        help:
            "cp: majority quorums, the minority refuses; ap: every replica answers, sides diverge",
        kind: ParamKind::Choice(&["cp", "ap"]),
        default: "cp",
    },
    ParamSpec {
        key: "merge",
        label: "AP reconciliation",
        help: "lww: last writer wins (concurrent updates get lost); crdt: keep both as siblings",
        kind: ParamKind::Choice(&["lww", "crdt"]),
        default: "lww",
    },
    ParamSpec {
        key: "replicas",
        label: "Replicas",
        help: "planner agents holding a copy of the task board",
        kind: ParamKind::Int { min: 3, max: 9 },
        default: "5",
    },
    ParamSpec {
        key: "clients",
        label: "Clients",
        help: "agents reading and writing the board, spread over the replicas",
        kind: ParamKind::Int { min: 1, max: 8 },
        default: "2",
    },
    ParamSpec {
        key: "keys",
        label: "Task cards",
        help: "registers on the board (fewer cards, more conflicts)",
        kind: ParamKind::Int { min: 1, max: 8 },
        default: "1",
    },
    ParamSpec {
        key: "think",
        label: "Client think time",
        help: "mean pause between a client's requests",
        kind: ParamKind::Duration {
            min: Time::ms(10),
            max: Time::secs(60),
        },
        default: "250ms",
    },
    ParamSpec {
        key: "timeout",
        label: "Quorum timeout",
        help: "how long a CP coordinator waits for a majority (clients wait twice as long)",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "300ms",
    },
    ParamSpec {
        key: "sync",
        label: "Anti-entropy interval",
        help: "AP: how often each replica sends its whole board to the others",
        kind: ParamKind::Duration {
            min: Time::ms(10),
            max: Time::secs(60),
        },
        default: "200ms",
    },
    ParamSpec {
        key: "partition",
        label: "Scripted partition at",
        help:
            "cut replicas 0..replicas/2 (with their clients) from the rest at this time (off: none)",
        kind: ParamKind::OptDuration {
            min: Time::ZERO,
            max: Time::secs(3600),
        },
        default: "2s",
    },
    ParamSpec {
        key: "heal",
        label: "Scripted heal at",
        help: "heal every partition at this time (off: never)",
        kind: ParamKind::OptDuration {
            min: Time::ZERO,
            max: Time::secs(3600),
        },
        default: "6s",
    },
];

/// The world for given settings (also used by the tests, with a broken `quorum`).
#[allow(clippy::too_many_arguments)]
pub fn world(
    config: SimConfig,
    cfg: Cfg,
    clients: usize,
    keys: usize,
    think: Time,
    ivs: Vec<Intervention>,
) -> Result<World<Board>, SimError> {
    let r = cfg.replicas;
    let mut config = config;
    config.n = r + clients;
    World::new(
        config,
        Board::new(cfg.mode, keys),
        |id, _| {
            let i = id.index();
            if i < r {
                Node::Replica(Replica::new(cfg, keys))
            } else {
                Node::Client(Client::new(
                    home(i - r, r, clients),
                    keys,
                    think,
                    cfg.timeout + cfg.timeout,
                ))
            }
        },
        ivs,
    )
}

/// Client `j`'s home replica: spread so that both sides of the scripted partition have clients.
pub fn home(j: usize, replicas: usize, clients: usize) -> NodeId {
    NodeId((j * replicas / clients.max(1)) as u32)
}

/// The scripted partition: the minority replicas and their clients against everyone else.
pub fn minority(replicas: usize, clients: usize) -> Vec<NodeId> {
    let cut = replicas / 2;
    let mut g: Vec<NodeId> = (0..cut as u32).map(NodeId).collect();
    for j in 0..clients {
        if home(j, replicas, clients).index() < cut {
            g.push(NodeId((replicas + j) as u32));
        }
    }
    g
}

fn build(
    p: &Params,
    config: SimConfig,
    mut ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    let replicas = p.int("replicas").clamp(3, 9) as usize;
    let clients = p.int("clients").clamp(1, 8) as usize;
    let keys = p.int("keys").clamp(1, 8) as usize;
    let cfg = Cfg {
        mode: if p.raw("mode") == "ap" {
            Mode::Ap
        } else {
            Mode::Cp
        },
        merge: if p.raw("merge") == "crdt" {
            Merge::Crdt
        } else {
            Merge::Lww
        },
        replicas,
        quorum: replicas / 2 + 1,
        timeout: p.duration("timeout").max(Time::ms(1)),
        sync: p.duration("sync").max(Time::ms(1)),
    };
    if let Some(at) = p.opt_duration("partition") {
        let action = Action::Partition(vec![minority(replicas, clients)]);
        ivs.push(Intervention { at, action });
    }
    if let Some(at) = p.opt_duration("heal") {
        ivs.push(Intervention {
            at,
            action: Action::Heal,
        });
    }
    Ok(Box::new(world(
        config,
        cfg,
        clients,
        keys,
        p.duration("think"),
        ivs,
    )?))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "cap",
    title: "CAP: consistency or availability under partition",
    group: Group::FundamentalTheorems,
    tagline: "Cut the network between the planners: they must refuse requests or risk disagreeing.",
    agents: 7,
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
