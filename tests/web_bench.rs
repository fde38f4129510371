//! The engine's load loop (the same as `benches/engine.rs`) compiled to wasm and timed in
//! headless Chromium. A benchmark, not a test: it asserts nothing about time and only prints.
//! Run with `scripts/bench.sh` (release build); compare with `cargo bench --bench engine`.
#![cfg(target_arch = "wasm32")]

use swarmscope::protocols::heartbeat::{churn, load_world};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

#[wasm_bindgen_test]
fn engine_events_per_second_in_wasm() {
    for n in [5usize, 25, 100] {
        for record in [false, true] {
            let mut w = load_world(n, 1, record).expect("valid load world");
            // Warm up past the start-up broadcast and the JIT's tiering, as criterion does.
            churn(&mut w, 300_000);
            let events = 1_000_000;
            let t0 = now_ms();
            let done = churn(&mut w, events);
            let secs = (now_ms() - t0) / 1000.0;
            console_log!(
                "wasm engine n={n} {}: {:.2} M events/s",
                if record { "recorded" } else { "unrecorded" },
                done as f64 / secs / 1e6
            );
        }
    }
}
