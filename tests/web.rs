//! Browser tests (layer 2 of the pyramid): run in headless Chromium by wasm-bindgen-test-runner.
//!
//! `cargo test --target wasm32-unknown-unknown --no-default-features --features web --test web`
//! with `CHROMEDRIVER=/usr/bin/chromedriver` (scripts/test.sh does this). Natively this file
//! compiles to nothing.
//!
//! Rules: mount into a fresh element, await `yew::scheduler::flush()` after every change, never
//! sleep; query by `data-testid`.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

use swarmscope::sim::golden::{RNG_SEED42_NETWORK, SAMPLES_SEED42};
use swarmscope::sim::{Purpose, SimRng};
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
    // Another test may have left a run in the URL: the gallery is what shows without `s=`.
    swarmscope::ui::dom::set_query("", false);
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
async fn gallery_lists_every_scenario() {
    let root = fresh_root();
    let cb = yew::Callback::from(|_: String| ());
    let handle = yew::Renderer::<swarmscope::ui::Gallery>::with_root_and_props(
        root.clone(),
        swarmscope::ui::GalleryProps {
            banner: None,
            on_open: cb,
        },
    )
    .render();
    yew::scheduler::flush().await;
    for s in swarmscope::scenario::CATALOGUE {
        let card = by_test_id(&root, &format!("card-{}", s.id));
        assert!(card.text_content().unwrap_or_default().contains(s.title));
    }
    handle.destroy();
}

#[wasm_bindgen_test]
async fn scenario_page_draws_agents_and_steps() {
    let (root, handle) = page("s=heartbeat&seed=3&t=200ms").await;
    let stage = by_test_id(&root, "stage");
    assert!(root
        .query_selector("[data-testid=agent-0]")
        .ok()
        .flatten()
        .is_some());
    assert_eq!(stage.get_attribute("data-time").as_deref(), Some("200000"));
    let fwd: HtmlElement = by_test_id(&root, "step-forward")
        .dyn_into()
        .expect("a button");
    fwd.click();
    yew::scheduler::flush().await;
    let t: u64 = by_test_id(&root, "stage")
        .get_attribute("data-time")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(t > 200_000, "{t}");
    let agent: web_sys::Element = by_test_id(&root, "agent-1");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let click = web_sys::Event::new_with_event_init_dict("click", &init).expect("event");
    agent.dispatch_event(&click).expect("dispatched");
    yew::scheduler::flush().await;
    let crash: HtmlElement = by_test_id(&root, "menu-crash")
        .dyn_into()
        .expect("a button");
    crash.click();
    yew::scheduler::flush().await;
    assert_eq!(
        by_test_id(&root, "agent-1")
            .get_attribute("data-status")
            .as_deref(),
        Some("crashed")
    );
    handle.destroy();
}

/// A page for `query`, rendered into a fresh element.
async fn page(query: &str) -> (Element, yew::AppHandle<swarmscope::ui::ScenarioPage>) {
    let root = fresh_root();
    let run = swarmscope::scenario::url::Run::parse(query).expect("parses");
    let handle = yew::Renderer::<swarmscope::ui::ScenarioPage>::with_root_and_props(
        root.clone(),
        swarmscope::ui::PageProps {
            run,
            banner: None,
            on_home: yew::Callback::noop(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    (root, handle)
}

fn click(el: &Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let click = web_sys::Event::new_with_event_init_dict("click", &init).expect("event");
    el.dispatch_event(&click).expect("dispatched");
}

#[wasm_bindgen_test]
async fn a_click_on_a_link_cuts_it_and_another_mends_it() {
    let (root, handle) = page("s=heartbeat&seed=3&t=200ms").await;
    let cut = || {
        root.query_selector("[data-link=\"1-3\"]")
            .ok()
            .flatten()
            .and_then(|l| l.get_attribute("data-cut"))
    };
    assert_eq!(cut().as_deref(), Some("false"));
    let hit = || {
        root.query_selector("[data-link=\"1-3\"] .link-hit")
            .ok()
            .flatten()
            .expect("a hit stroke")
    };
    click(&hit());
    yew::scheduler::flush().await;
    assert_eq!(cut().as_deref(), Some("true"));
    assert!(swarmscope::ui::dom::location_query().contains("cut*1*3"));
    click(&hit());
    yew::scheduler::flush().await;
    assert_eq!(cut().as_deref(), Some("false"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_crashed_agent_is_drawn_suspected_by_the_live_ones() {
    let (root, handle) = page("s=heartbeat&seed=3&i=300ms*crash*2&t=1200ms").await;
    let a2 = by_test_id(&root, "agent-2");
    assert_eq!(
        a2.get_attribute("data-suspected-by").as_deref(),
        Some("0,1,3,4")
    );
    assert!(a2
        .get_attribute("class")
        .unwrap_or_default()
        .contains("suspected-right"));
    assert!(root
        .query_selector("[data-testid=suspected-2] .suspect-badge")
        .ok()
        .flatten()
        .is_some());
    assert!(by_test_id(&root, "agent-0")
        .get_attribute("data-suspected-by")
        .is_none());
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
    let got = swarmscope::sim::golden::sampler_draws();
    assert_eq!(got, SAMPLES_SEED42);
}
