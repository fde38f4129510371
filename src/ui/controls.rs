//! Transport controls: play/pause, step back and forward, reset, the scrubber, speed on a log
//! slider (1/1000× … 10× real time), seed (edit or random), partition split/heal, clock and theme
//! toggles, share and embed.

use super::dom;
use super::engine::Snap;
use super::geom;
use super::geom::{shortest, Fixed};
use super::stage::ClockMode;
use crate::sim::decimal::ClampF as _;
use crate::sim::Time;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct ControlCallbacks {
    pub play: Callback<bool>,
    pub step: Callback<bool>,
    pub reset: Callback<()>,
    pub seek: Callback<Time>,
    pub speed: Callback<f64>,
    pub seed: Callback<u64>,
    pub split: Callback<()>,
    pub heal: Callback<()>,
    pub clock: Callback<ClockMode>,
    pub theme: Callback<String>,
    pub share: Callback<()>,
    pub embed: Callback<()>,
    pub help: Callback<bool>,
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub snap: Rc<Snap>,
    pub playing: bool,
    pub speed_log: f64,
    pub seed: u64,
    pub clock: ClockMode,
    pub theme: String,
    pub cb: ControlCallbacks,
    pub compact: bool,
}

fn speed_text(log: f64) -> String {
    let f = geom::speed_factor(log);
    if f >= 1.0 {
        format!("{}×", Fixed(f, 1))
    } else {
        format!("1/{}×", Fixed(1.0 / f, 0))
    }
}

/// A click handler that emits `v`: one closure type per value type (each type of closure compiles
/// its own copy of the callback machinery), not one per button.
fn on_click<T: Clone + 'static>(cb: &Callback<T>, v: T) -> Callback<MouseEvent> {
    let cb = cb.clone();
    Callback::from(move |_: MouseEvent| cb.emit(v.clone()))
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let cb = &props.cb;
    let snap = &props.snap;
    let t_ms = snap.t.as_ms_f64();
    let end_ms = snap.end.as_ms_f64().max(1.0);
    let play = on_click(&cb.play, !props.playing);
    let step_b = on_click(&cb.step, false);
    let step_f = on_click(&cb.step, true);
    let reset = on_click(&cb.reset, ());
    let scrub = {
        let c = cb.seek.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value_as_number())
                .filter(|v| v.is_finite())
            {
                c.emit(Time::from_ms_f64(v.max(0.0)))
            }
        })
    };
    let speed = {
        let c = cb.speed.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value_as_number())
                .filter(|v| v.is_finite())
            {
                c.emit(v)
            }
        })
    };
    let seed_change = {
        let c = cb.seed.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.value().trim().parse::<u64>().ok())
            {
                c.emit(v)
            }
        })
    };
    let random = {
        let c = cb.seed.clone();
        Callback::from(move |_: MouseEvent| c.emit(dom::random_seed()))
    };
    let split = on_click(&cb.split, ());
    let heal = on_click(&cb.heal, ());
    let clock = {
        let c = cb.clock.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()) {
                c.emit(match v.as_str() {
                    "vector" => ClockMode::Vector,
                    "physical" => ClockMode::Physical,
                    _ => ClockMode::Lamport,
                })
            }
        })
    };
    let theme = {
        let c = cb.theme.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()) {
                c.emit(v)
            }
        })
    };
    let share = on_click(&cb.share, ());
    let embed = on_click(&cb.embed, ());
    let help = on_click(&cb.help, true);
    let partitioned = snap
        .frame
        .groups
        .iter()
        .any(|g| Some(g) != snap.frame.groups.first())
        || !snap.frame.cut.is_empty();
    let head_pct = (snap.head.as_ms_f64() / end_ms * 100.0).clamp_f(0.0, 100.0);

    let body = html! {
        <>
            <div class="row transport">
                <button class="primary play" onclick={play} aria-label={if props.playing { "Pause (space)" } else { "Play (space)" }} aria-pressed={props.playing.to_string()} data-testid="play">
                    { match (props.playing, props.compact) {
                        (true, false) => "❚❚ Pause",
                        (false, false) => "▶ Play",
                        (true, true) => "❚❚",
                        (false, true) => "▶",
                    } }
                </button>
                <button onclick={step_b} aria-label="Step back to the previous event (comma)" title="Step back (,)" data-testid="step-back">{ if props.compact { "‹" } else { "◀ Step" } }</button>
                <button onclick={step_f} aria-label="Step forward to the next event (period)" title="Step forward (.)" data-testid="step-forward">{ if props.compact { "›" } else { "Step ▶" } }</button>
                if !props.compact {
                    <button onclick={reset} aria-label="Reset the run: back to the start, interventions cleared" title="Reset" data-testid="reset">{ "Reset" }</button>
                }
                <div class="scrub" style={format!("--head:{}%", Fixed(head_pct, 1))}>
                    <input type="range" min="0" max={shortest(end_ms)} step="any" value={shortest(t_ms)} oninput={scrub}
                        aria-label="Time in the run" aria-valuetext={geom::fmt_ms(t_ms)} data-testid="scrubber" />
                </div>
                <output class="time" data-testid="time">{ geom::fmt_ms(t_ms) }</output>
            </div>
            if !props.compact {
                <div class="row settings">
                    <label class="speed">{ "Speed " }
                        <input type="range" min="-3" max="1" step="0.05" value={shortest(props.speed_log)} oninput={speed}
                            aria-label="Speed, model time per real time" aria-valuetext={speed_text(props.speed_log)} data-testid="speed" />
                        <output>{ speed_text(props.speed_log) }</output>
                    </label>
                    // Groups wrap as wholes, so a narrow row never strands "Heal" away from
                    // "Split" or "Random" away from its seed.
                    <span class="group">
                        <label class="seed">{ "Seed " }
                            <input type="number" min="0" value={props.seed.to_string()} onchange={seed_change} aria-label="Seed" data-testid="seed" />
                        </label>
                        <button onclick={random} aria-label="Random seed" title="Random seed" data-testid="random-seed">{ "Random" }</button>
                    </span>
                    <span class="sep" />
                    <span class="group" role="group" aria-label="Network">
                        <span class="group-label" aria-hidden="true">{ "Network" }</span>
                        <button onclick={split} aria-label="Split the network in two halves (s)" title="Split the network in two halves (s)" data-testid="split">{ "Split" }</button>
                        <button onclick={heal} disabled={!partitioned} aria-label="Heal the network (h)" title={if partitioned { "Heal the network (h)" } else { "Nothing to heal: the network is whole" }} data-testid="heal">{ "Heal" }</button>
                    </span>
                    <span class="sep" />
                    <label>{ "Clock " }
                        <select onchange={clock} aria-label="Clock shown on agents" data-testid="clock-mode">
                            <option value="lamport" selected={props.clock == ClockMode::Lamport}>{ "Lamport" }</option>
                            <option value="vector" selected={props.clock == ClockMode::Vector}>{ "vector" }</option>
                            <option value="physical" selected={props.clock == ClockMode::Physical}>{ "physical" }</option>
                        </select>
                    </label>
                    <label>{ "Theme " }
                        <select onchange={theme} aria-label="Colour theme" data-testid="theme">
                            <option value="" selected={props.theme.is_empty()}>{ "system" }</option>
                            <option value="light" selected={props.theme == "light"}>{ "light" }</option>
                            <option value="dark" selected={props.theme == "dark"}>{ "dark" }</option>
                        </select>
                    </label>
                    <span class="sep" />
                    <span class="group">
                        <button onclick={share} aria-label="Copy a link to this exact run" title="Copy a link to this exact run" data-testid="share">{ "Share" }</button>
                        <button onclick={embed} aria-label="Copy an iframe snippet" title="Copy an iframe snippet of this run" data-testid="embed">{ "Embed" }</button>
                        <button onclick={help} aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" data-testid="help">{ "?" }</button>
                    </span>
                </div>
            }
        </>
    };
    // Literal classes: one that is not goes through yew's `Classes` (see `dom::with_class`).
    if props.compact {
        html! { <div class="controls compact" role="toolbar" aria-label="Playback">{ body }</div> }
    } else {
        html! { <div class="controls" role="toolbar" aria-label="Playback">{ body }</div> }
    }
}
