//! Canvas layers for what is many and changes every frame: the messages in flight on the stage and
//! the arrows and marks of the space-time diagram. Hundreds of SVG elements cost the browser more
//! in style, layout and paint each frame than the whole simulation step (see docs/explorer.md,
//! Performance), while one canvas costs a clear and a few batched paths. Agents, links, partition
//! regions, lanes, the cursor and witness marks stay SVG: they are few, clickable and labelled for
//! screen readers.
//!
//! A canvas sits exactly over (stage) or under (diagram) its SVG, is redrawn only when what it
//! shows changed, and never takes pointer events: clicks and hovers on the SVG are hit-tested here
//! against what was last drawn ([`nearest_dot`], [`nearest_seg`]). Colours come from the page's CSS
//! variables (light and dark themes), the backing store follows `devicePixelRatio`, and with
//! `prefers-reduced-motion` dropped messages do not fade.
//!
//! What is drawn is readable from JavaScript, for tests and benchmarks:
//! `window.swarmscopeStage()` lists the stage's messages (`id`, `kind`, `from`, `to`, fraction of
//! the way `f`, drawing-unit `x`/`y`, client `cx`/`cy`, `dying` and its fade `gone`, `dup`,
//! `selected`) and `window.swarmscopeDiagram()` the diagram's
//! arrows (`id`, `kind`, `from`, `to`, `dropped`, `future`, `selected`, client `cx`/`cy` of the
//! middle).

use super::engine::Snap;
use super::geom::{self, Layout};
use super::paint::Rec;
use super::raster::{self, Rgba};
use super::spacetime::{Diagram, Mark};
use crate::sim::decimal::ClampF as _;
use crate::sim::parse_float::parse_f64;
use crate::ui::geom::Fixed;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlCanvasElement, HtmlElement};

/// How a `view_w`×`view_h` drawing is fitted into a box (SVG `preserveAspectRatio="xMidYMid
/// meet"`): scale `s`, then offset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub s: f64,
    pub ox: f64,
    pub oy: f64,
}

impl Fit {
    pub fn meet(box_w: f64, box_h: f64, view_w: f64, view_h: f64) -> Fit {
        let s = (box_w / view_w.max(1e-9))
            .min(box_h / view_h.max(1e-9))
            .max(0.0);
        Fit {
            s,
            ox: (box_w - view_w * s) / 2.0,
            oy: (box_h - view_h * s) / 2.0,
        }
    }
    /// Box pixels to drawing units.
    pub fn to_view(self, px: f64, py: f64) -> (f64, f64) {
        let s = self.s.max(1e-9);
        ((px - self.ox) / s, (py - self.oy) / s)
    }
    /// Drawing units to box pixels.
    pub fn to_box(self, x: f64, y: f64) -> (f64, f64) {
        (self.ox + x * self.s, self.oy + y * self.s)
    }
}

/// A message as drawn on the stage (drawing units).
#[derive(Clone, Debug, PartialEq)]
pub struct MsgDot {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub kind: &'static str,
    pub from: u32,
    pub to: u32,
    /// How far along its link (0 = sender, 1 = receiver; dropped ones die at 0.5).
    pub f: f64,
    /// Dropped: how far its fade-out has gone (0–1); `None` while alive.
    pub gone: Option<f64>,
    pub dup: bool,
}

/// The message drawn nearest to `(x, y)`, within `slack` of its centre; the last drawn (topmost)
/// wins a tie.
pub fn nearest_dot(dots: &[MsgDot], x: f64, y: f64, slack: f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, d) in dots.iter().enumerate() {
        let d2 = (d.x - x).powi(2) + (d.y - y).powi(2);
        if d2 <= slack * slack && best.map(|(_, b)| d2 <= b).unwrap_or(true) {
            best = Some((i, d2));
        }
    }
    best.map(|(i, _)| i)
}

/// An arrow as drawn on the diagram (drawing units).
#[derive(Clone, Debug, PartialEq)]
pub struct Seg {
    pub id: u64,
    pub a: (f64, f64),
    pub b: (f64, f64),
    pub kind: &'static str,
    pub from: u32,
    pub to: u32,
    pub dropped: bool,
    pub future: bool,
}

/// Distance from `p` to the segment `a`–`b`.
pub fn seg_dist(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 <= 1e-12 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp_f(0.0, 1.0)
    };
    let (qx, qy) = (a.0 + dx * t, a.1 + dy * t);
    ((p.0 - qx).powi(2) + (p.1 - qy).powi(2)).sqrt()
}

/// The arrow nearest to `p`, within `tol`.
pub fn nearest_seg(segs: &[Seg], p: (f64, f64), tol: f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in segs.iter().enumerate() {
        let d = seg_dist(p, s.a, s.b);
        if d <= tol && best.map(|(_, b)| d <= b).unwrap_or(true) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i)
}

/// `"45%"` → 45.0 (the lightness of message colours, `--msg-l`).
pub fn parse_pct(v: &str) -> Option<f64> {
    parse_f64(v.trim().trim_end_matches('%').trim())
}

/// Colours from the page's CSS variables.
#[derive(Clone, Debug, PartialEq)]
pub struct Palette {
    pub msg_l: f64,
    pub stage: String,
    pub fg: String,
    pub muted: String,
    pub bad: String,
    pub ok: String,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            msg_l: 45.0,
            stage: "#ffffff".into(),
            fg: "#1a202c".into(),
            muted: "#5a6577".into(),
            bad: "#c53030".into(),
            ok: "#2f855a".into(),
        }
    }
}

thread_local! {
    static PALETTE: RefCell<Option<(String, Palette)>> = const { RefCell::new(None) };
}

/// The palette for the current theme (read from CSS once per theme, then cached).
pub fn palette() -> Palette {
    let doc = web_sys::window().and_then(|w| w.document());
    let root = doc.and_then(|d| d.document_element());
    let key = format!(
        "{}|{}",
        root.as_ref()
            .and_then(|r| r.get_attribute("data-theme"))
            .unwrap_or_default(),
        super::dom::media("(prefers-color-scheme: dark)")
    );
    if let Some(p) = PALETTE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, p)| p.clone())
    }) {
        return p;
    }
    let mut p = Palette::default();
    if let Some(style) = root.as_ref().and_then(|r| {
        web_sys::window()
            .and_then(|w| w.get_computed_style(r).ok())
            .flatten()
    }) {
        let var = |name: &str| {
            style
                .get_property_value(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = var("--msg-l").and_then(|v| parse_pct(&v)) {
            p.msg_l = v;
        }
        for (name, slot) in [
            ("--stage", &mut p.stage),
            ("--fg", &mut p.fg),
            ("--muted", &mut p.muted),
            ("--bad", &mut p.bad),
            ("--ok", &mut p.ok),
        ] {
            if let Some(v) = var(name) {
                *slot = v;
            }
        }
    }
    PALETTE.with(|c| *c.borrow_mut() = Some((key, p.clone())));
    p
}

/// The device pixel ratio and the canvas's backing store size for `css_w`×`css_h` CSS pixels.
fn backing(css_w: f64, css_h: f64) -> (f64, u32, u32) {
    let dpr = device_pixel_ratio();
    (
        dpr,
        (css_w * dpr).round().max(1.0) as u32,
        (css_h * dpr).round().max(1.0) as u32,
    )
}

/// The canvas's backing store size for `css_w`×`css_h` CSS pixels at the device pixel ratio, and
/// a frame that starts cleared, with the transform at CSS pixels.
fn surface(css_w: f64, css_h: f64) -> (u32, u32, Rec) {
    let (dpr, bw, bh) = backing(css_w, css_h);
    let mut ctx = Rec::default();
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, bw as f64, bh as f64);
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    (bw, bh, ctx)
}

fn hsl(hue: u32, sat: u32, l: f64) -> String {
    format!("hsl({hue},{sat}%,{}%)", Fixed(l, 0))
}

/// The device pixel ratio, at most 3 (a canvas's backing store grows with its square).
fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|d| d.is_finite() && *d > 0.0)
        .unwrap_or(1.0)
        .min(3.0)
}

/// Sets a CSS property only when it changed (a write dirties style even when equal).
fn set_style(el: &HtmlElement, prop: &str, value: &str) {
    let st = el.style();
    if st.get_property_value(prop).ok().as_deref() != Some(value) {
        let _ = st.set_property(prop, value);
    }
}

/// What a layer's last drawing was made from: the data's address (held alive by the layer), the
/// selected message, the box size in CSS pixels and the palette.
type Drawn = (usize, Option<u64>, (i64, i64), String);

/// The stage's message layer: what was last drawn, for hit-testing, hover and the test hook.
#[derive(Default)]
pub struct StageLayer {
    pub dots: Vec<MsgDot>,
    pub r: f64,
    pub fit: Option<Fit>,
    pub selected: Option<u64>,
    /// What the last drawing was made from (snapshot pointer, selection, box size, palette); the
    /// snapshot is held so that its address cannot be reused by a newer one.
    drawn: Option<Drawn>,
    held: Option<Rc<Snap>>,
    /// The canvas's backing store size last drawn at (device pixels).
    size: (u32, u32),
    /// The canvas element drawn on (a new element starts blank: everything is redrawn).
    canvas: Option<HtmlCanvasElement>,
    /// The last drawing put labels on the canvas (outside the raster's boxes).
    labelled: bool,
}

/// Draws the messages of a frame on `canvas`, placed over `svg` (whose drawing box is
/// `view_w`×`view_h`, fitted with `meet`). Redraws only when something it shows changed.
#[allow(clippy::too_many_arguments)]
pub fn draw_stage(
    layer: &mut StageLayer,
    canvas: &HtmlCanvasElement,
    svg: &Element,
    snap: &Rc<Snap>,
    max: usize,
    lay: &Layout,
    view: (f64, f64),
    selected: Option<u64>,
) {
    let Some(parent) = canvas.parent_element() else {
        return;
    };
    let (sr, pr) = (
        svg.get_bounding_client_rect(),
        parent.get_bounding_client_rect(),
    );
    let (bw, bh) = (sr.width(), sr.height());
    if bw <= 0.0 || bh <= 0.0 {
        return;
    }
    let left = sr.left() - pr.left() - parent.client_left() as f64;
    let top = sr.top() - pr.top() - parent.client_top() as f64;
    let el: &HtmlElement = canvas.unchecked_ref();
    set_style(el, "left", &format!("{}px", Fixed(left, 0)));
    set_style(el, "top", &format!("{}px", Fixed(top, 0)));
    set_style(el, "width", &format!("{}px", Fixed(bw, 0)));
    set_style(el, "height", &format!("{}px", Fixed(bh, 0)));
    let pal = palette();
    let reduced = super::dom::reduced_motion();
    let pal_key = format!("{}{}{}{reduced}", pal.msg_l.to_bits(), pal.stage, pal.fg);
    let size = (bw.round() as i64, bh.round() as i64);
    let want = Some((Rc::as_ptr(snap) as usize, selected, size, pal_key));
    let fresh = layer.canvas.as_ref() != Some(canvas);
    if layer.drawn == want && !fresh {
        return;
    }
    let (dpr, cw, ch) = backing(bw.round(), bh.round());
    let resized = layer.size != (cw, ch) || fresh;
    layer.size = (cw, ch);
    layer.canvas = Some(canvas.clone());
    let mut ctx = Rec::default();
    layer.drawn = want;
    layer.held = Some(snap.clone());
    let msgs = &snap.msgs;
    let fit = Fit::meet(bw.round(), bh.round(), view.0, view.1);
    layer.fit = Some(fit);
    layer.selected = selected;
    let n = lay.pts.len();
    let few = msgs.len() <= 10 && n <= 8;
    let mr = (lay.r * 0.28).clamp_f(2.5, 6.0);
    layer.r = mr;
    layer.dots.clear();
    for m in msgs.iter().take(max) {
        let (a, b) = (m.rec.from.index(), m.rec.to.index());
        let (Some(pa), Some(pb)) = (lay.pts.get(a), lay.pts.get(b)) else {
            continue;
        };
        let (x, y) = geom::along(*pa, *pb, lay.r, m.f);
        layer.dots.push(MsgDot {
            id: m.rec.id,
            x,
            y,
            kind: m.rec.kind,
            from: m.rec.from.0,
            to: m.rec.to.0,
            f: m.f,
            gone: m.dying,
            dup: m.rec.copy_of.is_some(),
        });
    }
    // The dots are stamped into a pixel buffer (see raster.rs: the canvas's own arcs cost ~15×
    // more without a GPU) in device pixels, and handed to the canvas in one putImageData of the
    // rows that changed (last frame's dots and this frame's) — by the painter (paint.js, off the
    // main thread where it can), which keeps the buffer: here they are only recorded.
    let k = dpr * fit.s;
    let dev = |x: f64, y: f64| (dpr * fit.ox + k * x, dpr * fit.oy + k * y);
    let colour = |css: &str, fallback: Rgba| raster::parse_color(css).unwrap_or(fallback);
    let (stage_c, fg_c, bad_c) = (
        colour(&pal.stage, [255, 255, 255, 255]),
        colour(&pal.fg, [26, 32, 44, 255]),
        colour(&pal.bad, [197, 48, 48, 255]),
    );
    let hue_c = |kind: &str| raster::hsl(geom::kind_hue(kind) as f64, 70.0, pal.msg_l);
    let r = &mut ctx;
    r.raster_begin(cw, ch);
    // Live messages filled; duplicates hollow, on top.
    for dup in [false, true] {
        for d in layer
            .dots
            .iter()
            .filter(|d| d.gone.is_none() && d.dup == dup)
        {
            let (x, y) = dev(d.x, d.y);
            if dup {
                r.disc(x, y, k * mr, stage_c, 1.0);
                r.ring(x, y, k * mr, k * 2.0, hue_c(d.kind), 1.0);
            } else {
                r.disc(x, y, k * mr, hue_c(d.kind), 1.0);
            }
        }
    }
    // Dropped messages: a red cross where they died, fading out (unless motion is reduced).
    let s = mr * 1.3 / 2.0;
    for d in &layer.dots {
        let Some(gone) = d.gone else { continue };
        let alpha = if reduced {
            1.0
        } else {
            (1.0 - gone).clamp_f(0.0, 1.0)
        };
        let (x, y) = dev(d.x, d.y);
        r.disc(x, y, k * mr, hue_c(d.kind), alpha);
        r.segment(
            dev(d.x - s, d.y - s),
            dev(d.x + s, d.y + s),
            k * 2.5,
            bad_c,
            alpha,
        );
        r.segment(
            dev(d.x - s, d.y + s),
            dev(d.x + s, d.y - s),
            k * 2.5,
            bad_c,
            alpha,
        );
    }
    if let Some(d) = selected.and_then(|id| layer.dots.iter().find(|d| d.id == id)) {
        let (x, y) = dev(d.x, d.y);
        r.ring(x, y, k * (mr + 1.0), k * 2.5, fg_c, 1.0);
    }
    // Labels are drawn by the canvas over the pixels, so a frame with labels (or after one)
    // clears and puts the whole canvas.
    let whole = few || layer.labelled || resized;
    if whole {
        ctx.clear_rect(0.0, 0.0, cw as f64, ch as f64);
    }
    ctx.raster_put(whole);
    layer.labelled = few;
    if few {
        ctx.set_transform(k, 0.0, 0.0, k, dpr * fit.ox, dpr * fit.oy);
        ctx.set_font("10px system-ui, sans-serif");
        ctx.set_text_align("center");
        ctx.set_fill_style_str(&pal.muted);
        // Messages that leave together would write their names over each other: only those
        // that do not clash are labelled (hover names any of them).
        let live: Vec<&MsgDot> = layer.dots.iter().filter(|d| d.gone.is_none()).collect();
        let at: Vec<(f64, f64, usize)> = live
            .iter()
            .map(|d| (d.x, d.y - mr - 3.0, d.kind.chars().count()))
            .collect();
        for (d, keep) in live.iter().zip(geom::unclashed(&at, 10.0)) {
            if keep {
                ctx.fill_text(d.kind, d.x, d.y - mr - 3.0);
            }
        }
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    }
    ctx.send(canvas, cw, ch, whole);
}

/// The space-time diagram's arrow layer: what was last drawn, for hit-testing and the test hook.
#[derive(Default)]
pub struct DiagramLayer {
    pub segs: Vec<Seg>,
    pub selected: Option<u64>,
    /// Drawing units per CSS pixel's inverse: CSS px = units × `scale`.
    pub scale: f64,
    drawn: Option<Drawn>,
    held: Option<Rc<Diagram>>,
    /// The canvas element drawn on (a new element starts blank: everything is redrawn).
    canvas: Option<HtmlCanvasElement>,
}

/// Geometry shared by the diagram's SVG and canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiagramGeom {
    pub w: f64,
    pub left: f64,
    pub lane: f64,
    pub h: f64,
    pub t0: f64,
    pub span: f64,
}

impl DiagramGeom {
    pub fn x(&self, t: u64) -> f64 {
        self.left + (t as f64 - self.t0) / self.span * (self.w - self.left - 6.0)
    }
    pub fn y(&self, i: u32) -> f64 {
        8.0 + self.lane * (i as f64 + 0.5)
    }
}

/// Draws the diagram's arrows and marks on `canvas` (under the SVG, same box).
pub fn draw_diagram(
    layer: &mut DiagramLayer,
    canvas: &HtmlCanvasElement,
    d: &Rc<Diagram>,
    g: DiagramGeom,
    selected: Option<u64>,
) {
    let r = canvas.get_bounding_client_rect();
    let (bw, bh) = (r.width().round(), r.height().round());
    if bw <= 0.0 || bh <= 0.0 {
        return;
    }
    let pal = palette();
    let pal_key = format!("{}{}{}", pal.msg_l.to_bits(), pal.stage, pal.fg);
    let want = Some((
        Rc::as_ptr(d) as usize,
        selected,
        (bw as i64, bh as i64),
        pal_key,
    ));
    if layer.drawn == want && layer.canvas.as_ref() == Some(canvas) {
        return;
    }
    let (cw, ch, mut ctx) = surface(bw, bh);
    layer.drawn = want;
    layer.canvas = Some(canvas.clone());
    layer.held = Some(d.clone());
    layer.selected = selected;
    let s = bw / g.w;
    layer.scale = s;
    ctx.scale(s, s);
    layer.segs.clear();
    for a in &d.arrows {
        let (x0, y0, x1, y1) = (g.x(a.t0.0), g.y(a.from), g.x(a.t1.0), g.y(a.to));
        let (x1, y1) = if a.dropped {
            (x0 + (x1 - x0) * 0.5, y0 + (y1 - y0) * 0.5)
        } else {
            (x1, y1)
        };
        layer.segs.push(Seg {
            id: a.id,
            a: (x0, y0),
            b: (x1, y1),
            kind: a.kind,
            from: a.from,
            to: a.to,
            dropped: a.dropped,
            future: a.future,
        });
    }
    // Delivered arrows: one path per (colour, past/future).
    let mut groups: Vec<(u32, bool)> = layer
        .segs
        .iter()
        .filter(|s| !s.dropped)
        .map(|s| (geom::kind_hue(s.kind), s.future))
        .collect();
    crate::sim::sort::sort(&mut groups);
    groups.dedup();
    // At a device pixel ratio of 1 the arrows are exactly one device pixel wide: Chromium's
    // software canvas then draws them as hairlines, ~10× faster than the polygon stroker it uses
    // for anything wider (750 arrows: 3.8 ms instead of 42 ms in a stand-alone page). Denser
    // screens keep 1.1 CSS px (2.2 device px at 2×; they usually have a GPU canvas).
    let dpr = device_pixel_ratio();
    // (A hair under one pixel, so that rounding cannot tip it over.)
    let lw = if dpr < 1.5 { 0.999 / (s * dpr) } else { 1.1 };
    ctx.set_line_width(lw);
    for (hue, future) in groups {
        ctx.begin_path();
        for sg in &layer.segs {
            if !sg.dropped && sg.future == future && geom::kind_hue(sg.kind) == hue {
                ctx.move_to(sg.a.0, sg.a.1);
                ctx.line_to(sg.b.0, sg.b.1);
            }
        }
        ctx.set_global_alpha(if future { 0.24 } else { 0.8 });
        ctx.set_stroke_style_str(&hsl(hue, 60, pal.msg_l));
        ctx.stroke();
    }
    // Dropped arrows: dashed red, a cross where they died.
    for future in [false, true] {
        ctx.begin_path();
        let mut any = false;
        for sg in layer
            .segs
            .iter()
            .filter(|s| s.dropped && s.future == future)
        {
            any = true;
            ctx.move_to(sg.a.0, sg.a.1);
            ctx.line_to(sg.b.0, sg.b.1);
        }
        if !any {
            continue;
        }
        ctx.set_global_alpha(if future { 0.24 } else { 0.8 });
        ctx.set_stroke_style_str(&pal.bad);
        ctx.set_line_dash(&[3.0, 2.0]);
        ctx.stroke();
        ctx.set_line_dash(&[]);
        ctx.begin_path();
        for sg in layer
            .segs
            .iter()
            .filter(|s| s.dropped && s.future == future)
        {
            let (x, y) = sg.b;
            ctx.move_to(x - 3.0, y - 3.0);
            ctx.line_to(x + 3.0, y + 3.0);
            ctx.move_to(x + 3.0, y - 3.0);
            ctx.line_to(x - 3.0, y + 3.0);
        }
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    if let Some(sg) = selected.and_then(|id| layer.segs.iter().find(|s| s.id == id)) {
        ctx.begin_path();
        ctx.move_to(sg.a.0, sg.a.1);
        ctx.line_to(sg.b.0, sg.b.1);
        ctx.set_stroke_style_str(&pal.fg);
        ctx.set_line_width(2.5);
        ctx.stroke();
    }
    draw_marks(&mut ctx, d, g, &pal);
    ctx.send(canvas, cw, ch, true);
}

fn draw_marks(ctx: &mut Rec, d: &Diagram, g: DiagramGeom, pal: &Palette) {
    // (mark, fill, stroke, line width): one path per kind of mark.
    let kinds: [(Mark, Option<&str>, Option<&str>, f64); 7] = [
        (Mark::Timer, None, Some(&pal.muted), 1.0),
        (Mark::Intervention, None, Some("#805ad5"), 1.2),
        (Mark::Note, Some("#d69e2e"), None, 0.0),
        (Mark::Client, Some("#38a169"), None, 0.0),
        (Mark::Recover, Some(&pal.ok), None, 0.0),
        (Mark::Crash, None, Some(&pal.bad), 2.0),
        (Mark::Violation, Some(&pal.bad), None, 0.0),
    ];
    for (kind, fill, stroke, lw) in kinds {
        ctx.begin_path();
        let mut any = false;
        for (node, t, m) in &d.marks {
            if *m != kind {
                continue;
            }
            any = true;
            let (cx, cy) = (g.x(t.0), g.y(*node));
            match kind {
                Mark::Crash => {
                    ctx.move_to(cx - 4.0, cy - 4.0);
                    ctx.line_to(cx + 4.0, cy + 4.0);
                    ctx.move_to(cx + 4.0, cy - 4.0);
                    ctx.line_to(cx - 4.0, cy + 4.0);
                }
                Mark::Recover => {
                    ctx.move_to(cx - 4.0, cy + 3.0);
                    ctx.line_to(cx, cy - 4.0);
                    ctx.line_to(cx + 4.0, cy + 3.0);
                    ctx.close_path();
                }
                Mark::Timer => {
                    ctx.move_to(cx, cy - 3.0);
                    ctx.line_to(cx, cy + 3.0);
                }
                Mark::Client => ctx.rect(cx - 3.0, cy - 3.0, 6.0, 6.0),
                Mark::Note => {
                    ctx.move_to(cx + 2.5, cy);
                    ctx.arc(cx, cy, 2.5, 0.0, std::f64::consts::TAU);
                }
                Mark::Violation => {
                    ctx.move_to(cx, cy - 6.0);
                    ctx.line_to(cx + 5.0, cy + 3.0);
                    ctx.line_to(cx - 5.0, cy + 3.0);
                    ctx.close_path();
                }
                Mark::Intervention => {
                    ctx.move_to(cx, 4.0);
                    ctx.line_to(cx, g.h - 14.0);
                }
            }
        }
        if !any {
            continue;
        }
        if let Some(f) = fill {
            ctx.set_fill_style_str(f);
            ctx.fill();
        }
        if let Some(s) = stroke {
            ctx.set_stroke_style_str(s);
            ctx.set_line_width(lw);
            if kind == Mark::Intervention {
                ctx.set_line_dash(&[2.0, 3.0]);
            }
            ctx.stroke();
            ctx.set_line_dash(&[]);
        }
    }
}

/// A way for the page to repaint a canvas layer between Yew renders: the component that owns the
/// layer puts a painter here on every render; the page's animation loop calls it with fresh data
/// on the frames where it skips the (costlier) render of the whole page.
///
/// It also spreads a tick's work over two frames: before a render that only moves time on
/// (playing, wheel scrolling) the page calls [`Painter::tick`], and the component's effect,
/// through [`Painter::after_render`], then leaves the canvas to the next animation frame instead
/// of painting it in the frame that already pays for the render and the DOM's restyle, layout
/// and paint. In that next frame the page's own loop (or the next wheel event) usually paints
/// first with fresher data, which cancels the deferred paint.
pub struct Painter<T>(Rc<RefCell<PainterSlot<T>>>);

type PaintFn<T> = Box<dyn Fn(&T)>;

struct PainterSlot<T> {
    f: Option<PaintFn<T>>,
    /// The next render is a tick (see [`Painter::tick`]).
    tick: bool,
    /// What the deferred paint will paint, and its animation frame (dropping it cancels).
    pending: Option<(T, gloo::render::AnimationFrame)>,
    /// A deferred paint's frame after it ran, dropped later (not from inside its own call).
    spent: Option<gloo::render::AnimationFrame>,
}

impl<T> Default for Painter<T> {
    fn default() -> Self {
        Painter(Rc::new(RefCell::new(PainterSlot {
            f: None,
            tick: false,
            pending: None,
            spent: None,
        })))
    }
}

impl<T> Clone for Painter<T> {
    fn clone(&self) -> Self {
        Painter(self.0.clone())
    }
}

impl<T> PartialEq for Painter<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: 'static> Painter<T> {
    pub fn set(&self, f: impl Fn(&T) + 'static) {
        if let Ok(mut slot) = self.0.try_borrow_mut() {
            slot.f = Some(Box::new(f));
        }
    }
    /// Paints with `v` now (a deferred paint is dropped: `v` is newer); false when no painter
    /// is set (the caller should render instead).
    pub fn paint(&self, v: &T) -> bool {
        let Ok(mut slot) = self.0.try_borrow_mut() else {
            return false;
        };
        slot.pending = None;
        slot.spent = None;
        match slot.f.as_ref() {
            Some(f) => {
                f(v);
                true
            }
            None => false,
        }
    }
    /// The next render only moves time on: its canvas may wait for the next frame.
    pub fn tick(&self) {
        if let Ok(mut slot) = self.0.try_borrow_mut() {
            slot.tick = true;
        }
    }
    /// Called by the owning component's effect after each render: paints `v` now, or, after a
    /// [`Painter::tick`], in the next animation frame unless something paints before.
    pub fn after_render(&self, v: T) {
        let Ok(mut slot) = self.0.try_borrow_mut() else {
            return;
        };
        slot.spent = None;
        if !std::mem::take(&mut slot.tick) {
            slot.pending = None;
            if let Some(f) = slot.f.as_ref() {
                f(&v);
            }
            return;
        }
        // Weak: the slot holds this frame (pending, then spent), so a strong handle would keep
        // the slot, its paint closure and the layer it draws alive after the page is gone.
        let me = Rc::downgrade(&self.0);
        let frame = gloo::render::request_animation_frame(move |_| {
            let Some(me) = me.upgrade() else { return };
            let v = match me.try_borrow_mut() {
                Ok(mut slot) => slot.pending.take().map(|(v, frame)| {
                    slot.spent = Some(frame);
                    v
                }),
                Err(_) => None,
            };
            let Some(v) = v else { return };
            if let Ok(slot) = me.try_borrow() {
                if let Some(f) = slot.f.as_ref() {
                    f(&v);
                }
            };
        });
        slot.pending = Some((v, frame));
    }
}

/// Shows the hover tip `tip` (an absolutely positioned element) with `text` at `(x, y)` CSS
/// pixels of its offset parent, or hides it when `text` is `None`.
pub fn show_tip(tip: &HtmlElement, text: Option<&str>, x: f64, y: f64) {
    match text {
        Some(t) => {
            if tip.text_content().as_deref() != Some(t) {
                tip.set_text_content(Some(t));
            }
            set_style(tip, "left", &format!("{}px", Fixed(x, 0)));
            set_style(tip, "top", &format!("{}px", Fixed(y, 0)));
            if tip.hidden() {
                tip.set_hidden(false);
            }
        }
        None => {
            if !tip.hidden() {
                tip.set_hidden(true);
            }
        }
    }
}

/// What a hover tip says about a message.
pub fn tip_text(id: u64, kind: &str, from: u32, to: u32, dropped: bool, dup: bool) -> String {
    let mut s = format!("#{id} {kind} · a{from} → a{to}");
    if dropped {
        s.push_str(" · dropped");
    }
    if dup {
        s.push_str(" · duplicate");
    }
    s
}

/// A JavaScript function on `window` (the test hook), removed when the returned guard drops.
pub struct Hook {
    name: &'static str,
    _f: Closure<dyn Fn() -> JsValue>,
}

impl Hook {
    pub fn install(name: &'static str, f: impl Fn() -> JsValue + 'static) -> Option<Hook> {
        let w = web_sys::window()?;
        let f = Closure::<dyn Fn() -> JsValue>::new(f);
        js_sys::Reflect::set(&w, &name.into(), f.as_ref()).ok()?;
        Some(Hook { name, _f: f })
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::delete_property(&w, &self.name.into());
        }
    }
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// The stage's messages as drawn (the `swarmscopeStage()` hook); client coordinates come from
/// `canvas`'s current box.
pub fn stage_report(layer: &StageLayer, canvas: Option<&Element>) -> JsValue {
    let out = js_sys::Array::new();
    let (r, fit) = match (canvas, layer.fit) {
        (Some(c), Some(f)) => (Some(c.get_bounding_client_rect()), f),
        _ => (None, Fit::meet(1.0, 1.0, 1.0, 1.0)),
    };
    for d in &layer.dots {
        let (bx, by) = fit.to_box(d.x, d.y);
        let (cx, cy) = r
            .as_ref()
            .map(|r| (r.left() + bx, r.top() + by))
            .unwrap_or((f64::NAN, f64::NAN));
        out.push(&obj(&[
            ("id", (d.id as f64).into()),
            ("kind", d.kind.into()),
            ("from", d.from.into()),
            ("to", d.to.into()),
            ("f", d.f.into()),
            ("x", d.x.into()),
            ("y", d.y.into()),
            ("cx", cx.into()),
            ("cy", cy.into()),
            ("dying", d.gone.is_some().into()),
            ("gone", d.gone.unwrap_or(0.0).into()),
            ("dup", d.dup.into()),
            ("selected", (layer.selected == Some(d.id)).into()),
        ]));
    }
    out.into()
}

/// The diagram's arrows as drawn (the `swarmscopeDiagram()` hook).
pub fn diagram_report(layer: &DiagramLayer, canvas: Option<&Element>) -> JsValue {
    let out = js_sys::Array::new();
    let r = canvas.map(|c| c.get_bounding_client_rect());
    for s in &layer.segs {
        let (mx, my) = ((s.a.0 + s.b.0) / 2.0, (s.a.1 + s.b.1) / 2.0);
        let (cx, cy) = r
            .as_ref()
            .map(|r| (r.left() + mx * layer.scale, r.top() + my * layer.scale))
            .unwrap_or((f64::NAN, f64::NAN));
        out.push(&obj(&[
            ("id", (s.id as f64).into()),
            ("kind", s.kind.into()),
            ("from", s.from.into()),
            ("to", s.to.into()),
            ("dropped", s.dropped.into()),
            ("future", s.future.into()),
            ("selected", (layer.selected == Some(s.id)).into()),
            ("cx", cx.into()),
            ("cy", cy.into()),
        ]));
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meet_fits_and_centres_like_svg() {
        let f = Fit::meet(400.0, 500.0, 800.0, 500.0);
        assert_eq!(f.s, 0.5);
        assert_eq!((f.ox, f.oy), (0.0, 125.0));
        let (x, y) = f.to_box(800.0, 500.0);
        assert_eq!((x, y), (400.0, 375.0));
        assert_eq!(f.to_view(x, y), (800.0, 500.0));
    }

    fn dot(id: u64, x: f64, y: f64) -> MsgDot {
        MsgDot {
            id,
            x,
            y,
            kind: "ping",
            from: 0,
            to: 1,
            f: 0.5,
            gone: None,
            dup: false,
        }
    }

    #[test]
    fn a_click_picks_the_nearest_message_within_reach_and_misses_otherwise() {
        let dots = [dot(1, 10.0, 10.0), dot(2, 14.0, 10.0), dot(3, 100.0, 100.0)];
        assert_eq!(nearest_dot(&dots, 13.0, 10.0, 5.0), Some(1));
        assert_eq!(nearest_dot(&dots, 9.0, 9.0, 5.0), Some(0));
        assert_eq!(nearest_dot(&dots, 50.0, 50.0, 5.0), None);
        // Equal distance: the one drawn last (on top) wins.
        assert_eq!(nearest_dot(&dots, 12.0, 10.0, 5.0), Some(1));
    }

    #[test]
    fn arrows_are_hit_along_their_length() {
        assert_eq!(seg_dist((5.0, 3.0), (0.0, 0.0), (10.0, 0.0)), 3.0);
        assert_eq!(seg_dist((13.0, 4.0), (0.0, 0.0), (10.0, 0.0)), 5.0);
        let seg = |id, a, b| Seg {
            id,
            a,
            b,
            kind: "x",
            from: 0,
            to: 1,
            dropped: false,
            future: false,
        };
        let segs = [
            seg(7, (0.0, 0.0), (100.0, 50.0)),
            seg(8, (0.0, 50.0), (100.0, 0.0)),
        ];
        assert_eq!(nearest_seg(&segs, (20.0, 11.0), 3.0), Some(0));
        assert_eq!(nearest_seg(&segs, (20.0, 39.0), 3.0), Some(1));
        assert_eq!(nearest_seg(&segs, (50.0, 5.0), 3.0), None);
    }

    #[test]
    fn lightness_parses_from_css() {
        assert_eq!(parse_pct(" 45%"), Some(45.0));
        assert_eq!(parse_pct("62 %"), Some(62.0));
        assert_eq!(parse_pct("bright"), None);
    }

    #[test]
    fn tips_name_kind_route_and_fate() {
        assert_eq!(
            tip_text(3, "AppendEntries", 0, 2, true, false),
            "#3 AppendEntries · a0 → a2 · dropped"
        );
    }
}
