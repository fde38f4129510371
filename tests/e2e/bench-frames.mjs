// Frame-time benchmark (a measurement, not a test). Headless Chromium (software rendering, no
// GPU), three cases:
//
//   1. the stage with 25 agents and ≥ 500 messages in flight, playing;
//   2. wheel-scrolling the space-time diagram of a run with ≥ 10,000 messages (one wheel tick per
//      frame, dispatched from the frame's own rAF callback, as Chromium coalesces real wheels);
//   3. the same page paused (the baseline: what an idle frame costs on this machine).
//
// The canvases (messages, arrows) are painted by a Web Worker on OffscreenCanvases
// (src/ui/paint.js), so a frame's cost on the page's main thread is what decides whether the
// page keeps up. By default Chromium runs at its 60 Hz vsync, as a browser does, and for each
// case the benchmark prints p50/p95/max of
//   - `busy`: main-thread time per frame, from a Chromium trace: the renderer main thread's
//             top-level tasks summed from one frame's rAF task to the next (input events, script,
//             style, layout, paint, commit) — the frame time the budget is about;
//   - `cpu`:  the same tasks' main-thread CPU time (the trace's thread durations): `busy` without
//             the time the thread waited or was descheduled — on a shared 2-core box with other
//             work running, the figure that is comparable between runs;
//   - `work`: wall-clock time per frame measured in the page, so also with no trace recording
//             (the trace's own writing takes the same two cores): from the frame's first rAF
//             callback to the end of its rendering task (when a message posted from that callback
//             is handled; a task queued ahead of that message counts too);
//   - `raf`:  requestAnimationFrame deltas (16.7 ms while the page keeps up), and `dropped`: how
//             many were over 25 ms (a frame missed);
// the number of long animation frames (PerformanceObserver 'long-animation-frame', > 50 ms),
// `painter`: frames the worker painted per second and its script time per paint (the replay;
// the raster of what it drew follows in its commit), null when it paints on the main thread; and
// `ms_per_frame`, the mean time per frame in each phase (rAF script, events, style, layout, …).
//
//   PATH="$PWD/node_modules/.bin:$PATH" trunk build --release --offline && node tests/e2e/bench-frames.mjs
//
// Env: BENCH_SECONDS (default 4) per case; DIST=dir to measure another build (A/B);
// BENCH_UNCAPPED=1 lifts the frame-rate cap (--disable-frame-rate-limit --disable-gpu-vsync):
// then rAF deltas follow the main thread's cost while it is the bottleneck (how the figures of
// the second and third rounds were taken) — but with the painting in a worker, a main thread
// with little to do is ticked at ~60 Hz anyway, so uncapped deltas no longer measure cost;
// BENCH_PAINT_HERE=1 makes the page paint its canvases on the main thread (as a browser without
// OffscreenCanvas does); BENCH_LONG (default 20) seconds of each playing/scrolling case again
// with no trace recording: `work` per frame, and the frames missed at 60 Hz (rAF deltas over
// 25 ms): the "never above 16.7 ms" half of the target as a person sees it. Serves ./dist itself (or uses
// $BASE_URL). Where the time goes by
// function: tests/e2e/profile-frames.mjs.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
import { openCase } from './support/cases.mjs';
import { frameStarts } from './support/trace.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const UNCAP = process.env.BENCH_UNCAPPED === '1' ? ['--disable-frame-rate-limit', '--disable-gpu-vsync'] : [];

const server = process.env.BASE_URL ? null : await serveDir(process.env.DIST ?? join(ROOT, 'dist'), 0);
const base = process.env.BASE_URL ?? server.url;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS, ...UNCAP], headless: true });

function stats(d) {
  if (d.length === 0) return { n: 0 };
  const s = [...d].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const f = (v) => Number(v.toFixed(2));
  return { n: s.length, p50: f(q(0.5)), p95: f(q(0.95)), max: f(s[s.length - 1]) };
}

/// Records `ms` of frames: rAF deltas and long animation frames in the page, and a Chromium trace
/// of the renderer's main thread. `perFrame` (a function, or null) runs at the start of each
/// frame's rAF callback with the frame index, e.g. to dispatch a wheel tick.
async function recordFrames(page, ms, perFrame = null) {
  await browser.startTracing(page, { categories: ['devtools.timeline', 'toplevel'] });
  await page.evaluate((src) => {
    const act = src ? eval(`(${src})`) : null;
    window.__work.start();
    const st = (window.__bench = { raf: [], loaf: [], stop: false });
    try {
      st.obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => st.loaf.push(e.duration)));
      st.obs.observe({ type: 'long-animation-frame' });
    } catch {
      st.loaf = null; // not supported
    }
    let last = -1;
    let i = 0;
    const f = (ts) => {
      if (st.stop) return;
      if (last >= 0) st.raf.push(ts - last);
      last = ts;
      if (act) act(i++);
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  }, perFrame ? perFrame.toString() : null);
  await page.waitForTimeout(ms);
  const r = await page.evaluate(() => {
    const st = window.__bench;
    st.stop = true;
    st.obs?.disconnect();
    return { raf: st.raf.slice(5), loaf: st.loaf, work: window.__work.stop() }; // the first frames are warm-up
  });
  const trace = JSON.parse((await browser.stopTracing()).toString());
  return { ...r, ...busyPerFrame(trace) };
}

/// Main-thread time per frame from the trace: the durations of the renderer main thread's
/// top-level tasks, summed from the task that fires one frame's rAF callbacks to the next one's
/// (so a frame's input events, script, style, layout, paint and commit all count). Also the mean
/// time per frame in each phase.
function busyPerFrame(trace) {
  const ev = trace.traceEvents;
  const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return { busy: [], cpu: [], phases: {} };
  const mine = ev.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts);
  const tasks = mine.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  // Frame boundaries: the start of the task containing each FireAnimationFrame (several rAF
  // callbacks, ours and the app's, fire in one task: one frame).
  const bounds = frameStarts(mine, tasks);
  const busy = [];
  const cpu = [];
  let j = 0;
  for (let b = 0; b + 1 < bounds.length; b++) {
    while (j < tasks.length && tasks[j].ts < bounds[b]) j++;
    let sum = 0;
    let th = 0;
    for (let q = j; q < tasks.length && tasks[q].ts < bounds[b + 1]; q++) {
      sum += tasks[q].dur;
      th += tasks[q].tdur ?? tasks[q].dur;
    }
    busy.push(sum / 1000);
    cpu.push(th / 1000);
  }
  const names = {
    FireAnimationFrame: 'rAF script',
    EventDispatch: 'events',
    UpdateLayoutTree: 'style',
    Layout: 'layout',
    PrePaint: 'pre-paint',
    Paint: 'paint',
    Layerize: 'layerize',
    Commit: 'commit',
    MinorGC: 'gc',
    MajorGC: 'gc',
  };
  const sum = {};
  for (const e of mine) if (names[e.name]) sum[names[e.name]] = (sum[names[e.name]] ?? 0) + e.dur / 1000;
  const frames = Math.max(1, bounds.length - 1);
  const phases = Object.fromEntries(Object.entries(sum).map(([n, v]) => [n, Number((v / frames).toFixed(2))]));
  return { busy: busy.slice(5), cpu: cpu.slice(5), phases };
}

async function measure(page, label, extra, perFrame = null) {
  const paints = () => page.evaluate(() => window.swarmscopePaintStats?.() ?? null);
  const p0 = await paints();
  const r = await recordFrames(page, SECONDS * 1000, perFrame);
  const p1 = await paints();
  const out = {
    case: label,
    ...(await extra()),
    busy: stats(r.busy),
    cpu: stats(r.cpu),
    work: stats(r.work),
    raf: stats(r.raf),
    dropped: r.raf.filter((d) => d > 25).length,
    long_frames: r.loaf ? r.loaf.length : 'unsupported',
    painter: p0 && p1 ? { frames_per_s: Number(((p1.painted - p0.painted) / SECONDS).toFixed(1)), ms_per_paint: Number(((p1.busy - p0.busy) / Math.max(1, p1.painted - p0.painted)).toFixed(2)), superseded: p1.superseded - p0.superseded } : null,
    ms_per_frame: r.phases,
  };
  console.log(JSON.stringify(out));
  return out;
}

const stageMsgs = (page) => page.$eval('[data-testid=stage]', (e) => Number(e.dataset.msgs));
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
if (process.env.BENCH_PAINT_HERE === '1') await page.addInitScript(() => { window.__swarmscopePaintHere = true; });
// BENCH_CSS=<rules>: a style sheet added to every page first (to try a CSS change without a build).
if (process.env.BENCH_CSS) {
  await page.addInitScript((css) => {
    addEventListener('DOMContentLoaded', () => document.head.append(Object.assign(document.createElement('style'), { textContent: css })));
  }, process.env.BENCH_CSS);
}

// Each frame's work in wall-clock time, measured in the page (so also with no trace recording):
// from the start of the frame's first rAF callback (the page's requestAnimationFrame is wrapped
// before the app loads) to the end of the frame's rendering task (style, layout, paint, commit),
// when a message posted from that callback is handled. Tasks of the frame's interval other than
// its rendering task (a worker's answer, a timer) are not in it; `busy` counts them.
await page.addInitScript(() => {
  const raf = window.requestAnimationFrame.bind(window);
  const W = (window.__work = { on: false, busy: [], ts: -1, t0: 0, ch: new MessageChannel() });
  W.start = () => { W.busy = []; W.on = true; };
  W.stop = () => { W.on = false; return W.busy.slice(5); };
  W.ch.port1.onmessage = () => W.on && W.busy.push(performance.now() - W.t0);
  window.requestAnimationFrame = (cb) => raf((ts) => {
    if (W.on && ts !== W.ts) {
      W.ts = ts;
      W.t0 = performance.now();
      W.ch.port2.postMessage(0);
    }
    return cb(ts);
  });
});

// Case 1: 25 agents, long latency so that ≥ 500 messages are in flight, playing.
const q1 = 's=heartbeat&seed=1&nodes=25&latency=400ms..600ms&interval=500ms&timeout=5s&t=2s&autoplay=1';
await page.goto(new URL(`/?${q1}`, base).href);
await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]')?.dataset.msgs) >= 500);
const before1 = await stageMsgs(page);
const stage = await measure(page, 'stage: 25 agents playing', async () => ({ in_flight: [before1, await stageMsgs(page)] }));

// Case 2: a diagram over ≥ 10,000 messages (25 agents × 24 peers every 40 ms for 2 s: ~30,000),
// scrolled by one wheel tick per frame, turning round every 40 ticks.
const q2 = 's=heartbeat&seed=1&nodes=25&latency=10ms..20ms&interval=40ms&timeout=1s&t=2s';
await page.goto(new URL(`/?${q2}`, base).href);
await page.getByTestId('spacetime').waitFor();
await page.$eval('[data-testid=spacetime]', (e) => e.scrollIntoView());
const sent = await page.evaluate(() => {
  // The panel shows the metric as words; its key is the row's data-key.
  const v = document.querySelector('.metric[data-key=messages_per_second] .num')?.textContent;
  return v == null ? null : Number(v);
});
const scroll = await measure(
  page,
  'space-time: wheel scrolling',
  async () => ({
    arrows_drawn: Number(await page.$eval('[data-testid=spacetime]', (e) => e.dataset.arrows)),
    in_view: Number(await page.$eval('[data-testid=spacetime]', (e) => e.dataset.total ?? 0)) || undefined,
    messages_per_second: sent,
  }),
  (i) => {
    const el = document.querySelector('[data-testid=spacetime]');
    const dir = Math.floor(i / 40) % 2 === 0 ? -1 : 1;
    el.dispatchEvent(new WheelEvent('wheel', { deltaY: dir * 60, bubbles: true, cancelable: true }));
  },
);

// Baseline: the stage page paused (nothing changes; what an idle frame costs here).
await page.goto(new URL(`/?${q1.replace('&autoplay=1', '&autoplay=0')}`, base).href);
await page.getByTestId('stage').waitFor();
await measure(page, 'baseline: same page paused', async () => ({ in_flight: await stageMsgs(page) }));

// Missed frames over a longer run with no trace recording (the trace's own writing takes the
// renderer's threads too): rAF deltas over 25 ms, i.e. a frame whose work did not fit in 16.7 ms,
// as a person would see it. BENCH_LONG seconds per case (default 20; 0 skips).
const LONG = Number(process.env.BENCH_LONG ?? 20);
async function missed(label, setup) {
  await setup();
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    window.__work.start();
    const st = (window.__missed = { raf: [], stop: false });
    let last = -1;
    const f = (ts) => {
      if (st.stop) return;
      if (last >= 0) st.raf.push(ts - last);
      last = ts;
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
  await page.waitForTimeout(LONG * 1000);
  const [raf, work] = await page.evaluate(() => {
    window.__missed.stop = true;
    return [window.__missed.raf, window.__work.stop()];
  });
  const over = raf.filter((d) => d > 25);
  const out = { case: label, untraced_seconds: LONG, frames: raf.length, missed: over.length, missed_ms: over.map((d) => Number(d.toFixed(1))), raf: stats(raf.slice(5)), work: stats(work) };
  console.log(JSON.stringify(out));
  return out;
}
const long = {};
if (LONG > 0) {
  // The same cases as above (support/cases.mjs).
  long.stage = await missed('stage: 25 agents playing, untraced', () => openCase(page, base, 'stage'));
  long.scrolling = await missed('space-time: wheel scrolling, untraced', () => openCase(page, base, 'scroll'));
}

// The target, read both ways: main-thread CPU per frame, and busy (wall) time per frame,
// which also counts the time the main thread waited for a core (docs/explorer.md, "Sixth round").
for (const [name, r] of [['stage', stage], ['scrolling', scroll]]) {
  const verdict = (k) => `${k} p95 ${r[k].p95} ms, max ${r[k].max} ms: ${r[k].p95 <= 8 && r[k].max <= 16.7 ? 'met' : r[k].p95 <= 8 ? 'p95 met, max not' : 'not met'}`;
  const l = long[name];
  const seen = l ? `${l.missed} of ${l.frames} frames missed in ${l.untraced_seconds} s untraced (rAF deltas p95 ${l.raf.p95} ms, max ${l.raf.max} ms)` : 'not measured';
  const work = l && l.work.n > 0 ? `work p95 ${l.work.p95} ms, max ${l.work.max} ms over ${l.work.n} frames untraced: ${l.work.p95 <= 8 && l.work.max <= 16.7 ? 'met' : l.work.p95 <= 8 ? 'p95 met, max not' : 'not met'}` : 'not measured';
  console.log(JSON.stringify({ target: 'p95 <= 8 ms, never above 16.7 ms', case: name, cpu: verdict('cpu'), busy: verdict('busy'), work, missed: seen }));
}

await browser.close();
await server?.close();
