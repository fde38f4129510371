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

pub static SCENARIO: ScenarioDef = ScenarioDef {
    id: "cap",
    title: "CAP: consistency or availability under partition",
    group: Group::FundamentalTheorems,
    tagline: "Cut the network between the planners: they must refuse requests or risk disagreeing.",
    ai_story: "Five planner agents keep copies of a shared task board; worker agents read and assign tasks through their nearest planner. At 2s the network splits two planners from three. In CP mode the two on the small side refuse every request — their workers see errors — and nobody ever reads an outdated assignment. In AP mode every planner keeps answering, the two halves drift apart, and when the network heals they reconcile: by last-writer-wins, silently dropping one side's assignments (the lost updates, shown), or by keeping both versions for the next writer to resolve (a CRDT).",
    classic_story: "Brewer's CAP conjecture (PODC 2000), proved by Gilbert & Lynch (2002): during a partition a replicated register cannot be both atomic (linearizable) and available. CP mode is majority-quorum replication in the style of ABD (Attiya, Bar-Noy & Dolev 1995): reads and writes each take a majority, and reads write back, so any read sees every write acknowledged before it began — and the minority side must refuse. AP mode answers locally and reconciles later with version vectors: last-writer-wins (Cassandra) loses concurrent updates; a multi-value register (Dynamo's siblings, a CRDT — Shapiro et al. 2011) keeps them. Abadi's PACELC adds: even without partitions, the choice is between latency and consistency.",
    try_this: &[
        "Watch the minority replicas 0 and 1 between 2s and 6s in CP mode: their client's requests are refused (availability drops), the invariant stays green.",
        "Switch mode to ap: availability is 100%, but reads on the two sides disagree (stale reads) and after the heal lost_updates climbs — each one a write its client was told succeeded.",
        "Set merge to crdt: no lost updates; instead some reads return two values (conflicting reads) until a client writes over them.",
        "Raise the number of task cards: fewer concurrent writes to the same card, fewer conflicts.",
        "Crash replica 4 during the partition in CP mode: the majority side has 2 of 5 left — now nobody can answer.",
    ],
    params: PARAMS,
    engine_params: true,
    default_until: Time::secs(10),
    build,
};
