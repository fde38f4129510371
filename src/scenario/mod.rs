//! The scenario catalogue: for each model, its story in AI-agent terms and in classic terms,
//! its protocol, parameters with defaults and slider ranges, and how to build a run of it.
//! A model issue plugs in by adding one entry to [`CATALOGUE`]; the CLI and the explorer pick it
//! up from there.

pub mod checked;
pub mod fast;
pub mod params;
pub mod story;
pub mod url;

use crate::sim::intervention::Intervention;
use crate::sim::network::LinkConfig;
use crate::sim::time::Time;
use crate::sim::trace::TraceConfig;
use crate::sim::world::{SimConfig, SimError};
use crate::sim::Simulation;
pub use params::{ParamError, ParamKind, ParamSpec, Params};
use std::collections::BTreeMap;

/// The gallery's groups, in the seed's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    FundamentalTheorems,
    ConsistencyModels,
    ConsensusProtocols,
    FailureHandling,
    CoordinationPatterns,
    ScalabilityPatterns,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::FundamentalTheorems,
        Group::ConsistencyModels,
        Group::ConsensusProtocols,
        Group::FailureHandling,
        Group::CoordinationPatterns,
        Group::ScalabilityPatterns,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Group::FundamentalTheorems => "Fundamental theorems",
            Group::ConsistencyModels => "Consistency models",
            Group::ConsensusProtocols => "Consensus protocols",
            Group::FailureHandling => "Failure handling",
            Group::CoordinationPatterns => "Coordination patterns",
            Group::ScalabilityPatterns => "Scalability patterns",
        }
    }
}

/// How to build a run: validated parameters, the engine config made from them, interventions.
pub type BuildFn =
    fn(&Params, SimConfig, Vec<Intervention>) -> Result<Box<dyn Simulation>, SimError>;

/// One model in the catalogue.
pub struct ScenarioDef {
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    /// One line for the gallery card, in AI-agent terms. (The long texts, the story in AI-agent
    /// and classic terms and things to try, are in `static/texts/<id>.txt`: see [`story`].)
    pub tagline: &'static str,
    /// The scenario's own parameters (the engine's are added by [`ScenarioDef::all_params`]).
    pub params: &'static [ParamSpec],
    /// Whether the engine's network/fault sliders apply.
    pub engine_params: bool,
    /// How long a default run lasts (CLI `run` without `--until`, the explorer's scrubber).
    pub default_until: Time,
    /// How many agents a run with the default parameters has: the gallery's preview draws them
    /// without building a run (a test checks it against [`ScenarioDef::default_agents`]).
    pub agents: usize,
}

/// What the gallery shows of a scenario. Each protocol module has its `CARD`, and its
/// [`ScenarioDef`] repeats these fields from it; [`CARDS`] lists them all. A browser build holds
/// every card but only the definitions (parameters and their texts) of what it installs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Card {
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    /// One line for the gallery card, in AI-agent terms.
    pub tagline: &'static str,
    /// How many agents a run with the default parameters has (the card's preview draws them).
    pub agents: usize,
}

/// How to build a run of one scenario. Kept apart from [`ScenarioDef`] so that a browser build
/// can hold the whole catalogue (the gallery, links to every page) while linking the protocol
/// code of only the scenarios it installs (one wasm per scenario page: see [`install`]).
pub struct Builder {
    pub def: &'static ScenarioDef,
    pub build: BuildFn,
}

impl ScenarioDef {
    /// A definition with `card`'s fields, no parameters of its own, the engine's not applying and
    /// no default length: the base that a protocol's `SCENARIO` fills in (`..ScenarioDef::of(CARD)`).
    pub const fn of(card: Card) -> ScenarioDef {
        ScenarioDef {
            id: card.id,
            title: card.title,
            group: card.group,
            tagline: card.tagline,
            params: &[],
            engine_params: false,
            default_until: Time::ZERO,
            agents: card.agents,
        }
    }

    /// The scenario's parameters followed by the engine's.
    pub fn all_params(&self) -> Vec<ParamSpec> {
        let mut v: Vec<ParamSpec> = self.params.to_vec();
        if self.engine_params {
            for e in params::ENGINE {
                if !v.iter().any(|p| p.key == e.key) {
                    v.push(e);
                }
            }
        }
        v
    }

    /// Validates `overrides` against the parameters.
    pub fn params(&self, overrides: &BTreeMap<String, String>) -> Result<Params, ParamError> {
        Params::new(&self.all_params(), overrides)
    }

    /// How many agents a run with the default parameters has (the gallery's preview draws
    /// them); None if the defaults do not build.
    pub fn default_agents(&self) -> Option<usize> {
        let run = self.instantiate(&BTreeMap::new(), 1, vec![], TraceConfig::default());
        run.ok().map(|sim| sim.n())
    }

    /// Builds a run from raw overrides.
    pub fn instantiate(
        &self,
        overrides: &BTreeMap<String, String>,
        seed: u64,
        interventions: Vec<Intervention>,
        trace: TraceConfig,
    ) -> Result<Box<dyn Simulation>, SimError> {
        builders()
            .iter()
            .find(|b| b.def.id == self.id)
            .ok_or_else(|| SimError(format!("'{}' is not in this build", self.id)))?
            .instantiate(overrides, seed, interventions, trace)
    }
}

impl Builder {
    /// Builds a run from raw overrides, whatever this program installed (the Web Worker's Raft
    /// study builds its runs so, with no catalogue of its own).
    pub fn instantiate(
        &self,
        overrides: &BTreeMap<String, String>,
        seed: u64,
        interventions: Vec<Intervention>,
        trace: TraceConfig,
    ) -> Result<Box<dyn Simulation>, SimError> {
        let p = self
            .def
            .params(overrides)
            .map_err(|e| SimError(e.to_string()))?;
        let config = engine_config(&p, seed, trace);
        (self.build)(&p, config, interventions)
    }
}

/// The engine configuration from validated parameters (keys a scenario lacks keep defaults).
pub fn engine_config(p: &Params, seed: u64, trace: TraceConfig) -> SimConfig {
    let d = SimConfig::default();
    let has = |k: &str| !p.raw(k).is_empty();
    SimConfig {
        n: if has("nodes") {
            p.int("nodes").max(1) as usize
        } else {
            d.n
        },
        seed,
        link: LinkConfig {
            latency: if has("latency") {
                p.latency("latency")
            } else {
                d.link.latency
            },
            loss: p.prob("loss"),
            duplicate: p.prob("duplicate"),
        },
        fifo: p.flag("fifo"),
        mtbf: p.opt_duration("mtbf"),
        mttr: if has("mttr") {
            p.duration("mttr")
        } else {
            d.mttr
        },
        clock_skew: p.duration("clock_skew"),
        clock_drift_ppm: p.int("clock_drift"),
        byzantine_delay: d.byzantine_delay,
        trace,
    }
}

/// Every scenario, in gallery order.
pub static CATALOGUE: &[&ScenarioDef] = &[
    &crate::protocols::heartbeat::SCENARIO,
    &crate::protocols::cap::SCENARIO,
    &crate::protocols::two_generals::SCENARIO,
    &crate::protocols::gossip::SCENARIO,
    &crate::protocols::raft_election::SCENARIO,
    &crate::protocols::bully::SCENARIO,
    &crate::protocols::quorum::SCENARIO,
    &crate::protocols::strong_register::SCENARIO,
    &crate::protocols::sessions::SCENARIO,
    &crate::protocols::causal::SCENARIO,
];

impl ScenarioDef {
    /// The scenario's long texts, compiled into native builds (the browser fetches them).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn story(&self) -> Result<story::Story<'static>, story::StoryError> {
        let text =
            story::bundled(self.id).ok_or(story::StoryError("no texts file for this scenario"))?;
        story::parse(text)
    }

    /// True when the single override `key=value` is refused (for the scenarios' bad-input tests).
    pub fn rejects(&self, key: &str, value: &str) -> bool {
        let mut o = BTreeMap::new();
        o.insert(key.to_string(), value.to_string());
        self.params(&o).is_err()
    }

    /// Builds a run from `key=value` pairs with the trace unrecorded (as sweeps do) and runs it to
    /// `until` (at most ten million entries).
    pub fn run_unrecorded(
        &self,
        sets: &[(&str, &str)],
        seed: u64,
        interventions: Vec<Intervention>,
        until: Time,
    ) -> Result<Box<dyn Simulation>, SimError> {
        let o: BTreeMap<String, String> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let trace = TraceConfig {
            record: false,
            ..TraceConfig::default()
        };
        let mut sim = self.instantiate(&o, seed, interventions, trace)?;
        sim.run_until(until, 10_000_000);
        Ok(sim)
    }

    /// Builds a run with the single override `key=value` and runs it to `until` (bounded), for
    /// tests that extreme but legal values neither panic nor hang.
    pub fn smoke(
        &self,
        key: &str,
        value: &str,
        until: Time,
    ) -> Result<Box<dyn Simulation>, SimError> {
        let mut o = BTreeMap::new();
        o.insert(key.to_string(), value.to_string());
        let mut sim = self.instantiate(&o, 1, vec![], TraceConfig::default())?;
        sim.run_until(until, 200_000);
        let _ = sim.metrics();
        Ok(sim)
    }
}

/// The card of each scenario of [`CATALOGUE`], in the same order.
pub static CARDS: &[Card] = &[
    crate::protocols::heartbeat::CARD,
    crate::protocols::cap::CARD,
    crate::protocols::two_generals::CARD,
    crate::protocols::gossip::CARD,
    crate::protocols::raft_election::CARD,
    crate::protocols::bully::CARD,
    crate::protocols::quorum::CARD,
    crate::protocols::strong_register::CARD,
    crate::protocols::sessions::CARD,
    crate::protocols::causal::CARD,
];

/// How to build each scenario of [`CATALOGUE`], in the same order.
pub static BUILDERS: &[Builder] = &[
    crate::protocols::heartbeat::BUILDER,
    crate::protocols::cap::BUILDER,
    crate::protocols::two_generals::BUILDER,
    crate::protocols::gossip::BUILDER,
    crate::protocols::raft_election::BUILDER,
    crate::protocols::bully::BUILDER,
    crate::protocols::quorum::BUILDER,
    crate::protocols::strong_register::BUILDER,
    crate::protocols::sessions::BUILDER,
    crate::protocols::causal::BUILDER,
];

static INSTALLED: std::sync::OnceLock<&'static [Builder]> = std::sync::OnceLock::new();

/// Chooses which scenarios this program can run; the first call wins. Native programs need not
/// call it: they run every scenario in [`BUILDERS`]. A browser build must, and names only what
/// it links: the full app installs [`BUILDERS`], a one-page build one entry (src/bin/web/).
pub fn install(builders: &'static [Builder]) {
    let _ = INSTALLED.set(builders);
}

/// The scenarios this program can run (see [`install`]).
pub fn builders() -> &'static [Builder] {
    #[cfg(not(target_arch = "wasm32"))]
    let default: &'static [Builder] = BUILDERS;
    // In wasm not even a reference to BUILDERS: it would link every protocol.
    #[cfg(target_arch = "wasm32")]
    let default: &'static [Builder] = &[];
    INSTALLED.get().copied().unwrap_or(default)
}

/// Whether this program can run the scenario `id` (a one-page browser build runs only its own;
/// the explorer loads the page's build for any other).
pub fn runs_here(id: &str) -> bool {
    builders().iter().any(|b| b.def.id == id)
}

/// Looks a scenario up by id: in the catalogue natively; in a browser build among the
/// scenarios it installed (the others' definitions are not linked into it).
pub fn find(id: &str) -> Option<&'static ScenarioDef> {
    #[cfg(not(target_arch = "wasm32"))]
    return CATALOGUE.iter().copied().find(|s| s.id == id);
    #[cfg(target_arch = "wasm32")]
    return builders().iter().map(|b| b.def).find(|s| s.id == id);
}

/// The ids, for error messages.
pub fn ids() -> Vec<&'static str> {
    CARDS.iter().map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_builds_with_its_defaults_and_counts_its_agents() {
        for s in CATALOGUE {
            let n = s
                .default_agents()
                .unwrap_or_else(|| panic!("{} builds", s.id));
            assert!((1..=100).contains(&n), "{}: {n}", s.id);
        }
        let n = |id: &str| find(id).and_then(ScenarioDef::default_agents);
        assert_eq!(n("two-generals"), Some(2));
        // Three replicas and the coordinator that runs the PACELC trials.
        assert_eq!(n("quorum"), Some(4));
    }

    #[test]
    fn the_builders_and_cards_follow_the_catalogue_and_its_agent_counts_are_right() {
        assert_eq!(BUILDERS.len(), CATALOGUE.len());
        assert_eq!(CARDS.len(), CATALOGUE.len());
        for ((b, s), c) in BUILDERS.iter().zip(CATALOGUE).zip(CARDS) {
            assert!(std::ptr::eq(b.def, *s), "{} / {}", b.def.id, s.id);
            let card = Card {
                id: s.id,
                title: s.title,
                group: s.group,
                tagline: s.tagline,
                agents: s.agents,
            };
            assert_eq!(*c, card);
            assert_eq!(Some(s.agents), s.default_agents(), "{}: agents", s.id);
            assert!(runs_here(s.id));
        }
        assert!(!runs_here("nope"));
    }

    /// Each scenario's page has its own browser build, which links that scenario (the page's
    /// loader, scripts/pages.mjs, sends a page without one to the gallery's build).
    #[test]
    fn every_scenario_has_a_page_build_of_its_own() {
        let root = env!("CARGO_MANIFEST_DIR");
        let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).expect("Cargo.toml");
        for s in CATALOGUE {
            let module = s.id.replace('-', "_");
            let path = format!("src/bin/web/{module}.rs");
            let entry = format!("name = \"page-{}\"\npath = \"{path}\"\n", s.id);
            assert!(manifest.contains(&entry), "Cargo.toml lacks:\n{entry}");
            let main = std::fs::read_to_string(format!("{root}/{path}")).expect("the page's bin");
            let builder = format!("swarmscope::protocols::{module}::BUILDER");
            assert!(main.contains(&builder), "{path} does not install {builder}");
        }
    }

    #[test]
    fn catalogue_ids_are_unique_and_urls_safe() {
        let mut ids = ids();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for id in ids {
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
    }

    #[test]
    fn every_scenario_builds_with_defaults_and_runs() {
        for s in CATALOGUE {
            for p in s.all_params() {
                assert!(
                    p.kind.validate(p.default).is_ok(),
                    "{}: default of {}",
                    s.id,
                    p.key
                );
            }
            let mut sim = s
                .instantiate(&BTreeMap::new(), 1, vec![], TraceConfig::default())
                .unwrap_or_else(|e| panic!("{}: {e}", s.id));
            sim.run_until(Time::secs(2).min(s.default_until), 2_000_000);
            assert!(sim.stats().events > 0, "{}", s.id);
        }
    }
}
