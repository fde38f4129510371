//! Drawing geometry for the stage: agents on a ring (a grid when many), points along links,
//! convex hulls for partition regions. Pure functions, tested natively.

use crate::sim::decimal::ClampF as _;

/// Decimal text for numbers without core's float printing (see `sim::decimal`): `fixed(x, 1)`
/// is `format!("{x:.1}")`, `shortest(x)` is `format!("{x}")`.
pub use crate::sim::decimal::{fixed, round_sig, shortest, Fixed, Shortest};

/// Where the agents sit in a `w`×`h` box, and how big they are.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub pts: Vec<(f64, f64)>,
    pub r: f64,
    pub grid: bool,
    /// On a grid: columns, and each cell's width and height (agent `i` sits in column `i % cols`,
    /// row `i / cols`). Zero on a ring.
    pub cols: usize,
    pub cell: (f64, f64),
}

impl Layout {
    /// The cell of agent `i` on a grid, as (left, top, width, height), clipped to the stage's top
    /// edge (agents sit a little above their cell's centre to leave room for the label below).
    pub fn cell_of(&self, i: usize) -> Option<(f64, f64, f64, f64)> {
        if !self.grid || self.cols == 0 || i >= self.pts.len() {
            return None;
        }
        let (cw, ch) = self.cell;
        let (c, r) = (i % self.cols, i / self.cols);
        let top = (ch * (r as f64 - 0.12)).max(0.0);
        let bottom = ch * (r as f64 + 0.88);
        Some((cw * c as f64, top, cw, bottom - top))
    }
}

/// More than this many agents go on a grid instead of a ring.
pub const RING_MAX: usize = 24;

/// Height of the band a grid leaves free at the bottom of the stage for the legend.
pub const LEGEND_BAND: f64 = 34.0;

/// Average advance of the UI's sans-serif digits and lower case, in em: the width the label
/// fitting below estimates for a character.
const ADVANCE_EM: f64 = 0.56;

/// A chart's y axis from 0 to 100 % as SVG markup: at each quarter a grid line from `left` to
/// `right` and its label left of it, at the height `py` gives (the PACELC and election-time charts).
pub fn percent_axis(s: &mut String, left: f64, right: f64, py: impl Fn(f64) -> f64) {
    use std::fmt::Write as _;
    for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = py(p);
        let _ = write!(
            s,
            "<g><line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" class=\"grid\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}%</text></g>",
            Shortest(left),
            Shortest(right),
            Shortest(left - 4.0),
            Shortest(y + 3.0),
            Fixed(p * 100.0, 0),
            y = Shortest(y),
        );
    }
}

/// Which of some centred labels (x, baseline y, characters) at font size `fs` to draw so that
/// none overlaps another: each in turn, unless it would touch one already kept.
pub fn unclashed(labels: &[(f64, f64, usize)], fs: f64) -> Vec<bool> {
    let mut kept: Vec<(f64, f64, f64, f64)> = vec![];
    labels
        .iter()
        .map(|&(x, y, chars)| {
            let half = ADVANCE_EM * fs * chars as f64 / 2.0 + 2.0;
            let b = (x - half, y - fs, x + half, y + 2.0);
            let clash = kept
                .iter()
                .any(|k| b.0 < k.2 && k.0 < b.2 && b.1 < k.3 && k.1 < b.3);
            if !clash {
                kept.push(b);
            }
            !clash
        })
        .collect()
}

/// How many characters of a label at font size `fs` fit in `width` (see [`fit_font`]).
pub fn fit_chars(width: f64, fs: f64) -> usize {
    if !(width > 0.0 && fs > 0.0) {
        return 0;
    }
    (width / (ADVANCE_EM * fs)).floor() as usize
}

/// About how wide `chars` characters are at font size `fs` (the estimate [`fit_chars`] uses).
pub fn fit_width(chars: usize, fs: f64) -> f64 {
    ADVANCE_EM * fs * chars as f64
}

/// Font size (px) at which a label of `chars` characters fits in `width`, at most `fs`; `None`
/// when it would have to be smaller than `min` (then the label is dropped or shortened).
pub fn fit_font(chars: usize, width: f64, fs: f64, min: f64) -> Option<f64> {
    let fit = width / (ADVANCE_EM * chars.max(1) as f64);
    let f = fs.min(fit);
    (f >= min).then_some(f)
}

pub fn layout(n: usize, w: f64, h: f64) -> Layout {
    if n == 0 {
        return Layout {
            pts: vec![],
            r: 0.0,
            grid: false,
            cols: 0,
            cell: (0.0, 0.0),
        };
    }
    if n > RING_MAX {
        // The bottom band stays free for the stage's key (the suspicion legend).
        let h = if h > 4.0 * LEGEND_BAND {
            h - LEGEND_BAND
        } else {
            h
        };
        let cols = ((n as f64 * w / h).sqrt().ceil() as usize).max(1);
        let rows = n.div_ceil(cols);
        let cw = w / cols as f64;
        let ch = h / rows as f64;
        let pts = (0..n)
            .map(|i| {
                let (c, r) = (i % cols, i / cols);
                (cw * (c as f64 + 0.5), ch * (r as f64 + 0.5) - ch * 0.12)
            })
            .collect();
        return Layout {
            pts,
            r: (cw.min(ch) * 0.2).clamp_f(3.0, 16.0),
            grid: true,
            cols,
            cell: (cw, ch),
        };
    }
    let (cx, cy) = (w / 2.0, h / 2.0 + h * 0.01);
    let rad = (w.min(h) * 0.33).max(1.0);
    let pts = (0..n)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
            (cx + rad * libm::cos(a), cy + rad * libm::sin(a))
        })
        .collect();
    let chord = if n > 1 {
        rad * libm::sin(std::f64::consts::PI / n as f64) * 2.0
    } else {
        rad
    };
    Layout {
        pts,
        r: (chord * 0.3).clamp_f(3.0, h * 0.055),
        grid: false,
        cols: 0,
        cell: (0.0, 0.0),
    }
}

/// The point a fraction `f` of the way from `a` to `b`.
pub fn lerp(a: (f64, f64), b: (f64, f64), f: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
}

/// A message's path: from the rim of the sender to the rim of the receiver, bent slightly so the
/// two directions of a link do not overlap.
pub fn along(a: (f64, f64), b: (f64, f64), r: f64, f: f64) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-6);
    let (ux, uy) = (dx / len, dy / len);
    let start = (a.0 + ux * r, a.1 + uy * r);
    let end = (b.0 - ux * r, b.1 - uy * r);
    let p = lerp(start, end, f.clamp_f(0.0, 1.0));
    // Offset to the right of travel, largest mid-way.
    let bend = (f * (1.0 - f)) * 4.0 * (r * 0.6);
    (p.0 - uy * bend, p.1 + ux * bend)
}

/// The convex hull of points (Andrew's monotone chain), counter-clockwise.
pub fn hull(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut p: Vec<(f64, f64)> = points.to_vec();
    crate::sim::sort::sort_by(&mut p, |a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut lower: Vec<(f64, f64)> = vec![];
    for &q in &p {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], q) <= 0.0 {
            lower.pop();
        }
        lower.push(q);
    }
    let mut upper: Vec<(f64, f64)> = vec![];
    for &q in p.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], q) <= 0.0 {
            upper.pop();
        }
        upper.push(q);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// A stable colour per message kind (hue from the name).
pub fn kind_hue(kind: &str) -> u32 {
    let mut h: u32 = 2166136261;
    for b in kind.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(16777619);
    }
    (h % 12) * 30
}

/// Speed slider position (log10 of the factor) to a factor, clamped to 1/1000× … 10×.
pub fn speed_factor(log10: f64) -> f64 {
    libm::pow(10.0, log10.clamp_f(-3.0, 1.0))
}

/// A readable time for labels: `1.234 s`, `15.0 ms`.
pub fn fmt_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", Fixed(ms / 1000.0, 3))
    } else {
        format!("{} ms", Fixed(ms, 1))
    }
}

/// A moment for reading, exact: "3 s", "1.375352 s", "250 ms", "12.5 ms" (the shortest exact
/// form; [`fmt_ms`] keeps a fixed number of decimals for labels whose width must not jump).
/// `Time`'s own form ("1375352us") is the one links use.
pub fn readable(t: crate::sim::Time) -> String {
    if t.0 >= 1_000_000 {
        format!("{} s", Shortest(t.0 as f64 / 1e6))
    } else {
        format!("{} ms", Shortest(t.0 as f64 / 1e3))
    }
}

/// A label block's line height, in ems.
pub const LINE_EM: f64 = 1.15;

/// An agent's label block on a ring (name, role/epoch/clock, state), from [`radial`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelBlock {
    /// Where the block's lines are anchored, relative to the agent's centre: x, and the top
    /// of the first line's box.
    pub x: f64,
    pub top: f64,
    /// `start` (the block runs right from `x`), `end` (left) or `middle` (centred on `x`).
    pub anchor: &'static str,
    /// How wide the block may be.
    pub room: f64,
    /// How many of its three lines fit (1–3).
    pub lines: usize,
}

impl LabelBlock {
    /// The block's box (x0, y0, x1, y1) for an agent at `p`, `lh` the line height.
    pub fn rect(&self, p: (f64, f64), lh: f64) -> (f64, f64, f64, f64) {
        let (ax, ay) = (p.0 + self.x, p.1 + self.top);
        let (x0, x1) = match self.anchor {
            "start" => (ax, ax + self.room),
            "end" => (ax - self.room, ax),
            _ => (ax - self.room / 2.0, ax + self.room / 2.0),
        };
        (x0, ay, x1, ay + lh * self.lines as f64)
    }
}

/// Which form of a key goes where (its left and bottom edge), from [`radial`].
pub type KeyAt = (usize, (f64, f64));

/// Where each agent's label block goes on a ring of agents of radius `r` in a `w`×`h` box:
/// agents on the left and right get their labels beside them, pointing away from the ring
/// (anchored next to the agent, free to the box's edge); agents near the top and bottom get
/// them above or below, centred, as wide as the space between the things beside them. `lh` is
/// the line height; a block keeps fewer than its three lines where they would run into the next
/// block down, another agent, or the box's edge. A key, if any, takes a corner that none of them
/// covers, in its largest form that fits (`keys`: its forms' width and height, largest first);
/// if none is free, its last form goes where it covers least. Returns the blocks, and which
/// form of the key goes where (its left and bottom edge).
pub fn radial(
    pts: &[(f64, f64)],
    r: f64,
    (w, h): (f64, f64),
    lh: f64,
    keys: &[(f64, f64)],
) -> (Vec<LabelBlock>, Option<KeyAt>) {
    // Beside the agents on the left and right, or every label above or below its agent:
    // whichever leaves the tightest label the more room (beside, on a wide box; above and
    // below, for small rings in a phone's narrow one).
    let tightest = |bs: &[LabelBlock]| {
        bs.iter()
            .map(|b| b.room * b.lines as f64)
            .fold(f64::INFINITY, f64::min)
    };
    let (beside, around) = (
        blocks_around(pts, r, (w, h), lh, None, true),
        blocks_around(pts, r, (w, h), lh, None, false),
    );
    let sides = tightest(&beside) >= tightest(&around);
    let free = if sides { beside } else { around };
    let Some(&(kw, kh)) = keys.last() else {
        return (free, None);
    };
    // The key goes in the first corner that nothing covers: bottom-left, top-left, bottom-right,
    // top-right, in its largest form that fits. If none does (small rings in a phone's box),
    // its smallest form goes in the bottom-left one with the labels there making way, if they
    // can (only by dropping lines: names stay); else in the corner it covers least of (it has a
    // backing of the stage's colour).
    let covered = |bs: &[LabelBlock], k: Rect| {
        let over = |a: Rect| overlap(a, k);
        let discs: f64 = pts
            .iter()
            .map(|p| over((p.0 - r - 7.0, p.1 - r - 7.0, p.0 + r + 7.0, p.1 + r + 7.0)))
            .sum();
        let labels: f64 = bs.iter().zip(pts).map(|(b, p)| over(b.rect(*p, lh))).sum();
        discs + labels
    };
    let corners =
        |(kw, kh): (f64, f64)| [(0.0, h - kh), (0.0, 0.0), (w - kw, h - kh), (w - kw, 0.0)];
    let boxed = |(x, y): (f64, f64), (kw, kh): (f64, f64)| (x, y, x + kw, y + kh);
    for (form, &k) in keys.iter().enumerate() {
        if let Some(&(x, y)) = corners(k)
            .iter()
            .find(|c| covered(&free, boxed(**c, k)) == 0.0)
        {
            return (free, Some((form, (x, y + k.1))));
        }
    }
    let last = keys.len() - 1;
    let made_way = blocks_around(pts, r, (w, h), lh, Some((kw, kh)), sides);
    if covered(&made_way, boxed((0.0, h - kh), (kw, kh))) == 0.0 {
        return (made_way, Some((last, (0.0, h))));
    }
    let (x, y) = corners((kw, kh))
        .into_iter()
        .min_by(|a, b| {
            covered(&free, boxed(*a, (kw, kh))).total_cmp(&covered(&free, boxed(*b, (kw, kh))))
        })
        .unwrap_or((0.0, h - kh));
    (free, Some((last, (x, y + kh))))
}

/// A box: left, top, right, bottom.
pub type Rect = (f64, f64, f64, f64);

/// The area two boxes share.
fn overlap(a: Rect, b: Rect) -> f64 {
    (a.2.min(b.2) - a.0.max(b.0)).max(0.0) * (a.3.min(b.3) - a.1.max(b.1)).max(0.0)
}

/// A box the agent menu should keep off, and what covering it costs per square unit.
pub type Obstacle = (Rect, f64);

/// What covering a square unit of an agent costs the agent menu: another agent's disc ten times
/// its labels; the clicked agent's own disc six times (the menu is about it, but it is selected,
/// and the inspector shows it) and its labels half.
pub fn menu_weight(own: bool, disc: bool) -> f64 {
    match (own, disc) {
        (false, true) => 10.0,
        (false, false) => 1.0,
        (true, true) => 6.0,
        (true, false) => 0.5,
    }
}

/// Where a menu `(mw, mh)` for the agent centred at `at` goes in a `w`×`h` stage: its top-left
/// corner, inside the stage. Of the places on a 5-unit grid it takes the one where the area it
/// covers of each of `obstacles`, times its weight, plus 40 for each unit of distance between
/// `at` and the menu, is least.
pub fn menu_at(
    at: (f64, f64),
    obstacles: &[Obstacle],
    (w, h): (f64, f64),
    (mw, mh): (f64, f64),
) -> (f64, f64) {
    let cost = |(x, y): (f64, f64)| {
        let m = (x, y, x + mw, y + mh);
        let covered: f64 = obstacles.iter().map(|(o, k)| overlap(*o, m) * k).sum();
        let (dx, dy) = (
            (x - at.0).max(at.0 - x - mw).max(0.0),
            (y - at.1).max(at.1 - y - mh).max(0.0),
        );
        covered + 40.0 * (dx * dx + dy * dy).sqrt()
    };
    const STEP: f64 = 5.0;
    let steps = |room: f64| {
        if room.is_finite() {
            libm::floor(room / STEP).clamp_f(0.0, 10_000.0) as usize
        } else {
            0
        }
    };
    let (nx, ny) = (steps(w - mw), steps(h - mh));
    (0..=nx)
        .flat_map(|a| (0..=ny).map(move |b| (a as f64 * STEP, b as f64 * STEP)))
        .map(|c| (cost(c), c))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or((0.0, 0.0), |(_, c)| c)
}

/// [`radial`]'s blocks, beside the agents on the left and right (`sides`) or all above and
/// below, making way for a key in the bottom-left corner when given.
fn blocks_around(
    pts: &[(f64, f64)],
    r: f64,
    (w, h): (f64, f64),
    lh: f64,
    key: Option<(f64, f64)>,
    sides: bool,
) -> Vec<LabelBlock> {
    let n = pts.len().max(1) as f64;
    let c = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let hb = lh * 3.0;
    let unit = |p: &(f64, f64)| {
        let (dx, dy) = (p.0 - c.0, p.1 - c.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len > 1e-6 {
            (dx / len, dy / len)
        } else {
            (0.0, 1.0)
        }
    };
    let side_room = |p: &(f64, f64), ux: f64| {
        if ux > 0.0 {
            w - (p.0 + r + 9.0) - 4.0
        } else {
            p.0 - r - 9.0 - 4.0
        }
    };
    // Pass 1: sides and positions.
    let mut out: Vec<LabelBlock> = pts
        .iter()
        .map(|p| {
            let (ux, uy) = unit(p);
            if sides && ux.abs() >= 0.45 {
                let anchor = if ux > 0.0 { "start" } else { "end" };
                let top = -hb / 2.0 + uy * r * 0.4;
                LabelBlock {
                    // (Clear of the suspicion ring, r + 7.)
                    x: ux.signum() * (r + 9.0),
                    top,
                    anchor,
                    room: side_room(p, ux),
                    lines: 3,
                }
            } else if uy < 0.0 {
                // As many lines as fit between the box's top and the agent.
                let lines = (((p.1 - r - 11.0) / lh).floor().max(1.0) as usize).min(3);
                let top = -(r + 9.0) - lh * lines as f64;
                LabelBlock {
                    x: 0.0,
                    top,
                    anchor: "middle",
                    room: 0.0,
                    lines,
                }
            } else {
                LabelBlock {
                    x: 0.0,
                    top: r + 8.0,
                    anchor: "middle",
                    room: 0.0,
                    lines: 3,
                }
            }
        })
        .collect();
    // A side block whose first line would run into the disc of an agent further out (tight
    // rings, near the diagonals) starts just under it.
    for i in 0..pts.len() {
        let b = out[i];
        if b.anchor == "middle" {
            continue;
        }
        let ay = pts[i].1 + b.top;
        let (x0, x1) = match b.anchor {
            "start" => (pts[i].0 + b.x, w),
            _ => (0.0, pts[i].0 + b.x),
        };
        let mut shift: f64 = 0.0;
        for (j, q) in pts.iter().enumerate() {
            let below = q.1 + r - ay;
            if j != i
                && q.0 + r > x0
                && q.0 - r < x1
                && q.1 - r < ay + lh
                && below > 0.0
                && below <= lh
            {
                shift = shift.max(below + 1.0);
            }
        }
        out[i].top += shift;
    }
    // Pass 2: what each block may not run into.
    for i in 0..pts.len() {
        let b = out[i];
        let (ax, ay) = (pts[i].0 + b.x, pts[i].1 + b.top);
        let overlaps = |y0: f64, y1: f64| y0 < ay + hb && ay < y1;
        if b.anchor == "middle" {
            // The box's edges, the other agents' discs and side blocks beside it, and half the
            // gap to other centred blocks at its height.
            // (At most a third of the box: wider only long state lines would use.)
            let mut half = (ax.min(w - ax) - 2.0).min(w * 0.17);
            for (j, q) in pts.iter().enumerate() {
                if j == i {
                    continue;
                }
                let o = out[j];
                let d = (q.0 - ax).abs();
                if overlaps(q.1 - r, q.1 + r) {
                    half = half.min(d - r - 4.0);
                }
                if overlaps(q.1 + o.top, q.1 + o.top + hb) {
                    half = half.min(match o.anchor {
                        "middle" => d / 2.0 - 3.0,
                        // A side block runs from beside its agent outward.
                        "start" if q.0 + o.x >= ax => q.0 + o.x - ax - 4.0,
                        "end" if q.0 + o.x <= ax => ax - (q.0 + o.x) - 4.0,
                        _ => half,
                    });
                }
            }
            if b.top > 0.0 {
                // Below the agent: as many lines as fit above the box's bottom; one reaching
                // down into the key's corner is narrowed to clear it, or if that would leave
                // too little, keeps only the lines above it.
                let fit = |bottom: f64| (((bottom - ay) / lh).floor().max(1.0) as usize).min(3);
                let mut lines = fit(h - 2.0);
                if let Some((kw, kh)) = key {
                    if ax - half < kw && ay + lh * lines as f64 > h - kh {
                        if ax - kw - 2.0 >= 30.0 {
                            half = half.min(ax - kw - 2.0);
                        } else {
                            lines = fit(h - kh);
                        }
                    }
                }
                out[i].lines = lines;
            }
            out[i].room = (2.0 * half).max(0.0);
        } else {
            // Side blocks on the same side stacked too close, or an agent further out under
            // it, leave it fewer lines; so do the box's bottom and the key's corner.
            let (x0, x1) = if b.anchor == "start" {
                (ax, ax + b.room)
            } else {
                (ax - b.room, ax)
            };
            let mut room_down = h - 2.0 - ay;
            if let (Some((_, kh)), "end") = (key, b.anchor) {
                room_down -= kh;
            }
            for (j, q) in pts.iter().enumerate() {
                if j == i {
                    continue;
                }
                let o = out[j];
                // (Only the next block down: one above ends where this one starts.)
                if o.anchor == b.anchor && q.1 + o.top > ay {
                    room_down = room_down.min(q.1 + o.top - ay);
                }
                if q.0 + r > x0 && q.0 - r < x1 && q.1 - r > ay {
                    room_down = room_down.min(q.1 - r - ay);
                }
            }
            out[i].lines = ((room_down / lh).floor().max(1.0) as usize).min(3);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obstacles of a ring of agents as [`layout`] and [`radial`] place them (the page
    /// measures the drawn ones instead): each agent's disc and its label block, weighed by
    /// [`menu_weight`] for agent `i`'s menu.
    fn agent_obstacles(
        pts: &[(f64, f64)],
        r: f64,
        blocks: &[LabelBlock],
        lh: f64,
        i: usize,
    ) -> Vec<Obstacle> {
        let discs = pts.iter().enumerate().map(|(j, q)| {
            let d = (q.0 - r - 4.0, q.1 - r - 4.0, q.0 + r + 4.0, q.1 + r + 4.0);
            (d, menu_weight(j == i, true))
        });
        let labels = blocks
            .iter()
            .zip(pts)
            .enumerate()
            .map(|(j, (b, q))| (b.rect(*q, lh), menu_weight(j == i, false)));
        discs.chain(labels).collect()
    }

    #[test]
    fn an_agents_menu_stays_on_the_stage_and_off_the_other_agents_on_small_rings() {
        let (w, h, lh, m) = (800.0, 500.0, 12.0 * LINE_EM, (230.0, 215.0));
        for n in 2..=RING_MAX {
            let lay = layout(n, w, h);
            let (blocks, _) = radial(&lay.pts, lay.r, (w, h), lh, &[]);
            for i in 0..n {
                let obstacles = agent_obstacles(&lay.pts, lay.r, &blocks, lh, i);
                let (x, y) = menu_at(lay.pts[i], &obstacles, (w, h), m);
                assert!(
                    x >= 0.0 && y >= 0.0 && x + m.0 <= w && y + m.1 <= h,
                    "n={n} i={i}: ({x},{y})"
                );
                let covers = |q: &(f64, f64)| {
                    q.0 + lay.r > x
                        && q.0 - lay.r < x + m.0
                        && q.1 + lay.r > y
                        && q.1 - lay.r < y + m.1
                };
                // Up to six agents there is a place clear of the others right beside the agent
                // (within 40 units of its disc); with more it may take a corner, or cover a
                // sliver of a neighbour.
                let gap = (x - lay.pts[i].0 - lay.r)
                    .max(lay.pts[i].0 - lay.r - x - m.0)
                    .max(y - lay.pts[i].1 - lay.r)
                    .max(lay.pts[i].1 - lay.r - y - m.1);
                assert!(n > 6 || gap <= 40.0, "n={n} i={i}: {gap} units away");
                if n <= 6 {
                    let hit: Vec<usize> =
                        (0..n).filter(|j| *j != i && covers(&lay.pts[*j])).collect();
                    assert!(
                        hit.is_empty(),
                        "n={n}: a{i}'s menu at ({x},{y}) covers {hit:?}"
                    );
                }
            }
        }
        // The case that was seen: a2 of five, bottom right, had its menu up and to the left,
        // over a3 and a4's labels. Now it is clear of them.
        let lay = layout(5, w, h);
        let (blocks, _) = radial(&lay.pts, lay.r, (w, h), lh, &[]);
        let (x, y) = menu_at(
            lay.pts[2],
            &agent_obstacles(&lay.pts, lay.r, &blocks, lh, 2),
            (w, h),
            m,
        );
        for j in [3, 4] {
            let b = blocks[j].rect(lay.pts[j], lh);
            assert_eq!(overlap(b, (x, y, x + m.0, y + m.1)), 0.0, "a{j}'s label");
        }
        // A menu larger than the stage, or sizes that are not numbers: the top-left corner, no
        // panic.
        assert_eq!(
            menu_at((400.0, 90.0), &[], (w, h), (900.0, 600.0)),
            (0.0, 0.0)
        );
        assert_eq!(menu_at((0.0, 0.0), &[], (f64::NAN, h), m), (0.0, 0.0));
        assert_eq!(
            menu_at((0.0, 0.0), &[], (w, h), (f64::INFINITY, 1.0)),
            (0.0, 0.0)
        );
    }

    #[test]
    fn moments_read_in_seconds_or_milliseconds_without_trailing_zeros() {
        use crate::sim::Time;
        assert_eq!(readable(Time(3_000_000)), "3 s");
        assert_eq!(readable(Time(1_375_352)), "1.375352 s");
        assert_eq!(readable(Time(1_375_000)), "1.375 s");
        assert_eq!(readable(Time(250_000)), "250 ms");
        assert_eq!(readable(Time(12_500)), "12.5 ms");
        assert_eq!(readable(Time(7)), "0.007 ms");
        assert_eq!(readable(Time(0)), "0 ms");
    }

    #[test]
    fn ring_labels_stay_in_the_box_and_off_each_other_and_the_agents() {
        let hit = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
            a.0 < b.2 - 0.5 && b.0 < a.2 - 0.5 && a.1 < b.3 - 0.5 && b.1 < a.3 - 0.5
        };
        for (w, h, fs) in [(800.0, 500.0, 12.0), (440.0, 420.0, 14.0)] {
            for n in 1..=RING_MAX {
                for kinds in [(false, false), (true, false), (false, true), (true, true)] {
                    // The suspicion key's real forms (full, three lines, short).
                    let keys = crate::ui::stage_layers::legend_boxes(kinds.0, kinds.1);
                    let key = keys.first();
                    let lay = layout(n, w, h);
                    let lh = fs * LINE_EM;
                    let (blocks, at) = radial(&lay.pts, lay.r, (w, h), lh, &keys);
                    assert_eq!(at.is_some(), key.is_some());
                    let (form, (kx, kb)) = at.unwrap_or((0, (0.0, h)));
                    assert_eq!(blocks.len(), n);
                    let rects: Vec<_> = blocks
                        .iter()
                        .zip(&lay.pts)
                        .map(|(b, p)| b.rect(*p, lh))
                        .collect();
                    let case = format!("{n} agents in {w}x{h}, key {key:?}");
                    for (i, rc) in rects.iter().enumerate() {
                        assert!(
                            rc.0 >= -0.5 && rc.2 <= w + 0.5 && rc.1 >= -0.5 && rc.3 <= h + 0.5,
                            "{case}: a{i}'s labels leave the box: {rc:?}"
                        );
                        // On a wide box the key says what its colours mean (not the short
                        // form); on a phone's it may be short.
                        if key.is_some() && w > 500.0 {
                            assert!(form + 1 < keys.len(), "{case}: form {form}");
                        }
                        if let Some(&(kw, kh)) = keys.get(form) {
                            assert!(
                                !hit(*rc, (kx, kb - kh, kx + kw, kb)),
                                "{case}: a{i} covers the key"
                            );
                        }
                        for (j, o) in rects.iter().enumerate().skip(i + 1) {
                            assert!(!hit(*rc, *o), "{case}: a{i}'s and a{j}'s labels overlap");
                        }
                        for (j, p) in lay.pts.iter().enumerate() {
                            let disc = (p.0 - lay.r, p.1 - lay.r, p.0 + lay.r, p.1 + lay.r);
                            assert!(!hit(*rc, disc), "{case}: a{i}'s labels cover a{j}");
                        }
                    }
                    // Every name fits ("a23").
                    for (i, b) in blocks.iter().enumerate() {
                        assert!(b.room >= fit_width(3, fs), "{case}: a{i} {b:?}");
                    }
                    // Up to 16 agents on a wide box, every agent keeps its clock line.
                    if n <= 16 && w > 500.0 && key.is_none() {
                        assert!(blocks.iter().all(|b| b.lines >= 2), "{case}: {blocks:?}");
                    }
                    // Rings of up to 8 have room for every line of every label.
                    if n <= 8 && w > 500.0 && key.is_none() {
                        assert!(blocks.iter().all(|b| b.lines == 3), "{case}: {blocks:?}");
                    }
                    // Agents on the left and right point their labels away from the ring.
                    for (b, p) in blocks.iter().zip(&lay.pts) {
                        match b.anchor {
                            "start" => assert!(p.0 > w / 2.0, "{case}"),
                            "end" => assert!(p.0 < w / 2.0, "{case}"),
                            _ => {}
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn ring_fits_the_box_and_grid_takes_over_when_many() {
        let l = layout(5, 800.0, 520.0);
        assert!(!l.grid);
        for p in &l.pts {
            assert!(p.0 > l.r && p.0 < 800.0 - l.r && p.1 > l.r && p.1 < 520.0 - l.r);
        }
        let g = layout(100, 800.0, 520.0);
        assert!(g.grid);
        assert_eq!(g.pts.len(), 100);
        for (i, p) in g.pts.iter().enumerate() {
            assert!(
                p.0 > 0.0 && p.0 < 800.0 && p.1 > 0.0 && p.1 < 520.0 - LEGEND_BAND,
                "{p:?}"
            );
            let (x, y, w, h) = g.cell_of(i).unwrap();
            assert!(
                x <= p.0 && p.0 <= x + w && y <= p.1 && p.1 <= y + h,
                "a{i} in its cell"
            );
            assert!(
                y + h <= 520.0 - LEGEND_BAND + 1e-9,
                "the legend's band stays free"
            );
        }
        assert_eq!(l.cell_of(0), None, "a ring has no cells");
    }

    #[test]
    fn labels_shrink_to_fit_and_give_up_below_the_minimum() {
        assert_eq!(fit_font(10, 200.0, 12.0, 6.0), Some(12.0));
        let f = fit_font(20, 100.0, 12.0, 6.0).unwrap();
        assert!(f < 12.0 && 20.0 * 0.56 * f <= 100.0 + 1e-9);
        assert_eq!(fit_font(40, 60.0, 12.0, 6.0), None);
        assert_eq!(fit_chars(112.5, 10.0), 20);
        assert!(fit_font(fit_chars(112.5, 10.0), 112.5, 10.0, 6.0) == Some(10.0));
        assert_eq!(fit_chars(f64::NAN, 10.0), 0);
        // Three "Heartbeat" labels leaving one agent together: one is drawn; one far away too.
        let keep = unclashed(
            &[
                (100.0, 50.0, 9),
                (103.0, 52.0, 9),
                (98.0, 49.0, 9),
                (300.0, 50.0, 9),
            ],
            10.0,
        );
        assert_eq!(keep, vec![true, false, false, true]);
        // Side by side but apart, or one above the other: both.
        assert_eq!(
            unclashed(&[(100.0, 50.0, 4), (140.0, 50.0, 4)], 10.0),
            vec![true, true]
        );
        assert_eq!(
            unclashed(&[(100.0, 50.0, 9), (100.0, 64.0, 9)], 10.0),
            vec![true, true]
        );
    }

    #[test]
    fn a_message_starts_at_the_sender_and_ends_at_the_receiver() {
        let a = (0.0, 0.0);
        let b = (100.0, 0.0);
        assert_eq!(along(a, b, 10.0, 0.0), (10.0, 0.0));
        assert_eq!(along(a, b, 10.0, 1.0), (90.0, 0.0));
    }

    #[test]
    fn hull_of_a_square_with_a_middle_point() {
        let h = hull(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.5)]);
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn speed_is_clamped() {
        assert!((speed_factor(-5.0) - 0.001).abs() < 1e-12);
        assert!((speed_factor(3.0) - 10.0).abs() < 1e-12);
    }
}
