//! Browser tests (layer 2 of the pyramid): run in headless Chromium by wasm-bindgen-test-runner.
//!
//! `cargo test --target wasm32-unknown-unknown --no-default-features --features web --test web`
//! with `CHROMEDRIVER=/usr/bin/chromedriver` (scripts/test.sh does this). Natively this file
//! compiles to nothing.
//!
//! Rules: mount into a fresh element, await `yew::scheduler::flush()` after every change, never
//! sleep; query by `data-testid`.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

use swarmscope::sim::dist::pbs_lnkd_ssd;
use swarmscope::sim::golden::{RNG_SEED42_NETWORK, SAMPLES_SEED42};
use swarmscope::sim::{Dist, Purpose, SimRng};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the document for one component to render into.
fn fresh_root() -> Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    root
}

/// The element with `data-testid="{id}"` under `root`.
fn by_test_id(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

#[wasm_bindgen_test]
async fn app_renders_its_title() {
    let root = fresh_root();
    let handle = yew::Renderer::<swarmscope::ui::App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;

    assert_eq!(
        by_test_id(&root, "app-title").text_content().as_deref(),
        Some("Swarmscope")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn counter_counts_clicks() {
    let root = fresh_root();
    let handle = yew::Renderer::<swarmscope::ui::Counter>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert_eq!(
        by_test_id(&root, "counter-value").text_content().as_deref(),
        Some("0")
    );

    let button: HtmlElement = by_test_id(&root, "counter-button")
        .dyn_into()
        .expect("a button");
    button.click();
    yew::scheduler::flush().await;
    button.click();
    yew::scheduler::flush().await;

    assert_eq!(
        by_test_id(&root, "counter-value").text_content().as_deref(),
        Some("2")
    );
    handle.destroy();
}

/// The same bits as the native test `sim::rng::tests::chacha_streams_match_the_golden_vector`.
#[wasm_bindgen_test]
fn rng_matches_the_golden_vector_in_wasm() {
    let mut r = SimRng::new(42, Purpose::Network);
    let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
    assert_eq!(got, RNG_SEED42_NETWORK);
}

/// The same draws as the native test `sim::dist::tests::samplers_match_the_golden_vector`: a
/// sampler that used std's float functions instead of libm would differ here.
#[wasm_bindgen_test]
fn samplers_match_the_golden_vector_in_wasm() {
    let mut r = SimRng::new(42, Purpose::Network);
    let got: Vec<u64> = [
        Dist::Exp(0.183),
        Dist::Pareto(1.05, 1.51),
        Dist::Normal(10.0, 2.0),
        Dist::LogNormal(0.0, 1.0),
        pbs_lnkd_ssd(),
    ]
    .iter()
    .map(|d| d.sample_ms(&mut r).to_bits())
    .collect();
    assert_eq!(got, SAMPLES_SEED42);
}
