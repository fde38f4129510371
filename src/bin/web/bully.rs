//! The build of scenario `bully`'s page (bin `page-bully`): that page, with the protocol code of
//! `bully` only and no gallery (Home loads the gallery's build). See scripts/pages.mjs.

// Talc, as in the full app (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::start(swarmscope::ui::page_of(
        &[swarmscope::protocols::bully::BUILDER],
        swarmscope::ui::no_study,
    ));
}
