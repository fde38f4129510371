//! The full browser app that trunk builds (bin `swarmscope-web`, feature `web`): every scenario
//! and every study in one wasm. The release build also makes one smaller build per page
//! (src/bin/web/, scripts/pages.mjs) and each page loads its own; this one is what every page
//! loads in debug builds and with `SWARMSCOPE_PAGES=0`.

// Talc instead of Rust's default dlmalloc: fewer bytes to load, faster allocation (README, Size).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(swarmscope::ui::FULL);
}
