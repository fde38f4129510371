//! The browser entry point that trunk builds (bin `swarmscope-web`, feature `web`): mounts the
//! Yew app on `<body>`.

fn main() {
    yew::Renderer::<swarmscope::ui::App>::new().render();
}
