//! The PACELC panel of the `quorum` scenario: a Monte Carlo of the current parameters, drawn as
//! P(consistent) against t, the latency-vs-consistency plane of every (R, W), and the plain
//! "If Partitioned … Else …" readout (issue 6).
//!
//! The Monte Carlo runs in the Web Worker (`jobs::exec::Pacelc`, via `ui::worker`), never on the
//! UI thread: the readout comes first, then the curve fills in from the left and the plane point
//! by point, under a progress bar. A parameter change drops the running job's handle (which
//! cancels it) and submits a new one; replies of the old job are ignored.

use super::dom::{self, Esc};
use super::geom::{fixed, shortest, Fixed, Shortest};
use super::worker::{self, Event, JobHandle};
use crate::jobs::{curve_ts, exec, Job, Part, Summary};
use crate::protocols::quorum::{self, montecarlo, Config};
use crate::sim::decimal::ClampF as _;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PacelcProps {
    /// The scenario's current parameter values, key → text.
    pub params: Rc<BTreeMap<String, String>>,
}

/// Everything the panel draws; filled in as the worker's slices arrive.
struct Model {
    /// Without the partition: the curve, plane and readout are the Else-branch.
    cfg: Config,
    partitioned: bool,
    res: Summary,
    /// The curve's t axis end (from the readout's t-visibility), so it does not rescale.
    t_max: f64,
    curve: Vec<(f64, f64)>,
    plane: Vec<montecarlo::PlanePoint>,
}

/// The job's state as the panel sees it.
#[derive(Default)]
struct Run {
    part: Part,
    progress: f64,
    done: Option<f64>,
    error: Option<String>,
}

fn config(params: &BTreeMap<String, String>) -> Result<(Config, bool), String> {
    let p = quorum::SCENARIO.params(params).map_err(|e| e.to_string())?;
    let cfg = Config::from_params(&p)?;
    Ok((
        Config {
            partition: None,
            ..cfg
        },
        p.flag("partition"),
    ))
}

fn pct(p: f64) -> String {
    if !p.is_finite() {
        "—".into()
    } else if (0.9995..1.0).contains(&p) {
        format!("{} %", Fixed(p * 100.0, 2))
    } else {
        format!("{} %", Fixed(p * 100.0, 1))
    }
}

fn ms(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v == 0.0 {
        "0 ms".into()
    } else if v >= 100.0 {
        format!("{} ms", Fixed(v, 0))
    } else if v >= 1.0 {
        format!("{} ms", Fixed(v, 1))
    } else {
        format!("{} ms", Fixed(v, 2))
    }
}

// Chart geometry (SVG user units).
const W: f64 = 320.0;
const H: f64 = 190.0;
const L: f64 = 40.0;
const R: f64 = 12.0;
const T: f64 = 12.0;
const B: f64 = 32.0;

fn py(p: f64) -> f64 {
    T + (1.0 - p.clamp_f(0.0, 1.0)) * (H - T - B)
}

/// The y axis (0 … 100 %) with grid lines.
fn y_axis(s: &mut String) {
    s.push_str("<g class=\"axis\">");
    super::geom::percent_axis(s, L, W - R, py);
    s.push_str("</g>");
}

/// A chart's opening tag (viewBox, test id, point count, label) and its y axis.
fn chart_open(s: &mut String, testid: &str, points: usize, label: &str) {
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {} {}\" role=\"img\" data-testid=\"{testid}\" data-points=\"{points}\" aria-label=\"{}\" class=\"chart\">",
        Shortest(W),
        Shortest(H),
        Esc(label)
    );
    y_axis(s);
}

/// An x axis label (a tick, or the axis title) under the chart.
fn x_label(s: &mut String, x: f64, y: f64, text: &str) {
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        Shortest(x),
        Shortest(y),
        Esc(text)
    );
}

fn curve_chart(s: &mut String, m: &Model) {
    let lo = 0.01f64;
    let hi = m.t_max.max(lo * 10.0);
    let px = |t: f64| L + libm::log(t.max(lo) / lo) / libm::log(hi / lo) * (W - L - R);
    let pts = m
        .curve
        .iter()
        .filter(|(_, p)| p.is_finite())
        .map(|(t, p)| format!("{},{}", Fixed(px(*t), 1), Fixed(py(*p), 1)))
        .collect::<Vec<_>>()
        .join(" ");
    let tx = px(m.cfg.t_ms);
    let ty = py(m.res.p_consistent);
    let gy = py(m.cfg.target);
    chart_open(
        s,
        "pacelc-curve",
        m.curve.len(),
        &format!(
            "P(consistent) against t; now {} at t = {}",
            pct(m.res.p_consistent),
            ms(m.cfg.t_ms)
        ),
    );
    s.push_str("<g class=\"axis\">");
    // Decade ticks on the log axis.
    let mut d = lo;
    while d <= hi * 1.0001 {
        let text = if d >= 1.0 { fixed(d, 0) } else { shortest(d) };
        x_label(s, px(d), H - B + 13.0, &text);
        d *= 10.0;
    }
    x_label(
        s,
        (L + W - R) / 2.0,
        H - 4.0,
        "t after the write commits (ms, log)",
    );
    let _ = write!(
        s,
        "</g><line x1=\"{l}\" x2=\"{r}\" y1=\"{gy}\" y2=\"{gy}\" class=\"target\"/>\
         <text x=\"{}\" y=\"{}\" class=\"target-label\">target {}</text>\
         <polyline points=\"{pts}\" class=\"line\"/>\
         <line x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\" class=\"now\"/>\
         <circle cx=\"{tx}\" cy=\"{}\" r=\"4\" class=\"now-dot\"/>\
         <text x=\"{}\" y=\"{}\" class=\"now-label\">t = {}</text></svg>",
        Shortest(L + 3.0),
        Shortest(gy - 3.0),
        Esc(&pct(m.cfg.target)),
        Shortest(T),
        Shortest(H - B),
        Shortest(ty),
        Shortest((tx + 5.0).min(W - R - 60.0)),
        Shortest((ty + 14.0).min(H - B - 3.0)),
        Esc(&ms(m.cfg.t_ms)),
        l = Shortest(L),
        r = Shortest(W - R),
        gy = Shortest(gy),
        tx = Shortest(tx),
    );
}

fn plane_chart(s: &mut String, m: &Model) {
    let max_x = m
        .plane
        .iter()
        .map(|p| p.read_p99_ms)
        .filter(|v| v.is_finite())
        .fold(1.0f64, f64::max)
        * 1.1;
    let px = |v: f64| L + (v / max_x).clamp_f(0.0, 1.0) * (W - L - R);
    let mut pts: Vec<&montecarlo::PlanePoint> = m.plane.iter().collect();
    // The current one last, so it is drawn on top.
    crate::sim::sort::sort_by_key(&mut pts, |p| p.r == m.cfg.r && p.w == m.cfg.w);
    // Label the current point, then any other whose label would not overlap one already placed.
    let mut placed: Vec<(f64, f64)> = vec![];
    let mut labelled = vec![false; pts.len()];
    for i in (0..pts.len()).rev() {
        let p = pts[i];
        let (x, y) = (px(p.read_p99_ms), py(p.p_consistent));
        if placed
            .iter()
            .all(|(a, b)| (a - x).abs() > 34.0 || (b - y).abs() > 11.0)
        {
            placed.push((x, y));
            labelled[i] = true;
        }
    }
    chart_open(
        s,
        "pacelc-plane",
        m.plane.len(),
        "Read p99 latency against P(consistent) for every R and W",
    );
    s.push_str("<g class=\"axis\">");
    for f in [0.0, 0.5, 1.0] {
        let v = max_x * f;
        x_label(s, px(v), H - B + 13.0, &fixed(v, 0));
    }
    x_label(s, (L + W - R) / 2.0, H - 4.0, "read p99 latency (ms)");
    s.push_str("</g>");
    for (p, label) in pts
        .iter()
        .zip(labelled)
        .filter(|(p, _)| p.p_consistent.is_finite() && p.read_p99_ms.is_finite())
    {
        let cur = p.r == m.cfg.r && p.w == m.cfg.w;
        let strict = p.r + p.w > m.cfg.n;
        let (x, y) = (px(p.read_p99_ms), py(p.p_consistent));
        let _ = write!(
            s,
            "<g class=\"pt{}{}\"><circle cx=\"{}\" cy=\"{}\" r=\"{}\"><title>R={} W={}: read p99 {}, P(consistent) {}</title></circle>",
            if cur { " current" } else { "" },
            if strict { " strict" } else { "" },
            Shortest(x),
            Shortest(y),
            if cur { "5.5" } else { "3.5" },
            p.r,
            p.w,
            Esc(&ms(p.read_p99_ms)),
            Esc(&pct(p.p_consistent)),
        );
        if label {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\">R{}W{}</text>",
                Shortest((x + 6.0).min(W - R - 30.0)),
                Shortest((y + if cur { 14.0 } else { -4.0 }).clamp_f(T + 8.0, H - B - 3.0)),
                p.r,
                p.w
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
}

fn readout(s: &mut String, m: &Model) {
    let (wa, ra) = m.res.avail;
    let now = match m.partitioned.then_some(()) {
        None => "no partition; turn on “partition” to see".to_string(),
        Some(_) if wa >= 1.0 && ra >= 1.0 && m.cfg.sloppy => {
            "A — sloppy quorum keeps writes and reads available, reads may be stale".to_string()
        }
        Some(_) if wa >= 1.0 && ra >= 1.0 => {
            "A — both quorums still reachable on this side".to_string()
        }
        Some(_) => format!(
            "C — writes {} and reads {} available on this side",
            pct(wa),
            pct(ra)
        ),
    };
    let _ = write!(
        s,
        "<div data-testid=\"pacelc-readout\" data-p-consistent=\"{}\" data-read-p99=\"{}\" \
         data-t-visibility=\"{}\" data-trials=\"{}\" class=\"pacelc-readout\">\
         <p><strong>If Partitioned: </strong>A or C (now: {}).</p>\
         <p><strong>Else (no partition): </strong>read p99 = {} vs P(consistent) = {} at t = {}.</p>\
         <p class=\"hint\">N={} R={} W={} ({}); P(consistent) reaches {} at t = {}. Monte Carlo, {} trials. \
         Plane: {} trials per (R, W).</p></div>",
        Shortest(m.res.p_consistent),
        Shortest(m.res.read_p99),
        Shortest(m.res.t_visibility_ms),
        m.res.trials,
        Esc(&now),
        Esc(&ms(m.res.read_p99)),
        Esc(&pct(m.res.p_consistent)),
        Esc(&ms(m.cfg.t_ms)),
        m.cfg.n,
        m.cfg.r,
        m.cfg.w,
        if m.cfg.r + m.cfg.w > m.cfg.n {
            "R+W&gt;N: strict quorum"
        } else {
            "R+W≤N: partial quorum"
        },
        Esc(&pct(m.cfg.target)),
        Esc(&ms(m.res.t_visibility_ms)),
        m.res.trials,
        exec::PACELC_PLANE_TRIALS,
    );
}

#[component]
pub fn Pacelc(props: &PacelcProps) -> Html {
    let run: Rc<RefCell<Run>> = use_mut_ref(Run::default);
    let job: Rc<RefCell<Option<JobHandle>>> = use_mut_ref(|| None);
    let force = use_force_update();
    let cfg = use_memo(props.params.clone(), |p| config(p));

    // A new job per parameter set; the cleanup drops (cancels) the previous one.
    {
        let (run, job, force) = (run.clone(), job.clone(), force.clone());
        use_effect_with(props.params.clone(), move |params| {
            *run.borrow_mut() = Run::default();
            let sink = run.clone();
            let f = force.clone();
            *job.borrow_mut() = Some(worker::submit(
                Job::Pacelc {
                    params: (**params).clone(),
                },
                move |ev| {
                    let mut r = sink.borrow_mut();
                    match ev {
                        Event::Progress { done, part } => {
                            r.part.merge(part);
                            r.progress = done;
                        }
                        Event::Done { part, elapsed_ms } => {
                            r.part.merge(part);
                            r.progress = 1.0;
                            r.done = Some(elapsed_ms);
                        }
                        Event::Failed(why) => r.error = Some(why),
                    }
                    drop(r);
                    f.force_update();
                },
            ));
            force.force_update();
            move || drop(job.borrow_mut().take())
        });
    }

    let r = run.borrow();
    let status = if cfg.is_err() || r.error.is_some() {
        "error"
    } else if r.done.is_some() {
        "done"
    } else {
        "running"
    };
    let model = match (&*cfg, r.part.summary) {
        (Ok((cfg, partitioned)), Some(res)) => Some(Model {
            t_max: curve_ts(res.t_visibility_ms, cfg.t_ms)
                .last()
                .copied()
                .unwrap_or(10.0),
            cfg: cfg.clone(),
            partitioned: *partitioned,
            res,
            curve: r.part.curve.clone(),
            plane: r.part.plane.clone(),
        }),
        _ => None,
    };
    let note = match (r.done, status) {
        (Some(ms), _) => format!("Computed in a Web Worker in {} s.", Fixed(ms / 1000.0, 2)),
        (None, "running") => format!(
            "Monte Carlo in a Web Worker… {} %",
            Fixed(r.progress * 100.0, 0)
        ),
        _ => String::new(),
    };
    // The panel has nothing to click or focus: all of it is one markup string (see `dom::raw`).
    let mut s = String::new();
    let _ = write!(
        s,
        "<section aria-label=\"PACELC trade-off\" data-testid=\"pacelc-panel\" data-state=\"{status}\" \
         aria-busy=\"{}\" class=\"panel pacelc\"><h2>PACELC trade-off</h2>",
        status == "running"
    );
    let error = match (&*cfg, &r.error) {
        (Err(e), _) => Some(e.clone()),
        (Ok(_), Some(e)) => Some(format!("The Monte Carlo could not run: {e}")),
        _ => None,
    };
    if let Some(e) = error {
        let _ = write!(
            s,
            "<p role=\"alert\" data-testid=\"pacelc-error\" class=\"hint\">{}</p>",
            Esc(&e)
        );
    } else {
        let _ = write!(
            s,
            "<div class=\"job-status\"><progress max=\"1\" value=\"{}\" data-testid=\"pacelc-progress\" \
             aria-label=\"Monte Carlo {} % done\"{}></progress><span data-testid=\"pacelc-note\" \
             class=\"hint\">{}</span></div>",
            Shortest(r.progress),
            Fixed(r.progress * 100.0, 0),
            if r.done.is_some() { " hidden=\"hidden\"" } else { "" },
            Esc(&note)
        );
        if let Some(m) = &model {
            readout(&mut s, m);
            s.push_str("<div class=\"pacelc-charts\"><figure><h3>Consistency against t</h3>");
            curve_chart(&mut s, m);
            s.push_str("</figure><figure><h3>Latency vs consistency, every (R, W)</h3>");
            plane_chart(&mut s, m);
            s.push_str(
                "</figure></div><p class=\"legend\"><span class=\"key strict\">●</span> R+W&gt;N \
                 <span class=\"key\">●</span> R+W≤N <span class=\"key current\">●</span> current</p>",
            );
        }
    }
    s.push_str("</section>");
    dom::raw(s)
}
