//! The election-timeout study of the `raft-election` scenario (Raft §9.3, Figure 16): on Start,
//! many trials per timeout range run a few at a time between frames, and the CDFs of the time
//! without a leader fill in side by side.

use crate::protocols::raft_election::study::{Study, FIGURE_16_BOTTOM, FIGURE_16_TOP};
use crate::sim::Time;
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Trials per timeout range.
const TRIALS: u64 = 200;
/// Wall-clock budget per slice of work, ms (keeps the page responsive).
const SLICE_MS: f64 = 12.0;
const SEED: u64 = 1;

#[derive(Properties, PartialEq)]
pub struct CdfProps {
    /// The scenario's current parameter values, key → text (the shared base of every trial).
    pub params: Rc<BTreeMap<String, String>>,
}

// Chart geometry (SVG user units).
const W: f64 = 320.0;
const H: f64 = 200.0;
const L: f64 = 40.0;
const R: f64 = 20.0;
const T: f64 = 12.0;
const B: f64 = 32.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn chart(study: &Study) -> Html {
    let curves = study.curves();
    // Log time axis (as in the paper), from a decade below the fastest trial to the slowest.
    let finite = || {
        curves
            .iter()
            .flat_map(|c| c.times_ms.iter().copied())
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let lo = libm::pow(
        10.0,
        libm::floor(libm::log10(finite().fold(100.0f64, f64::min))),
    );
    let max_x = finite().fold(lo * 10.0, f64::max);
    let hi = libm::pow(10.0, libm::ceil(libm::log10(max_x)));
    let px = |v: f64| {
        L + (libm::log10(v.max(lo) / lo) / libm::log10(hi / lo)).clamp(0.0, 1.0) * (W - L - R)
    };
    let mut ticks = vec![];
    let mut d = lo;
    while d <= hi * 1.0001 {
        ticks.push(d);
        d *= 10.0;
    }
    let py = |p: f64| T + (1.0 - p.clamp(0.0, 1.0)) * (H - T - B);
    let n = curves.len().max(1);
    html! {
        <svg class="chart" viewBox={format!("0 0 {W} {H}")} role="img" data-testid="cdf-chart"
            aria-label="Cumulative share of trials against time without a leader, one line per timeout range">
            <g class="axis">
                { for [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|p| {
                    let y = py(*p);
                    html! { <g>
                        <line class="grid" x1={L.to_string()} x2={(W - R).to_string()} y1={y.to_string()} y2={y.to_string()} />
                        <text x={(L - 4.0).to_string()} y={(y + 3.0).to_string()} text-anchor="end">{ format!("{:.0}%", p * 100.0) }</text>
                    </g> }
                }) }
                { for ticks.iter().map(|v| {
                    html! { <text x={px(*v).to_string()} y={(H - B + 13.0).to_string()} text-anchor="middle">{ format!("{v:.0}") }</text> }
                }) }
                <text x={((L + W - R) / 2.0).to_string()} y={(H - 4.0).to_string()} text-anchor="middle">{ "time without leader (ms, log)" }</text>
            </g>
            { for curves.iter().enumerate().filter(|(_, c)| !c.times_ms.is_empty()).map(|(i, c)| {
                // Steps: start at (first, 0), then up at each sample.
                let mut pts = vec![];
                let mut prev = 0.0;
                for (t, p) in c.cdf() {
                    pts.push(format!("{:.1},{:.1}", px(t), py(prev)));
                    pts.push(format!("{:.1},{:.1}", px(t), py(p)));
                    prev = p;
                }
                pts.push(format!("{:.1},{:.1}", px(hi), py(prev)));
                let hue = 360.0 * i as f64 / n as f64;
                html! { <polyline class="line cdf-line" data-testid="cdf-line" style={format!("stroke: hsl({hue:.0}, 65%, 48%)")} points={pts.join(" ")} /> }
            }) }
        </svg>
    }
}

fn legend(study: &Study) -> Html {
    let n = study.curves().len().max(1);
    html! {
        <ul class="cdf-legend" data-testid="cdf-legend">
            { for study.curves().iter().enumerate().map(|(i, c)| {
                let hue = 360.0 * i as f64 / n as f64;
                let med = c.quantile(0.5);
                html! { <li key={c.range.clone()}>
                    <span class="swatch" style={format!("background: hsl({hue:.0}, 65%, 48%)")} aria-hidden="true"></span>
                    <span class="range">{ &c.range }</span>
                    <span class="stats">{
                        if c.trials() == 0 { "waiting".to_string() }
                        else if med.is_finite() { format!("median {med:.0} ms{}",
                            if c.undefined > 0 { format!(" · {}/{} no leader", c.undefined, c.trials()) } else { String::new() }) }
                        else { format!("{}/{} no leader", c.undefined, c.trials()) }
                    }</span>
                </li> }
            }) }
        </ul>
    }
}

#[component]
pub fn ElectionCdf(props: &CdfProps) -> Html {
    let study: Rc<RefCell<Option<Study>>> = use_mut_ref(|| None);
    let running = use_state(|| false);
    let ver = use_state(|| 0u64);
    let err = use_state(|| None::<String>);
    let top = use_state(|| true);

    // One slice of work per tick while running; the effect's cleanup cancels a pending tick.
    {
        let study = study.clone();
        let running = running.clone();
        let ver = ver.clone();
        use_effect_with((*running, *ver), move |(on, _)| {
            let tick = on.then(|| {
                Timeout::new(0, move || {
                    let start = now_ms();
                    let mut done = true;
                    if let Some(s) = study.borrow_mut().as_mut() {
                        done = false;
                        while !done && now_ms() - start < SLICE_MS {
                            done = s.step(1);
                        }
                    }
                    if done {
                        running.set(false);
                    }
                    ver.set(*ver + 1);
                })
            });
            move || drop(tick)
        });
    }

    let on_start = {
        let study = study.clone();
        let running = running.clone();
        let err = err.clone();
        let params = props.params.clone();
        let top = *top;
        let ver = ver.clone();
        Callback::from(move |_: MouseEvent| {
            let mut base = (*params).clone();
            base.remove("election_timeout");
            base.remove("heartbeat");
            let ranges = if top { FIGURE_16_TOP } else { FIGURE_16_BOTTOM };
            match Study::new(base, ranges, TRIALS, SEED, Time::secs(10)) {
                Ok(s) => {
                    *study.borrow_mut() = Some(s);
                    err.set(None);
                    running.set(true);
                }
                Err(e) => {
                    *study.borrow_mut() = None;
                    err.set(Some(e.to_string()));
                    running.set(false);
                }
            }
            ver.set(*ver + 1);
        })
    };
    let on_stop = {
        let running = running.clone();
        Callback::from(move |_: MouseEvent| running.set(false))
    };
    let on_set = {
        let top = top.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            top.set(v != "bottom");
        })
    };

    let guard = study.borrow();
    let progress = guard.as_ref().map(|s| s.progress()).unwrap_or(0.0);
    html! {
        <section class="panel cdf" aria-label="Election timeout study" data-testid="cdf-panel">
            <h2>{ "Election timeouts" }</h2>
            <p class="hint">{ format!("The leader crashes: how long until a new one? {TRIALS} trials per timeout range, as in Raft Fig. 16.") }</p>
            <div class="cdf-controls">
                <select aria-label="Timeout ranges" onchange={on_set} disabled={*running}>
                    <option value="top" selected={*top}>{ "150 ms + more randomness" }</option>
                    <option value="bottom" selected={!*top}>{ "scaled ranges" }</option>
                </select>
                if *running {
                    <button onclick={on_stop} data-testid="cdf-stop">{ "Stop" }</button>
                } else {
                    <button class="primary" onclick={on_start} data-testid="cdf-start">{ if guard.is_some() { "Restart" } else { "Start" } }</button>
                }
            </div>
            <progress max="1" value={progress.to_string()} data-testid="cdf-progress"
                aria-label={format!("{:.0} % done", progress * 100.0)}></progress>
            if let Some(e) = &*err {
                <p class="hint" role="alert">{ e }</p>
            }
            if let Some(s) = guard.as_ref() {
                { chart(s) }
                { legend(s) }
            }
        </section>
    }
}
