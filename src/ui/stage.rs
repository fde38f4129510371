//! The stage: agents on a ring (a grid when many) with role glyph, liveness, clock, epoch and a
//! one-line state; messages travelling along the links at the pace of their latency (dropped
//! ones die mid-way with a red cross, duplicates drawn hollow); partition groups as tinted
//! regions, cut links dashed red. Agents are keyed by id; messages are drawn on a canvas over the
//! SVG (see `canvas.rs`) and hit-tested there for clicks and hover tips.
//!
//! Direct manipulation (layers and logic in `stage_layers` and `manip`): click a link to cut or
//! mend it, drag a wall across the stage to partition it; agents a live failure detector
//! suspects are marked. The message canvas takes no pointer events, so drags and link clicks
//! reach the SVG; the SVG's click handler hit-tests messages first.

use super::canvas::{self, StageLayer};
use super::dom;
use super::engine::Snap;
use super::geom::{self, Layout};
use super::manip;
use super::stage_layers::{self as layers, Drag};
use crate::sim::decimal::ClampF as _;
use crate::sim::{Action, NodeView, Role, Status};
use crate::ui::geom::{fixed, Fixed, Shortest};
use std::rc::Rc;
use yew::prelude::*;

pub const W: f64 = 800.0;
/// Most messages drawn on the stage at once.
pub const MAX_STAGE_MSGS: usize = 1500;
pub const H: f64 = 500.0;

/// The stage's drawing box: wide on a desktop, nearly square (so text stays legible) on a phone.
pub fn dims(narrow: bool) -> (f64, f64) {
    if narrow {
        (440.0, 420.0)
    } else {
        (W, H)
    }
}

/// What is selected on the stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sel {
    Agent(u32),
    Msg(u64),
}

/// Which clock the agents show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClockMode {
    Lamport,
    Vector,
    Physical,
}

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub snap: Rc<Snap>,
    pub clock: ClockMode,
    pub selected: Option<Sel>,
    pub on_select: Callback<Sel>,
    #[prop_or(false)]
    pub compact: bool,
    #[prop_or(false)]
    pub narrow: bool,
    /// A link clicked or a wall dragged: the action, or why there is none.
    #[prop_or_default]
    pub on_action: Callback<Result<Action, String>>,
    /// Lets the page repaint the messages between renders (see `canvas::Painter`).
    #[prop_or_default]
    pub painter: Option<canvas::Painter<Rc<Snap>>>,
}

const GROUP_HUES: [u32; 6] = [210, 30, 140, 280, 0, 60];

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let snap = &props.snap;
    let n = snap.frame.nodes.len();
    let (w, h) = dims(props.narrow);
    // The layout and the agents' layout-only attributes are made once per (agents, width); a
    // render while playing formatted them all again (~10 numbers per agent).
    let lay = use_memo((n, props.narrow), |&(n, narrow)| {
        let (w, h) = dims(narrow);
        geom::layout(n, w, h)
    });
    let suspected = manip::suspected_by(&snap.frame.nodes);
    // The suspicion key (which of its two kinds are shown) takes a corner the labels leave free.
    let keyed = {
        let status = |i: usize| snap.frame.nodes.get(i).map(|n| n.status);
        let any = |f: bool| {
            suspected
                .iter()
                .enumerate()
                .any(|(i, by)| !by.is_empty() && status(i).map(manip::false_suspicion) == Some(f))
        };
        (any(true), any(false))
    };
    let geo = use_memo(
        (lay.clone(), props.narrow, keyed),
        |(lay, narrow, keyed)| Geo::new(lay, *narrow, *keyed),
    );
    let partitioned = !snap.frame.groups.is_empty()
        && snap.frame.groups.iter().any(|g| *g != snap.frame.groups[0]);

    // Links: all pairs when few agents (faint), cut ones dashed red; clickable.
    let links = layers::links(&snap.frame, &lay);
    let walls = layers::walls(&snap.frame, &lay);

    let regions = if partitioned {
        let mut gs: Vec<u32> = snap.frame.groups.clone();
        crate::sim::sort::sort(&mut gs);
        gs.dedup();
        // Hulls read well when each side is one arc of the ring; when sides interleave they would
        // overlap, so each agent gets a halo in its side's colour instead.
        let changes = (0..n)
            .filter(|i| snap.frame.groups.get(*i) != snap.frame.groups.get((i + 1) % n))
            .count();
        let arcs = !lay.grid && changes <= gs.len();
        if lay.grid {
            grid_regions(&snap.frame.groups, &lay)
        } else if !arcs {
            return_halos(&snap.frame.groups, &lay)
        } else {
            gs.iter()
            .map(|g| {
                let pts: Vec<(f64, f64)> = (0..n).filter(|i| snap.frame.groups.get(*i) == Some(g)).map(|i| lay.pts[i]).collect();
                let h = geom::hull(&pts);
                let hue = GROUP_HUES[*g as usize % GROUP_HUES.len()];
                let pad = lay.r * 2.6 + if lay.grid { 4.0 } else { 18.0 };
                let d: String = h.iter().map(|p| format!("{},{} ", Fixed(p.0, 1), Fixed(p.1, 1))).collect();
                if let [p] = h.as_slice() {
                    // A side of one agent: a polygon of one point would draw nothing.
                    return html! {
                        <circle key={format!("g{g}")} class="region" cx={fixed(p.0, 1)} cy={fixed(p.1, 1)} r={fixed(pad / 2.0, 1)}
                            style={format!("fill: hsl({hue},70%,55%); opacity: 0.14")} data-testid="partition-region" />
                    };
                }
                html! {
                    <polygon key={format!("g{g}")} class="region" points={d}
                        style={format!("fill: hsl({hue},70%,55%); stroke: hsl({hue},70%,55%); opacity: 0.14; stroke-width: {}px", Fixed(pad, 0))}
                        data-testid="partition-region" />
                }
            })
            .collect::<Html>()
        }
    } else {
        html! {}
    };

    // Messages are many and move every frame: they are drawn on a canvas over the SVG
    // (super::canvas), hit-tested there for clicks and hovers, and readable by tests through
    // `window.swarmscopeStage()`.
    let msg_canvas = use_node_ref();
    let svg_ref = use_node_ref();
    let tip_ref = use_node_ref();
    let layer = use_mut_ref(StageLayer::default);
    {
        let (msg_canvas, svg_ref, layer) = (msg_canvas.clone(), svg_ref.clone(), layer.clone());
        let snap = props.snap.clone();
        let selected = match props.selected {
            Some(Sel::Msg(id)) => Some(id),
            _ => None,
        };
        let lay = lay.clone();
        let paint = move |snap: &Rc<Snap>| {
            if let (Some(c), Some(svg)) = (
                msg_canvas.cast::<web_sys::HtmlCanvasElement>(),
                svg_ref.cast::<web_sys::Element>(),
            ) {
                canvas::draw_stage(
                    &mut layer.borrow_mut(),
                    &c,
                    &svg,
                    snap,
                    MAX_STAGE_MSGS,
                    &lay,
                    (w, h),
                    selected,
                );
            }
        };
        let paint = Rc::new(paint);
        let painter = props.painter.clone();
        if let Some(p) = &painter {
            let paint = paint.clone();
            p.set(move |s| paint(s));
        }
        use_effect(move || match painter {
            Some(p) => p.after_render(snap),
            None => paint(&snap),
        });
    }
    {
        let (msg_canvas, layer) = (msg_canvas.clone(), layer.clone());
        use_effect_with((), move |_| {
            let hook = canvas::Hook::install("swarmscopeStage", move || {
                canvas::stage_report(
                    &layer.borrow(),
                    msg_canvas.cast::<web_sys::Element>().as_ref(),
                )
            });
            move || drop(hook)
        });
    }
    let agents = snap.frame.nodes.iter().enumerate().filter_map(|(i, nv)| {
        let p = *lay.pts.get(i)?;
        let by = suspected.get(i).map(Vec::as_slice).unwrap_or(&[]);
        Some(agent(nv, p, &lay, &geo, props, i, by))
    });
    let legend = layers::suspicion_legend(keyed.0, keyed.1, geo.key_at);

    // A press that moves past a few pixels draws a wall; released, it partitions the stage.
    let drag = use_mut_ref(Drag::default);
    // (A `use_mut_ref` and a forced update rather than a `use_state`: each state type compiles
    // its own copy of yew's reducer machinery.)
    let wall_now = use_mut_ref(|| None::<((f64, f64), (f64, f64))>);
    let force = use_force_update();
    let view_pt = {
        let svg_ref = svg_ref.clone();
        move |x: f64, y: f64| {
            svg_ref
                .cast::<web_sys::Element>()
                .map(|el| {
                    let r = el.get_bounding_client_rect();
                    manip::to_view((x, y), (r.left(), r.top(), r.width(), r.height()), (w, h))
                })
                .unwrap_or((x, y))
        }
    };
    let onpointerdown = {
        let (drag, view_pt) = (drag.clone(), view_pt.clone());
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            *d = Drag::default();
            if e.button() == 0 && e.is_primary() {
                let (cx, cy) = (e.client_x() as f64, e.client_y() as f64);
                d.start = Some(((cx, cy), view_pt(cx, cy)));
                d.pointer = e.pointer_id();
            }
        })
    };
    let onpointermove = {
        let (drag, view_pt, wall_now, svg_ref, force) = (
            drag.clone(),
            view_pt.clone(),
            wall_now.clone(),
            svg_ref.clone(),
            force.clone(),
        );
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            let Some((c0, v0)) = d.start else { return };
            if e.pointer_id() != d.pointer || e.buttons() & 1 == 0 {
                return;
            }
            let (cx, cy) = (e.client_x() as f64, e.client_y() as f64);
            if !d.active {
                if (cx - c0.0).hypot(cy - c0.1) < manip::DRAG_THRESHOLD_PX {
                    return;
                }
                d.active = true;
                if let Some(el) = svg_ref.cast::<web_sys::Element>() {
                    let _ = el.set_pointer_capture(d.pointer);
                }
            }
            e.prevent_default();
            *wall_now.borrow_mut() = Some((v0, view_pt(cx, cy)));
            force.force_update();
        })
    };
    let onpointerup = {
        let (drag, view_pt, wall_now, force) = (
            drag.clone(),
            view_pt.clone(),
            wall_now.clone(),
            force.clone(),
        );
        let cb = props.on_action.clone();
        let pts = lay.pts.clone();
        let groups = snap.frame.groups.clone();
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            if let (Some((_, v0)), true) = (d.start, d.active) {
                let v1 = view_pt(e.client_x() as f64, e.client_y() as f64);
                cb.emit(manip::wall_partition(&pts, &groups, v0, v1).map(Action::Partition));
                d.swallow_click = true;
                *wall_now.borrow_mut() = None;
                force.force_update();
            }
            d.start = None;
            d.active = false;
        })
    };
    let onpointercancel = {
        let (drag, wall_now, force) = (drag.clone(), wall_now.clone(), force.clone());
        Callback::from(move |_: PointerEvent| {
            *drag.borrow_mut() = Drag::default();
            *wall_now.borrow_mut() = None;
            force.force_update();
        })
    };
    let preview = match *wall_now.borrow() {
        Some((a, b)) => layers::drag_preview(&snap.frame, &lay, a, b, w, h),
        None => html! {},
    };

    // One delegated click handler for the whole stage (no closure per message or agent).
    let onbg = {
        let cb = props.on_select.clone();
        let on_action = props.on_action.clone();
        let frame = snap.frame.clone();
        let drag = drag.clone();
        let (layer, svg_ref) = (layer.clone(), svg_ref.clone());
        Callback::from(move |e: MouseEvent| {
            // The click that ends a wall drag selects nothing.
            if std::mem::take(&mut drag.borrow_mut().swallow_click) {
                return;
            }
            if let Some(d) = msg_at(&layer.borrow(), &svg_ref, &e) {
                cb.emit(Sel::Msg(d.id));
                return;
            }
            let target = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
            let hit = |sel: &str, attr: &str| {
                target
                    .as_ref()
                    .and_then(|t| t.closest(sel).ok().flatten())
                    .and_then(|el| el.get_attribute(attr))
                    .and_then(|v| v.parse::<u64>().ok())
            };
            if let Some(id) = hit("[data-agent]", "data-agent") {
                cb.emit(Sel::Agent(id as u32))
            } else if let Some((a, b)) = target
                .as_ref()
                .and_then(|t| t.closest("[data-link]").ok().flatten())
                .and_then(|el| el.get_attribute("data-link"))
                .and_then(|v| manip::parse_link(&v))
            {
                on_action.emit(manip::link_action(&frame, a, b))
            } else {
                cb.emit(Sel::Agent(u32::MAX))
            }
        })
    };
    let onmove = {
        let (layer, svg_ref, tip_ref) = (layer.clone(), svg_ref.clone(), tip_ref.clone());
        Callback::from(move |e: MouseEvent| {
            let (Some(tip), Some(svg)) = (
                tip_ref.cast::<web_sys::HtmlElement>(),
                svg_ref.cast::<web_sys::Element>(),
            ) else {
                return;
            };
            let hit = msg_at(&layer.borrow(), &svg_ref, &e);
            let text = hit
                .as_ref()
                .map(|d| canvas::tip_text(d.id, d.kind, d.from, d.to, d.gone.is_some(), d.dup));
            let (x, y) = offset_in_parent(&svg, &e);
            canvas::show_tip(&tip, text.as_deref(), x + 12.0, y + 12.0);
            let hover = if hit.is_some() { "msg" } else { "" };
            if svg.get_attribute("data-hover").as_deref().unwrap_or("") != hover {
                let _ = svg.set_attribute("data-hover", hover);
            }
        })
    };
    // Enter on a focused agent selects it (one listener for all agents).
    let onkeydown = {
        let cb = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" {
                return;
            }
            let id = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .and_then(|t| t.closest("[data-agent]").ok().flatten())
                .and_then(|el| el.get_attribute("data-agent"))
                .and_then(|v| v.parse::<u32>().ok());
            if let Some(id) = id {
                e.prevent_default();
                cb.emit(Sel::Agent(id))
            }
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
    // The class is set by `dom::with_class` (one that is not a literal goes through yew's `Classes`).
    let svg = html! {
        <svg class="_" viewBox={format!("0 0 {} {}", Shortest(w), Shortest(h))} role="group"
            aria-label={format!("Stage: {} agents, {} messages in flight. Tab to an agent, Enter for its menu; click a link to cut or mend it; drag across the stage to build a wall.", n, snap.msgs.len())}
            data-testid="stage" data-trace-hash={format!("{:016x}", snap.hash)} data-time={snap.t.0.to_string()} data-head={snap.head.0.to_string()}
            data-msgs={snap.msgs.len().to_string()} data-paint={if super::paint::off_thread() { "worker" } else { "main" }} onclick={onbg} onmousemove={onmove} onmouseleave={onleave} {onkeydown} preserveAspectRatio="xMidYMid meet"
            ref={svg_ref} {onpointerdown} {onpointermove} {onpointerup} {onpointercancel}>
            <g class="regions">{ regions }</g>
            <g class="links">{ links }</g>
            <g class="walls">{ walls }</g>
            <g class="agents">{ for agents }</g>
            { legend }
            { preview }
        </svg>
    };
    let svg = dom::with_class(svg, if lay.grid { "stage grid" } else { "stage" }.into());
    html! {
        <>
        { svg }
        <canvas class="msg-canvas" ref={msg_canvas} aria-hidden="true" data-testid="msg-canvas"></canvas>
        <div class="msg-tip" ref={tip_ref} role="tooltip" data-testid="msg-tip" hidden=true></div>
        </>
    }
}

/// The message drawn under the pointer, if any.
fn msg_at(layer: &StageLayer, svg_ref: &NodeRef, e: &MouseEvent) -> Option<canvas::MsgDot> {
    // A synthetic `Event("click")` (keyboard activation, tests) has no coordinates.
    if !wasm_bindgen::JsCast::is_instance_of::<MouseEvent>(e) {
        return None;
    }
    let svg = svg_ref.cast::<web_sys::Element>()?;
    let fit = layer.fit?;
    let r = svg.get_bounding_client_rect();
    let (x, y) = fit.to_view(
        e.client_x() as f64 - r.left(),
        e.client_y() as f64 - r.top(),
    );
    // A little more than the dot, so small dots on a phone can still be hit.
    let slack = layer.r + 3.0 / fit.s.max(0.1);
    canvas::nearest_dot(&layer.dots, x, y, slack).and_then(|i| layer.dots.get(i).cloned())
}

/// The pointer's position relative to the element's offset parent (the stage's wrapper).
fn offset_in_parent(el: &web_sys::Element, e: &MouseEvent) -> (f64, f64) {
    match el.parent_element() {
        Some(p) => {
            let r = p.get_bounding_client_rect();
            (
                e.client_x() as f64 - r.left(),
                e.client_y() as f64 - r.top(),
            )
        }
        None => (0.0, 0.0),
    }
}

/// One tinted halo per agent, coloured by its side of the partition.
fn return_halos(groups: &[u32], lay: &Layout) -> Html {
    groups
        .iter()
        .zip(&lay.pts)
        .enumerate()
        .map(|(i, (g, p))| {
            let hue = GROUP_HUES[*g as usize % GROUP_HUES.len()];
            html! {
                <circle key={format!("h{i}")} class="region" cx={fixed(p.0, 1)} cy={fixed(p.1, 1)} r={fixed(lay.r * 1.9, 1)}
                    style={format!("fill: hsl({hue},70%,55%); opacity: 0.22")} data-testid="partition-region" />
            }
        })
        .collect()
}

/// On a grid, each side's cells tinted in its colour (a run of cells on one side in a row is one
/// rectangle); the walls between them are drawn by [`layers::walls`].
fn grid_regions(groups: &[u32], lay: &Layout) -> Html {
    let n = groups.len().min(lay.pts.len());
    let mut out: Vec<Html> = vec![];
    let mut i = 0;
    while i < n {
        let row = i / lay.cols.max(1);
        let mut j = i + 1;
        while j < n && j / lay.cols.max(1) == row && groups[j] == groups[i] {
            j += 1;
        }
        if let (Some((x, y, _, h)), Some((x2, _, w2, _))) = (lay.cell_of(i), lay.cell_of(j - 1)) {
            let hue = GROUP_HUES[groups[i] as usize % GROUP_HUES.len()];
            out.push(html! {
                <rect key={format!("c{i}")} class="region" x={fixed(x, 1)} y={fixed(y, 1)}
                    width={fixed(x2 + w2 - x, 1)} height={fixed(h, 1)}
                    style={format!("fill: hsl({hue},70%,55%); opacity: 0.16")} data-testid="partition-region" />
            });
        }
        i = j;
    }
    out.into_iter().collect()
}

/// A role's glyph (drawn inside the agent's circle).
pub fn glyph(role: Role) -> &'static str {
    match role {
        Role::Leader => "★",
        Role::Candidate => "?",
        Role::Follower => "•",
        Role::Coordinator => "◆",
        Role::Replica => "▪",
        Role::Client => "☺",
        Role::Peer => "",
    }
}

pub fn clock_text(nv: &NodeView, mode: ClockMode) -> String {
    match mode {
        ClockMode::Lamport => format!("L{}", nv.lamport),
        ClockMode::Vector => match &nv.vclock {
            Some(v) if v.len() <= 8 => format!(
                "[{}]",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Some(v) => format!(
                "[{}…]",
                v.iter()
                    .take(4)
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => format!("L{}", nv.lamport),
        },
        ClockMode::Physical => geom::fmt_ms(nv.clock.as_ms_f64()),
    }
}

/// What an agent's drawing takes from the layout (and which suspicion key is shown, for where the
/// key and the labels go): made once per layout and key ([`Stage`]'s memo).
#[derive(PartialEq)]
struct Geo {
    fs: f64,
    /// Which form of the suspicion key goes where (its left and bottom edge).
    key_at: (usize, (f64, f64)),
    agents: Vec<AgentGeo>,
    /// The parts of an agent that only the layout changes, as markup ([`dom::raw`]: built once
    /// here, and left alone by yew while the layout stays): the halo and body circles, the
    /// crashed cross, the paused bars, and an alert's ring and "!" badge.
    disc: Html,
    cross: Html,
    pause: Html,
    alert_marks: Html,
    glyph_style: AttrValue,
    name_x: AttrValue,
    name_y: AttrValue,
    fs_style: AttrValue,
    line2_style: AttrValue,
    /// The y of the label line under an agent on a grid.
    line_y: AttrValue,
    /// The baselines of a ring's label block's three lines (name, role/epoch/clock, state).
    block_y: [AttrValue; 3],
}

#[derive(PartialEq)]
struct AgentGeo {
    transform: AttrValue,
    data_agent: AttrValue,
    testid: AttrValue,
    name: AttrValue,
    /// On a ring, the agent's labels (name, role/epoch/clock, state) as one block placed
    /// outward from the ring's centre ([`geom::radial`]); None on a grid.
    block: Option<Block>,
}

/// An agent's label block on a ring: where it sits (relative to the agent's centre), how its
/// lines are anchored, how wide it may be and how many of its three lines fit.
#[derive(PartialEq)]
struct Block {
    transform: AttrValue,
    /// `start` (labels to the right of the agent), `end` (to the left) or `middle`.
    anchor: &'static str,
    room: f64,
    lines: usize,
}

impl Geo {
    fn new(lay: &Layout, narrow: bool, keyed: (bool, bool)) -> Geo {
        let r = lay.r;
        // On a phone the stage is drawn ~0.8× (440 units in ~360 px): larger type keeps the
        // labels at ~11 px.
        let fs = if lay.grid {
            (r * 0.8).clamp_f(6.0, 11.0)
        } else if narrow {
            14.0
        } else {
            12.0
        };
        let a = |s: String| AttrValue::from(s);
        let px = |v: f64| a(format!("font-size:{}px", Fixed(v, 1)));
        let (c, p) = (Fixed(r * 0.7, 1), Fixed(-r * 0.7, 1));
        let (w, h) = dims(narrow);
        let keys = layers::legend_boxes(keyed.0, keyed.1);
        let (blocks, key_at) = if lay.grid {
            (vec![], Some((0, (0.0, h))))
        } else {
            geom::radial(&lay.pts, r, (w, h), fs * geom::LINE_EM, &keys)
        };
        let key_at = key_at.unwrap_or((0, (0.0, h)));
        Geo {
            fs,
            key_at,
            agents: lay
                .pts
                .iter()
                .enumerate()
                .map(|(i, pt)| AgentGeo {
                    transform: a(format!("translate({},{})", Fixed(pt.0, 1), Fixed(pt.1, 1))),
                    data_agent: a(i.to_string()),
                    testid: a(format!("agent-{i}")),
                    name: a(format!("a{i}")),
                    block: blocks.get(i).map(|b| Block {
                        transform: a(format!("translate({},{})", Fixed(b.x, 1), Fixed(b.top, 1))),
                        anchor: b.anchor,
                        room: b.room,
                        lines: b.lines,
                    }),
                })
                .collect(),
            block_y: [0.0, 1.0, 2.0].map(|k| a(fixed(fs * (0.95 + k * geom::LINE_EM), 1))),
            disc: dom::raw(format!(
                "<circle r=\"{}\" class=\"halo\"/><circle r=\"{}\" class=\"body\"/>",
                Fixed(r + 4.0, 1),
                Fixed(r, 1)
            )),
            glyph_style: px(r * 0.9),
            cross: dom::raw(format!(
                "<path d=\"M{p},{p}L{c},{c}M{p},{c}L{c},{p}\" class=\"cross\"/>"
            )),
            pause: dom::raw(format!(
                "<path d=\"M{},{}v{}M{},{}v{}\" class=\"pausebars\"/>",
                Fixed(-r * 0.3, 1),
                Fixed(-r * 0.45, 1),
                Fixed(r * 0.9, 1),
                Fixed(r * 0.3, 1),
                Fixed(-r * 0.45, 1),
                Fixed(r * 0.9, 1)
            )),
            name_x: a(fixed(r * 0.8, 1)),
            name_y: a(fixed(-r * 0.8, 1)),
            fs_style: px(fs),
            alert_marks: dom::raw(format!(
                "<circle r=\"{}\" class=\"alert-ring\"/><g transform=\"translate({b},{b})\" \
                 class=\"alert-badge\"><circle r=\"7\"/><text dy=\"0.35em\" \
                 style=\"font-size:11px\">!</text></g>",
                Fixed(r + 7.0, 1),
                b = Fixed(-r * 0.8, 1)
            )),
            line2_style: px(fs * 0.92),
            line_y: a(fixed(r + 4.0 + fs, 1)),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn agent(
    nv: &NodeView,
    p: (f64, f64),
    lay: &Layout,
    geo: &Geo,
    props: &StageProps,
    i: usize,
    suspected_by: &[u32],
) -> Html {
    let r = lay.r;
    let id = nv.id.0;
    let ag = geo.agents.get(i).filter(|_| id as usize == i);
    let (transform, data_agent, testid, name) = match ag {
        Some(g) => (
            g.transform.clone(),
            g.data_agent.clone(),
            g.testid.clone(),
            g.name.clone(),
        ),
        None => (
            AttrValue::from(format!("translate({},{})", Fixed(p.0, 1), Fixed(p.1, 1))),
            AttrValue::from(id.to_string()),
            AttrValue::from(format!("agent-{i}")),
            AttrValue::from(format!("a{id}")),
        ),
    };
    let status = match nv.status {
        Status::Up => "up",
        Status::Crashed => "crashed",
        Status::Paused => "paused",
    };
    let sel = props.selected == Some(Sel::Agent(id));
    let role = nv.summary.role;
    let line1 = match nv.summary.epoch {
        Some(ep) => format!("{} · e{ep}", role.name()),
        None => role.name().to_string(),
    };
    let fs = geo.fs;
    // The role, epoch and clock, shrunk to its room (a grid's cell, or the ring's label block);
    // the clock alone when the whole line would be too small to read, nothing when even that is.
    let clock = clock_text(nv, props.clock);
    let block = ag.and_then(|g| g.block.as_ref());
    let (width, min) = match block {
        Some(b) => (b.room, 10.0),
        None if lay.grid => (lay.cell.0 * 0.94, 7.0),
        None => (W * 0.2, 10.0),
    };
    let full = format!("{line1} · {clock}");
    let line1 = match geom::fit_font(full.chars().count(), width, fs, min) {
        Some(f) => Some((full, f)),
        None => geom::fit_font(clock.chars().count(), width, fs, min.min(9.0)).map(|f| (clock, f)),
    };
    // The state line, on a ring only (a grid's cell has room for one line).
    let mut state = match block {
        Some(_) => nv.summary.state.clone(),
        None => String::new(),
    };
    // (A ring's block is as wide as its room; the state line is monospace, ~0.6 em a character.)
    let state_max = block.map_or(0, |b| geom::fit_chars(b.room, fs * 0.92 * 1.08).min(48));
    if state.chars().count() > state_max {
        state = match state_max {
            // Cut to a few characters ("trus…", "follows…") it says nothing: the inspector
            // has it.
            0..=9 => String::new(),
            m => state.chars().take(m - 1).collect::<String>() + "…",
        };
    }
    // A state that only repeats the role ("leader" under "leader · e1") is not shown.
    if state.eq_ignore_ascii_case(role.name()) {
        state.clear();
    }
    let suspicion =
        (!suspected_by.is_empty()).then(|| manip::suspicion_text(id, suspected_by, nv.status));
    // Highlights any agent put on this one (Summary::alerts): a red ring, a "!" badge with a
    // short label, and the full reasons as the tooltip.
    let alerts: Vec<&str> = props
        .snap
        .frame
        .nodes
        .iter()
        .flat_map(|m| m.summary.alerts.iter())
        .filter(|a| a.node == nv.id)
        .map(|a| a.text.as_str())
        .collect();
    let alert_text = alerts.join("\n");
    let alert_short = alerts
        .first()
        .map(|t| t.split(':').next().unwrap_or(t).trim().to_string())
        .unwrap_or_default();
    let label = format!(
        "agent {id}, {}, {status}{}{}{}",
        role.name(),
        nv.byzantine
            .map(|b| format!(", Byzantine {}", b.name()))
            .unwrap_or_default(),
        suspicion
            .as_ref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default(),
        if alerts.is_empty() {
            String::new()
        } else {
            format!(", {}", alerts.join("; "))
        }
    );
    let suspect_class = suspicion.as_ref().map(|_| {
        if manip::false_suspicion(nv.status) {
            "suspected suspected-false"
        } else {
            "suspected suspected-right"
        }
    });
    let suspected_attr = suspicion.as_ref().map(|_| {
        suspected_by
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(",")
    });
    let line1_style = match &line1 {
        Some((_, f)) if *f != fs => AttrValue::from(format!("font-size:{}px", Fixed(*f, 1))),
        _ => geo.fs_style.clone(),
    };
    let mut class = format!("agent {status} {}", role.name());
    for (on, c) in [
        (sel, "selected"),
        (nv.byzantine.is_some(), "byzantine"),
        (suspect_class.is_some(), suspect_class.unwrap_or_default()),
        (!alerts.is_empty(), "alerted"),
    ] {
        if on {
            class.push(' ');
            class.push_str(c);
        }
    }
    // On a ring the labels' block takes the role line; on a grid it goes under the agent.
    let (labels, line1) = match block {
        Some(b) => (Some((b, line1)), None),
        None => (None, line1),
    };
    let labels = labels.map(|(b, line1)| {
        let g = html! {
            <g class="_" transform={b.transform.clone()}>
                <text class="name" y={geo.block_y[0].clone()} style={geo.fs_style.clone()}>{ name.clone() }</text>
                if let (Some((text, _)), true) = (line1, b.lines >= 2) {
                    <text class="line1" y={geo.block_y[1].clone()} style={line1_style.clone()}>{ text }</text>
                }
                // An alert's short label takes the state's line (beside the badge it would
                // run into the labels of agents on the left).
                if b.lines >= 3 && !alert_short.is_empty() {
                    <text class="alert-label" y={geo.block_y[2].clone()} style={geo.fs_style.clone()}>{ alert_short }</text>
                } else if b.lines >= 3 && !props.compact && !state.is_empty() {
                    <text class="line2" y={geo.block_y[2].clone()} style={geo.line2_style.clone()}>{ state }</text>
                }
            </g>
        };
        dom::with_class(g, format!("labels {}", b.anchor).into())
    });
    // Its class is set by `dom::with_class` (one that is not a literal goes through `Classes`).
    let g = html! {
        <g key={id} class="_"
            {transform} data-agent={data_agent}
            tabindex="0" role="button" aria-label={label} data-testid={testid} data-status={status}
            data-suspected-by={suspected_attr}>
            if let Some(t) = &suspicion { <title>{ format!("a{id}: {t}") }</title> }
            { geo.disc.clone() }
            <text class="glyph" dy="0.35em" style={geo.glyph_style.clone()}>{ glyph(role) }</text>
            if nv.status == Status::Crashed {
                { geo.cross.clone() }
            }
            if nv.status == Status::Paused {
                { geo.pause.clone() }
            }
            { layers::suspicion(id, suspected_by, nv.status, r) }
            if block.is_none() {
                <text class="name" x={geo.name_x.clone()} y={geo.name_y.clone()} style={geo.fs_style.clone()}>{ name.clone() }</text>
            }
            if !alerts.is_empty() {
                <g class="alert" data-testid="agent-alert" data-alert={alert_text.clone()}>
                    <title>{ alert_text }</title>
                    { geo.alert_marks.clone() }
                </g>
            }
            if let Some(labels) = labels {
                { labels }
            } else if let Some((text, _)) = line1 {
                // A grid: the line under the agent in its cell.
                <text class="line1" y={geo.line_y.clone()} style={line1_style}>{ text }</text>
            }
        </g>
    };
    dom::with_class(g, class.into())
}
