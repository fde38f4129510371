//! The scenario's live metrics as numbers with small sparklines over the run, and its invariants:
//! green while they hold, red with a link that seeks to the first violation.

use super::engine::Snap;
use crate::sim::Time;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub snap: Rc<Snap>,
    pub hist: Rc<Vec<(Time, Vec<f64>)>>,
    pub on_seek: Callback<Time>,
}

fn fmt_val(v: f64) -> String {
    if !v.is_finite() {
        "—".to_string()
    } else if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn spark(hist: &[(Time, Vec<f64>)], k: usize) -> String {
    let vals: Vec<f64> = hist
        .iter()
        .filter_map(|(_, v)| v.get(k).copied())
        .filter(|v| v.is_finite())
        .collect();
    if vals.len() < 2 {
        return String::new();
    }
    let (lo, hi) = vals
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = (hi - lo).max(1e-9);
    let n = vals.len() - 1;
    vals.iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 / n as f64 * 100.0,
                18.0 - (v - lo) / span * 16.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn Metrics(props: &MetricsProps) -> Html {
    let s = &props.snap;
    html! {
        <section class="panel metrics" aria-label="Metrics and invariants">
            <h2>{ "Metrics" }</h2>
            <dl class="metric-list">
                { for s.metrics.iter().enumerate().map(|(k, (name, v))| html! {
                    <div class="metric" key={name.clone()}>
                        <dt>{ name }</dt>
                        <dd><svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true"><polyline points={spark(&props.hist, k)} /></svg>
                            <span class="num">{ fmt_val(*v) }</span>
                        </dd>
                    </div>
                }) }
                <div class="metric"><dt>{ "events" }</dt><dd><span class="num">{ s.events }</span></dd></div>
                <div class="metric"><dt>{ "in flight now" }</dt><dd><span class="num" data-testid="in-flight">{ s.msgs.iter().filter(|m| m.dying.is_none()).count() }</span></dd></div>
            </dl>
            <h2>{ "Invariants" }</h2>
            if s.invariants.is_empty() {
                <p class="hint">{ "This scenario checks no invariants." }</p>
            }
            <ul class="invariants">
                { for s.invariants.iter().map(|inv| {
                    let seek = inv.first_violation.map(|t| {
                        let cb = props.on_seek.clone();
                        html! { <button class="link" onclick={Callback::from(move |_: MouseEvent| cb.emit(t))} aria-label={format!("Seek to the violation at {t}")}>{ format!("violated at {t} →") }</button> }
                    });
                    html! {
                        <li key={inv.name.clone()} class={if inv.held { "ok" } else { "bad" }} data-testid="invariant">
                            <span class="dot" aria-hidden="true">{ if inv.held { "✓" } else { "✗" } }</span>
                            <span>{ &inv.name }</span>
                            { seek.unwrap_or_default() }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
