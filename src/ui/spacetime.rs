//! The space-time (Lamport) diagram: a lane per agent, time left to right, an arrow per message
//! from its send to its delivery (or a red cross where it died), marks for crashes, recoveries,
//! timers, client operations, notes and violations, and a cursor at the current time. Only the
//! visible window is drawn (and at most [`MAX_ARROWS`] arrows), so a 10,000-message run stays
//! fluid; arrows and marks go on a canvas under the SVG (`canvas.rs`), which keeps the lanes, the
//! cursor and the witness marks. Click an arrow to inspect its message, elsewhere to seek; hover
//! an arrow for its kind; the wheel scrolls through time (shift+wheel zooms).

use super::canvas::{self, DiagramGeom, DiagramLayer, Seg};
use super::dom;
use super::stage::Sel;
use crate::sim::decimal::ClampF as _;
use crate::sim::trace::{EventKind, Fate};
use crate::sim::{Time, Trace};
use crate::ui::geom::{fixed, shortest, Fixed, Shortest};
use std::rc::Rc;
use yew::prelude::*;

pub const MAX_ARROWS: usize = 800;
/// The most ink one diagram's arrows may take, in drawing units of length (the drawing is
/// [`W`] wide): 200 arrows across the whole window. Without a GPU the painter's canvas strokes
/// cost by the pixel, and with 25 agents and half-second latencies 600 window-long arrows (about
/// half of each inside the window) cost the painter 5–10 ms a paint, on one of the two cores the
/// page's frames need.
pub const MAX_INK: f64 = 200_000.0;
pub const MAX_MARKS: usize = 1500;
/// Drawing width: 1000 units, or 560 on a phone, where 1000 scaled the lanes, labels and axis
/// down to a third (unreadable at 390 px).
const W: f64 = 1000.0;
const W_NARROW: f64 = 560.0;
const LEFT: f64 = 34.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: u64,
    pub from: u32,
    pub to: u32,
    pub t0: Time,
    pub t1: Time,
    pub dropped: bool,
    pub future: bool,
    pub kind: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    Crash,
    Recover,
    Timer,
    Client,
    Note,
    Violation,
    Intervention,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub n: usize,
    pub t0: Time,
    pub t1: Time,
    pub cursor: Time,
    pub arrows: Vec<Arrow>,
    pub marks: Vec<(u32, Time, Mark)>,
    /// Messages in the window before thinning.
    pub total: usize,
}

/// The visible part of the trace: a window `win` wide with the cursor at three quarters.
pub fn diagram(tr: &Trace, cursor: Time, win: u64, n: usize, end: Time) -> Diagram {
    let t0 = Time(cursor.0.saturating_sub(win * 3 / 4));
    let t1 = t0 + Time(win);
    let _ = end;
    let lo = tr
        .msgs
        .partition_point(|m| m.sent < t0.saturating_sub(tr.max_latency));
    let hi = tr.msgs.partition_point(|m| m.sent <= t1);
    let range = &tr.msgs[lo..hi.max(lo)];
    let end_of = |m: &crate::sim::trace::MsgRecord| {
        if m.resolved_at == Time::MAX {
            m.deliver_at
        } else {
            m.resolved_at
        }
    };
    let visible: Vec<_> = range.iter().filter(|m| end_of(m) >= t0).collect();
    let total = visible.len();
    let ink: f64 = visible
        .iter()
        .map(|m| ink_of((m.sent, end_of(m)), m.from.0.abs_diff(m.to.0), (t0, t1), n))
        .sum();
    // Thinned by message id, not by position in the window, with a stride rounded up to the
    // steps 1, 2, 3, 4, 6, 8, 12, 16, 24, …: as the window slides, the same messages stay drawn
    // (every `stride`-th of the window's, or a stride that follows the count exactly, would
    // pick a new set each frame and the arrows would flicker while playing). Between two thirds
    // of the caps (count and ink) and the caps are drawn.
    let by_ink = libm::ceil(ink / MAX_INK) as usize;
    let stride = nice_stride(total.div_ceil(MAX_ARROWS).max(by_ink).max(1)) as u64;
    let arrows = visible
        .into_iter()
        .filter(|m| m.id % stride == 0)
        .take(MAX_ARROWS)
        .map(|m| {
            let dropped = matches!(m.fate, Fate::Dropped(_));
            Arrow {
                id: m.id,
                from: m.from.0,
                to: m.to.0,
                t0: m.sent,
                t1: end_of(m),
                dropped,
                future: m.sent > cursor,
                kind: m.kind,
            }
        })
        .collect();
    let mut marks = vec![];
    let evs = tr.events_between(t0, t1);
    let busy = evs.len() > 4 * MAX_MARKS;
    for e in evs {
        let m = match &e.kind {
            EventKind::Crash => Mark::Crash,
            EventKind::Recover => Mark::Recover,
            EventKind::Timer { .. } if !busy => Mark::Timer,
            EventKind::Invoke { .. } | EventKind::Complete { .. } => Mark::Client,
            EventKind::Note(_) if !busy => Mark::Note,
            EventKind::Violation { .. } => Mark::Violation,
            EventKind::Intervention { .. } => Mark::Intervention,
            _ => continue,
        };
        marks.push((e.node.0, e.time, m));
        if marks.len() >= MAX_MARKS {
            break;
        }
    }
    Diagram {
        n,
        t0,
        t1,
        cursor,
        arrows,
        marks,
        total,
    }
}

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub diagram: Rc<Diagram>,
    pub on_seek: Callback<Time>,
    /// Wheel scrolling: moves the cursor by this many µs (else the wheel seeks with `on_seek`).
    #[prop_or_default]
    pub on_scroll: Option<Callback<i64>>,
    pub on_zoom: Callback<f64>,
    pub selected: Option<Sel>,
    pub on_select: Callback<Sel>,
    /// A phone-width viewport: a narrower drawing, so it is not scaled down as far.
    #[prop_or_default]
    pub narrow: bool,
    /// Witness operations of broken guarantees (drawn when in the window).
    #[prop_or_default]
    pub witness: Rc<Vec<super::guarantees::WitnessMark>>,
    /// Lets the page repaint the arrows between renders (see `canvas::Painter`).
    #[prop_or_default]
    pub painter: Option<canvas::Painter<Rc<Diagram>>>,
}

/// The length inside the window `(t0, t1)` of an arrow over `(sent, end)` that crosses `lanes`
/// lanes of `n`, in drawing units (as [`geom_of`] lays them out on a wide screen).
fn ink_of((sent, end): (Time, Time), lanes: u32, (t0, t1): (Time, Time), n: usize) -> f64 {
    let per_us = (W - LEFT) / (t1.0 - t0.0).max(1) as f64;
    let (a, b) = (sent.0, end.0.max(sent.0));
    let dy = lanes as f64 * lane_of(n);
    let whole = (b - a) as f64;
    if whole <= 0.0 {
        return dy;
    }
    let inside = b.min(t1.0).saturating_sub(a.max(t0.0)) as f64;
    ((whole * per_us).powi(2) + dy * dy).sqrt() * inside / whole
}

/// A lane's height for `n` agents: up to 36 units (a few agents, two generals or five voters,
/// got a strip too flat to follow the arrows in).
fn lane_of(n: usize) -> f64 {
    (260.0 / n.max(1) as f64).clamp_f(6.0, 36.0)
}

/// The drawing geometry of a diagram (shared by its SVG and its canvas).
fn geom_of(d: &Diagram, narrow: bool) -> DiagramGeom {
    let lane = lane_of(d.n);
    DiagramGeom {
        w: if narrow { W_NARROW } else { W },
        left: LEFT,
        lane,
        h: lane * d.n.max(1) as f64 + 22.0,
        t0: d.t0.0 as f64,
        span: (d.t1.0 - d.t0.0).max(1) as f64,
    }
}

#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let d = &props.diagram;
    let narrow = props.narrow;
    let g = geom_of(d, narrow);
    let w = g.w;
    let (lane, h, span) = (g.lane, g.h, g.span);
    let x = move |t: Time| g.x(t.0);
    let y = move |i: u32| g.y(i);
    let (t0, t1) = (d.t0, d.t1);
    // Arrows and marks are many: they are drawn on a canvas under the SVG (super::canvas) and
    // hit-tested there; lanes, cursor and witness marks stay SVG.
    let canvas_ref = use_node_ref();
    let tip_ref = use_node_ref();
    let svg_ref = use_node_ref();
    let layer = use_mut_ref(DiagramLayer::default);
    {
        let (canvas_ref, layer) = (canvas_ref.clone(), layer.clone());
        let diagram = props.diagram.clone();
        let sel = match props.selected {
            Some(Sel::Msg(id)) => Some(id),
            _ => None,
        };
        let paint = Rc::new(move |d: &Rc<Diagram>| {
            if let Some(c) = canvas_ref.cast::<web_sys::HtmlCanvasElement>() {
                canvas::draw_diagram(&mut layer.borrow_mut(), &c, d, geom_of(d, narrow), sel);
            }
        });
        let painter = props.painter.clone();
        if let Some(p) = &painter {
            let paint = paint.clone();
            p.set(move |d| paint(d));
        }
        use_effect(move || match painter {
            Some(p) => p.after_render(diagram),
            None => paint(&diagram),
        });
    }
    {
        let (canvas_ref, layer) = (canvas_ref.clone(), layer.clone());
        use_effect_with((), move |_| {
            let hook = canvas::Hook::install("swarmscopeDiagram", move || {
                canvas::diagram_report(
                    &layer.borrow(),
                    canvas_ref.cast::<web_sys::Element>().as_ref(),
                )
            });
            move || drop(hook)
        });
    }
    let onclick = {
        let seek = props.on_seek.clone();
        let select = props.on_select.clone();
        let (layer, svg_ref) = (layer.clone(), svg_ref.clone());
        Callback::from(move |e: MouseEvent| {
            // Yew delegates events to the root, so `current_target` is not the SVG: use the ref.
            let Some(el) = svg_ref.cast::<web_sys::Element>() else {
                return;
            };
            if let Some(a) = arrow_at(&layer.borrow(), &el, &e) {
                select.emit(Sel::Msg(a.id));
                return;
            }
            let r = el.get_bounding_client_rect();
            if r.width() <= 0.0 {
                return;
            }
            let fx = (e.client_x() as f64 - r.left()) / r.width() * w;
            let f = ((fx - LEFT) / (w - LEFT - 6.0)).clamp_f(0.0, 1.0);
            seek.emit(Time(t0.0 + (f * (t1.0 - t0.0) as f64) as u64))
        })
    };
    // The wheel listener is not passive (it scrolls time, not the page), so it is attached here
    // rather than through `onwheel` (Yew's are passive).
    let wheel_cb = use_mut_ref(|| None::<Callback<WheelEvent>>);
    {
        let seek = props.on_seek.clone();
        let scroll = props.on_scroll.clone();
        let zoom = props.on_zoom.clone();
        let cursor = d.cursor;
        *wheel_cb.borrow_mut() = Some(Callback::from(move |e: WheelEvent| {
            e.prevent_default();
            let delta = if e.delta_x().abs() > e.delta_y().abs() {
                e.delta_x()
            } else {
                e.delta_y()
            };
            if e.shift_key() || e.ctrl_key() {
                zoom.emit(if delta > 0.0 { 1.25 } else { 0.8 });
            } else {
                let dt = (delta / 1000.0 * span) as i64;
                match &scroll {
                    // Relative, so that ticks between two renders of this component add up.
                    Some(scroll) => scroll.emit(dt),
                    None => seek.emit(Time((cursor.0 as i64 + dt).max(0) as u64)),
                }
            }
        }));
    }
    {
        let svg_ref = svg_ref.clone();
        let wheel_cb = wheel_cb.clone();
        use_effect_with((), move |_| {
            let l = svg_ref.cast::<web_sys::Element>().map(|el| {
                let opts = gloo::events::EventListenerOptions::enable_prevent_default();
                gloo::events::EventListener::new_with_options(&el, "wheel", opts, move |e| {
                    if let (Some(w), Some(cb)) = (
                        wasm_bindgen::JsCast::dyn_ref::<WheelEvent>(e),
                        wheel_cb.borrow().as_ref(),
                    ) {
                        cb.emit(w.clone())
                    }
                })
            });
            move || drop(l)
        });
    }
    let zin = {
        let z = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| z.emit(0.5))
    };
    let zout = {
        let z = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| z.emit(2.0))
    };
    let onmove = {
        let (layer, tip_ref, svg_ref) = (layer.clone(), tip_ref.clone(), svg_ref.clone());
        Callback::from(move |e: MouseEvent| {
            let (Some(tip), Some(el)) = (
                tip_ref.cast::<web_sys::HtmlElement>(),
                svg_ref.cast::<web_sys::Element>(),
            ) else {
                return;
            };
            let hit = arrow_at(&layer.borrow(), &el, &e);
            let text = hit.map(|a| canvas::tip_text(a.id, a.kind, a.from, a.to, a.dropped, false));
            let (x, y) = match e
                .current_target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            {
                Some(el) => {
                    let r = el.get_bounding_client_rect();
                    (
                        e.client_x() as f64 - r.left(),
                        e.client_y() as f64 - r.top(),
                    )
                }
                None => (0.0, 0.0),
            };
            canvas::show_tip(&tip, text.as_deref(), x + 12.0, y + 12.0);
        })
    };
    let onleave = {
        let tip_ref = tip_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(tip) = tip_ref.cast::<web_sys::HtmlElement>() {
                canvas::show_tip(&tip, None, 0.0, 0.0);
            }
        })
    };
    let sel_agent = match props.selected {
        Some(Sel::Agent(id)) => Some(id),
        _ => None,
    };
    html! {
        <section class="panel spacetime" aria-label="Space-time diagram">
            <div class="panel-head">
                <h2>{ "Space-time diagram" }</h2>
                <span class="hint">{ format!("{} {} in view{} · click an arrow to inspect it, elsewhere to seek; wheel scrolls, shift+wheel zooms", d.total, if d.total == 1 { "message" } else { "messages" }, if d.total > d.arrows.len() { format!(" ({} of them drawn)", d.arrows.len()) } else { String::new() }) }</span>
                <button onclick={zin} aria-label="Zoom in on time" data-testid="zoom-in">{ "+" }</button>
                <button onclick={zout} aria-label="Zoom out" data-testid="zoom-out">{ "−" }</button>
            </div>
            <div class="st-box" onmousemove={onmove} onmouseleave={onleave}>
            <canvas class="st-canvas" ref={canvas_ref} aria-hidden="true" data-testid="st-canvas"></canvas>
            <svg viewBox={format!("0 0 {} {}", Shortest(w), Fixed(h, 0))} class="st-svg" ref={svg_ref} {onclick} data-testid="spacetime" data-arrows={d.arrows.len().to_string()} data-total={d.total.to_string()}
                role="img" aria-label={format!("Messages between {} agents from {} to {}", d.n, d.t0, d.t1)}>
                { for (0..d.n as u32).map(|i| {
                    let inner = html! {
                        <>
                        <line x1={shortest(LEFT)} x2={shortest(w)} y1={fixed(y(i), 1)} y2={fixed(y(i), 1)} />
                        if lane >= 9.0 {
                            <text x="2" y={fixed(y(i) + 4.0, 1)} style={format!("font-size:{}px", Fixed(lane.min(12.0), 0))}>{ format!("a{i}") }</text>
                        }
                        </>
                    };
                    let key = format!("lane{i}");
                    // Literal classes: one that is not goes through yew's `Classes` (see `dom::with_class`).
                    if sel_agent == Some(i) {
                        html! { <g key={key} class="lane selected">{ inner }</g> }
                    } else {
                        html! { <g key={key} class="lane">{ inner }</g> }
                    }
                }) }
                { for props.witness.iter().filter(|w| w.time >= t0 && w.time <= t1).map(|w| dom::with_class(html! {
                    <rect key={format!("w{}-{}", w.op, w.complete)} class="_" data-testid="witness-mark" data-op={w.op.to_string()}
                        x={fixed(x(w.time) - 5.0, 1)} y={fixed(y(w.node) - 5.0, 1)} width="10" height="10" rx="2"><title>{ &w.title }</title></rect>
                }, if w.focus { "mk witness focus" } else { "mk witness" }.into())) }
                <line class="cursor" x1={fixed(x(d.cursor), 1)} x2={fixed(x(d.cursor), 1)} y1="0" y2={fixed(h - 14.0, 0)} data-testid="st-cursor" />
                <text class="axis" x={shortest(LEFT)} y={fixed(h - 2.0, 0)}>{ super::geom::fmt_ms(d.t0.as_ms_f64()) }</text>
                <text class="axis end" x={shortest(w)} y={fixed(h - 2.0, 0)}>{ super::geom::fmt_ms(d.t1.as_ms_f64()) }</text>
            </svg>
            <div class="msg-tip" ref={tip_ref} role="tooltip" data-testid="st-tip" hidden=true></div>
            </div>
        </section>
    }
}

/// The arrow drawn under the pointer, if any (within about 4 CSS pixels).
fn arrow_at(layer: &DiagramLayer, svg: &web_sys::Element, e: &MouseEvent) -> Option<Seg> {
    // A synthetic `Event("click")` has no coordinates.
    if !wasm_bindgen::JsCast::is_instance_of::<MouseEvent>(e) {
        return None;
    }
    let r = svg.get_bounding_client_rect();
    let s = layer.scale;
    if s <= 0.0 {
        return None;
    }
    let p = (
        (e.client_x() as f64 - r.left()) / s,
        (e.client_y() as f64 - r.top()) / s,
    );
    canvas::nearest_seg(&layer.segs, p, 4.0 / s).and_then(|i| layer.segs.get(i).cloned())
}

/// The smallest of 1, 2, 3, 4, 6, 8, 12, 16, 24, … (2^k and 3·2^k) at least `s`.
fn nice_stride(s: usize) -> usize {
    let p = s.next_power_of_two();
    if p >= 4 && 3 * p / 4 >= s {
        3 * p / 4
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::find;

    #[test]
    fn long_arrows_are_thinned_to_the_ink_cap_and_short_ones_to_the_count_cap() {
        let def = find("heartbeat").expect("heartbeat");
        let run = |latency: &str, interval: &str| {
            let mut o = std::collections::BTreeMap::new();
            for (k, v) in [
                ("nodes", "25"),
                ("latency", latency),
                ("interval", interval),
                ("timeout", "5s"),
            ] {
                o.insert(k.to_string(), v.to_string());
            }
            let mut sim = def
                .instantiate(&o, 1, vec![], TraceConfig::default())
                .expect("builds");
            sim.run_until(Time::secs(3), u64::MAX);
            // The page's window: a 20th of the scenario's default run.
            let win = def.default_until.0 / 20;
            diagram(sim.trace(), Time::secs(2), win, 25, Time::secs(3))
        };
        let ink = |d: &Diagram| -> f64 {
            d.arrows
                .iter()
                .map(|a| ink_of((a.t0, a.t1), a.from.abs_diff(a.to), (d.t0, d.t1), d.n))
                .sum()
        };
        // The frame benchmark's stage: half-second messages, each nearly the window's width.
        let long = run("400ms..600ms", "500ms");
        assert!(
            long.arrows.len() < MAX_ARROWS * 2 / 3,
            "{} drawn",
            long.arrows.len()
        );
        assert!(ink(&long) <= MAX_INK, "{}", ink(&long));
        assert!(
            ink(&long) >= MAX_INK * 0.6,
            "thinned to a handful: {}",
            ink(&long)
        );
        // Short messages: the count decides, as before.
        let short = run("10ms..20ms", "40ms");
        assert!(short.total > MAX_ARROWS);
        assert!(short.arrows.len() * 3 >= MAX_ARROWS * 2 && short.arrows.len() <= MAX_ARROWS);
        assert!(ink(&short) < MAX_INK);
    }

    #[test]
    fn strides_step_by_powers_of_two_and_three_times_them() {
        let got: Vec<usize> = (1..=17).map(nice_stride).collect();
        assert_eq!(
            got,
            [1, 2, 3, 4, 6, 6, 8, 8, 12, 12, 12, 12, 16, 16, 16, 16, 24]
        );
    }
    use crate::sim::trace::TraceConfig;

    #[test]
    fn only_the_window_is_drawn_and_thinned_to_the_cap() {
        let def = find("heartbeat").expect("heartbeat");
        let mut o = std::collections::BTreeMap::new();
        o.insert("nodes".to_string(), "25".to_string());
        let mut sim = def
            .instantiate(&o, 1, vec![], TraceConfig::default())
            .expect("builds");
        sim.run_until(Time::secs(5), u64::MAX);
        let d = diagram(sim.trace(), Time::secs(4), 4_000_000, 25, Time::secs(5));
        assert!(d.arrows.len() <= MAX_ARROWS);
        assert!(d.total >= d.arrows.len());
        for a in &d.arrows {
            assert!(a.t0 <= d.t1);
        }
        // Thinned evenly: at least about two thirds of the cap, not a handful.
        assert!(
            d.arrows.len() * 3 >= MAX_ARROWS.min(d.total) * 2 - 30,
            "{} of {}",
            d.arrows.len(),
            d.total
        );
        // The window slid a little: the messages drawn in both windows are the same ones (the
        // thinning does not pick a new set each frame).
        for ms in [7, 37, 113, 251] {
            let d2 = diagram(
                sim.trace(),
                Time::secs(4) + Time::ms(ms),
                4_000_000,
                25,
                Time::secs(5),
            );
            let (lo, hi) = (d2.t0, d.t1);
            let ids = |d: &Diagram| -> Vec<u64> {
                d.arrows
                    .iter()
                    .filter(|a| a.t0 >= lo && a.t1 <= hi)
                    .map(|a| a.id)
                    .collect()
            };
            assert!(
                ids(&d) == ids(&d2),
                "slid by {ms} ms: a different set was drawn"
            );
            assert!(!ids(&d).is_empty());
        }
    }
}
