//! The build for the page of scenario `raft-election` (bin `page-raft-election`): the gallery and every page's
//! views, but the protocol code of `raft-election` only. See scripts/variants.mjs.

// Talc, as in the full app (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(
        &[swarmscope::protocols::raft_election::BUILDER],
        swarmscope::ui::election_study,
    );
}
