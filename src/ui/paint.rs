//! A canvas frame recorded as numbers and replayed by `paint.js`, off the main thread where the
//! browser allows (a Web Worker with an `OffscreenCanvas`).
//!
//! Why: without a GPU, Chromium rasterises a 2D canvas in software on the page's main thread when
//! it commits a frame — for the diagram's ~700 arrows, most of a heavy frame (10 ms of a 13 ms
//! frame's commit, measured). Recorded, a frame is one call into JavaScript instead of one per
//! line, and its rasterisation runs beside the page. The methods mirror the
//! `CanvasRenderingContext2d` calls they replace.
//!
//! `paint.js` (kept small: its text ships inside the wasm) is the body of a function made with
//! `new Function`, not a wasm-bindgen snippet, because the worker binary (`no-modules` target)
//! links this crate and that target refuses snippets. It transfers each canvas to one Web Worker
//! (made from a Blob of its own `replay` and raster functions), copies a frame's numbers out of
//! wasm memory, and posts them. The stage's message dots travel as raster ops (disc, ring,
//! segment: [`Rec::disc`] …) that the painter stamps into a pixel buffer of its own per canvas
//! (`paint.js`'s port of [`super::raster`], checked against it by tests/web.rs) and puts the rows
//! that changed — so neither the stamping nor megabytes of pixels cost the main thread. The
//! worker applies a canvas's frames in order at its own animation frame, but a frame that starts
//! from a cleared canvas (`full`) supersedes the ones still waiting, so a slow worker drops stale
//! frames instead of falling behind. Without OffscreenCanvas or Workers — or with
//! `window.__swarmscopePaintHere` set by an init script — the same replay runs on the page's
//! canvases. For tests and benchmarks it installs `window.swarmscopeAlpha(testid, clientX,
//! clientY)` (a canvas pixel's alpha, through the painter) and `window.swarmscopePaintStats()`
//! (the worker's frames painted, ops applied, frames superseded; `null` when painting on the
//! page).

use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlCanvasElement;

/// The functions `paint.js` returns: `paint_canvas` and `paint_off_thread`.
struct Api {
    paint: js_sys::Function,
    off_thread: js_sys::Function,
    raster: js_sys::Function,
}

thread_local! {
    static API: Option<Api> = load();
}

fn load() -> Option<Api> {
    // paint.js without its comments and indentation (build.rs).
    let make = js_sys::Function::new_no_args(include_str!(concat!(env!("OUT_DIR"), "/paint.js")));
    let api = make.call0(&JsValue::NULL).ok()?;
    let get = |name: &str| {
        js_sys::Reflect::get(&api, &name.into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    };
    Some(Api {
        paint: get("paint_canvas")?,
        off_thread: get("paint_off_thread")?,
        raster: get("raster_run")?,
    })
}

/// Whether the canvases are painted off the main thread (a Web Worker with an OffscreenCanvas).
pub fn off_thread() -> bool {
    API.with(|a| {
        a.as_ref()
            .and_then(|a| a.off_thread.call0(&JsValue::NULL).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    })
}

/// Runs a recording's raster ops (op 19: [`Rec::raster_begin`], [`Rec::disc`], …; the recording
/// must hold only those) through paint.js's rasteriser on a fresh `w`×`h` buffer and returns its
/// RGBA bytes — how tests/web.rs checks the JavaScript port against [`super::raster::Raster`].
pub fn raster_run(w: u32, h: u32, rec: &Rec) -> Option<Vec<u8>> {
    let ops = raster_ops(&rec.nums)?;
    API.with(|a| {
        let a = a.as_ref()?;
        let out = a
            .raster
            .call3(
                &JsValue::NULL,
                &w.into(),
                &h.into(),
                &js_sys::Float64Array::from(ops.as_slice()).into(),
            )
            .ok()?;
        Some(js_sys::Uint8Array::new(&out).to_vec())
    })
}

/// How many numbers a raster op takes, its kind included (`rasterOp`'s return in paint.js).
fn raster_len(kind: u8) -> Option<usize> {
    Some(match kind {
        1 => 3,
        2 => 2,
        3 => 6,
        4 => 7,
        5 => 8,
        _ => return None,
    })
}

/// The raster ops of a recording without their op code (what `raster_run` in paint.js takes);
/// None if it holds anything else.
fn raster_ops(nums: &[f64]) -> Option<Vec<f64>> {
    let mut out = vec![];
    let mut i = 0;
    while i < nums.len() {
        if nums[i] as u8 != Op::Raster as u8 {
            return None;
        }
        let n = raster_len(*nums.get(i + 1)? as u8)?;
        out.extend_from_slice(nums.get(i + 1..i + 1 + n)?);
        i += 1 + n;
    }
    Some(out)
}

/// Op codes; keep in step with `replay` in paint.js.
#[derive(Clone, Copy)]
enum Op {
    ClearRect = 0,
    SetTransform = 1,
    Scale = 2,
    StrokeStyle = 3,
    FillStyle = 4,
    LineWidth = 5,
    GlobalAlpha = 6,
    LineDash = 7,
    BeginPath = 8,
    MoveTo = 9,
    LineTo = 10,
    ClosePath = 11,
    Stroke = 12,
    Fill = 13,
    Rect = 14,
    Arc = 15,
    FillText = 16,
    Font = 17,
    TextAlign = 18,
    Raster = 19,
}

/// What op 19 does (its first number; keep in step with `rasterOp` in paint.js).
#[derive(Clone, Copy)]
enum RasterOp {
    Begin = 1,
    Put = 2,
    Disc = 3,
    Ring = 4,
    Segment = 5,
}

/// An RGBA colour as one number, 0xRRGGBBAA (exact in an f64).
fn packed(c: super::raster::Rgba) -> f64 {
    u32::from_be_bytes(c) as f64
}

/// One frame of canvas drawing, recorded.
#[derive(Default)]
pub struct Rec {
    nums: Vec<f64>,
    strs: Vec<String>,
}

impl Rec {
    fn op(&mut self, op: Op, args: &[f64]) {
        self.nums.push(op as u8 as f64);
        self.nums.extend_from_slice(args);
    }
    fn str_op(&mut self, op: Op, s: &str, args: &[f64]) {
        let i = match self.strs.iter().position(|x| x == s) {
            Some(i) => i,
            None => {
                self.strs.push(s.to_string());
                self.strs.len() - 1
            }
        };
        self.nums.push(op as u8 as f64);
        self.nums.push(i as f64);
        self.nums.extend_from_slice(args);
    }
    pub fn clear_rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.op(Op::ClearRect, &[x, y, w, h]);
    }
    pub fn set_transform(&mut self, a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) {
        self.op(Op::SetTransform, &[a, b, c, d, e, f]);
    }
    pub fn scale(&mut self, x: f64, y: f64) {
        self.op(Op::Scale, &[x, y]);
    }
    pub fn set_stroke_style_str(&mut self, s: &str) {
        self.str_op(Op::StrokeStyle, s, &[]);
    }
    pub fn set_fill_style_str(&mut self, s: &str) {
        self.str_op(Op::FillStyle, s, &[]);
    }
    pub fn set_line_width(&mut self, w: f64) {
        self.op(Op::LineWidth, &[w]);
    }
    pub fn set_global_alpha(&mut self, a: f64) {
        self.op(Op::GlobalAlpha, &[a]);
    }
    pub fn set_line_dash(&mut self, dash: &[f64]) {
        self.op(Op::LineDash, &[dash.len() as f64]);
        self.nums.extend_from_slice(dash);
    }
    pub fn begin_path(&mut self) {
        self.op(Op::BeginPath, &[]);
    }
    pub fn move_to(&mut self, x: f64, y: f64) {
        self.op(Op::MoveTo, &[x, y]);
    }
    pub fn line_to(&mut self, x: f64, y: f64) {
        self.op(Op::LineTo, &[x, y]);
    }
    pub fn close_path(&mut self) {
        self.op(Op::ClosePath, &[]);
    }
    pub fn stroke(&mut self) {
        self.op(Op::Stroke, &[]);
    }
    pub fn fill(&mut self) {
        self.op(Op::Fill, &[]);
    }
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.op(Op::Rect, &[x, y, w, h]);
    }
    pub fn arc(&mut self, x: f64, y: f64, r: f64, a0: f64, a1: f64) {
        self.op(Op::Arc, &[x, y, r, a0, a1]);
    }
    pub fn fill_text(&mut self, s: &str, x: f64, y: f64) {
        self.str_op(Op::FillText, s, &[x, y]);
    }
    pub fn set_font(&mut self, s: &str) {
        self.str_op(Op::Font, s, &[]);
    }
    pub fn set_text_align(&mut self, s: &str) {
        self.str_op(Op::TextAlign, s, &[]);
    }
    /// The canvas's pixel buffer (the painter's, one per canvas) is cleared to `w`×`h`: only
    /// what the last frame drew is wiped (see [`super::raster::Raster::clear`]).
    pub fn raster_begin(&mut self, w: u32, h: u32) {
        self.op(
            Op::Raster,
            &[RasterOp::Begin as u8 as f64, w as f64, h as f64],
        );
    }
    /// A filled disc into the pixel buffer ([`super::raster::Raster::disc`]).
    pub fn disc(&mut self, x: f64, y: f64, r: f64, c: super::raster::Rgba, alpha: f64) {
        self.op(
            Op::Raster,
            &[RasterOp::Disc as u8 as f64, x, y, r, packed(c), alpha],
        );
    }
    /// A stroked circle into the pixel buffer ([`super::raster::Raster::ring`]).
    pub fn ring(&mut self, x: f64, y: f64, r: f64, width: f64, c: super::raster::Rgba, alpha: f64) {
        let args = [
            RasterOp::Ring as u8 as f64,
            x,
            y,
            r,
            width,
            packed(c),
            alpha,
        ];
        self.op(Op::Raster, &args);
    }
    /// A round-capped segment into the pixel buffer ([`super::raster::Raster::segment`]).
    pub fn segment(
        &mut self,
        a: (f64, f64),
        b: (f64, f64),
        width: f64,
        c: super::raster::Rgba,
        alpha: f64,
    ) {
        let args = [
            RasterOp::Segment as u8 as f64,
            a.0,
            a.1,
            b.0,
            b.1,
            width,
            packed(c),
            alpha,
        ];
        self.op(Op::Raster, &args);
    }
    /// The pixel buffer's changed rows go to the canvas (one `putImageData`): those drawn in
    /// this frame or wiped from the last one; with `whole`, only those drawn in this frame
    /// (after a `clear_rect` of the canvas).
    pub fn raster_put(&mut self, whole: bool) {
        self.op(
            Op::Raster,
            &[RasterOp::Put as u8 as f64, f64::from(u8::from(whole))],
        );
    }
    /// Sends the frame to `canvas`, `w`×`h` device pixels. `full`: the frame starts from a
    /// cleared canvas, so frames still waiting before it may be dropped.
    pub fn send(&self, canvas: &HtmlCanvasElement, w: u32, h: u32, full: bool) {
        API.with(|a| {
            let Some(a) = a else { return };
            let strs = JsValue::from_str(&self.strs.join("\u{1}"));
            let args = js_sys::Array::new_with_length(6);
            args.set(0, canvas.into());
            args.set(1, w.into());
            args.set(2, h.into());
            args.set(4, strs);
            args.set(5, full.into());
            // SAFETY: the view into wasm memory is copied by paint.js before it returns, and
            // nothing allocates in wasm memory between its making and that call.
            unsafe {
                args.set(3, js_sys::Float64Array::view(&self.nums).into());
            }
            let _ = a.paint.apply(&JsValue::NULL, &args);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{Op, RasterOp};

    /// Every op code means the same call in paint.js's `replay`.
    #[test]
    fn op_codes_agree_with_the_replay() {
        let js = include_str!("paint.js");
        let ops = [
            (Op::ClearRect, "ctx.clearRect("),
            (Op::SetTransform, "ctx.setTransform("),
            (Op::Scale, "ctx.scale("),
            (Op::StrokeStyle, "ctx.strokeStyle ="),
            (Op::FillStyle, "ctx.fillStyle ="),
            (Op::LineWidth, "ctx.lineWidth ="),
            (Op::GlobalAlpha, "ctx.globalAlpha ="),
            (Op::LineDash, "ctx.setLineDash("),
            (Op::BeginPath, "ctx.beginPath("),
            (Op::MoveTo, "ctx.moveTo("),
            (Op::LineTo, "ctx.lineTo("),
            (Op::ClosePath, "ctx.closePath("),
            (Op::Stroke, "ctx.stroke("),
            (Op::Fill, "ctx.fill("),
            (Op::Rect, "ctx.rect("),
            (Op::Arc, "ctx.arc("),
            (Op::FillText, "ctx.fillText("),
            (Op::Font, "ctx.font ="),
            (Op::TextAlign, "ctx.textAlign ="),
            (Op::Raster, "ctx.putImageData("),
        ];
        for (op, call) in ops {
            let case = format!("case {}:", op as u8);
            let at = js
                .find(&case)
                .unwrap_or_else(|| panic!("paint.js has no {case}"));
            let body = &js[at..];
            let end = body[case.len()..]
                .find("case ")
                .map_or(body.len(), |e| e + case.len());
            assert!(
                body[..end].contains(call),
                "{case} should call {call}: {}",
                &body[..end]
            );
        }
        assert!(
            !js.contains(&format!("case {}:", ops.len())),
            "an op paint.rs lacks"
        );
        // The raster ops: each kind's length agrees with rasterOp's, and the recording splits.
        let at = js.find("function rasterOp(").expect("rasterOp");
        let body = &js[at..at + js[at..].find("\n}\n").expect("its end")];
        for (kind, op) in [
            (RasterOp::Begin, "rclear("),
            (RasterOp::Put, ""),
            (RasterOp::Disc, "rdisc("),
            (RasterOp::Ring, "rring("),
            (RasterOp::Segment, "rsegment("),
        ] {
            let k = kind as u8;
            let case = format!("case {k}:");
            let line = body[body.find(&case).expect(&case)..]
                .lines()
                .next()
                .unwrap();
            let n = super::raster_len(k).unwrap();
            assert!(
                line.contains(&format!("return {n};")),
                "{line} should return {n}"
            );
            assert!(line.contains(op), "{line} should call {op}");
        }
        let mut rec = super::Rec::default();
        rec.raster_begin(4, 3);
        rec.disc(1.0, 1.0, 1.0, [1, 2, 3, 4], 1.0);
        rec.ring(1.0, 1.0, 1.0, 1.0, [1, 2, 3, 4], 1.0);
        rec.segment((0.0, 0.0), (1.0, 1.0), 1.0, [1, 2, 3, 4], 1.0);
        rec.raster_put(true);
        let ops = super::raster_ops(&rec.nums).unwrap();
        assert_eq!(ops.len(), rec.nums.len() - 5);
        assert_eq!(&ops[..3], &[1.0, 4.0, 3.0]);
        assert_eq!(
            ops[7],
            f64::from(0x0102_0304u32),
            "rgba packed as 0xRRGGBBAA"
        );
        rec.clear_rect(0.0, 0.0, 1.0, 1.0);
        assert!(super::raster_ops(&rec.nums).is_none(), "only raster ops");
    }
}
