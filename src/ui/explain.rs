//! What the viewer is looking at, in AI-agent terms and in the field's classic terms, and what to
//! try.

use crate::scenario::find;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExplainProps {
    pub def_id: &'static str,
}

#[component]
pub fn Explain(props: &ExplainProps) -> Html {
    let Some(def) = find(props.def_id) else {
        return html! {};
    };
    html! {
        <section class="panel explain" aria-label="Explanation">
            <h2>{ "What you are looking at" }</h2>
            { for def.ai_story.split("\n\n").map(|p| html! { <p>{ p }</p> }) }
            <details>
                <summary>{ "In classic terms" }</summary>
                { for def.classic_story.split("\n\n").map(|p| html! { <p>{ p }</p> }) }
            </details>
            <h3>{ "Try this" }</h3>
            <ul class="try">{ for def.try_this.iter().map(|t| html! { <li>{ *t }</li> }) }</ul>
        </section>
    }
}
