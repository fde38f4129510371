//! The core in wasm, in headless Chromium: a whole run gives the same trace hash as natively
//! (`tests/engine.rs` asserts the same constant), so a share link replays identically in every
//! browser. Run by `scripts/test.sh` (layer test-wasm).
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;
use swarmscope::scenario;
use swarmscope::sim::{golden, Time, TraceConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_heartbeat_run_hashes_the_same_in_wasm_as_natively() {
    // A browser build runs what it installs (the full app: every scenario).
    scenario::install(scenario::BUILDERS);
    let def = scenario::find("heartbeat").expect("heartbeat is in the catalogue");
    let mut o = BTreeMap::new();
    o.insert("latency".to_string(), "lnkd-ssd".to_string());
    o.insert("loss".to_string(), "10%".to_string());
    let mut s = def
        .instantiate(&o, 7, vec![], TraceConfig::default())
        .expect("valid run");
    s.run_until(Time::secs(2), u64::MAX);
    assert_eq!(
        s.hash(),
        golden::HEARTBEAT_SEED7_HASH,
        "got {:016x}",
        s.hash()
    );
}

#[wasm_bindgen_test]
fn every_scenario_runs_deterministically_in_wasm() {
    scenario::install(scenario::BUILDERS);
    for def in scenario::CATALOGUE {
        let run = || {
            let mut s = def
                .instantiate(&BTreeMap::new(), 3, vec![], TraceConfig::default())
                .expect("defaults are valid");
            s.run_until(Time::ms(500), 200_000);
            s.hash()
        };
        assert_eq!(run(), run(), "{}", def.id);
    }
}

/// The PBS Monte Carlo (ziggurat, table-driven exp, mixtures) gives the same bits in wasm as
/// natively (`montecarlo::golden`), so the page's curves equal the CLI's.
#[wasm_bindgen_test]
fn the_quorum_monte_carlo_gives_the_native_bits_in_wasm() {
    use swarmscope::protocols::quorum::montecarlo::golden;
    assert_eq!(golden::bits(), golden::SEED1);
}
