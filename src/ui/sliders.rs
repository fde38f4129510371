//! The scenario's parameters as controls, generated from the catalogue's specs: Int → range
//! slider, durations → log slider, probability → 0–100 % slider, latency → preset select plus
//! text, Bool → toggle, Choice → select, ranges → text. A change is applied by the engine
//! (before the run starts: a parameter; later: an intervention).

use super::dom;
use super::geom::{fixed, Fixed};
use crate::scenario::{ParamKind, ParamSpec};
use crate::sim::dist::Dist;
use crate::sim::time::parse_duration;
use crate::sim::Time;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SlidersProps {
    pub params: Vec<(ParamSpec, String)>,
    pub on_change: Callback<(String, String)>,
}

#[component]
pub fn Sliders(props: &SlidersProps) -> Html {
    html! {
        <section class="panel sliders" aria-label="Parameters">
            { dom::raw_static("<h2>Parameters</h2><p class=\"hint\">Changes apply now and are recorded in the link.</p>") }
            { for props.params.iter().map(|(p, v)| param(p, v, &props.on_change)) }
        </section>
    }
}

fn log_pos(t: Time, min: Time, max: Time) -> f64 {
    let (a, b) = ((min.0.max(1)) as f64, (max.0.max(2)) as f64);
    let ln = libm::log;
    (ln(t.0.max(1) as f64) - ln(a)) / (ln(b) - ln(a)) * 1000.0
}

fn from_log_pos(p: f64, min: Time, max: Time) -> Time {
    let (a, b) = ((min.0.max(1)) as f64, (max.0.max(2)) as f64);
    let ln = libm::log;
    let us = libm::exp(ln(a) + (ln(b) - ln(a)) * p / 1000.0);
    // Round to a readable value: 2 significant digits.
    let mag = 10f64.powi((libm::log10(us).floor() as i32 - 1).max(0));
    Time(((us / mag).round() * mag) as u64).max(min).min(max)
}

fn param(p: &ParamSpec, v: &str, on: &Callback<(String, String)>) -> Html {
    let key = p.key.to_string();
    let emit_input = {
        let on = on.clone();
        let key = key.clone();
        move |f: fn(&HtmlInputElement) -> Option<String>| {
            let on = on.clone();
            let key = key.clone();
            Callback::from(move |e: Event| {
                if let Some(v) = e.target_dyn_into::<HtmlInputElement>().and_then(|i| f(&i)) {
                    on.emit((key.clone(), v))
                }
            })
        }
    };
    let id = format!("param-{}", p.key);
    let control = match p.kind {
        ParamKind::Int { min, max } if max - min <= 1000 => html! {
            <>
                <input id={id.clone()} type="range" min={min.to_string()} max={max.to_string()} step="1" value={v.to_string()}
                    onchange={emit_input(|i| Some(i.value()))} aria-describedby={format!("{id}-help")} data-testid={id.clone()} />
                <output>{ v }</output>
            </>
        },
        ParamKind::Int { .. } => html! {
            <input id={id.clone()} type="number" value={v.to_string()} onchange={emit_input(|i| Some(i.value()))} data-testid={id.clone()} />
        },
        ParamKind::Duration { min, max } => {
            let t = parse_duration(v).unwrap_or(min);
            let (mn, mx) = (min, max);
            let on = on.clone();
            let key = key.clone();
            let onchange = Callback::from(move |e: Event| {
                if let Some(x) = e
                    .target_dyn_into::<HtmlInputElement>()
                    .map(|i| i.value_as_number())
                    .filter(|x| x.is_finite())
                {
                    on.emit((key.clone(), from_log_pos(x, mn, mx).to_string()))
                }
            });
            html! {
                <>
                    <input id={id.clone()} type="range" min="0" max="1000" step="1" value={fixed(log_pos(t, min, max), 0)} {onchange} data-testid={id.clone()} />
                    <output>{ v }</output>
                </>
            }
        }
        ParamKind::OptDuration { min, max } => {
            let off = matches!(v.trim(), "off" | "none");
            let t = parse_duration(v).unwrap_or(max);
            let (mn, mx) = (min, max);
            let on = on.clone();
            let key = key.clone();
            let onchange = Callback::from(move |e: Event| {
                if let Some(x) = e
                    .target_dyn_into::<HtmlInputElement>()
                    .map(|i| i.value_as_number())
                    .filter(|x| x.is_finite())
                {
                    let val = if x >= 1000.0 {
                        "off".to_string()
                    } else {
                        from_log_pos(x, mn, mx).to_string()
                    };
                    on.emit((key.clone(), val))
                }
            });
            html! {
                <>
                    <input id={id.clone()} type="range" min="0" max="1000" step="1" value={if off { "1000".to_string() } else { fixed(log_pos(t, min, max).min(999.0), 0) }} {onchange} data-testid={id.clone()} />
                    <output>{ if off { "off" } else { v } }</output>
                </>
            }
        }
        ParamKind::Probability => {
            let pct = crate::sim::units::parse_probability(v).unwrap_or(0.0) * 100.0;
            html! {
                <>
                    <input id={id.clone()} type="range" min="0" max="100" step="1" value={fixed(pct, 0)}
                        onchange={emit_input(|i| Some(format!("{}%", i.value())))} data-testid={id.clone()} />
                    <output>{ format!("{} %", Fixed(pct, 0)) }</output>
                </>
            }
        }
        ParamKind::Latency => {
            let on2 = on.clone();
            let key2 = key.clone();
            let preset = Callback::from(move |e: Event| {
                if let Some(v) = e
                    .target_dyn_into::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .filter(|v| !v.is_empty())
                {
                    on2.emit((key2.clone(), v))
                }
            });
            html! {
                <span class="latency">
                    <select onchange={preset} aria-label={format!("{} preset", p.label)}>
                        <option value="" selected={!Dist::PRESETS.contains(&v)}>{ "custom" }</option>
                        { for Dist::PRESETS.iter().map(|n| html! { <option value={*n} selected={*n == v}>{ *n }</option> }) }
                    </select>
                    <input id={id.clone()} type="text" value={v.to_string()} onchange={emit_input(|i| Some(i.value()))} data-testid={id.clone()} size="12" />
                </span>
            }
        }
        ParamKind::Bool => {
            let on_now = crate::sim::units::parse_bool(v).unwrap_or(false);
            html! {
                <input id={id.clone()} type="checkbox" role="switch" checked={on_now}
                    onchange={emit_input(|i| Some(if i.checked() { "on".into() } else { "off".into() }))} data-testid={id.clone()} />
            }
        }
        ParamKind::Choice(choices) => {
            let on = on.clone();
            let key = key.clone();
            let onchange = Callback::from(move |e: Event| {
                if let Some(v) = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()) {
                    on.emit((key.clone(), v))
                }
            });
            html! {
                <select id={id.clone()} {onchange} data-testid={id.clone()}>
                    { for choices.iter().map(|c| html! { <option value={*c} selected={*c == v}>{ *c }</option> }) }
                </select>
            }
        }
        ParamKind::DurationRange { .. } => html! {
            <input id={id.clone()} type="text" value={v.to_string()} onchange={emit_input(|i| Some(i.value()))} data-testid={id.clone()} size="12" />
        },
    };
    html! {
        <div class="param" key={p.key}>
            <label for={id.clone()} title={p.help}>{ p.label }</label>
            <div class="control">{ control }</div>
            <small id={format!("{id}-help")}>{ p.help }</small>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_slider_round_trips_within_two_digits() {
        let (min, max) = (Time::ms(1), Time::secs(60));
        for t in [Time::ms(1), Time::ms(150), Time::secs(2), Time::secs(60)] {
            let back = from_log_pos(log_pos(t, min, max), min, max);
            let ratio = back.0 as f64 / t.0 as f64;
            assert!((0.9..1.1).contains(&ratio), "{t} -> {back}");
        }
    }
}
