// Where the main thread's wall time goes when it is not its CPU time (a tool, not a test): frames
// cut as bench-frames.mjs cuts them; for the frames whose wall-clock busy time most exceeds their
// CPU time, which trace events (self time) waited, and which other threads ran meanwhile (CPU of
// their top-level events inside the frame's window, by process and thread name).
//
//   node tests/e2e/frames-gap.mjs [stage|scroll] [dist]
// Env: SECS (default 8), N (frames shown, default 6).
import { traceCase, frameStarts, setSelfTimes } from './support/trace.mjs';
const which = process.argv[2] ?? 'stage';
const ev = await traceCase(which, process.argv[3] ?? 'dist', {
  secs: Number(process.env.SECS ?? 8),
  categories: ['devtools.timeline', 'toplevel', 'blink', 'cc', 'v8', 'disabled-by-default-devtools.timeline', 'benchmark', 'gpu', 'viz'],
});
const names = new Map();
const procs = new Map();
for (const e of ev) {
  if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name);
  if (e.name === 'process_name') procs.set(e.pid, e.args?.name);
}
const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
if (!main) {
  console.error('no CrRendererMain thread in the trace');
  process.exit(1);
}
const mine = ev.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
const tasks = mine.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
const bounds = frameStarts(mine, tasks);
setSelfTimes(mine);
// Other threads' top-level events (outermost on their thread), for who-ran-when.
const others = new Map();
for (const e of ev) {
  if (e.ph !== 'X' || (e.pid === main.pid && e.tid === main.tid)) continue;
  const k = `${e.pid}:${e.tid}`;
  if (!others.has(k)) others.set(k, []);
  others.get(k).push(e);
}
const outer = new Map();
for (const [k, list] of others) {
  list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const top = [];
  let end = -1;
  for (const e of list) if (e.ts >= end) { top.push(e); end = e.ts + e.dur; }
  outer.set(k, top);
}
const frames = [];
for (let b = 0; b + 1 < bounds.length; b++) {
  const lo = bounds[b], hi = bounds[b + 1];
  let busy = 0, cpu = 0;
  for (const t of tasks) if (t.ts >= lo && t.ts < hi) { busy += t.dur / 1000; cpu += (t.tdur ?? t.dur) / 1000; }
  frames.push({ lo, hi, busy, cpu });
}
const gaps = frames.map((f) => f.busy - f.cpu).sort((a, b) => a - b);
const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
console.log(which, 'frames', frames.length, 'wall-minus-cpu p50', q(0.5).toFixed(2), 'p95', q(0.95).toFixed(2), 'max', q(1).toFixed(2));
const worst = [...frames].sort((a, b) => (b.busy - b.cpu) - (a.busy - a.cpu)).slice(0, Number(process.env.N ?? 6));
for (const f of worst) {
  console.log(`\nframe at ${((f.lo - frames[0].lo) / 1000).toFixed(1)} ms: busy ${f.busy.toFixed(2)} cpu ${f.cpu.toFixed(2)}`);
  const waits = mine.filter((e) => e.ts >= f.lo && e.ts < f.hi && e.selfWall - e.self > 300)
    .map((e) => [e.name, (e.selfWall - e.self) / 1000, e.self / 1000, (e.ts - f.lo) / 1000]);
  for (const [n, w, c, at] of waits.sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`  waited ${w.toFixed(2)} (cpu ${c.toFixed(2)}) at +${at.toFixed(1)} in ${n}`);
  const ran = [];
  for (const [k, top] of outer) {
    let c = 0;
    for (const e of top) {
      const a = Math.max(e.ts, f.lo), b = Math.min(e.ts + e.dur, f.hi);
      if (b > a) c += ((e.tdur ?? e.dur) * (b - a) / Math.max(1, e.dur)) / 1000;
    }
    if (c > 0.3) ran.push([`${procs.get(Number(k.split(':')[0])) ?? '?'}/${names.get(k) ?? k}`, c]);
  }
  console.log('  others ran (ms cpu):', ran.sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c.toFixed(1)}`).join(', '));
}
