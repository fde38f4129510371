// The canvases' painter; how and why: src/ui/paint.rs (this text is its `new Function` body).
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
        const R = st.raster || (st.raster = newRaster());
        if (n[i] !== 2) {
          i += rasterOp(R, n, i);
          break;
        }
        const rows = rasterRows(R, n[i + 1] === 1);
        i += 2;
        if (rows) {
          const px = new Uint8ClampedArray(R.px.buffer, rows[0] * R.w * 4, (rows[1] - rows[0]) * R.w * 4);
          ctx.putImageData(new ImageData(px, R.w, rows[1] - rows[0]), 0, rows[0]);
        }
        break;
      }
      default: return;
    }
  }
}
// The stage's message dots, stamped into an RGBA buffer that goes to the canvas in one
// putImageData (see src/ui/raster.rs, of which this is a port, tested against it in tests/web.rs:
// the canvas's own arcs cost ~15x more without a GPU). Op 19's first number says what: 1 begin
// (w, h: clear to w x h), 2 put (whole: the rows drawn, else those drawn now or last time),
// 3 disc (x, y, r, rgba, alpha), 4 ring (x, y, r, width, rgba, alpha), 5 segment (ax, ay, bx,
// by, width, rgba, alpha); rgba packed in one number, 0xRRGGBBAA.
const SUB = 8;
function newRaster() {
  return { w: 0, h: 0, px: new Uint8ClampedArray(0), px32: new Uint32Array(0), drawn: null, before: null, masks: null, c: [0, 0, 0, 0], c32: 0 };
}
function rasterOp(R, n, i) {
  const kind = n[i];
  const col = (p) => {
    const c = R.c;
    c[0] = Math.floor(p / 16777216) & 255;
    c[1] = (p >>> 16) & 255;
    c[2] = (p >>> 8) & 255;
    c[3] = p & 255;
    // The same colour as one pixel of the Uint32 view (little-endian: ABGR).
    R.c32 = ((c[3] << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;
    return c;
  };
  switch (kind) {
    case 1: R.before = R.drawn && R.drawn.slice(); rclear(R, n[i + 1], n[i + 2]); return 3;
    case 2: return 2;
    case 3: rdisc(R, n[i + 1], n[i + 2], n[i + 3], col(n[i + 4]), n[i + 5]); return 6;
    case 4: rring(R, n[i + 1], n[i + 2], n[i + 3], n[i + 4], col(n[i + 5]), n[i + 6]); return 7;
    case 5: rsegment(R, n[i + 1], n[i + 2], n[i + 3], n[i + 4], n[i + 5], col(n[i + 6]), n[i + 7]); return 8;
    default: return n.length;
  }
}
function rasterRows(R, whole) {
  const a = whole ? null : R.before;
  const b = R.drawn;
  let rows = null;
  if (a && b) rows = [Math.min(a[1], b[1]), Math.max(a[3], b[3])];
  else if (a || b) rows = [(a || b)[1], (a || b)[3]];
  if (!rows) return null;
  rows[0] = Math.min(rows[0], R.h);
  rows[1] = Math.min(rows[1], R.h);
  return rows[1] > rows[0] ? rows : null;
}
function rclear(R, w, h) {
  if (R.w !== w || R.h !== h) {
    R.w = w;
    R.h = h;
    R.px = new Uint8ClampedArray(w * h * 4);
    R.px32 = new Uint32Array(R.px.buffer);
    R.drawn = null;
    return;
  }
  const d = R.drawn;
  R.drawn = null;
  if (d) for (let y = d[1]; y < d[3]; y++) R.px32.fill(0, y * w + d[0], y * w + d[2]);
}
function rgrow(R, x0, y0, x1, y1) {
  const d = R.drawn;
  R.drawn = d ? [Math.min(d[0], x0), Math.min(d[1], y0), Math.max(d[2], x1), Math.max(d[3], y1)] : [x0, y0, x1, y1];
}
function rblend(px, o, c, a) {
  const sa = (a * c[3]) / 255;
  if (px[o + 3] === 0) {
    px[o] = c[0];
    px[o + 1] = c[1];
    px[o + 2] = c[2];
    px[o + 3] = Math.floor(sa * 255 + 0.5);
    return;
  }
  const k = (px[o + 3] / 255) * (1 - sa);
  const oa = sa + k;
  if (oa <= 0) return;
  const inv = 1 / oa;
  for (let j = 0; j < 3; j++) px[o + j] = Math.floor((c[j] * sa + px[o + j] * k) * inv + 0.5);
  px[o + 3] = Math.floor(oa * 255 + 0.5);
}
function rdisc(R, cx, cy, r, c, alpha) {
  if (!(isFinite(cx) && isFinite(cy) && isFinite(r)) || alpha <= 0 || r <= 0) return;
  if (cx < -r - 2 || cy < -r - 2 || cx > R.w + r + 2 || cy > R.h + r + 2) return;
  const fx = Math.floor(cx);
  const fy = Math.floor(cy);
  const qx = Math.min(SUB - 1, Math.floor((cx - fx) * SUB));
  const qy = Math.min(SUB - 1, Math.floor((cy - fy) * SUB));
  if (!R.masks || R.masks.r !== r) R.masks = { r, list: new Array(SUB * SUB).fill(null) };
  let m = R.masks.list[qy * SUB + qx];
  if (!m) {
    const reach = Math.ceil(r) + 1;
    const size = 2 * reach + 1;
    const mx = reach + (qx + 0.5) / SUB;
    const my = reach + (qy + 0.5) / SUB;
    const cov = new Uint8Array(size * size);
    for (let j = 0; j < size; j++) {
      for (let k = 0; k < size; k++) {
        const dx = k + 0.5 - mx;
        const dy = j + 0.5 - my;
        cov[j * size + k] = Math.round(Math.min(1, Math.max(0, r + 0.5 - Math.sqrt(dx * dx + dy * dy))) * 255);
      }
    }
    m = R.masks.list[qy * SUB + qx] = { size, reach, cov };
  }
  const size = m.size;
  const ox = fx - m.reach;
  const oy = fy - m.reach;
  const opaque = alpha >= 1 && c[3] === 255;
  const w = R.w;
  const i0 = Math.max(0, -ox);
  const j0 = Math.max(0, -oy);
  const i1 = Math.min(size, Math.max(0, w - ox));
  const j1 = Math.min(size, Math.max(0, R.h - oy));
  if (i0 >= i1 || j0 >= j1) return;
  const px = R.px;
  const px32 = R.px32;
  const c32 = R.c32;
  const cov = m.cov;
  for (let j = j0; j < j1; j++) {
    const row = (oy + j) * w + ox;
    const mrow = j * size;
    for (let k = i0; k < i1; k++) {
      const v = cov[mrow + k];
      if (v === 0) continue;
      if (v === 255 && opaque) px32[row + k] = c32;
      else rblend(px, (row + k) * 4, c, (v / 255) * alpha);
    }
  }
  rgrow(R, ox + i0, oy + j0, ox + i1, oy + j1);
}
function rstamp(R, cx, cy, reach, c, alpha, cover) {
  if (!(isFinite(cx) && isFinite(cy) && isFinite(reach)) || alpha <= 0) return;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const x1 = Math.max(0, Math.min(R.w, Math.ceil(cx + reach) + 1));
  const y1 = Math.max(0, Math.min(R.h, Math.ceil(cy + reach) + 1));
  if (x0 >= x1 || y0 >= y1) return;
  let any = false;
  const opaque = alpha >= 1 && c[3] === 255;
  const px = R.px;
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5 - cy;
    for (let x = x0; x < x1; x++) {
      const a = cover(x + 0.5 - cx, py);
      if (!(a > 0)) continue;
      const o = (y * R.w + x) * 4;
      any = true;
      if (a >= 1 && opaque) {
        px[o] = c[0];
        px[o + 1] = c[1];
        px[o + 2] = c[2];
        px[o + 3] = c[3];
      } else rblend(px, o, c, Math.min(a, 1) * alpha);
    }
  }
  if (any) rgrow(R, x0, y0, x1, y1);
}
function rring(R, cx, cy, r, width, c, alpha) {
  const hw = width / 2;
  const inner = Math.max(r - hw - 0.5, 0) ** 2;
  const outer = (r + hw + 0.5) ** 2;
  rstamp(R, cx, cy, r + hw + 1, c, alpha, (dx, dy) => {
    const d2 = dx * dx + dy * dy;
    return d2 <= inner || d2 >= outer ? 0 : hw + 0.5 - Math.abs(Math.sqrt(d2) - r);
  });
}
function rsegment(R, ax, ay, bx, by, width, c, alpha) {
  const cx = (ax + bx) / 2;
  const cy = (ay + by) / 2;
  const hw = width / 2;
  const reach = Math.max(Math.abs(bx - ax), Math.abs(by - ay)) / 2 + hw + 1;
  const [a0, a1, b0, b1] = [ax - cx, ay - cy, bx - cx, by - cy];
  const dx = b0 - a0;
  const dy = b1 - a1;
  const len2 = dx * dx + dy * dy;
  rstamp(R, cx, cy, reach, c, alpha, (px, py) => {
    const t = len2 <= 1e-12 ? 0 : Math.min(1, Math.max(0, ((px - a0) * dx + (py - a1) * dy) / len2));
    const qx = a0 + dx * t;
    const qy = a1 + dy * t;
    return hw + 0.5 - Math.sqrt((px - qx) ** 2 + (py - qy) ** 2);
  });
}
// For tests (tests/web.rs): runs raster ops on a fresh w x h raster, returns its pixels.
function raster_run(w, h, nums) {
  const R = newRaster();
  rclear(R, w, h);
  for (let i = 0; i < nums.length; ) i += rasterOp(R, nums, i);
  return R.px;
}
const RASTER = [SUB, newRaster, rasterOp, rasterRows, rclear, rgrow, rblend, rdisc, rstamp, rring, rsegment];
function worker() {
  const canvases = new Map();
  let scheduled = false;
  let painted = 0;
  let applied = 0;
  let superseded = 0;
  const later = self.requestAnimationFrame ? (f) => self.requestAnimationFrame(f) : (f) => setTimeout(f, 16);
  const flush = (st) => {
    for (const m of st.q) {
      replay(st, m);
      applied++;
    }
    st.q.length = 0;
  };
  let busy = 0;
  const run = () => {
    scheduled = false;
    const t0 = performance.now();
    for (const st of canvases.values()) flush(st);
    busy += performance.now() - t0;
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
      self.postMessage({ t: 'stats', req: m.req, painted, applied, superseded, busy });
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
  !window.__swarmscopePaintHere;
let theWorker = null;
let nextId = 1;
let nextReq = 1;
const replies = new Map();
const where = new WeakMap();
const live = new Map();
function startWorker() {
  if (theWorker !== null) return theWorker;
  theWorker = false;
  try {
    const src = `const SUB = ${SUB};\n${[replay, ...RASTER.slice(1)].map(String).join('\n')}\n(${worker.toString()})();\n`;
    const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onmessage = (e) => {
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
    }
  }
  where.set(canvas, p);
  return p;
}
function paint_canvas(canvas, w, h, nums, strs, full) {
  const p = place(canvas);
  p.w = w;
  p.h = h;
  const m = { t: 'draw', w, h, nums, strs: strs.length ? strs.split('\u0001') : [], full };
  if (p.local) {
    replay(p.local, m);
    return;
  }
  m.nums = nums.slice();
  for (const [id, ref] of live) {
    if (ref.deref() === undefined) {
      theWorker.postMessage({ t: 'drop', id });
      live.delete(id);
    }
  }
  m.id = p.id;
  theWorker.postMessage(m, [m.nums.buffer]);
}
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
  window.swarmscopePaintStats = async () => (theWorker ? ask({ t: 'stats' }) : null);
}
return { paint_canvas, paint_off_thread, raster_run };
