//! The build of scenario `raft-election`'s page (bin `page-raft-election`): that page, with the
//! protocol code of `raft-election` only and no gallery (Home loads the gallery's build). See
//! scripts/pages.mjs.

// Talc, as in the full app (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(swarmscope::ui::page_of(
        &[swarmscope::protocols::raft_election::BUILDER],
        swarmscope::ui::election_study,
    ));
}
