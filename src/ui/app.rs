//! The root component. PLACEHOLDER until the real explorer lands: a header and a counter button,
//! just enough for the wasm-bindgen tests (tests/web.rs) and the end-to-end tests (tests/e2e/)
//! to click something and assert the DOM.

use yew::prelude::*;

/// The whole app, mounted on `<body>` by `src/main.rs`.
#[component]
pub fn App() -> Html {
    html! {
        <main class="app">
            <header class="app-header">
                <h1 data-testid="app-title">{ "Swarmscope" }</h1>
                <p>{ "A deterministic distributed-systems laboratory for AI-agent coordination." }</p>
            </header>
            <Counter />
        </main>
    }
}

/// A button that counts its clicks. Stable test ids: `counter-button`, `counter-value`.
#[component]
pub fn Counter() -> Html {
    let count = use_state(|| 0u32);
    let onclick = {
        let count = count.clone();
        Callback::from(move |_: MouseEvent| count.set(count.saturating_add(1)))
    };
    html! {
        <section class="counter">
            <button data-testid="counter-button" {onclick}>{ "Step" }</button>
            <span> { " steps: " } </span>
            <output data-testid="counter-value">{ *count }</output>
        </section>
    }
}
