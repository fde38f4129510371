//! A small anti-aliased rasteriser for the stage's message dots: discs, rings and short thick
//! segments blended into an RGBA pixel buffer that the canvas takes in one `putImageData`.
//!
//! Why not the canvas's own `arc`/`fill`: without a GPU, Chromium rasterises a 2D canvas in
//! software on the page's main thread, and 900 anti-aliased circles of radius 4 on a 900×600
//! canvas cost 7.7 ms there (headless Chromium, one path per colour, as the stage drew them);
//! stamped from precomputed coverage masks they cost ~0.4 ms (natively; 900 dots of radius 5 on
//! 872×545, clear included) plus one `putImageData`, and look the same (coverage is the distance
//! to the edge, as the canvas's anti-aliasing gives). The space-time diagram's long thin arrows
//! stay on the canvas: walked pixel by pixel here they were slower than Chromium's own strokes.
//! Pure Rust, so it is unit-tested natively.
//!
//! The page no longer runs this one: the stage records its dots as raster ops
//! ([`super::paint::Rec::disc`], …) and the painter's port of this code in `paint.js` stamps them,
//! in the Web Worker that paints the canvases (the raster and the copy of its pixels out of wasm
//! were ~10 % of the main thread while playing). This is the reference: tests/web.rs runs the
//! same random shapes through both and requires the same pixels (within one level: f32 vs f64
//! blending). The colour helpers ([`hsl`], [`parse_color`]) are still the page's.

use crate::sim::decimal::ClampF as _;
use crate::sim::parse_float::parse_f64;
/// An RGBA colour, not premultiplied (the canvas's `ImageData` layout).
pub type Rgba = [u8; 4];

/// The pixel buffer, device pixels, row-major, RGBA bytes as `ImageData` wants them.
#[derive(Default)]
pub struct Raster {
    pub w: usize,
    pub h: usize,
    px: Vec<u8>,
    /// The box (x0, y0, x1, y1, exclusive) holding every pixel drawn since the last clear.
    drawn: Option<(usize, usize, usize, usize)>,
    masks: Masks,
}

/// Sub-pixel steps per pixel for disc centres.
const SUB: usize = 8;

/// One disc's coverage (0–255) over a `size`×`size` box whose corner is `reach` pixels up-left
/// of the pixel holding the centre.
struct Mask {
    size: usize,
    reach: usize,
    cov: Vec<u8>,
}

/// The masks of discs of one radius (the stage draws all its dots at one radius), for each of
/// the SUB×SUB sub-pixel positions of the centre, made on first use.
#[derive(Default)]
struct Masks {
    r: f64,
    masks: Vec<Option<Mask>>,
}

impl Masks {
    fn get(&mut self, r: f64, qx: usize, qy: usize) -> &Mask {
        if self.r != r || self.masks.is_empty() {
            self.r = r;
            self.masks = (0..SUB * SUB).map(|_| None).collect();
        }
        self.masks[qy * SUB + qx].get_or_insert_with(|| {
            let reach = r.ceil() as usize + 1;
            let size = 2 * reach + 1;
            // The centre, relative to the box's corner.
            let (cx, cy) = (
                reach as f64 + (qx as f64 + 0.5) / SUB as f64,
                reach as f64 + (qy as f64 + 0.5) / SUB as f64,
            );
            let mut cov = vec![0u8; size * size];
            for j in 0..size {
                for i in 0..size {
                    let (dx, dy) = (i as f64 + 0.5 - cx, j as f64 + 0.5 - cy);
                    let a = (r + 0.5 - (dx * dx + dy * dy).sqrt()).clamp_f(0.0, 1.0);
                    cov[j * size + i] = (a * 255.0).round() as u8;
                }
            }
            Mask { size, reach, cov }
        })
    }
}

impl Raster {
    /// Makes the buffer `w`×`h` and transparent. Only the pixels drawn since the last clear are
    /// wiped, so a frame costs what it draws, not the canvas's area.
    pub fn clear(&mut self, w: usize, h: usize) {
        if (w, h) != (self.w, self.h) {
            self.w = w;
            self.h = h;
            self.px = vec![0; w * h * 4];
            self.drawn = None;
            return;
        }
        if let Some((x0, y0, x1, y1)) = self.drawn.take() {
            for y in y0..y1 {
                self.px[(y * w + x0) * 4..(y * w + x1) * 4].fill(0);
            }
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.px
    }

    /// The box drawn since the last clear, if any.
    pub fn drawn(&self) -> Option<(usize, usize, usize, usize)> {
        self.drawn
    }

    /// Runs `cover` over the pixels of the box around (`cx`, `cy`) with half-size `reach`,
    /// blending `c` at `alpha` × the coverage it returns for each pixel centre.
    fn stamp(
        &mut self,
        cx: f64,
        cy: f64,
        reach: f64,
        c: Rgba,
        alpha: f64,
        cover: impl Fn(f64, f64) -> f64,
    ) {
        if !(cx.is_finite() && cy.is_finite() && reach.is_finite()) || alpha <= 0.0 {
            return;
        }
        let x0 = (cx - reach).floor().max(0.0) as usize;
        let y0 = (cy - reach).floor().max(0.0) as usize;
        let x1 = ((cx + reach).ceil() + 1.0).min(self.w as f64).max(0.0) as usize;
        let y1 = ((cy + reach).ceil() + 1.0).min(self.h as f64).max(0.0) as usize;
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let mut any = false;
        let opaque = alpha >= 1.0 && c[3] == 255;
        for y in y0..y1 {
            let py = y as f64 + 0.5 - cy;
            for x in x0..x1 {
                let a = cover(x as f64 + 0.5 - cx, py);
                if a <= 0.0 {
                    continue;
                }
                let dst = &mut self.px[(y * self.w + x) * 4..][..4];
                any = true;
                if a >= 1.0 && opaque {
                    dst.copy_from_slice(&c);
                } else {
                    blend(dst, c, a.min(1.0) * alpha);
                }
            }
        }
        if any {
            self.grow(x0, y0, x1, y1);
        }
    }

    /// A filled disc of radius `r`, centred to an eighth of a pixel. The coverage of a disc of
    /// this radius at each of the 64 sub-pixel offsets is worked out once (see [`Masks`]); a dot
    /// then costs a copy for its covered pixels and a blend for its rim.
    pub fn disc(&mut self, cx: f64, cy: f64, r: f64, c: Rgba, alpha: f64) {
        if !(cx.is_finite() && cy.is_finite() && r.is_finite()) || alpha <= 0.0 || r <= 0.0 {
            return;
        }
        if cx < -r - 2.0
            || cy < -r - 2.0
            || cx > self.w as f64 + r + 2.0
            || cy > self.h as f64 + r + 2.0
        {
            return;
        }
        let (fx, fy) = (cx.floor(), cy.floor());
        let (qx, qy) = (
            ((cx - fx) * SUB as f64) as usize,
            ((cy - fy) * SUB as f64) as usize,
        );
        let m = self.masks.get(r, qx.min(SUB - 1), qy.min(SUB - 1));
        let reach = m.reach as i64;
        let (ox, oy) = (fx as i64 - reach, fy as i64 - reach);
        let size = m.size;
        let opaque = alpha >= 1.0 && c[3] == 255;
        let (w, h) = (self.w as i64, self.h as i64);
        let (i0, j0) = ((-ox).max(0) as usize, (-oy).max(0) as usize);
        let (i1, j1) = (
            (w - ox).clamp(0, size as i64) as usize,
            (h - oy).clamp(0, size as i64) as usize,
        );
        if i0 >= i1 || j0 >= j1 {
            return;
        }
        for j in j0..j1 {
            let row = (oy + j as i64) * w + ox;
            for i in i0..i1 {
                let cov = m.cov[j * size + i];
                if cov == 0 {
                    continue;
                }
                let dst = &mut self.px[(row + i as i64) as usize * 4..][..4];
                if cov == 255 && opaque {
                    dst.copy_from_slice(&c);
                } else {
                    blend(dst, c, cov as f64 / 255.0 * alpha);
                }
            }
        }
        let x0 = (ox + i0 as i64) as usize;
        let y0 = (oy + j0 as i64) as usize;
        self.grow(x0, y0, (ox + i1 as i64) as usize, (oy + j1 as i64) as usize);
    }

    fn grow(&mut self, x0: usize, y0: usize, x1: usize, y1: usize) {
        self.drawn = Some(match self.drawn {
            None => (x0, y0, x1, y1),
            Some((a, b, c, d)) => (a.min(x0), b.min(y0), c.max(x1), d.max(y1)),
        });
    }

    /// A circle of radius `r` stroked `width` wide (centred on the radius, as a canvas strokes).
    pub fn ring(&mut self, cx: f64, cy: f64, r: f64, width: f64, c: Rgba, alpha: f64) {
        let hw = width / 2.0;
        let (inner, outer) = ((r - hw - 0.5).max(0.0).powi(2), (r + hw + 0.5).powi(2));
        self.stamp(cx, cy, r + hw + 1.0, c, alpha, |dx, dy| {
            let d2 = dx * dx + dy * dy;
            if d2 <= inner || d2 >= outer {
                0.0
            } else {
                hw + 0.5 - (d2.sqrt() - r).abs()
            }
        });
    }

    /// A segment from `a` to `b`, `width` wide with round caps.
    pub fn segment(&mut self, a: (f64, f64), b: (f64, f64), width: f64, c: Rgba, alpha: f64) {
        let (cx, cy) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        let hw = width / 2.0;
        let reach = ((b.0 - a.0).abs().max((b.1 - a.1).abs())) / 2.0 + hw + 1.0;
        let (ax, ay, bx, by) = (a.0 - cx, a.1 - cy, b.0 - cx, b.1 - cy);
        self.stamp(cx, cy, reach, c, alpha, |px, py| {
            hw + 0.5 - super::canvas::seg_dist((px, py), (ax, ay), (bx, by))
        });
    }
}

/// Source-over blending of `c` at opacity `a` onto one non-premultiplied RGBA pixel (in f32,
/// with `as` rounding: this runs for every rim and line pixel).
#[inline]
fn blend(dst: &mut [u8], c: Rgba, a: f64) {
    let sa = a as f32 * c[3] as f32 * (1.0 / 255.0);
    // The common case: onto nothing.
    if dst[3] == 0 {
        dst.copy_from_slice(&[c[0], c[1], c[2], (sa * 255.0 + 0.5) as u8]);
        return;
    }
    let k = dst[3] as f32 * (1.0 / 255.0) * (1.0 - sa);
    let oa = sa + k;
    if oa <= 0.0 {
        return;
    }
    let inv = 1.0 / oa;
    for i in 0..3 {
        dst[i] = ((c[i] as f32 * sa + dst[i] as f32 * k) * inv + 0.5) as u8;
    }
    dst[3] = (oa * 255.0 + 0.5) as u8;
}

/// `hsl(h, s%, l%)` as RGB (CSS's conversion).
pub fn hsl(h: f64, s: f64, l: f64) -> Rgba {
    let (s, l) = ((s / 100.0).clamp_f(0.0, 1.0), (l / 100.0).clamp_f(0.0, 1.0));
    let a = s * l.min(1.0 - l);
    let f = |n: f64| {
        // In [0, 24): `% 12.0` without core's fmod is one exact subtraction (Sterbenz).
        let k = n + hue(h) / 30.0;
        let k = if k >= 12.0 { k - 12.0 } else { k };
        let v = l - a * (k - 3.0).min(9.0 - k).clamp_f(-1.0, 1.0);
        (v * 255.0).round().clamp_f(0.0, 255.0) as u8
    };
    [f(0.0), f(8.0), f(4.0), 255]
}

/// `h.rem_euclid(360.0)`, bit for bit, without core's `fmod` (1 KB of the wasm with the 128-bit
/// division it brings): the exact remainder by subtracting 360 × 2^k, the largest that fits, each
/// step exact (Sterbenz: y <= r < 2y).
fn hue(h: f64) -> f64 {
    if !h.is_finite() {
        return f64::NAN;
    }
    let mut r = h.abs();
    while r >= 360.0 {
        let mut y = 360.0;
        while y * 2.0 <= r {
            y *= 2.0;
        }
        r -= y;
    }
    let r = r.copysign(h);
    if r < 0.0 {
        r + 360.0
    } else {
        r
    }
}

/// A CSS colour as the palette reads them from custom properties: `#rgb`, `#rrggbb`, `rgb(…)`,
/// `rgba(…)` or `hsl(…)`. None for anything else (the caller keeps its default).
pub fn parse_color(v: &str) -> Option<Rgba> {
    let v = v.trim();
    if let Some(hex) = v.strip_prefix('#') {
        let d = |s: &str| u8::from_str_radix(s, 16).ok();
        return match hex.len() {
            3 => {
                let c: Vec<u8> = hex
                    .chars()
                    .map(|ch| d(&ch.to_string()).map(|x| x * 17))
                    .collect::<Option<_>>()?;
                Some([c[0], c[1], c[2], 255])
            }
            6 => Some([d(&hex[0..2])?, d(&hex[2..4])?, d(&hex[4..6])?, 255]),
            _ => None,
        };
    }
    let (name, rest) = v.split_once('(')?;
    let args: Vec<f64> = rest
        .strip_suffix(')')?
        .split([',', ' ', '/'])
        .filter(|s| !s.is_empty())
        .map(|s| parse_f64(s.trim_end_matches(['%', 'd', 'e', 'g'])))
        .collect::<Option<_>>()?;
    let alpha = |i: usize| {
        args.get(i)
            .map(|a| (a.clamp_f(0.0, 1.0) * 255.0).round() as u8)
            .unwrap_or(255)
    };
    match name.trim() {
        "rgb" | "rgba" if args.len() >= 3 => {
            let c = |i: usize| args[i].round().clamp_f(0.0, 255.0) as u8;
            Some([c(0), c(1), c(2), alpha(3)])
        }
        "hsl" | "hsla" if args.len() >= 3 => {
            let mut c = hsl(args[0], args[1], args[2]);
            c[3] = alpha(3);
            Some(c)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hue_is_rem_euclid_bit_for_bit(bits in any::<u64>(), small in -2000.0f64..2000.0) {
            for h in [f64::from_bits(bits), small, small.round(), small * 360.0] {
                let (got, want) = (hue(h), h.rem_euclid(360.0));
                prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "{} {} {}", h, got, want);
            }
        }
    }

    proptest! {
        #[test]
        fn hsl_equals_the_fmod_formula(h in -1000.0f64..1000.0, s in -10.0f64..110.0, l in -10.0f64..110.0) {
            // The conversion as it was written with `%` (core's fmod).
            let (s2, l2) = ((s / 100.0).clamp_f(0.0, 1.0), (l / 100.0).clamp_f(0.0, 1.0));
            let a = s2 * l2.min(1.0 - l2);
            let f = |n: f64| {
                let k = (n + h.rem_euclid(360.0) / 30.0) % 12.0;
                let v = l2 - a * (k - 3.0).min(9.0 - k).clamp_f(-1.0, 1.0);
                (v * 255.0).round().clamp_f(0.0, 255.0) as u8
            };
            prop_assert_eq!(hsl(h, s, l), [f(0.0), f(8.0), f(4.0), 255]);
        }
    }

    #[test]
    fn hue_edges() {
        for h in [
            0.0,
            -0.0,
            360.0,
            -360.0,
            720.0,
            -1e-20,
            1e-300,
            359.999,
            1e308,
            -1e308,
            5e-324,
            f64::MAX,
        ] {
            assert_eq!(hue(h).to_bits(), h.rem_euclid(360.0).to_bits(), "{h}");
        }
        for h in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(hue(h).is_nan());
        }
    }

    fn px(r: &Raster, x: usize, y: usize) -> [u8; 4] {
        let i = (y * r.w + x) * 4;
        r.bytes()[i..i + 4].try_into().unwrap()
    }

    #[test]
    fn a_disc_covers_its_inside_fades_at_its_edge_and_leaves_the_rest() {
        let mut r = Raster::default();
        r.clear(20, 20);
        r.disc(10.0, 10.0, 4.0, [200, 10, 20, 255], 1.0);
        assert_eq!(px(&r, 10, 10), [200, 10, 20, 255]);
        assert_eq!(px(&r, 0, 0), [0, 0, 0, 0]);
        assert_eq!(px(&r, 16, 10)[3], 0);
        // A pixel straddling the edge (centre 4.03 from the centre) is about half covered.
        let edge = px(&r, 13, 11)[3];
        assert!((60..200).contains(&edge), "edge alpha {edge}");
        // Total coverage ≈ the disc's area (π r² ≈ 50.3 pixels).
        let area: f64 = r.bytes().chunks(4).map(|p| p[3] as f64 / 255.0).sum();
        assert!(
            (area - std::f64::consts::PI * 16.0).abs() < 1.0,
            "area {area}"
        );
    }

    #[test]
    fn a_disc_from_its_mask_equals_its_coverage_pixel_by_pixel() {
        // The reference: every pixel of the box through the plain coverage formula.
        for (i, &(cx, cy, r, alpha)) in [
            (10.0, 10.0, 4.0, 1.0),
            (10.37, 9.81, 3.3, 1.0),
            (0.2, 11.6, 5.5, 1.0),
            (19.9, 0.4, 2.6, 0.6),
            (7.5, 7.5, 0.7, 1.0),
            (12.25, 13.75, 6.0, 0.3),
        ]
        .iter()
        .enumerate()
        {
            let c = [30, 140, 200, 255];
            let (mut a, mut b) = (Raster::default(), Raster::default());
            a.clear(20, 20);
            b.clear(20, 20);
            a.disc(cx, cy, r, c, alpha);
            // The disc is centred to an eighth of a pixel (the middle of its eighth).
            let q = |v: f64| (v * 8.0).floor() / 8.0 + 1.0 / 16.0;
            let (qx, qy) = (q(cx), q(cy));
            b.stamp(qx, qy, r + 1.0, c, alpha, |dx, dy| {
                let a = r + 0.5 - (dx * dx + dy * dy).sqrt();
                // Through a byte, as the mask holds it.
                (a.clamp(0.0, 1.0) * 255.0).round() / 255.0
            });
            for (p, q) in a.bytes().iter().zip(b.bytes()) {
                assert!((*p as i32 - *q as i32).abs() <= 1, "case {i}: {p} vs {q}");
            }
            // Every pixel drawn lies in the box that the next clear wipes.
            let (x0, y0, x1, y1) = a.drawn().expect("something drawn");
            for (k, p) in a.bytes().chunks(4).enumerate() {
                let (x, y) = (k % 20, k / 20);
                if p[3] != 0 {
                    assert!(
                        (x0..x1).contains(&x) && (y0..y1).contains(&y),
                        "case {i}: ({x}, {y})"
                    );
                }
            }
        }
    }

    #[test]
    fn clear_wipes_what_was_drawn_and_shapes_clip_at_the_borders() {
        let mut r = Raster::default();
        r.clear(10, 8);
        r.disc(0.0, 0.0, 3.0, [1, 2, 3, 255], 1.0);
        r.disc(9.5, 7.5, 3.0, [1, 2, 3, 255], 1.0);
        r.disc(f64::NAN, 1.0, 3.0, [1, 2, 3, 255], 1.0);
        r.disc(-50.0, 1.0, 3.0, [1, 2, 3, 255], 1.0);
        assert_eq!(px(&r, 0, 0), [1, 2, 3, 255]);
        assert_eq!(r.drawn().map(|d| (d.0, d.1)), Some((0, 0)));
        r.clear(10, 8);
        assert!(r.bytes().iter().all(|b| *b == 0));
        assert_eq!(r.drawn(), None);
        // A new size starts clean too.
        r.disc(5.0, 4.0, 2.0, [9, 9, 9, 255], 1.0);
        r.clear(12, 8);
        assert_eq!(r.bytes().len(), 12 * 8 * 4);
        assert!(r.bytes().iter().all(|b| *b == 0));
    }

    #[test]
    fn source_over_blends_a_translucent_colour_onto_an_opaque_one() {
        let mut r = Raster::default();
        r.clear(9, 9);
        r.disc(4.5, 4.5, 3.0, [0, 0, 255, 255], 1.0);
        r.disc(4.5, 4.5, 3.0, [255, 0, 0, 255], 0.5);
        let c = px(&r, 4, 4);
        assert_eq!(c[3], 255);
        assert!(
            (126..=129).contains(&c[0]) && (126..=129).contains(&c[2]),
            "{c:?}"
        );
    }

    #[test]
    fn a_ring_is_hollow_and_a_segment_covers_its_line_only() {
        let mut r = Raster::default();
        r.clear(30, 30);
        r.ring(15.0, 15.0, 6.0, 2.0, [0, 0, 0, 255], 1.0);
        assert_eq!(px(&r, 15, 15)[3], 0);
        assert_eq!(px(&r, 20, 14)[3], 255);
        r.clear(30, 30);
        r.segment((2.0, 2.0), (28.0, 28.0), 2.0, [0, 0, 0, 255], 1.0);
        assert_eq!(px(&r, 15, 15)[3], 255);
        assert_eq!(px(&r, 25, 5)[3], 0);
    }

    #[test]
    fn colours_parse_from_css_and_hsl_matches_css() {
        assert_eq!(parse_color("#fff"), Some([255, 255, 255, 255]));
        assert_eq!(parse_color(" #1a202c"), Some([0x1a, 0x20, 0x2c, 255]));
        assert_eq!(parse_color("rgb(10, 20, 30)"), Some([10, 20, 30, 255]));
        assert_eq!(
            parse_color("rgba(10, 20, 30, 0.5)"),
            Some([10, 20, 30, 128])
        );
        assert_eq!(parse_color("hsl(0, 100%, 50%)"), Some([255, 0, 0, 255]));
        assert_eq!(parse_color("tomato"), None);
        assert_eq!(parse_color("#12"), None);
        assert_eq!(hsl(120.0, 100.0, 25.0), [0, 128, 0, 255]);
        assert_eq!(hsl(210.0, 70.0, 45.0), [34, 115, 195, 255]);
    }
}
