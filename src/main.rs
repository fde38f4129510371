//! The browser entry point that trunk builds (bin `swarmscope-web`, feature `web`): installs the
//! panic overlay, then mounts the Yew app on `<body>`.

fn main() {
    swarmscope::ui::panic::install();
    yew::Renderer::<swarmscope::ui::App>::new().render();
}
