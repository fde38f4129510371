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
        const y0 = n[i];
        const y1 = n[i + 1];
        i += 2;
        if (m.img && y1 > y0 && m.img.length === m.w * (y1 - y0) * 4) {
          ctx.putImageData(new ImageData(m.img, m.w, y1 - y0), 0, y0);
        }
        break;
      }
      default: return;
    }
  }
}
function worker() {
  const canvases = new Map();
  let scheduled = false;
  let painted = 0;
  let applied = 0;
  let superseded = 0;
  const later = self.requestAnimationFrame ? (f) => self.requestAnimationFrame(f) : (f) => setTimeout(f, 16);
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
const pool = [];
function pixels(img, cap) {
  const i = pool.findIndex((b) => b.byteLength >= img.length);
  const buf = i >= 0 ? pool.splice(i, 1)[0] : new ArrayBuffer(Math.max(cap, img.length));
  const out = new Uint8ClampedArray(buf, 0, img.length);
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
    }
  }
  where.set(canvas, p);
  return p;
}
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
return { paint_canvas, paint_off_thread };
