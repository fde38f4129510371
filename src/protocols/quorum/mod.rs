//! PACELC explorer: a Dynamo-style replicated key-value store with partial quorums, under
//! measured latency distributions.
//!
//! **Model.** Each key lives on N replicas (DeCandia et al., "Dynamo: Amazon's Highly Available
//! Key-value Store", SOSP 2007, §4.3). A coordinator sends a write to all N and reports success
//! after W acknowledgements; it sends a read to all N and returns the newest version among the
//! first R responses (§4.5). With R + W > N every read quorum meets every write quorum, so reads
//! are fresh; with R + W ≤ N ("partial quorums") they are fresh only with some probability, which
//! Bailis et al., "Probabilistically Bounded Staleness for Practical Partial Quorums" (PBS),
//! VLDB 2012, compute from the latency of each message leg — the WARS model (§4.1): W (write to
//! replica), A (its acknowledgement), R (read request), S (read response). Presets are the
//! production fits of PBS Table 3. Dynamo's repairs are toggles: read repair (§4.5), anti-entropy
//! with Merkle trees (§4.7), and sloppy quorums with hinted handoff (§4.6), which keep writes
//! available in a partition at the price of consistency — the P-branch of PACELC (Abadi 2012).
//!
//! **For the UI** (all pure, deterministic, no allocation in the inner loops):
//! - [`Config::from_params`] — validated parameters → a model configuration (errors in words).
//! - [`montecarlo::run`]`(&config, trials, seed) -> Results` — latency percentiles,
//!   P(consistent) at `config.t_ms`, t-visibility at `config.target`, availability,
//!   [`montecarlo::Results::k_staleness`], [`montecarlo::Results::p_at`].
//! - [`montecarlo::curve`]`(&config, &ts_ms, trials, seed)` — P(consistent | t) for each t.
//! - [`montecarlo::plane`]`(&config, trials, seed)` — every (R, W): read/write p99,
//!   P(consistent), t-visibility and availability (the latency-vs-consistency plane).
//! - [`montecarlo::availability`]`(&config)` — (write, read) availability in the partition.
//! - [`fast_sweep`] — the CLI's `sweep quorum` (Monte Carlo, same JSON shape as the sweep).
//! - [`SCENARIO`] — the animated simulation (agents in [`store`]), whose metrics
//!   (`p_consistent`, `read_latency_ms`, …) estimate the same quantities.
//! - [`default_ts`] — a t axis for the consistency chart.

pub mod montecarlo;
pub mod sampler;
pub mod store;

use crate::scenario::params::{ParamKind, ParamSpec, Params};
use crate::scenario::{Group, ScenarioDef};
use crate::sim::dist::{parse_dist, pbs_lnkd_ssd, pbs_ymmr_ars, Dist};
use crate::sim::time::Time;
use montecarlo::MAX_N;
use serde_json::{json, Map, Value};

/// Latency presets, by name (PBS Table 3 plus ours).
pub const PRESETS: &[&str] = &[
    "lnkd-ssd",
    "lnkd-disk",
    "ymmr",
    "wan",
    "same-rack",
    "llm-agent",
    "custom",
];

/// The four legs of the WARS model (PBS §4.1), in ms.
#[derive(Clone, Debug, PartialEq)]
pub struct Legs {
    pub w: Dist,
    pub a: Dist,
    pub r: Dist,
    pub s: Dist,
    /// Added to each leg of a message to or from a remote replica (the `wan` rule, PBS §5.2:
    /// each coordinator has one local replica chosen at random; 0 = all local).
    pub remote_extra_ms: f64,
}

impl Legs {
    /// A preset (not `custom`).
    pub fn preset(name: &str) -> Option<Legs> {
        let same = |d: Dist| Legs {
            w: d.clone(),
            a: d.clone(),
            r: d.clone(),
            s: d,
            remote_extra_ms: 0.0,
        };
        let with_w = |w: Dist, ars: Dist| Legs {
            w,
            a: ars.clone(),
            r: ars.clone(),
            s: ars,
            remote_extra_ms: 0.0,
        };
        Some(match name {
            "lnkd-ssd" => same(pbs_lnkd_ssd()),
            "lnkd-disk" => with_w(Dist::preset("lnkd-disk")?, pbs_lnkd_ssd()),
            "ymmr" => with_w(Dist::preset("ymmr")?, pbs_ymmr_ars()),
            "wan" => Legs {
                remote_extra_ms: 75.0,
                ..with_w(Dist::preset("lnkd-disk")?, pbs_lnkd_ssd())
            },
            "same-rack" => same(Dist::preset("same-rack")?),
            "llm-agent" => same(Dist::preset("llm-agent")?),
            _ => return None,
        })
    }
}

/// Partition settings: the coordinator's side holds `reachable` of the N replicas (the rest are
/// cut off until the write commits) and `spares` other nodes usable as sloppy-quorum fallbacks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartitionCfg {
    pub reachable: usize,
    pub spares: usize,
}

/// One configuration of the model, validated: `1 ≤ r, w ≤ n ≤ MAX_N`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub legs: Legs,
    /// Read starts this long after the write commits.
    pub t_ms: f64,
    /// Target probability for t-visibility.
    pub target: f64,
    pub read_repair: bool,
    /// Anti-entropy period (None: off).
    pub anti_entropy_ms: Option<f64>,
    pub sloppy: bool,
    pub hinted_handoff: bool,
    pub partition: Option<PartitionCfg>,
}

impl Config {
    /// A plain configuration (t = 0, target 99.9 %, no repairs, no partition). Clamps into range.
    pub fn new(n: usize, r: usize, w: usize, legs: Legs) -> Config {
        let n = n.clamp(1, MAX_N);
        Config {
            n,
            r: r.clamp(1, n),
            w: w.clamp(1, n),
            legs,
            t_ms: 0.0,
            target: 0.999,
            read_repair: false,
            anti_entropy_ms: None,
            sloppy: false,
            hinted_handoff: true,
            partition: None,
        }
    }

    /// From the scenario's validated parameters; cross-parameter problems in words.
    pub fn from_params(p: &Params) -> Result<Config, String> {
        let n = p.int("n");
        let (r, w) = (p.int("r"), p.int("w"));
        if n < 1 || n > MAX_N as i64 {
            return Err(format!("n: must be between 1 and {MAX_N} (got {n})"));
        }
        if r < 1 || r > n {
            return Err(format!(
                "r: a read quorum must be between 1 and n = {n} (got {r})"
            ));
        }
        if w < 1 || w > n {
            return Err(format!(
                "w: a write quorum must be between 1 and n = {n} (got {w})"
            ));
        }
        let preset = p.raw("latency");
        let legs = if preset == "custom" {
            let w_leg = parse_dist(p.raw("w_leg")).map_err(|e| format!("w_leg: {e}"))?;
            let ars = parse_dist(p.raw("ars_leg")).map_err(|e| format!("ars_leg: {e}"))?;
            Legs {
                w: w_leg,
                a: ars.clone(),
                r: ars.clone(),
                s: ars,
                remote_extra_ms: 0.0,
            }
        } else {
            Legs::preset(preset).ok_or_else(|| {
                format!(
                    "latency: '{preset}' is not a preset; use one of {}",
                    PRESETS.join(", ")
                )
            })?
        };
        let reachable = p.int("reachable");
        if p.flag("partition") && (reachable < 0 || reachable > n) {
            return Err(format!(
                "reachable: between 0 and n = {n} replicas can be on the coordinator's side (got {reachable})"
            ));
        }
        Ok(Config {
            n: n as usize,
            r: r as usize,
            w: w as usize,
            legs,
            t_ms: p.duration("t").as_ms_f64(),
            target: p.prob("target"),
            read_repair: p.flag("read_repair"),
            anti_entropy_ms: p.opt_duration("anti_entropy").map(|t| t.as_ms_f64()),
            sloppy: p.flag("sloppy"),
            hinted_handoff: p.flag("hinted_handoff"),
            partition: p.flag("partition").then(|| PartitionCfg {
                reachable: reachable.max(0) as usize,
                spares: p.int("spares").max(0) as usize,
            }),
        })
    }
}

/// A t axis (ms) for the consistency chart: 0, then log-spaced up to `max_ms`.
pub fn default_ts(max_ms: f64, points: usize) -> Vec<f64> {
    let points = points.max(2);
    let lo = 0.01f64;
    let hi = max_ms.max(lo * 10.0);
    let mut v = vec![0.0];
    for i in 0..points - 1 {
        let f = i as f64 / (points - 2).max(1) as f64;
        v.push(lo * libm::pow(hi / lo, f));
    }
    v
}

/// The fast sweep: a Monte Carlo of `trials` trials instead of `trials` animated worlds.
/// Returns the `metrics` object of the sweep's JSON.
pub fn fast_sweep(p: &Params, trials: u64, seed: u64) -> Result<Map<String, Value>, String> {
    let c = Config::from_params(p)?;
    // Batches on every core; the result depends on (parameters, trials, seed) only.
    #[cfg(not(target_arch = "wasm32"))]
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    #[cfg(target_arch = "wasm32")]
    let workers = 1;
    let res = montecarlo::run_batched(&c, trials, seed, workers);
    let num = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    let pct = |q: &montecarlo::Percentiles| json!({"p50": num(q.p50), "p99": num(q.p99), "p999": num(q.p999), "mean": num(q.mean)});
    let curve: Vec<Value> = default_ts(1000.0, 25)
        .into_iter()
        .map(|t| json!([t, num(res.p_at(t))]))
        .collect();
    let mut m = Map::new();
    m.insert("p_consistent".into(), num(res.p_consistent));
    m.insert("p_consistent_se".into(), num(res.p_consistent_se));
    m.insert("p_consistent_t0".into(), num(res.p_consistent_t0));
    m.insert("read_latency_ms".into(), pct(&res.read_latency));
    m.insert("write_latency_ms".into(), pct(&res.write_latency));
    m.insert("t_visibility_ms".into(), num(res.t_visibility_ms));
    m.insert("target".into(), num(c.target));
    m.insert(
        "k_staleness".into(),
        json!({"1": num(res.k_staleness(1)), "2": num(res.k_staleness(2)), "3": num(res.k_staleness(3))}),
    );
    m.insert(
        "quorum_miss_probability".into(),
        num(montecarlo::miss_probability(c.n, c.r, c.w)),
    );
    m.insert("write_availability".into(), num(res.write_availability));
    m.insert("read_availability".into(), num(res.read_availability));
    m.insert("writes_ok".into(), json!(res.writes_ok));
    m.insert("consistency_curve".into(), Value::Array(curve));
    m.insert("engine".into(), json!("montecarlo"));
    m.insert("threads".into(), json!(workers));
    Ok(m)
}

/// Int parameter spec helper.
const fn int(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    min: i64,
    max: i64,
    default: &'static str,
) -> ParamSpec {
    ParamSpec {
        key,
        label,
        help,
        kind: ParamKind::Int { min, max },
        default,
    }
}

const fn flag(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    default: &'static str,
) -> ParamSpec {
    ParamSpec {
        key,
        label,
        help,
        kind: ParamKind::Bool,
        default,
    }
}

pub const PARAMS: &[ParamSpec] = &[
    int("n", "Replicas (N)", "replicas per key", 1, MAX_N as i64, "3"),
    int("r", "Read quorum (R)", "read responses the coordinator waits for (≤ N)", 1, MAX_N as i64, "1"),
    int("w", "Write quorum (W)", "write acknowledgements the coordinator waits for (≤ N)", 1, MAX_N as i64, "1"),
    ParamSpec {
        key: "latency",
        label: "Latency preset",
        help: "per-leg latencies: PBS Table 3 fits (lnkd-ssd, lnkd-disk, ymmr), wan (lnkd-disk + 75 ms to remote replicas), same-rack, llm-agent, or custom (w_leg, ars_leg)",
        kind: ParamKind::Choice(PRESETS),
        default: "lnkd-disk",
    },
    ParamSpec {
        key: "w_leg",
        label: "Custom W leg",
        help: "latency of a write reaching a replica (latency=custom)",
        kind: ParamKind::Latency,
        default: "lnkd-disk",
    },
    ParamSpec {
        key: "ars_leg",
        label: "Custom A/R/S legs",
        help: "latency of acks, read requests and read responses (latency=custom)",
        kind: ParamKind::Latency,
        default: "lnkd-ssd",
    },
    ParamSpec {
        key: "t",
        label: "Read delay t",
        help: "the read starts this long after the write commits",
        kind: ParamKind::Duration {
            min: Time::ZERO,
            max: Time::secs(3_600),
        },
        default: "0ms",
    },
    ParamSpec {
        key: "target",
        label: "Target P(consistent)",
        help: "probability for t-visibility (the t at which reads are this likely to be fresh)",
        kind: ParamKind::Probability,
        default: "0.999",
    },
    flag("read_repair", "Read repair", "the coordinator pushes the newest version to stale responders (Dynamo §4.5)", "on"),
    ParamSpec {
        key: "anti_entropy",
        label: "Anti-entropy period",
        help: "replicas reconcile every period (Dynamo §4.7); off for none",
        kind: ParamKind::OptDuration {
            min: Time::ms(1),
            max: Time::secs(3_600),
        },
        default: "off",
    },
    flag("sloppy", "Sloppy quorum", "in a partition, fallback nodes accept writes for unreachable replicas (Dynamo §4.6)", "off"),
    flag("hinted_handoff", "Hinted handoff", "fallbacks forward their hinted writes once the partition heals", "on"),
    flag("partition", "Partition", "cut the coordinator off from some replicas during the write", "off"),
    int("reachable", "Reachable replicas", "replicas on the coordinator's side of the partition", 0, MAX_N as i64, "1"),
    int("spares", "Fallback nodes", "non-replica nodes on the coordinator's side (sloppy quorum)", 0, MAX_N as i64, "2"),
    ParamSpec {
        key: "gap",
        label: "Gap between rounds",
        help: "animated run: pause after each read before the next write",
        kind: ParamKind::Duration {
            min: Time::ZERO,
            max: Time::secs(3_600),
        },
        default: "200ms",
    },
    ParamSpec {
        key: "timeout",
        label: "Coordinator timeout",
        help: "animated run: a write or read without a quorum by then fails (unavailable)",
        kind: ParamKind::Duration {
            min: Time::ms(1),
            max: Time::secs(3_600),
        },
        default: "1s",
    },
];

/// Its gallery card (every browser build has every card: [`crate::scenario::CARDS`]).
pub const CARD: crate::scenario::Card = crate::scenario::Card {
    id: "quorum",
    title: "PACELC: quorum replication under real latencies",
    group: Group::ConsistencyModels,
    tagline:
        "Agents write to a shared memory and others read it back — how often do they read the past?",
    agents: 4,
};

pub static SCENARIO: ScenarioDef = ScenarioDef {
    params: PARAMS,
    engine_params: false,
    default_until: Time::secs(30),
    ..ScenarioDef::of(CARD)
};

/// How to build a run of it: an entry of [`crate::scenario::BUILDERS`], linked into a browser
/// build only if that build installs it (see `crate::scenario::install`).
pub const BUILDER: crate::scenario::Builder = crate::scenario::Builder {
    def: &SCENARIO,
    build: store::build,
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn params(kv: &[(&str, &str)]) -> Result<Params, String> {
        let o: BTreeMap<String, String> = kv
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SCENARIO.params(&o).map_err(|e| e.to_string())
    }

    #[test]
    fn bad_params_are_rejected_in_words() {
        for kv in [
            &[("w", "0")][..],
            &[("r", "-1")],
            &[("n", "0")],
            &[("n", "99")],
            &[("latency", "fast")],
            &[("t", "-3ms")],
            &[("target", "2")],
            &[("w_leg", "exp(0)")],
        ] {
            assert!(params(kv).is_err(), "{kv:?}");
        }
        for kv in [
            &[("n", "3"), ("r", "4")][..],
            &[("n", "2"), ("w", "3")],
            &[("partition", "on"), ("reachable", "5")],
        ] {
            let p = params(kv).unwrap();
            let e = Config::from_params(&p).unwrap_err();
            assert!(e.contains("n ="), "{e}");
            assert!(fast_sweep(&p, 10, 1).is_err());
        }
    }

    #[test]
    fn every_preset_builds_a_config_and_a_sweep() {
        for preset in PRESETS {
            let p = params(&[("latency", preset), ("t", "10ms")]).unwrap();
            let c = Config::from_params(&p).unwrap();
            assert_eq!(c.t_ms, 10.0);
            let m = fast_sweep(&p, 1_000, 1).unwrap();
            let pc = m["p_consistent"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&pc), "{preset}: {pc}");
            assert!(m["read_latency_ms"]["p99"].as_f64().unwrap() > 0.0);
            assert!(m["t_visibility_ms"].as_f64().unwrap() >= 0.0);
        }
    }
}
