//! The scenario's live metrics as numbers with small sparklines over the run, and its invariants:
//! green while they hold, red with a link that seeks to the first violation.

use super::dom;
use super::engine::Snap;
use super::geom::{fixed, readable, Fixed};
use crate::sim::Time;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct MetricsProps {
    pub snap: Rc<Snap>,
    pub hist: Rc<Vec<(Time, Vec<f64>)>>,
    pub on_seek: Callback<Time>,
}

/// The history by pointer (the engine makes a new one when it changes): by value, a NaN sample
/// (a metric not measured yet) made it unequal to itself and the panel re-rendered, sparklines
/// and all, on every render meant to skip it.
impl PartialEq for MetricsProps {
    fn eq(&self, o: &Self) -> bool {
        self.snap == o.snap && Rc::ptr_eq(&self.hist, &o.hist) && self.on_seek == o.on_seek
    }
}

fn fmt_val(v: f64) -> String {
    if !v.is_finite() {
        "—".to_string()
    } else if v.fract() == 0.0 && v.abs() < 1e12 {
        fixed(v, 0)
    } else if v.abs() >= 100.0 {
        fixed(v, 1)
    } else {
        fixed(v, 3)
    }
}

/// A metric's key as words for the panel: `time_without_leader_ms` → "time without leader (ms)",
/// `write_latency_ms_p99` → "write latency p99 (ms)", `p_consistent` → "P(consistent)". The key
/// itself (as the CLI prints it) stays in the row's tooltip.
pub fn metric_label(key: &str) -> String {
    if let Some(rest) = key.strip_prefix("p_") {
        return format!("P({})", rest.replace('_', " "));
    }
    let mut words: Vec<&str> = Vec::new();
    let mut unit = None;
    for w in key.split('_').filter(|w| !w.is_empty()) {
        match w {
            "ms" | "us" | "s" if unit.is_none() => unit = Some(w),
            _ => words.push(w),
        }
    }
    let mut out = words.join(" ");
    if let Some(u) = unit {
        out.push_str(" (");
        out.push_str(u);
        out.push(')');
    }
    out
}

/// The metric values at the cursor: the live ones when the cursor is at the head; scrubbed back,
/// the last sample recorded at or before the cursor (NaN before the first), with its index in
/// `hist` (for the sparkline's marker).
pub fn values_at(
    t: Time,
    head: Time,
    live: &[f64],
    hist: &[(Time, Vec<f64>)],
) -> (Vec<f64>, Option<usize>) {
    if t >= head {
        return (live.to_vec(), None);
    }
    match hist.iter().rposition(|(at, _)| *at <= t) {
        Some(i) => (
            (0..live.len())
                .map(|k| hist[i].1.get(k).copied().unwrap_or(f64::NAN))
                .collect(),
            Some(i),
        ),
        None => (vec![f64::NAN; live.len()], None),
    }
}

/// Whether an invariant still held at `t` (its first violation, if any, came later).
pub fn held_at(held: bool, first_violation: Option<Time>, t: Time) -> bool {
    held || first_violation.is_some_and(|v| v > t)
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
                "{},{}",
                Fixed(i as f64 / n as f64 * 100.0, 1),
                Fixed(18.0 - (v - lo) / span * 16.0, 1)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A history compared by pointer (see [`MetricsProps`]).
struct SameHist(Rc<Vec<(Time, Vec<f64>)>>);

impl PartialEq for SameHist {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

#[component]
pub fn Metrics(props: &MetricsProps) -> Html {
    let s = &props.snap;
    let back = s.t < s.head;
    let live: Vec<f64> = s.metrics.iter().map(|(_, v)| *v).collect();
    let (vals, at) = values_at(s.t, s.head, &live, &props.hist);
    // The sparkline's marker at the sample shown (scrubbed back).
    let mark = at.map(|i| {
        let n = props.hist.len().saturating_sub(1).max(1);
        fixed(i as f64 / n as f64 * 100.0, 1)
    });
    // The sparklines' points (up to 400 a metric) are made again only when the history changes,
    // not on every render of the panel (scrubbing or scrolling moves only the marker).
    let sparks = use_memo((SameHist(props.hist.clone()), live.len()), |(h, n)| {
        (0..*n)
            .map(|k| AttrValue::from(spark(&h.0, k)))
            .collect::<Vec<_>>()
    });
    html! {
        <section class="panel metrics" aria-label="Metrics and invariants">
            { dom::raw_static("<h2>Metrics</h2>") }
            if back {
                <p class="hint" data-testid="metrics-at">{ format!("At the cursor, {} (the last sample at or before it); the run itself is at {}.", readable(s.t), readable(s.head)) }</p>
            }
            <dl class="metric-list">
                { for s.metrics.iter().enumerate().map(|(k, (name, _))| html! {
                    <div class="metric" key={name.clone()} data-key={name.clone()}>
                        <dt title={name.clone()}>{ metric_label(name) }</dt>
                        <dd><svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true"><polyline points={sparks.get(k).cloned().unwrap_or_default()} />
                                if let Some(x) = mark.clone() { <line class="spark-at" x1={x.clone()} x2={x} y1="0" y2="20" /> }
                            </svg>
                            <span class="num">{ fmt_val(vals.get(k).copied().unwrap_or(f64::NAN)) }</span>
                        </dd>
                    </div>
                }) }
                <div class="metric"><dt>{ if back { "events (whole run)" } else { "events" } }</dt><dd><span class="num">{ s.events }</span></dd></div>
                <div class="metric"><dt>{ "in flight now" }</dt><dd><span class="num" data-testid="in-flight">{ s.msgs.iter().filter(|m| m.dying.is_none()).count() }</span></dd></div>
            </dl>
            if s.invariants.is_empty() {
                { dom::raw_static("<h2>Invariants</h2><p class=\"hint\">This scenario checks no invariants.</p>") }
            } else {
                { dom::raw_static("<h2>Invariants</h2>") }
            }
            <ul class="invariants">
                { for s.invariants.iter().map(|inv| {
                    // Scrubbed back before its violation, the invariant still held at the cursor.
                    let held = held_at(inv.held, inv.first_violation, s.t);
                    let seek = inv.first_violation.map(|t| {
                        let cb = props.on_seek.clone();
                        // For reading ("1.375352 s", not "1375352us"); the button seeks to the exact time.
                        let at = readable(t);
                        let text = if held { format!("violated later, at {at} →") } else { format!("violated at {at} →") };
                        html! { <button class="link" onclick={Callback::from(move |_: MouseEvent| cb.emit(t))} aria-label={format!("Seek to the violation at {at}")}>{ text }</button> }
                    });
                    let inner = html! {
                        <>
                            <span class="dot" aria-hidden="true">{ if held { "✓" } else { "✗" } }</span>
                            <span>{ &inv.name }</span>
                            { seek.unwrap_or_default() }
                        </>
                    };
                    let key = inv.name.clone();
                    // Literal classes: one that is not goes through yew's `Classes` (see `dom::with_class`).
                    if held {
                        html! { <li key={key} class="ok" data-testid="invariant">{ inner }</li> }
                    } else {
                        html! { <li key={key} class="bad" data-testid="invariant">{ inner }</li> }
                    }
                }) }
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbed_back_the_panel_reads_the_last_sample_at_or_before_the_cursor() {
        let hist = vec![
            (Time(100), vec![1.0, 10.0]),
            (Time(200), vec![2.0, 20.0]),
            (Time(300), vec![3.0]),
        ];
        let live = [9.0, 90.0];
        // At the head: the live values.
        assert_eq!(
            values_at(Time(400), Time(400), &live, &hist),
            (vec![9.0, 90.0], None)
        );
        // Back at 250: the sample of 200; at 200 exactly, that one too.
        assert_eq!(
            values_at(Time(250), Time(400), &live, &hist),
            (vec![2.0, 20.0], Some(1))
        );
        assert_eq!(values_at(Time(200), Time(400), &live, &hist).1, Some(1));
        // A sample without the metric (recorded before it existed) reads NaN, not a neighbour.
        let (v, at) = values_at(Time(350), Time(400), &live, &hist);
        assert_eq!((v[0], at), (3.0, Some(2)));
        assert!(v[1].is_nan());
        // Before the first sample: nothing to show.
        let (v, at) = values_at(Time(50), Time(400), &live, &hist);
        assert!(v.iter().all(|x| x.is_nan()) && at.is_none());
    }

    #[test]
    fn metric_keys_read_as_words_with_the_unit_last() {
        assert_eq!(metric_label("elections"), "elections");
        assert_eq!(metric_label("split_votes"), "split votes");
        assert_eq!(
            metric_label("time_without_leader_ms"),
            "time without leader (ms)"
        );
        assert_eq!(
            metric_label("write_latency_ms_p99"),
            "write latency p99 (ms)"
        );
        assert_eq!(metric_label("p_consistent"), "P(consistent)");
        assert_eq!(metric_label("messages_per_second"), "messages per second");
    }

    #[test]
    fn an_invariant_violated_after_the_cursor_still_held_there() {
        assert!(held_at(true, None, Time(5)));
        assert!(held_at(false, Some(Time(10)), Time(5)));
        assert!(!held_at(false, Some(Time(10)), Time(10)));
        assert!(!held_at(false, Some(Time(3)), Time(5)));
        assert!(!held_at(false, None, Time(5)));
    }
}
