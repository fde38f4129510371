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
/// Also installs the full app's build (every scenario and page), as `ui::start` does.
fn fresh_root() -> Element {
    swarmscope::ui::install(swarmscope::ui::FULL);
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

/// The painter's rasteriser (paint.js, run off the main thread) draws what the Rust one
/// (ui::raster, unit-tested natively) draws: the same shapes, pixel for pixel within one level
/// (f32 vs f64 blending), including a clear between frames that wipes only what was drawn.
#[wasm_bindgen_test]
fn the_painters_rasteriser_matches_the_rust_one() {
    use swarmscope::ui::paint::{raster_run, Rec};
    use swarmscope::ui::raster::Raster;
    let (w, h) = (61u32, 47u32);
    // A small LCG for positions and colours, so the cases are many but fixed.
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |lo: f64, hi: f64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
    };
    for case in 0..24 {
        let (mut rec, mut rust) = (Rec::default(), Raster::default());
        rec.raster_begin(w, h);
        rust.clear(w as usize, h as usize);
        for k in 0..12 {
            if k == 6 && case % 2 == 1 {
                // A second frame: the first one's pixels are wiped.
                rec.raster_begin(w, h);
                rust.clear(w as usize, h as usize);
            }
            let c = [
                next(0.0, 255.0) as u8,
                next(0.0, 255.0) as u8,
                next(0.0, 255.0) as u8,
                if next(0.0, 1.0) < 0.7 {
                    255
                } else {
                    next(0.0, 255.0) as u8
                },
            ];
            let alpha = if next(0.0, 1.0) < 0.6 {
                1.0
            } else {
                next(0.05, 1.0)
            };
            let (x, y) = (next(-8.0, w as f64 + 8.0), next(-8.0, h as f64 + 8.0));
            let r = [2.5, 4.0, next(0.6, 9.0)][k % 3];
            match (case + k) % 3 {
                0 => {
                    rec.disc(x, y, r, c, alpha);
                    rust.disc(x, y, r, c, alpha);
                }
                1 => {
                    let width = next(0.5, 4.0);
                    rec.ring(x, y, r, width, c, alpha);
                    rust.ring(x, y, r, width, c, alpha);
                }
                _ => {
                    let (b, width) = ((next(-8.0, 70.0), next(-8.0, 55.0)), next(0.5, 5.0));
                    rec.segment((x, y), b, width, c, alpha);
                    rust.segment((x, y), b, width, c, alpha);
                }
            }
        }
        let js = raster_run(w, h, &rec).expect("paint.js's raster_run");
        assert_eq!(js.len(), rust.bytes().len(), "case {case}");
        let mut drawn = 0;
        for (i, (a, b)) in js.iter().zip(rust.bytes()).enumerate() {
            assert!(
                (*a as i32 - *b as i32).abs() <= 1,
                "case {case}: byte {i} (pixel {}, {}): paint.js {a}, Rust {b}",
                (i / 4) % w as usize,
                (i / 4) / w as usize
            );
            drawn += usize::from(i % 4 == 3 && *b != 0);
        }
        assert!(drawn > 0, "case {case} drew something");
    }
}
