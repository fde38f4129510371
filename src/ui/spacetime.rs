//! The space-time (Lamport) diagram: a lane per agent, time left to right, an arrow per message
//! from its send to its delivery (or a red cross where it died), marks for crashes, recoveries,
//! timers, client operations, notes and violations, and a cursor at the current time. Only the
//! visible window is drawn (and at most [`MAX_ARROWS`] arrows), so a 10,000-message run stays
//! fluid. Click to seek; the wheel scrolls through time (shift+wheel zooms).

use super::stage::Sel;
use crate::sim::trace::{EventKind, Fate};
use crate::sim::{Time, Trace};
use std::rc::Rc;
use yew::prelude::*;

pub const MAX_ARROWS: usize = 800;
pub const MAX_MARKS: usize = 1500;
const W: f64 = 1000.0;
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
    let visible: Vec<_> = range
        .iter()
        .filter(|m| {
            let end = if m.resolved_at == Time::MAX {
                m.deliver_at
            } else {
                m.resolved_at
            };
            end >= t0
        })
        .collect();
    let total = visible.len();
    let stride = total.div_ceil(MAX_ARROWS).max(1);
    let arrows = visible
        .into_iter()
        .step_by(stride)
        .map(|m| {
            let dropped = matches!(m.fate, Fate::Dropped(_));
            let t1m = if m.resolved_at == Time::MAX {
                m.deliver_at
            } else {
                m.resolved_at
            };
            Arrow {
                id: m.id,
                from: m.from.0,
                to: m.to.0,
                t0: m.sent,
                t1: t1m,
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
    pub on_zoom: Callback<f64>,
    pub selected: Option<Sel>,
    pub on_select: Callback<Sel>,
    /// Witness operations of broken guarantees (drawn when in the window).
    #[prop_or_default]
    pub witness: Rc<Vec<super::guarantees::WitnessMark>>,
}

#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let d = &props.diagram;
    let n = d.n.max(1);
    let lane = (260.0 / n as f64).clamp(6.0, 28.0);
    let h = lane * n as f64 + 22.0;
    let span = (d.t1.0 - d.t0.0).max(1) as f64;
    let x = move |t: Time| LEFT + (t.0 as f64 - d.t0.0 as f64) / span * (W - LEFT - 6.0);
    let y = move |i: u32| 8.0 + lane * (i as f64 + 0.5);
    let (t0, t1) = (d.t0, d.t1);
    let onclick = {
        let seek = props.on_seek.clone();
        let select = props.on_select.clone();
        Callback::from(move |e: MouseEvent| {
            let hit = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .and_then(|t| t.closest("[data-msg]").ok().flatten())
                .and_then(|el| el.get_attribute("data-msg"))
                .and_then(|v| v.parse::<u64>().ok());
            if let Some(id) = hit {
                select.emit(Sel::Msg(id));
                return;
            }
            let Some(el) = e
                .current_target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            else {
                return;
            };
            let r = el.get_bounding_client_rect();
            if r.width() <= 0.0 {
                return;
            }
            let fx = (e.client_x() as f64 - r.left()) / r.width() * W;
            let f = ((fx - LEFT) / (W - LEFT - 6.0)).clamp(0.0, 1.0);
            seek.emit(Time(t0.0 + (f * (t1.0 - t0.0) as f64) as u64))
        })
    };
    // The wheel listener is not passive (it scrolls time, not the page), so it is attached here
    // rather than through `onwheel` (Yew's are passive).
    let svg_ref = use_node_ref();
    let wheel_cb = use_mut_ref(|| None::<Callback<WheelEvent>>);
    {
        let seek = props.on_seek.clone();
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
                let t = (cursor.0 as i64 + dt).max(0) as u64;
                seek.emit(Time(t))
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
    let sel_msg = match props.selected {
        Some(Sel::Msg(id)) => Some(id),
        _ => None,
    };
    let sel_agent = match props.selected {
        Some(Sel::Agent(id)) => Some(id),
        _ => None,
    };
    html! {
        <section class="panel spacetime" aria-label="Space-time diagram">
            <div class="panel-head">
                <h2>{ "Space-time diagram" }</h2>
                <span class="hint">{ format!("{} messages in view{} · click to seek, wheel to scroll, shift+wheel to zoom", d.total, if d.total > d.arrows.len() { format!(" (every {}th drawn)", d.total.div_ceil(d.arrows.len().max(1))) } else { String::new() }) }</span>
                <button onclick={zin} aria-label="Zoom in on time" data-testid="zoom-in">{ "+" }</button>
                <button onclick={zout} aria-label="Zoom out" data-testid="zoom-out">{ "−" }</button>
            </div>
            <svg viewBox={format!("0 0 {W} {h:.0}")} class="st-svg" ref={svg_ref} {onclick} data-testid="spacetime" data-arrows={d.arrows.len().to_string()}
                role="img" aria-label={format!("Messages between {} agents from {} to {}", d.n, d.t0, d.t1)}>
                { for (0..d.n as u32).map(|i| html! {
                    <g key={format!("lane{i}")} class={classes!("lane", (sel_agent == Some(i)).then_some("selected"))}>
                        <line x1={format!("{LEFT}")} x2={format!("{W}")} y1={format!("{:.1}", y(i))} y2={format!("{:.1}", y(i))} />
                        if lane >= 9.0 {
                            <text x="2" y={format!("{:.1}", y(i) + 4.0)} style={format!("font-size:{:.0}px", lane.min(12.0))}>{ format!("a{i}") }</text>
                        }
                    </g>
                }) }
                { for d.arrows.iter().map(|a| {
                    let (x0, y0, x1, y1) = (x(a.t0), y(a.from), x(a.t1), y(a.to));
                    let (x1, y1) = if a.dropped { (x0 + (x1 - x0) * 0.5, y0 + (y1 - y0) * 0.5) } else { (x1, y1) };
                    let class = classes!("arrow", a.dropped.then_some("dropped"), a.future.then_some("future"), (sel_msg == Some(a.id)).then_some("selected"));
                    if a.dropped {
                        html! {
                            <path key={a.id} {class} data-msg={a.id.to_string()} style={format!("--hue:{}", super::geom::kind_hue(a.kind))}
                                d={format!("M{x0:.1},{y0:.1}L{x1:.1},{y1:.1}m-3,-3l6,6m0,-6l-6,6")} />
                        }
                    } else {
                        html! {
                            <line key={a.id} {class} data-msg={a.id.to_string()} style={format!("--hue:{}", super::geom::kind_hue(a.kind))}
                                x1={format!("{x0:.1}")} y1={format!("{y0:.1}")} x2={format!("{x1:.1}")} y2={format!("{y1:.1}")} />
                        }
                    }
                }) }
                { for d.marks.iter().enumerate().map(|(k, (node, t, m))| {
                    let (cx, cy) = (x(*t), y(*node));
                    let (class, path) = match m {
                        Mark::Crash => ("mk crash", format!("M{:.1},{:.1}l8,8m0,-8l-8,8", cx - 4.0, cy - 4.0)),
                        Mark::Recover => ("mk recover", format!("M{:.1},{:.1}l4,-7l4,7z", cx - 4.0, cy + 3.0)),
                        Mark::Timer => ("mk timer", format!("M{cx:.1},{:.1}v6", cy - 3.0)),
                        Mark::Client => ("mk client", format!("M{:.1},{:.1}h6v6h-6z", cx - 3.0, cy - 3.0)),
                        Mark::Note => ("mk note", format!("M{:.1},{cy:.1}a2.5,2.5 0 1,0 5,0a2.5,2.5 0 1,0 -5,0", cx - 2.5)),
                        Mark::Violation => ("mk violation", format!("M{cx:.1},{:.1}l5,9h-10z", cy - 6.0)),
                        Mark::Intervention => ("mk intervention", format!("M{cx:.1},{:.1}v{:.1}", 4.0, h - 18.0)),
                    };
                    html! { <path key={format!("m{k}-{}", t.0)} class={class} d={path} /> }
                }) }
                { for props.witness.iter().filter(|w| w.time >= t0 && w.time <= t1).map(|w| html! {
                    <rect key={format!("w{}-{}", w.op, w.complete)} class={classes!("mk", "witness", w.focus.then_some("focus"))} data-testid="witness-mark" data-op={w.op.to_string()}
                        x={format!("{:.1}", x(w.time) - 5.0)} y={format!("{:.1}", y(w.node) - 5.0)} width="10" height="10" rx="2"><title>{ &w.title }</title></rect>
                }) }
                <line class="cursor" x1={format!("{:.1}", x(d.cursor))} x2={format!("{:.1}", x(d.cursor))} y1="0" y2={format!("{:.0}", h - 14.0)} data-testid="st-cursor" />
                <text class="axis" x={format!("{LEFT}")} y={format!("{:.0}", h - 2.0)}>{ super::geom::fmt_ms(d.t0.as_ms_f64()) }</text>
                <text class="axis end" x={format!("{W}")} y={format!("{:.0}", h - 2.0)}>{ super::geom::fmt_ms(d.t1.as_ms_f64()) }</text>
            </svg>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::find;
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
    }
}
