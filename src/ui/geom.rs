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

#[cfg(test)]
mod tests {
    use super::*;

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
