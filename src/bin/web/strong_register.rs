//! The build for the page of scenario `strong-register` (bin `page-strong-register`): the gallery and every page's
//! views, but the protocol code of `strong-register` only. See scripts/variants.mjs.

// Talc, as in the full app (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(
        &[swarmscope::protocols::strong_register::BUILDER],
        swarmscope::ui::no_study,
    );
}
