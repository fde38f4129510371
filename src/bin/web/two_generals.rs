//! The build for the page of scenario `two-generals` (bin `page-two-generals`): the gallery and every page's
//! views, but the protocol code of `two-generals` only. See scripts/variants.mjs.

// Talc, as in the full app (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(
        &[swarmscope::protocols::two_generals::BUILDER],
        swarmscope::ui::no_study,
    );
}
