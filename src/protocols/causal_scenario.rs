//! The `causal` scenario's parameters, world, stories and tests (the protocol is in `causal.rs`).

use super::causal::{Cfg, Chat, Delivery, Peer};
use crate::scenario::params::{ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::{Intervention, SimConfig, SimError, Simulation, Time, World};

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "delivery",
        label: "Delivery",
        help: "causal: vector clocks, hold back until the causes are shown (CBCAST); \
               fifo: per-sender order only; none: show on receipt",
        kind: ParamKind::Choice(&["causal", "fifo", "none"]),
        default: "none",
    },
    ParamSpec {
        key: "nodes",
        label: "Agents",
        help: "agents in the chat",
        kind: ParamKind::Int { min: 2, max: 12 },
        default: "4",
    },
    ParamSpec {
        key: "lag",
        label: "Copy delay",
        help: "mean extra delay of each copy of a post (uniform in 0..2×lag): copies overtake",
        kind: ParamKind::Duration {
            min: Time::ZERO,
            max: Time::secs(30),
        },
        default: "200ms",
    },
    ParamSpec {
        key: "every",
        label: "Posting interval",
        help: "mean time between an agent's posts",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(60),
        },
        default: "300ms",
    },
    ParamSpec {
        key: "answer",
        label: "Answer share (%)",
        help: "percentage of posts that answer the latest post the agent has seen",
        kind: ParamKind::Int { min: 0, max: 100 },
        default: "60",
    },
];

/// The protocol settings from validated parameters.
pub fn cfg(p: &Params) -> Result<Cfg, SimError> {
    let delivery = Delivery::from_name(p.raw("delivery"))
        .ok_or_else(|| SimError(format!("unknown delivery '{}'", p.raw("delivery"))))?;
    Ok(Cfg {
        delivery,
        lag: p.duration("lag"),
        every: p.duration("every").max(Time::ms(1)),
        answer: p.int("answer").clamp(0, 100) as f64 / 100.0,
    })
}

/// The world for given settings (also used by the tests).
pub fn world(config: SimConfig, cfg: Cfg, ivs: Vec<Intervention>) -> Result<World<Chat>, SimError> {
    let n = config.n;
    World::new(config, Chat::default(), |_, _| Peer::new(cfg, n), ivs)
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
    id: "causal",
    title: "Causal delivery: no answer before its question",
    group: Group::ConsistencyModels,
    tagline: "Copies of chat posts overtake each other: show an answer only after its question.",
    agents: 4,
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
    use crate::sim::{SimRng, TraceConfig, Value};
    use std::collections::BTreeMap;

    fn run(delivery: &str, seed: u64, lag_ms: u64, secs: u64) -> World<Chat> {
        let mut o = BTreeMap::new();
        o.insert("delivery".to_string(), delivery.to_string());
        o.insert("lag".to_string(), format!("{lag_ms}ms"));
        let p = SCENARIO.params(&o).unwrap_or_else(|e| panic!("{e}"));
        let mut config = crate::scenario::engine_config(&p, seed, TraceConfig::default());
        config.trace.record = false;
        let cfg = cfg(&p).unwrap_or_else(|e| panic!("{e}"));
        let mut w = world(config, cfg, vec![]).unwrap_or_else(|e| panic!("{e}"));
        w.run_until(Time::secs(secs), 1_000_000);
        w
    }

    #[test]
    fn causal_delivery_never_shows_an_answer_first_over_a_thousand_seeds() {
        for seed in 0..1_000 {
            let lag = SimRng::derive_seed(seed, 7) % 400;
            let w = run("causal", seed, lag, 2);
            assert!(w.invariant_status().iter().all(|i| i.held), "seed {seed}");
            if seed % 10 == 0 {
                let g = live::check_one("causal", w.history(), &Value::Nil);
                assert_eq!(g.kept(), Some(true), "seed {seed}: {:?}", g.verdict);
            }
        }
    }

    #[test]
    fn plain_and_fifo_gossip_are_caught_by_the_invariant_and_the_checker() {
        for mode in ["none", "fifo"] {
            let mut caught = 0;
            for seed in 0..20 {
                let w = run(mode, seed, 300, 4);
                let inv = w.invariant_status().iter().all(|i| i.held);
                let g = live::check_one("causal", w.history(), &Value::Nil);
                let v = g.verdict.unwrap_or_else(|e| panic!("{e}"));
                // The checker and the invariant agree, run by run.
                assert_eq!(v.ok, inv, "{mode} seed {seed}: {}", v.explanation);
                if !v.ok {
                    caught += 1;
                    assert!(
                        v.explanation.contains("WriteCOInitRead"),
                        "{}",
                        v.explanation
                    );
                    assert!(v.witness.len() >= 3);
                }
            }
            assert!(caught >= 10, "{mode}: caught {caught} of 20");
        }
    }

    #[test]
    fn bad_params_are_rejected_and_extremes_do_not_panic() {
        let bad = |k: &str, v: &str| SCENARIO.rejects(k, v);
        assert!(bad("delivery", "total"));
        assert!(bad("nodes", "1"));
        assert!(bad("answer", "101"));
        for (k, v) in [
            ("lag", "0ms"),
            ("every", "1ms"),
            ("answer", "100"),
            ("nodes", "12"),
        ] {
            if let Err(e) = SCENARIO.smoke(k, v, Time::ms(200)) {
                panic!("{k}={v}: {e}");
            }
        }
    }
}
