// The canvases' painter. src/ui/paint.rs compiles this file's text as the body of a function
// (`new Function`) and calls what it returns; it is not a wasm-bindgen snippet because the Web
// Worker binary, built for wasm-bindgen's `no-modules` target, links the same crate and that
// target refuses snippets.
//
// The wasm records a frame's canvas drawing as a list of numbers (an op code, then its
// arguments; strings by index) instead of calling the canvas once per line. Here the list is
// replayed, preferably in a Web Worker on an OffscreenCanvas (`transferControlToOffscreen`): the
// software rasterisation of hundreds of arrows, which Chromium otherwise does on the page's main
// thread when it commits a frame, then happens beside it, and the main thread's frames stay
// short. Without OffscreenCanvas or Workers, the same replay runs on the main thread.
//
// The worker applies a canvas's frames in order, but a frame that starts from a clear canvas
// (`full`) supersedes the ones still waiting, so a slow worker drops stale frames instead of
// falling behind.

// Op codes; keep in step with `Op` in paint.rs.
function replay(st, m) {
  const c = st.canvas;
  if (c.width !== m.w) c.width = m.w;
  if (c.height !== m.h) c.height = m.h;
  const ctx = st.ctx || (st.ctx = c.getContext('2d'));
  const n = m.nums;
  const s = m.strs;
  let i = 0;
  while (i < n.length) {
    switch (n[i++]) {
      case 0: ctx.clearRect(n[i], n[i + 1], n[i + 2], n[i + 3]); i += 4; break;
      case 1: ctx.setTransform(n[i], n[i + 1], n[i + 2], n[i + 3], n[i + 4], n[i + 5]); i += 6; break;
      case 2: ctx.scale(n[i], n[i + 1]); i += 2; break;
      case 3: ctx.strokeStyle = s[n[i++]]; break;
      case 4: ctx.fillStyle = s[n[i++]]; break;
      case 5: ctx.lineWidth = n[i++]; break;
      case 6: ctx.globalAlpha = n[i++]; break;
      case 7: { const k = n[i++]; ctx.setLineDash(Array.from(n.subarray(i, i + k))); i += k; break; }
      case 8: ctx.beginPath(); break;
      case 9: ctx.moveTo(n[i], n[i + 1]); i += 2; break;
      case 10: ctx.lineTo(n[i], n[i + 1]); i += 2; break;
      case 11: ctx.closePath(); break;
      case 12: ctx.stroke(); break;
      case 13: ctx.fill(); break;
      case 14: ctx.rect(n[i], n[i + 1], n[i + 2], n[i + 3]); i += 4; break;
      case 15: ctx.arc(n[i], n[i + 1], n[i + 2], n[i + 3], n[i + 4]); i += 5; break;
      case 16: ctx.fillText(s[n[i]], n[i + 1], n[i + 2]); i += 3; break;
      case 17: ctx.font = s[n[i++]]; break;
      case 18: ctx.textAlign = s[n[i++]]; break;
      case 19: {
        // The frame's pixel rows (m.img, m.w wide) go to rows y0..y1.
        const y0 = n[i];
        const y1 = n[i + 1];
        i += 2;
        if (m.img && y1 > y0 && m.img.length === m.w * (y1 - y0) * 4) {
          ctx.putImageData(new ImageData(m.img, m.w, y1 - y0), 0, y0);
        }
        break;
      }
      default: return; // unknown op: stop rather than misread the rest
    }
  }
}

// The worker's side: canvases by id, each with the frames waiting for the next paint.
function worker() {
  const canvases = new Map();
  let scheduled = false;
  let painted = 0;
  let applied = 0;
  let superseded = 0;
  const later = self.requestAnimationFrame ? (f) => self.requestAnimationFrame(f) : (f) => setTimeout(f, 16);
  // Pixel buffers go back to the page to be filled again (no 1.6 MB allocation a frame).
  const giveBack = (m) => {
    if (m.img) self.postMessage({ t: 'buf', buf: m.img.buffer }, [m.img.buffer]);
  };
  const flush = (st) => {
    for (const m of st.q) {
      replay(st, m);
      applied++;
      giveBack(m);
    }
    st.q.length = 0;
  };
  const run = () => {
    scheduled = false;
    for (const st of canvases.values()) flush(st);
    painted++;
  };
  self.onmessage = (e) => {
    const m = e.data;
    if (m.t === 'add') {
      canvases.set(m.id, { canvas: m.canvas, ctx: null, q: [] });
    } else if (m.t === 'drop') {
      canvases.delete(m.id);
    } else if (m.t === 'draw') {
      const st = canvases.get(m.id);
      if (!st) return;
      if (m.full) {
        superseded += st.q.length;
        st.q.forEach(giveBack);
        st.q.length = 0;
      }
      st.q.push(m);
      if (!scheduled) {
        scheduled = true;
        later(run);
      }
    } else if (m.t === 'alpha') {
      const st = canvases.get(m.id);
      let a = -1;
      if (st) {
        flush(st);
        try {
          a = st.ctx ? st.ctx.getImageData(m.x, m.y, 1, 1).data[3] : 0;
        } catch {
          a = -1;
        }
      }
      self.postMessage({ t: 'alpha', req: m.req, a });
    } else if (m.t === 'stats') {
      self.postMessage({ t: 'stats', req: m.req, painted, applied, superseded });
    }
  };
}

const inPage = typeof window !== 'undefined' && typeof document !== 'undefined';
const canOffscreen =
  inPage &&
  typeof Worker !== 'undefined' &&
  typeof OffscreenCanvas !== 'undefined' &&
  typeof HTMLCanvasElement !== 'undefined' &&
  'transferControlToOffscreen' in HTMLCanvasElement.prototype &&
  // (Set by an init script, the A/B benchmark paints on the main thread.)
  !window.__swarmscopePaintHere;

let theWorker = null;
let nextId = 1;
let nextReq = 1;
const replies = new Map();
// canvas -> { id } (in the worker) or { local: { canvas, ctx } }; and the size last drawn.
const where = new WeakMap();
// id -> WeakRef(canvas), to tell the worker when a canvas is gone.
const live = new Map();
// Pixel buffers the worker gave back.
const pool = [];

/// A copy of `img` (a view into wasm memory) in a pooled buffer when one is big enough (else a
/// new one of `cap` bytes, the whole canvas, so that it fits the next frames too).
function pixels(img, cap) {
  const i = pool.findIndex((b) => b.byteLength >= img.length);
  const buf = i >= 0 ? pool.splice(i, 1)[0] : new ArrayBuffer(Math.max(cap, img.length));
  const out = new Uint8ClampedArray(buf, 0, img.length);
  // Same element type on both sides: a plain memory copy.
  out.set(new Uint8ClampedArray(img.buffer, img.byteOffset, img.length));
  return out;
}

function startWorker() {
  if (theWorker !== null) return theWorker;
  theWorker = false;
  try {
    const src = `${replay.toString()}\n(${worker.toString()})();\n`;
    const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onmessage = (e) => {
      if (e.data.t === 'buf') {
        if (pool.length < 3) pool.push(e.data.buf);
        return;
      }
      const r = replies.get(e.data.req);
      if (r) {
        replies.delete(e.data.req);
        r(e.data);
      }
    };
    theWorker = w;
  } catch {
    theWorker = false;
  }
  return theWorker;
}

function place(canvas) {
  let p = where.get(canvas);
  if (p) return p;
  p = { local: { canvas, ctx: null } };
  const w = canOffscreen ? startWorker() : false;
  if (w) {
    try {
      const oc = canvas.transferControlToOffscreen();
      const id = nextId++;
      w.postMessage({ t: 'add', id, canvas: oc }, [oc]);
      p = { id };
      if (typeof WeakRef !== 'undefined') live.set(id, new WeakRef(canvas));
    } catch {
      // Already has a context, or the browser refuses: draw here.
    }
  }
  where.set(canvas, p);
  return p;
}

/// Paints one recorded frame on `canvas` (`w`×`h` device pixels). `nums` and `img` are views
/// into wasm memory: used before anything else runs, or copied for the worker.
function paint_canvas(canvas, w, h, nums, strs, img, full) {
  const p = place(canvas);
  p.w = w;
  p.h = h;
  const m = { t: 'draw', w, h, nums, strs: strs.length ? strs.split('\u0001') : [], img: null, full };
  if (p.local) {
    if (img.length) m.img = new Uint8ClampedArray(img.buffer, img.byteOffset, img.length);
    replay(p.local, m);
    return;
  }
  m.nums = nums.slice();
  if (img.length) m.img = pixels(img, w * h * 4);
  for (const [id, ref] of live) {
    if (ref.deref() === undefined) {
      theWorker.postMessage({ t: 'drop', id });
      live.delete(id);
    }
  }
  m.id = p.id;
  theWorker.postMessage(m, m.img ? [m.nums.buffer, m.img.buffer] : [m.nums.buffer]);
}

/// Whether canvases are painted off the main thread.
function paint_off_thread() {
  return canOffscreen && startWorker() !== false;
}

function ask(msg) {
  return new Promise((resolve) => {
    const req = nextReq++;
    replies.set(req, resolve);
    theWorker.postMessage({ ...msg, req });
  });
}

if (inPage) {
  // For tests: the alpha of the canvas pixel under client point (x, y) (-1 when unknown).
  window.swarmscopeAlpha = async (testid, x, y) => {
    const c = document.querySelector(`[data-testid=${testid}]`);
    const p = c && where.get(c);
    if (!p) return -1;
    const r = c.getBoundingClientRect();
    const k = (p.w ?? c.width) / r.width;
    const px = Math.floor((x - r.left) * k);
    const py = Math.floor((y - r.top) * k);
    if (p.local) return c.getContext('2d').getImageData(px, py, 1, 1).data[3];
    return (await ask({ t: 'alpha', id: p.id, x: px, y: py })).a;
  };
  // For the frame benchmark: how many frames the painter drew (null: it draws on this thread).
  window.swarmscopePaintStats = async () => (theWorker ? ask({ t: 'stats' }) : null);
}

return { paint_canvas, paint_off_thread };
