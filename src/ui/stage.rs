//! The stage: agents on a ring (a grid when many) with role glyph, liveness, clock, epoch and a
//! one-line state; messages travelling along the links at the pace of their latency (dropped
//! ones die mid-way with a red cross, duplicates drawn hollow); partition groups as tinted
//! regions, cut links dashed red. Children are keyed by agent and message ids.

use super::engine::Snap;
use super::geom::{self, along, Layout};
use crate::sim::{NodeView, Role, Status};
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
}

const GROUP_HUES: [u32; 6] = [210, 30, 140, 280, 0, 60];

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let snap = &props.snap;
    let n = snap.frame.nodes.len();
    let (w, h) = dims(props.narrow);
    let lay = geom::layout(n, w, h);
    let partitioned = !snap.frame.groups.is_empty()
        && snap.frame.groups.iter().any(|g| *g != snap.frame.groups[0]);

    // Links: all pairs when few agents (faint), cut ones dashed red.
    let mut links = vec![];
    if n <= 12 {
        for a in 0..n {
            for b in a + 1..n {
                let across = partitioned && snap.frame.groups.get(a) != snap.frame.groups.get(b);
                let cut = across
                    || snap.frame.cut.iter().any(|(x, y)| {
                        (x.index() == a && y.index() == b) || (x.index() == b && y.index() == a)
                    });
                links.push(link(&lay, a, b, cut));
            }
        }
    } else {
        for (x, y) in &snap.frame.cut {
            if x.index() < n && y.index() < n {
                links.push(link(&lay, x.index(), y.index(), true));
            }
        }
    }

    let regions = if partitioned {
        let mut gs: Vec<u32> = snap.frame.groups.clone();
        gs.sort_unstable();
        gs.dedup();
        // Hulls read well when each side is one arc of the ring; when sides interleave they would
        // overlap, so each agent gets a halo in its side's colour instead.
        let changes = (0..n)
            .filter(|i| snap.frame.groups.get(*i) != snap.frame.groups.get((i + 1) % n))
            .count();
        let arcs = !lay.grid && changes <= gs.len();
        if !arcs {
            return_halos(&snap.frame.groups, &lay)
        } else {
            gs.iter()
            .map(|g| {
                let pts: Vec<(f64, f64)> = (0..n).filter(|i| snap.frame.groups.get(*i) == Some(g)).map(|i| lay.pts[i]).collect();
                let h = geom::hull(&pts);
                let hue = GROUP_HUES[*g as usize % GROUP_HUES.len()];
                let pad = lay.r * 2.6 + if lay.grid { 4.0 } else { 18.0 };
                let d: String = h.iter().map(|p| format!("{:.1},{:.1} ", p.0, p.1)).collect();
                html! {
                    <polygon key={format!("g{g}")} class="region" points={d}
                        style={format!("fill: hsl({hue},70%,55%); stroke: hsl({hue},70%,55%); opacity: 0.14; stroke-width: {pad:.0}px")}
                        data-testid="partition-region" />
                }
            })
            .collect::<Html>()
        }
    } else {
        html! {}
    };

    // Messages are many and move every frame: they are drawn straight into the DOM (a pool of
    // reused <g> elements under one node Yew renders empty), not through the virtual DOM.
    let msg_layer = use_node_ref();
    let pool = use_mut_ref(Vec::<Slot>::new);
    {
        let msg_layer = msg_layer.clone();
        let pool = pool.clone();
        let snap = props.snap.clone();
        let selected = props.selected;
        let lay = lay.clone();
        use_effect(move || {
            if let Some(g) = msg_layer.cast::<web_sys::Element>() {
                draw_messages(&g, &snap, &lay, selected, &mut pool.borrow_mut());
            }
        });
    }
    let agents = snap.frame.nodes.iter().enumerate().filter_map(|(i, nv)| {
        let p = *lay.pts.get(i)?;
        Some(agent(nv, p, &lay, props, i))
    });

    // One delegated click handler for the whole stage (no closure per message or agent).
    let onbg = {
        let cb = props.on_select.clone();
        Callback::from(move |e: MouseEvent| {
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
            if let Some(id) = hit("[data-msg]", "data-msg") {
                cb.emit(Sel::Msg(id))
            } else if let Some(id) = hit("[data-agent]", "data-agent") {
                cb.emit(Sel::Agent(id as u32))
            } else {
                cb.emit(Sel::Agent(u32::MAX))
            }
        })
    };
    html! {
        <svg class={classes!("stage", lay.grid.then_some("grid"))} viewBox={format!("0 0 {w} {h}")} role="img"
            aria-label={format!("{} agents, {} messages in flight", n, snap.msgs.len())}
            data-testid="stage" data-trace-hash={format!("{:016x}", snap.hash)} data-time={snap.t.0.to_string()}
            data-msgs={snap.msgs.len().to_string()} onclick={onbg} preserveAspectRatio="xMidYMid meet">
            <g class="regions">{ regions }</g>
            <g class="links">{ for links }</g>
            <g class="agents">{ for agents }</g>
            <g class="msgs" ref={msg_layer}></g>
        </svg>
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
                <circle key={format!("h{i}")} class="region" cx={format!("{:.1}", p.0)} cy={format!("{:.1}", p.1)} r={format!("{:.1}", lay.r * 1.9)}
                    style={format!("fill: hsl({hue},70%,55%); opacity: 0.22")} data-testid="partition-region" />
            }
        })
        .collect()
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Syncs the pool of message elements under `layer` with the messages of `snap`.
/// What a pooled message element currently shows, so only changed attributes are written.
#[derive(Default)]
pub struct Slot {
    id: u64,
    class: String,
    style: String,
    label: &'static str,
    r: String,
}

fn draw_messages(
    layer: &web_sys::Element,
    snap: &Snap,
    lay: &Layout,
    selected: Option<Sel>,
    pool: &mut Vec<Slot>,
) {
    let Some(doc) = layer.owner_document() else {
        return;
    };
    let n = snap.frame.nodes.len();
    let few = snap.msgs.len() <= 10 && n <= 8;
    let mr = (lay.r * 0.28).clamp(2.5, 6.0);
    let children = layer.children();
    if children.length() as usize != pool.len() {
        // Someone else touched the layer: start over.
        while let Some(c) = layer.last_element_child() {
            c.remove();
        }
        pool.clear();
    }
    let mut used = 0u32;
    for m in snap.msgs.iter().take(MAX_STAGE_MSGS) {
        let (a, b) = (m.rec.from.index(), m.rec.to.index());
        let (Some(pa), Some(pb)) = (lay.pts.get(a), lay.pts.get(b)) else {
            continue;
        };
        let (x, y) = along(*pa, *pb, lay.r, m.f);
        let el = match children.item(used) {
            Some(el) => el,
            None => {
                let Ok(g) = doc.create_element_ns(Some(SVG_NS), "g") else {
                    return;
                };
                let parts =
                    ["circle", "path", "text"].map(|t| doc.create_element_ns(Some(SVG_NS), t).ok());
                for p in parts.iter().flatten() {
                    let _ = g.append_child(p);
                }
                if let Some(c) = &parts[0] {
                    let _ = c.set_attribute("r", &format!("{mr:.1}"));
                }
                if let Some(p) = &parts[1] {
                    let s = mr * 1.3;
                    let _ = p.set_attribute(
                        "d",
                        &format!(
                            "M{:.1},{:.1}l{s:.1},{s:.1}M{:.1},{:.1}l{s:.1},-{s:.1}",
                            -s / 2.0,
                            -s / 2.0,
                            -s / 2.0,
                            s / 2.0
                        ),
                    );
                    let _ = p.set_attribute("class", "msg-x");
                }
                if let Some(t) = &parts[2] {
                    let _ = t.set_attribute("class", "msg-label");
                    let _ = t.set_attribute("y", &format!("{:.1}", -mr - 3.0));
                }
                let _ = layer.append_child(&g);
                pool.push(Slot::default());
                g
            }
        };
        let Some(slot) = pool.get_mut(used as usize) else {
            return;
        };
        used += 1;
        let r = format!("{mr:.1}");
        if slot.r != r {
            if let Some(c) = el.first_element_child() {
                let _ = c.set_attribute("r", &r);
            }
            slot.r = r;
        }
        let mut class = String::from("msg");
        if m.dying.is_some() {
            class.push_str(" dying");
        }
        if m.rec.copy_of.is_some() {
            class.push_str(" dup");
        }
        if selected == Some(Sel::Msg(m.rec.id)) {
            class.push_str(" selected");
        }
        let _ = el.set_attribute("transform", &format!("translate({x:.1},{y:.1})"));
        if slot.class != class {
            let _ = el.set_attribute("class", &class);
            let _ = el.set_attribute(
                "data-testid",
                if m.dying.is_some() {
                    "msg-dropped"
                } else {
                    "msg"
                },
            );
            slot.class = class;
        }
        if slot.id != m.rec.id || slot.style.is_empty() {
            let _ = el.set_attribute("data-msg", &m.rec.id.to_string());
            slot.id = m.rec.id;
        }
        let style = match m.dying {
            Some(gone) => format!(
                "--hue:{};opacity:{:.2}",
                geom::kind_hue(m.rec.kind),
                1.0 - gone
            ),
            None => format!("--hue:{}", geom::kind_hue(m.rec.kind)),
        };
        if slot.style != style {
            let _ = el.set_attribute("style", &style);
            slot.style = style;
        }
        let label = if few && m.dying.is_none() {
            m.rec.kind
        } else {
            ""
        };
        if slot.label != label {
            if let Some(t) = el.last_element_child() {
                t.set_text_content(Some(label));
            }
            slot.label = label;
        }
    }
    while layer.child_element_count() > used {
        match layer.last_element_child() {
            Some(c) => c.remove(),
            None => break,
        }
        pool.pop();
    }
}

fn link(lay: &Layout, a: usize, b: usize, cut: bool) -> Html {
    let (pa, pb) = (lay.pts[a], lay.pts[b]);
    html! {
        <line key={format!("l{a}-{b}")} x1={format!("{:.1}", pa.0)} y1={format!("{:.1}", pa.1)} x2={format!("{:.1}", pb.0)} y2={format!("{:.1}", pb.1)}
            class={if cut { "link cut" } else { "link" }} data-testid={if cut { "cut-link" } else { "link" }} />
    }
}

/// A role's glyph (drawn inside the agent's circle).
pub fn glyph(role: Role) -> &'static str {
    match role {
        Role::Leader => "★",
        Role::Candidate => "?",
        Role::Follower => "·",
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

fn agent(nv: &NodeView, p: (f64, f64), lay: &Layout, props: &StageProps, i: usize) -> Html {
    let r = lay.r;
    let id = nv.id.0;
    let status = match nv.status {
        Status::Up => "up",
        Status::Crashed => "crashed",
        Status::Paused => "paused",
    };
    let sel = props.selected == Some(Sel::Agent(id));
    let onkeydown = {
        let cb = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                cb.emit(Sel::Agent(id))
            }
        })
    };
    let role = nv.summary.role;
    let line1 = match nv.summary.epoch {
        Some(ep) => format!("{} · e{ep}", role.name()),
        None => role.name().to_string(),
    };
    let fs = if lay.grid {
        (r * 0.8).clamp(6.0, 11.0)
    } else {
        12.0
    };
    let mut state = nv.summary.state.clone();
    if state.chars().count() > 26 {
        state = state.chars().take(25).collect::<String>() + "…";
    }
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
        "agent {id}, {}, {status}{}{}",
        role.name(),
        nv.byzantine
            .map(|b| format!(", Byzantine {}", b.name()))
            .unwrap_or_default(),
        if alerts.is_empty() {
            String::new()
        } else {
            format!(", {}", alerts.join("; "))
        }
    );
    // Labels sit outside the ring (below for the lower half, above for the upper half).
    let cy = lay.pts.iter().map(|q| q.1).sum::<f64>() / lay.pts.len().max(1) as f64;
    let below = lay.grid || p.1 >= cy - 1.0;
    let dy = |k: f64| {
        if below {
            r + 4.0 + fs * k
        } else {
            -r - 6.0 - fs * (2.2 - k)
        }
    };
    html! {
        <g key={id} class={classes!("agent", status, role.name(), sel.then_some("selected"), nv.byzantine.map(|_| "byzantine"), (!alerts.is_empty()).then_some("alerted"))}
            transform={format!("translate({:.1},{:.1})", p.0, p.1)} {onkeydown} data-agent={id.to_string()}
            tabindex="0" role="button" aria-label={label} data-testid={format!("agent-{i}")} data-status={status}>
            <circle class="halo" r={format!("{:.1}", r + 4.0)} />
            <circle class="body" r={format!("{r:.1}")} />
            <text class="glyph" dy="0.35em" style={format!("font-size:{:.1}px", r * 0.9)}>{ glyph(role) }</text>
            if nv.status == Status::Crashed {
                <path class="cross" d={format!("M{a:.1},{a:.1}L{b:.1},{b:.1}M{a:.1},{b:.1}L{b:.1},{a:.1}", a = -r * 0.7, b = r * 0.7)} />
            }
            if nv.status == Status::Paused {
                <path class="pausebars" d={format!("M{:.1},{:.1}v{:.1}M{:.1},{:.1}v{:.1}", -r * 0.3, -r * 0.45, r * 0.9, r * 0.3, -r * 0.45, r * 0.9)} />
            }
            <text class="name" x={format!("{:.1}", r * 0.8)} y={format!("{:.1}", -r * 0.8)} style={format!("font-size:{fs:.1}px")}>{ format!("a{id}") }</text>
            if !alerts.is_empty() {
                <g class="alert" data-testid="agent-alert" data-alert={alert_text.clone()}>
                    <title>{ alert_text }</title>
                    <circle class="alert-ring" r={format!("{:.1}", r + 7.0)} />
                    <g class="alert-badge" transform={format!("translate({:.1},{:.1})", -r * 0.8, -r * 0.8)}>
                        <circle r="7" />
                        <text dy="0.35em" style="font-size:11px">{ "!" }</text>
                        if !lay.grid {
                            <text class="alert-label" x="-10" dy="0.35em" style={format!("font-size:{fs:.1}px")}>{ alert_short }</text>
                        }
                    </g>
                </g>
            }
            if !lay.grid || r >= 9.0 {
                <text class="line1" y={format!("{:.1}", dy(1.0))} style={format!("font-size:{fs:.1}px")}>{ format!("{line1} · {}", clock_text(nv, props.clock)) }</text>
            }
            if !lay.grid && !props.compact {
                <text class="line2" y={format!("{:.1}", dy(2.1))} style={format!("font-size:{:.1}px", fs * 0.92)}>{ state }</text>
            }
        </g>
    }
}
