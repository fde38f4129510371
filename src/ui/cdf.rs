//! The election-timeout study of the `raft-election` scenario (Raft §9.3, Figure 16): on Start,
//! many trials per timeout range run in the Web Worker (`jobs::exec`, via `ui::worker`), and the
//! CDFs of the time without a leader fill in side by side as its slices report. Stop (or leaving
//! the page) cancels the job.

use super::dom::{self, Esc};
use super::geom::{shortest, Fixed, Shortest};
use super::worker::{self, Event as JobEvent, JobHandle};
use crate::jobs::{exec::STUDY_TRIALS as TRIALS, Job};
use crate::protocols::raft_election::study::Curve;
use crate::sim::decimal::ClampF as _;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CdfProps {
    /// The scenario's current parameter values, key → text (the shared base of every trial).
    pub params: Rc<BTreeMap<String, String>>,
}

/// The study as the panel sees it.
#[derive(Default)]
struct Run {
    curves: Vec<Curve>,
    progress: f64,
    running: bool,
    started: bool,
    error: Option<String>,
}

// Chart geometry (SVG user units).
const W: f64 = 320.0;
const H: f64 = 200.0;
const L: f64 = 40.0;
const R: f64 = 20.0;
const T: f64 = 12.0;
const B: f64 = 32.0;

fn chart(curves: &[Curve]) -> Html {
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
        L + (libm::log10(v.max(lo) / lo) / libm::log10(hi / lo)).clamp_f(0.0, 1.0) * (W - L - R)
    };
    let mut ticks = vec![];
    let mut d = lo;
    while d <= hi * 1.0001 {
        ticks.push(d);
        d *= 10.0;
    }
    let py = |p: f64| T + (1.0 - p.clamp_f(0.0, 1.0)) * (H - T - B);
    let n = curves.len().max(1);
    // Only drawn: one markup string (see `dom::raw`).
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {} {}\" role=\"img\" data-testid=\"cdf-chart\" aria-label=\"Cumulative share of \
         trials against time without a leader, one line per timeout range\" class=\"chart\"><g class=\"axis\">",
        Shortest(W),
        Shortest(H)
    );
    super::geom::percent_axis(&mut s, L, W - R, py);
    let label = |s: &mut String, x: f64, y: f64, text: &dyn std::fmt::Display| {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{text}</text>",
            Shortest(x),
            Shortest(y)
        );
    };
    for v in ticks {
        label(&mut s, px(v), H - B + 13.0, &Fixed(v, 0));
    }
    label(
        &mut s,
        (L + W - R) / 2.0,
        H - 4.0,
        &"time without leader (ms, log)",
    );
    s.push_str("</g>");
    for (i, c) in curves
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.times_ms.is_empty())
    {
        // Steps: start at (first, 0), then up at each sample.
        let hue = 360.0 * i as f64 / n as f64;
        let _ = write!(
            s,
            "<polyline data-testid=\"cdf-line\" style=\"stroke: hsl({}, 65%, 48%)\" points=\"",
            Fixed(hue, 0)
        );
        let mut prev = 0.0;
        for (t, p) in c.cdf() {
            let _ = write!(
                s,
                "{x},{} {x},{} ",
                Fixed(py(prev), 1),
                Fixed(py(p), 1),
                x = Fixed(px(t), 1)
            );
            prev = p;
        }
        let _ = write!(
            s,
            "{},{}\" class=\"line cdf-line\"/>",
            Fixed(px(hi), 1),
            Fixed(py(prev), 1)
        );
    }
    s.push_str("</svg>");
    dom::raw(s)
}

fn legend(curves: &[Curve]) -> Html {
    let n = curves.len().max(1);
    // Only text: one markup string (see `dom::raw`).
    let mut s = String::from("<ul data-testid=\"cdf-legend\" class=\"cdf-legend\">");
    for (i, c) in curves.iter().enumerate() {
        let hue = 360.0 * i as f64 / n as f64;
        let med = c.quantile(0.5);
        let stats = if c.trials() == 0 {
            "waiting".to_string()
        } else if med.is_finite() {
            format!(
                "median {} ms{}",
                Fixed(med, 0),
                if c.undefined > 0 {
                    format!(" · {}/{} no leader", c.undefined, c.trials())
                } else {
                    String::new()
                }
            )
        } else {
            format!("{}/{} no leader", c.undefined, c.trials())
        };
        let _ = write!(
            s,
            "<li><span style=\"background: hsl({}, 65%, 48%)\" aria-hidden=\"true\" class=\"swatch\"></span>\
             <span class=\"range\">{}</span><span class=\"stats\">{}</span></li>",
            Fixed(hue, 0),
            Esc(&c.range),
            Esc(&stats)
        );
    }
    s.push_str("</ul>");
    dom::raw(s)
}

#[component]
pub fn ElectionCdf(props: &CdfProps) -> Html {
    let run: Rc<RefCell<Run>> = use_mut_ref(Run::default);
    let job: Rc<RefCell<Option<JobHandle>>> = use_mut_ref(|| None);
    let force = use_force_update();
    // Which ranges (a `use_mut_ref` rather than a `use_state`: each state type compiles its own
    // copy of yew's reducer machinery).
    let top = use_mut_ref(|| true);

    let on_start = {
        let (run, job, force) = (run.clone(), job.clone(), force.clone());
        let params = props.params.clone();
        let top = top.clone();
        Callback::from(move |_: MouseEvent| {
            let top = *top.borrow();
            *run.borrow_mut() = Run {
                running: true,
                started: true,
                ..Run::default()
            };
            let (sink, f) = (run.clone(), force.clone());
            *job.borrow_mut() = Some(worker::submit(
                Job::Study {
                    params: (*params).clone(),
                    top,
                },
                move |ev| {
                    let mut r = sink.borrow_mut();
                    match ev {
                        JobEvent::Progress { done, part } => {
                            if !part.study.is_empty() {
                                r.curves = part.study;
                            }
                            r.progress = done;
                        }
                        JobEvent::Done { part, .. } => {
                            if !part.study.is_empty() {
                                r.curves = part.study;
                            }
                            r.progress = 1.0;
                            r.running = false;
                        }
                        JobEvent::Failed(why) => {
                            r.error = Some(why);
                            r.running = false;
                        }
                    }
                    drop(r);
                    f.force_update();
                },
            ));
            force.force_update();
        })
    };
    let on_stop = {
        let (run, job, force) = (run.clone(), job.clone(), force.clone());
        Callback::from(move |_: MouseEvent| {
            drop(job.borrow_mut().take());
            run.borrow_mut().running = false;
            force.force_update();
        })
    };
    let on_set = {
        let (top, force) = (top.clone(), force.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            *top.borrow_mut() = v != "bottom";
            force.force_update();
        })
    };
    let top = *top.borrow();

    let r = run.borrow();
    html! {
        <section class="panel cdf" aria-label="Election timeout study" data-testid="cdf-panel"
            data-state={if r.error.is_some() { "error" } else if r.running { "running" } else if r.started { "done" } else { "idle" }}>
            <h2>{ "Election timeouts" }</h2>
            <p class="hint">{ format!("The leader crashes: how long until a new one? {TRIALS} trials per timeout range, as in Raft Fig. 16, run in a Web Worker.") }</p>
            <div class="cdf-controls">
                <select aria-label="Timeout ranges" onchange={on_set} disabled={r.running}>
                    <option value="top" selected={top}>{ "150 ms + more randomness" }</option>
                    <option value="bottom" selected={!top}>{ "scaled ranges" }</option>
                </select>
                if r.running {
                    <button onclick={on_stop} data-testid="cdf-stop">{ "Stop" }</button>
                } else {
                    <button class="primary" onclick={on_start} data-testid="cdf-start">{ if r.started { "Restart" } else { "Start" } }</button>
                }
            </div>
            <progress max="1" value={shortest(r.progress)} data-testid="cdf-progress"
                aria-label={format!("{} % done", Fixed(r.progress * 100.0, 0))}></progress>
            if let Some(e) = &r.error {
                <p class="hint" role="alert">{ format!("The study could not run: {e}") }</p>
            } else if !r.started && !r.running {
                <p class="hint" data-testid="cdf-idle">{ "Nothing is computed until you press Start; the distribution of outage times then fills in here, one curve per timeout range." }</p>
            }
            if !r.curves.is_empty() {
                { chart(&r.curves) }
                { legend(&r.curves) }
            }
        </section>
    }
}
