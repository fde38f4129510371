//! The stage's direct-manipulation layers, kept out of `stage.rs`: clickable links (a wide
//! invisible hit stroke under each drawn one; click cuts, click again mends), partition walls,
//! the wall being dragged with a preview of its sides, the "suspected" decoration of an agent,
//! and the pointer state that tells a wall drag from a click.

use super::dom;
use super::engine::sides_text;
use super::geom::{self, Layout};
use super::geom::{fixed, Fixed};
use super::manip::{self, across, is_cut};
use crate::sim::decimal::ClampF as _;
use crate::sim::{Frame, Status};
use yew::prelude::*;

type Pt = (f64, f64);

/// Links are drawn (and clickable) between every pair up to this many agents; above it only cut
/// links are drawn, and the agent menu cuts and mends.
pub const ALL_LINKS_MAX: usize = 12;

/// A press on the stage that may become a wall drag.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Drag {
    /// Where the press started: client px and drawing units.
    pub start: Option<(Pt, Pt)>,
    pub pointer: i32,
    /// Moved past the threshold: this is a wall, not a click.
    pub active: bool,
    /// The click that follows a finished drag is swallowed.
    pub swallow_click: bool,
}

/// The link layer: every pair when few agents (faint), cut or partitioned ones dashed red; each
/// with a hit stroke and a tooltip saying what a click does.
pub fn links(frame: &Frame, lay: &Layout) -> Html {
    let n = frame.nodes.len().min(lay.pts.len());
    let mut pairs: Vec<(usize, usize)> = vec![];
    if n <= ALL_LINKS_MAX {
        for a in 0..n {
            for b in a + 1..n {
                pairs.push((a, b));
            }
        }
    } else {
        for (x, y) in &frame.cut {
            let (a, b) = (x.index().min(y.index()), x.index().max(y.index()));
            if b < n && a != b && !pairs.contains(&(a, b)) {
                pairs.push((a, b));
            }
        }
    }
    pairs
        .into_iter()
        .map(|(a, b)| link(frame, lay, a, b))
        .collect()
}

fn link(frame: &Frame, lay: &Layout, a: usize, b: usize) -> Html {
    let (pa, pb) = (lay.pts[a], lay.pts[b]);
    let (ia, ib) = (a as u32, b as u32);
    let cut = is_cut(frame, ia, ib);
    let wall = across(frame, ia, ib);
    let (class, tip) = match (cut, wall) {
        (true, _) => ("link cut", format!("a{a}–a{b} is cut: click to mend")),
        (false, true) => (
            "link cut across",
            format!("a{a}–a{b} crosses the partition (heal to reconnect)"),
        ),
        (false, false) => ("link", format!("a{a}–a{b}: click to cut this link")),
    };
    let (x1, y1, x2, y2) = (
        fixed(pa.0, 1),
        fixed(pa.1, 1),
        fixed(pb.0, 1),
        fixed(pb.1, 1),
    );
    html! {
        <g key={format!("l{a}-{b}")} class="link-g" data-link={format!("{a}-{b}")}
            data-testid={if cut || wall { "cut-link" } else { "link" }} data-cut={cut.to_string()}>
            <title>{ tip }</title>
            { dom::with_class(html! { <line class="_" x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} /> }, class.into()) }
            <line class="link-hit" {x1} {y1} {x2} {y2} />
        </g>
    }
}

/// The walls of a partition: through the ring's gaps, or along a grid's cell edges (see
/// [`manip::walls`]).
pub fn walls(frame: &Frame, lay: &Layout) -> Html {
    manip::walls(&frame.groups, lay)
        .into_iter()
        .enumerate()
        .map(|(i, (p, q))| {
            html! {
                <line key={format!("w{i}")} class="wall" data-testid="wall"
                    x1={fixed(p.0, 1)} y1={fixed(p.1, 1)} x2={fixed(q.0, 1)} y2={fixed(q.1, 1)} />
            }
        })
        .collect()
}

/// The wall being dragged: the line it defines across the whole stage (faint), the dragged
/// stretch (bold), and the sides it would make.
pub fn drag_preview(frame: &Frame, lay: &Layout, a: Pt, b: Pt, w: f64, h: f64) -> Html {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-6);
    let k = (w + h) * 2.0 / len;
    let (p, q) = ((a.0 - dx * k, a.1 - dy * k), (b.0 + dx * k, b.1 + dy * k));
    let n = frame.nodes.len().min(lay.pts.len());
    let text = match manip::wall_partition(&lay.pts[..n], &frame.groups, a, b) {
        Ok(g) => sides_text(&g, n),
        Err(_) => "no one separated yet".to_string(),
    };
    let tx = b.0.clamp_f(60.0, w - 60.0);
    let ty = (b.1 + if b.1 > h - 30.0 { -12.0 } else { 22.0 }).clamp_f(14.0, h - 6.0);
    html! {
        <g class="wall-drag" data-testid="wall-drag">
            <line class="wall-extent" x1={fixed(p.0, 1)} y1={fixed(p.1, 1)} x2={fixed(q.0, 1)} y2={fixed(q.1, 1)} />
            <line class="wall" x1={fixed(a.0, 1)} y1={fixed(a.1, 1)} x2={fixed(b.0, 1)} y2={fixed(b.1, 1)} />
            <text class="wall-sides" x={fixed(tx, 1)} y={fixed(ty, 1)}>{ text }</text>
        </g>
    }
}

/// The "suspected" decoration of agent `id` of radius `r`: a dashed ring and a "?" badge, amber
/// when the suspicion is false (the agent is up), grey when it is right (crashed).
pub fn suspicion(id: u32, by: &[u32], status: Status, r: f64) -> Html {
    if by.is_empty() {
        return html! {};
    }
    let br = (r * 0.42).clamp_f(5.0, 9.0);
    let (bx, by_) = (-r * 0.85, -r * 0.85);
    let class = if manip::false_suspicion(status) {
        "suspicion false"
    } else {
        "suspicion right"
    };
    let g = html! {
        <g class="_" data-testid={format!("suspected-{id}")}>
            <circle class="suspect-ring" r={fixed(r + 7.0, 1)} />
            <g class="suspect-badge" transform={format!("translate({},{})", Fixed(bx, 1), Fixed(by_, 1))}>
                <circle r={fixed(br, 1)} />
                <text dy="0.35em" style={format!("font-size:{}px", Fixed(br * 1.5, 1))}>{ "?" }</text>
            </g>
        </g>
    };
    dom::with_class(g, class.into())
}

const FULL: &str = "? suspected by a failure detector:";
const SHORT: &str = "? suspected";
const FALSELY: &str = "amber: falsely (it is up)";
const RIGHTLY: &str = "grey: rightly (it crashed)";

/// The room the suspicion key's forms take (width, height), largest first; none when it is not
/// shown. The forms: what the mark means over which colour is which (the two colours on one
/// line); with both colours, the same on three lines; and short, "? suspected" alone.
pub fn legend_boxes(any_false: bool, any_right: bool) -> Vec<(f64, f64)> {
    let w = |chars: usize| 16.0 + geom::fit_width(chars, 11.0);
    let kinds = match (any_false, any_right) {
        (false, false) => return vec![],
        (true, true) => FALSELY.len() + 3 + RIGHTLY.len(),
        (true, false) => FALSELY.len(),
        (false, true) => RIGHTLY.len(),
    };
    let mut forms = vec![(w(kinds.max(FULL.len())), 38.0)];
    if any_false && any_right {
        forms.push((w(FULL.len().max(FALSELY.len()).max(RIGHTLY.len())), 52.0));
    }
    forms.push((w(SHORT.len()), 22.0));
    forms
}

/// The suspicion key in a corner of the stage while someone is suspected, in one of the forms
/// of [`legend_boxes`] (the short one has the rest as its tooltip); `at` is which form goes where
/// (its left and bottom edge), from [`geom::radial`].
pub fn suspicion_legend(any_false: bool, any_right: bool, (form, at): (usize, (f64, f64))) -> Html {
    let boxes = legend_boxes(any_false, any_right);
    let Some(&(w, h)) = boxes.get(form) else {
        return html! {};
    };
    let t = format!(
        "translate({},{})",
        Fixed(at.0 + 10.0, 1),
        Fixed(at.1 - h + 14.0, 1)
    );
    let falsely = html! { <tspan class="false">{ FALSELY }</tspan> };
    let rightly = html! { <tspan class="right">{ RIGHTLY }</tspan> };
    // The short form's tooltip (only that form has one).
    let title = || match (any_false, any_right) {
        (true, true) => format!("{FULL} {FALSELY} · {RIGHTLY}"),
        (true, false) => format!("{FULL} {FALSELY}"),
        _ => format!("{FULL} {RIGHTLY}"),
    };
    html! {
        <g class="suspect-legend" transform={t} data-testid="suspect-legend">
            // A backing, for the rings that leave no corner free (small rings on a phone).
            <rect class="back" x="-6" y="-14" width={fixed(w - 8.0, 1)} height={fixed(h - 4.0, 1)} rx="4" />
            if form + 1 == boxes.len() {
                <title>{ title() }</title>
                <text x="0" y="0"><tspan class="k">{ "? " }</tspan>{ &SHORT[2..] }</text>
            } else {
                <text x="0" y="0"><tspan class="k">{ "? " }</tspan>{ &FULL[2..] }</text>
                if form == 0 {
                    <text x="0" y="14">
                        if any_false { { falsely.clone() } }
                        if any_false && any_right { { " · " } }
                        if any_right { { rightly.clone() } }
                    </text>
                } else {
                    <text x="0" y="14">{ falsely }</text>
                    <text x="0" y="28">{ rightly }</text>
                }
            }
        </g>
    }
}
