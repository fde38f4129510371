//! The `sessions` scenario's parameters, world and stories (the protocol is in `sessions.rs`).

use super::sessions::{Cfg, Client, Lab, Node, Replica, Session};
use crate::scenario::params::{ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{Intervention, SimConfig, SimError, Simulation, Time, World};

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "session",
        label: "Session fix",
        help: "none: each request to a random replica; sticky: always the same replica; \
               version-token: reads carry the highest version the session has seen",
        kind: ParamKind::Choice(&["none", "sticky", "version-token"]),
        default: "none",
    },
    ParamSpec {
        key: "replicas",
        label: "Replicas",
        help: "copies of the shared notebook",
        kind: ParamKind::Int { min: 2, max: 7 },
        default: "3",
    },
    ParamSpec {
        key: "clients",
        label: "Agents",
        help: "agents, each writing its own note and reading everyone's",
        kind: ParamKind::Int { min: 1, max: 6 },
        default: "2",
    },
    ParamSpec {
        key: "lag",
        label: "Replication lag",
        help: "mean delay before a replica passes a write on (uniform in 0..2×lag)",
        kind: ParamKind::Duration {
            min: Time::ZERO,
            max: Time::secs(30),
        },
        default: "300ms",
    },
    ParamSpec {
        key: "think",
        label: "Think time",
        help: "mean pause between an agent's requests",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "100ms",
    },
    ParamSpec {
        key: "timeout",
        label: "Request timeout",
        help: "an agent gives up on an unanswered request after this (outcome unknown)",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "2s",
    },
];

/// The world for given settings (also used by the tests).
pub fn world(config: SimConfig, cfg: Cfg, ivs: Vec<Intervention>) -> Result<World<Lab>, SimError> {
    let mut config = config;
    config.n = cfg.replicas + cfg.clients;
    World::new(
        config,
        Lab,
        |id, _| {
            let i = id.index();
            if i < cfg.replicas {
                Node::Replica(Replica::new(cfg))
            } else {
                Node::Client(Client::new(cfg, i - cfg.replicas))
            }
        },
        ivs,
    )
}

/// The protocol settings from validated parameters.
pub fn cfg(p: &Params) -> Result<Cfg, SimError> {
    let session = Session::from_name(p.raw("session"))
        .ok_or_else(|| SimError(format!("unknown session '{}'", p.raw("session"))))?;
    Ok(Cfg {
        replicas: p.int("replicas").clamp(2, 7) as usize,
        clients: p.int("clients").clamp(1, 6) as usize,
        session,
        lag: p.duration("lag"),
        think: p.duration("think").max(Time::ms(1)),
        timeout: p.duration("timeout").max(Time::ms(1)),
    })
}

fn build(
    p: &Params,
    config: SimConfig,
    ivs: Vec<Intervention>,
) -> Result<Box<dyn Simulation>, SimError> {
    Ok(Box::new(world(config, cfg(p)?, ivs)?))
}

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "sessions",
    title: "Session guarantees: read your writes, monotonic reads",
    group: Group::ConsistencyModels,
    tagline: "An agent writes a note, asks another replica, and its own note is gone.",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::live;
    use crate::sim::{TraceConfig, Value};
    use std::collections::BTreeMap;

    fn run(session: &str, seed: u64, secs: u64) -> World<Lab> {
        let mut o = BTreeMap::new();
        o.insert("session".to_string(), session.to_string());
        let p = SCENARIO.params(&o).unwrap_or_else(|e| panic!("{e}"));
        let mut config = crate::scenario::engine_config(&p, seed, TraceConfig::default());
        config.trace.record = false;
        let cfg = cfg(&p).unwrap_or_else(|e| panic!("{e}"));
        let mut w = world(config, cfg, vec![]).unwrap_or_else(|e| panic!("{e}"));
        w.run_until(Time::secs(secs), 1_000_000);
        w
    }

    fn kept(w: &World<Lab>, checker: &'static str) -> Option<bool> {
        live::check_one(checker, w.history(), &Value::Nil).kept()
    }

    #[test]
    fn sticky_and_version_tokens_keep_ryw_and_monotonic_reads_on_every_seed() {
        for session in ["sticky", "version-token"] {
            for seed in 0..250 {
                let w = run(session, seed, 5);
                assert!(w.history().ops.len() > 20);
                for g in ["ryw", "monotonic-reads", "monotonic-writes"] {
                    assert_eq!(kept(&w, g), Some(true), "{session} seed {seed} {g}");
                }
            }
        }
    }

    #[test]
    fn no_session_fix_is_caught_with_a_witness() {
        let mut caught = 0;
        for seed in 0..20 {
            let w = run("none", seed, 5);
            let v = live::check_one("ryw", w.history(), &Value::Nil).verdict;
            if let Ok(v) = v {
                if !v.ok {
                    caught += 1;
                    assert!(v.witness.len() >= 2);
                    let read = v.witness.iter().map(|&i| &w.history().ops[i]);
                    assert!(read.clone().any(|o| o.f == crate::sim::OpFn::Read));
                }
            }
        }
        assert!(caught >= 15, "caught {caught} of 20");
    }

    #[test]
    fn the_metrics_carry_the_verdicts() {
        let w = run("sticky", 3, 3);
        let m = crate::scenario::checked::metrics("sessions", &w);
        let get = |k: &str| m.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        assert_eq!(get("ryw_ok"), Some(1.0));
        assert_eq!(get("monotonic_reads_ok"), Some(1.0));
        assert!(get("ops_ok").is_some_and(|n| n > 10.0));
    }

    #[test]
    fn bad_params_are_rejected_and_extremes_do_not_panic() {
        let bad = |k: &str, v: &str| SCENARIO.rejects(k, v);
        assert!(bad("session", "bogus"));
        assert!(bad("replicas", "1"));
        assert!(bad("clients", "99"));
        assert!(bad("lag", "-3ms"));
        for (k, v) in [
            ("lag", "0ms"),
            ("think", "1ms"),
            ("timeout", "1ms"),
            ("clients", "6"),
        ] {
            if let Err(e) = SCENARIO.smoke(k, v, Time::ms(300)) {
                panic!("{k}={v}: {e}");
            }
        }
    }
}
