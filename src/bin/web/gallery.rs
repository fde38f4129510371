//! The gallery's build (bin `page-gallery`): every card, but no scenario page and no protocol code.
//! A card loads its scenario's page build (src/bin/web/*.rs, scripts/pages.mjs).

// Talc, as in the full app (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(swarmscope::ui::GALLERY);
}
