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
//! (made from a Blob of its own `replay` function), copies a frame's numbers and pixel rows out of
//! wasm memory (pixel buffers come back from the worker to be reused, so a frame allocates no
//! megabytes), and posts them. The worker applies a canvas's frames in order at its own animation
//! frame, but a frame that starts from a cleared canvas (`full`) supersedes the ones still
//! waiting, so a slow worker drops stale frames instead of falling behind. Without
//! OffscreenCanvas or Workers — or with `window.__swarmscopePaintHere` set by an init script —
//! the same replay runs on the page's canvases. For tests and benchmarks it installs
//! `window.swarmscopeAlpha(testid, clientX, clientY)` (a canvas pixel's alpha, through the
//! painter) and `window.swarmscopePaintStats()` (the worker's frames painted, ops applied, frames
//! superseded; `null` when painting on the page).

use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlCanvasElement;

/// The functions `paint.js` returns: `paint_canvas` and `paint_off_thread`.
struct Api {
    paint: js_sys::Function,
    off_thread: js_sys::Function,
}

thread_local! {
    static API: Option<Api> = load();
}

fn load() -> Option<Api> {
    let make = js_sys::Function::new_no_args(include_str!("paint.js"));
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
    PutRows = 19,
}

/// One frame of canvas drawing, recorded.
#[derive(Default)]
pub struct Rec {
    nums: Vec<f64>,
    strs: Vec<String>,
    /// Rows `y0..y1` of the frame's pixels go to the canvas (see [`Rec::put_rows`]).
    rows: Option<(usize, usize)>,
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
    /// Rows `y0..y1` of the pixels handed to [`Rec::send`] go to the canvas here (at most once
    /// a frame).
    pub fn put_rows(&mut self, y0: usize, y1: usize) {
        self.rows = Some((y0, y1));
        self.op(Op::PutRows, &[y0 as f64, y1 as f64]);
    }
    /// Sends the frame to `canvas`, `w`×`h` device pixels. `pixels`: the whole frame's RGBA rows
    /// (`w` wide), of which [`Rec::put_rows`] named the ones to copy. `full`: the frame starts
    /// from a cleared canvas, so frames still waiting before it may be dropped.
    pub fn send(&self, canvas: &HtmlCanvasElement, w: u32, h: u32, pixels: &[u8], full: bool) {
        let row = w as usize * 4;
        let img = match self.rows {
            Some((y0, y1)) if y1 > y0 && y1 * row <= pixels.len() => &pixels[y0 * row..y1 * row],
            _ => &[][..],
        };
        API.with(|a| {
            let Some(a) = a else { return };
            let strs = JsValue::from_str(&self.strs.join("\u{1}"));
            let args = js_sys::Array::new_with_length(7);
            args.set(0, canvas.into());
            args.set(1, w.into());
            args.set(2, h.into());
            args.set(4, strs);
            args.set(6, full.into());
            // SAFETY: the views into wasm memory are copied by paint.js before it returns, and
            // nothing allocates in wasm memory between their making and that call.
            unsafe {
                args.set(3, js_sys::Float64Array::view(&self.nums).into());
                args.set(5, js_sys::Uint8Array::view(img).into());
            }
            let _ = a.paint.apply(&JsValue::NULL, &args);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Op;

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
            (Op::PutRows, "ctx.putImageData("),
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
    }
}
