//! The keyboard help overlay (`?`).

use super::dom::{self, Esc};
use std::fmt::Write as _;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<bool>,
}

const KEYS: &[(&str, &str)] = &[
    ("space", "play / pause"),
    (".", "step forward to the next event"),
    (",", "step back to the previous event"),
    ("← →", "scrub (shift: ten times further)"),
    (
        "click an agent",
        "menu: crash, pause, Byzantine, client request, other side",
    ),
    (
        "click a link",
        "cut it (dashed red); click again to mend — or, by keyboard, the agent menu's link item",
    ),
    (
        "drag across the stage",
        "build a wall: the agents on each side become a partition (walls add up; h heals)",
    ),
    (
        "Enter",
        "open the menu of the focused agent (Tab moves between agents)",
    ),
    ("c", "crash / recover the selected agent"),
    (
        "p",
        "move the selected agent to the other side of a partition",
    ),
    ("s", "split the network in two"),
    ("h", "heal the network"),
    ("?", "this help"),
    ("Esc", "close, deselect"),
];

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = {
        let c = props.on_close.clone();
        Callback::from(move |_: MouseEvent| c.emit(false))
    };
    // Only text: one markup string (see `dom::raw`).
    let mut keys = String::from("<h2>Keyboard</h2><dl class=\"keys\">");
    for (k, v) in KEYS {
        let _ = write!(keys, "<dt><kbd>{}</kbd></dt><dd>{}</dd>", Esc(k), Esc(v));
    }
    keys.push_str("</dl>");
    let keys = dom::raw(keys);
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="help-overlay">
            <div class="dialog">
                { keys }
                <button class="primary" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
