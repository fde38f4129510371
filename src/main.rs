//! The browser entry point that trunk builds (bin `swarmscope-web`, feature `web`): installs the
//! panic overlay, then mounts the Yew app on `<body>`.

// Talc instead of Rust's default dlmalloc: fewer bytes to load, faster allocation (README, Size).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    swarmscope::ui::panic::install();
    yew::Renderer::<swarmscope::ui::App>::new().render();
}
