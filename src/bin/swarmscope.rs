//! `swarmscope`: runs any scenario headless, sweeps parameters over many seeds, checks history
//! files; prints JSON. The same core as the explorer, no second implementation.
#![allow(clippy::disallowed_types)] // the command line may read the wall clock (elapsed_ms)

use clap::{Parser, Subcommand};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::process::ExitCode;
use swarmscope::scenario::{self, ScenarioDef};
use swarmscope::sim::time::{parse_duration, Time};
use swarmscope::sim::{SimRng, Simulation, TraceConfig};

/// Most entries a single run may process: every run is bounded.
const EVENT_BUDGET: u64 = 200_000_000;

#[derive(Parser)]
#[command(
    name = "swarmscope",
    version,
    about = "Deterministic simulations of agents coordinating: run, sweep, check."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scenario ids and titles, one per line, id first.
    List,
    /// Describe a scenario: its story and every parameter with its range and default.
    Describe { scenario: String },
    /// Run one scenario and report counters, metrics, invariants and the trace hash.
    Run {
        scenario: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// key=value, e.g. --set nodes=5 --set latency=30ms..40ms --set loss=10%
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// How much virtual time to run (default: the scenario's), e.g. 10s.
        #[arg(long)]
        until: Option<String>,
        /// Interventions in the URL text form, e.g. 1500ms*crash*2 (repeatable).
        #[arg(long = "do", value_name = "INTERVENTION")]
        interventions: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Check a client history file against a consistency model.
    Check {
        /// linearizability | sequential | causal | ryw | monotonic-reads | monotonic-writes | writes-follow-reads
        checker: String,
        file: std::path::PathBuf,
        /// jepsen-log | jepsen-edn | porcupine-kv | json (default: from the extension and content)
        #[arg(long)]
        format: Option<String>,
        /// register | cas-register | kv (default: from the format)
        #[arg(long)]
        model: Option<String>,
        /// The initial value: nil, 0, … (default: per format)
        #[arg(long)]
        initial: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run N independent trials (seeds derived from --seed) on every core and aggregate metrics.
    Sweep {
        scenario: String,
        #[arg(long, default_value_t = 100)]
        trials: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("swarmscope: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::List => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for s in scenario::CATALOGUE {
                let _ = writeln!(out, "{}\t{}", s.id, s.title);
            }
            ExitCode::SUCCESS
        }
        Command::Describe { scenario } => match lookup(&scenario) {
            Ok(def) => {
                describe(def);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Run {
            scenario,
            seed,
            set,
            until,
            interventions,
            json,
        } => match run(&scenario, seed, &set, until.as_deref(), &interventions) {
            Ok(v) => {
                print_out(&v, json);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Check {
            checker,
            file,
            format,
            model,
            initial,
            json,
        } => {
            let started = std::time::Instant::now();
            match swarmscope::check::cli::check_file(
                &checker,
                &file,
                format.as_deref(),
                model.as_deref(),
                initial.as_deref(),
            ) {
                Ok(report) => {
                    let mut v = serde_json::to_value(&report).unwrap_or(Value::Null);
                    if let Value::Object(m) = &mut v {
                        m.insert(
                            "elapsed_ms".into(),
                            json!(started.elapsed().as_secs_f64() * 1000.0),
                        );
                    }
                    print_out(&v, json);
                    // A violation is a finding, not a usage error: exit 1 so scripts can tell.
                    if report.verdict == "ok" {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::Sweep {
            scenario,
            trials,
            seed,
            set,
            until,
            json,
        } => match sweep(&scenario, trials, seed, &set, until.as_deref()) {
            Ok(v) => {
                print_out(&v, json);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
    }
}

/// Prints to stdout, ignoring a closed pipe (`swarmscope run … | head` must not panic).
fn print_out(v: &Value, json: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(v).unwrap_or_default()
        );
    } else if let Value::Object(m) = v {
        for (k, v) in m {
            let _ = writeln!(out, "{k:>14}: {v}");
        }
    }
}

fn lookup(id: &str) -> Result<&'static ScenarioDef, String> {
    scenario::find(id).ok_or_else(|| {
        format!(
            "unknown scenario '{id}'; known: {}",
            scenario::ids().join(", ")
        )
    })
}

fn describe(def: &ScenarioDef) {
    let story = def.story().unwrap_or_else(|e| {
        eprintln!("{}: {e}", def.id);
        Default::default()
    });
    println!(
        "{} — {}\n\n{}\n\n{}\n\nParameters:",
        def.id, def.title, story.ai, story.classic
    );
    for p in def.all_params() {
        println!(
            "  {:<18} default {:<12} {} ({})",
            p.key,
            p.default,
            p.help,
            p.kind.describe()
        );
    }
}

fn parse_sets(def: &ScenarioDef, set: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for s in set {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| format!("--set '{s}' must look like key=value"))?;
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    def.params(&out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn until_of(def: &ScenarioDef, until: Option<&str>) -> Result<Time, String> {
    match until {
        None => Ok(def.default_until),
        Some(u) => {
            let t = parse_duration(u).map_err(|e| format!("--until: {}", e.0))?;
            if t > Time::secs(24 * 3600) {
                return Err("--until: at most 24h of virtual time".into());
            }
            Ok(t)
        }
    }
}

fn report(def: &ScenarioDef, sim: &dyn Simulation, params: &BTreeMap<String, String>) -> Value {
    let all = def.params(params).map(|p| {
        p.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<Map<_, _>>()
    });
    let st = sim.stats();
    let metrics: Map<String, Value> = scenario::checked::metrics(def.id, sim)
        .into_iter()
        .map(|(k, v)| (k, if v.is_finite() { json!(v) } else { Value::Null }))
        .collect();
    let invariants: Map<String, Value> = sim
        .invariants()
        .into_iter()
        .map(|i| {
            (
                i.name,
                json!({"held": i.held, "first_violation_us": i.first_violation.map(|t| t.0)}),
            )
        })
        .collect();
    json!({
        "scenario": def.id,
        "seed": sim.seed(),
        "params": all.unwrap_or_default(),
        "sim_time_us": sim.now().0,
        "events": st.events,
        "messages": {"sent": st.sent, "delivered": st.delivered, "dropped": st.dropped, "duplicated": st.duplicated, "in_flight": st.in_flight()},
        "trace_hash": format!("{:016x}", sim.hash()),
        "metrics": metrics,
        "invariants": invariants,
        "violations": sim.trace().violations.iter().take(20).map(|v| json!({"invariant": v.invariant, "at_us": v.at.0, "message": v.message, "nodes": v.nodes})).collect::<Vec<_>>(),
    })
}

fn run(
    id: &str,
    seed: u64,
    set: &[String],
    until: Option<&str>,
    ivs: &[String],
) -> Result<Value, String> {
    let def = lookup(id)?;
    let params = parse_sets(def, set)?;
    let until = until_of(def, until)?;
    let ivs = ivs
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|e: swarmscope::sim::intervention::InterventionError| e.0)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let trace = TraceConfig {
        record: false,
        ..TraceConfig::default()
    };
    let mut sim = def
        .instantiate(&params, seed, ivs, trace)
        .map_err(|e| e.0)?;
    sim.run_until(until, EVENT_BUDGET);
    Ok(report(def, sim.as_ref(), &params))
}

/// Runs one trial and returns its metrics.
fn trial(
    def: &ScenarioDef,
    params: &BTreeMap<String, String>,
    seed: u64,
    until: Time,
) -> Result<Vec<(String, f64)>, String> {
    let trace = TraceConfig {
        record: false,
        ..TraceConfig::default()
    };
    let mut sim = def
        .instantiate(params, seed, vec![], trace)
        .map_err(|e| e.0)?;
    // Step in slices so scenarios that finish early (a sweep trial) stop early.
    let slice = Time::ms(50);
    let mut t = Time::ZERO;
    while t < until && !sim.done() {
        t = (t + slice).min(until);
        sim.run_until(t, EVENT_BUDGET);
    }
    Ok(scenario::checked::metrics(def.id, &*sim))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn sweep(
    id: &str,
    trials: u64,
    seed: u64,
    set: &[String],
    until: Option<&str>,
) -> Result<Value, String> {
    let def = lookup(id)?;
    if trials == 0 || trials > 10_000_000 {
        return Err("--trials must be between 1 and 10000000".into());
    }
    let params = parse_sets(def, set)?;
    let until = until_of(def, until)?;
    let started = std::time::Instant::now();
    if let Some(fast) = scenario::fast::fast_sweep(def.id) {
        // A Monte Carlo of the same model: `trials` trials in batches on every core (the result
        // does not depend on the core count), same metric names.
        let p = def.params(&params).map_err(|e| e.to_string())?;
        let metrics = fast(&p, trials, seed)?;
        let workers = metrics.get("threads").cloned().unwrap_or(json!(1));
        return Ok(json!({
            "scenario": def.id,
            "seed": seed,
            "trials": trials,
            "params": p.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<Map<_, _>>(),
            "metrics": metrics,
            "workers": workers,
            "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
        }));
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(trials as usize);
    let results: Vec<Result<Vec<(String, f64)>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let params = &params;
                s.spawn(move || {
                    (w as u64..trials)
                        .step_by(workers)
                        .map(|i| (i, trial(def, params, SimRng::derive_seed(seed, i), until)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(u64, _)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut per_metric: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in results {
        for (k, v) in r? {
            per_metric.entry(k).or_default().push(v);
        }
    }
    let mut metrics = Map::new();
    for (k, mut vals) in per_metric {
        let n_all = vals.len();
        vals.retain(|v| v.is_finite());
        vals.sort_by(|a, b| a.total_cmp(b));
        let mean = if vals.is_empty() {
            f64::NAN
        } else {
            vals.iter().sum::<f64>() / vals.len() as f64
        };
        let num = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
        metrics.insert(
            k,
            json!({
                "mean": num(mean), "p50": num(percentile(&vals, 0.5)), "p90": num(percentile(&vals, 0.9)),
                "p99": num(percentile(&vals, 0.99)), "p999": num(percentile(&vals, 0.999)),
                "min": num(vals.first().copied().unwrap_or(f64::NAN)), "max": num(vals.last().copied().unwrap_or(f64::NAN)),
                "samples": vals.len(), "undefined": n_all - vals.len(),
            }),
        );
    }
    let all = def.params(&params).map_err(|e| e.to_string())?;
    Ok(json!({
        "scenario": def.id,
        "seed": seed,
        "trials": trials,
        "params": all.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<Map<_, _>>(),
        "sim_time_us": until.0,
        "metrics": metrics,
        "workers": workers,
        "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
    }))
}
