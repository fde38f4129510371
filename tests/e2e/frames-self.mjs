// What the heaviest frames of the page's main thread are made of, by trace event (a tool, not a
// test): frames cut at each rAF task as bench-frames.mjs cuts them, the heaviest TOP share (default
// 0.1) by CPU, and for each trace event name its mean self CPU time (its own, not its children's)
// per heavy frame, beside the same for the other frames. Unlike profile-heavy.mjs it needs no
// build with names kept, and it shows Chromium's own work (layout, paint, layerize) by phase.
//
//   node tests/e2e/frames-self.mjs [stage|scroll] [dist]
// Env: SECS (default 4), TOP, ROWS (default 40), CATS (trace categories).
import { traceCase, frameStarts, setSelfTimes } from './support/trace.mjs';
const which = process.argv[2] ?? 'stage';
const ev = await traceCase(which, process.argv[3] ?? 'dist', {
  secs: Number(process.env.SECS ?? 4),
  categories: (process.env.CATS ?? 'devtools.timeline,toplevel,blink,cc,v8,disabled-by-default-devtools.timeline,benchmark,gpu').split(','),
});
const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
const mine = ev.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
const tasks = mine.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
const bounds = frameStarts(mine, tasks);
setSelfTimes(mine);
const frames = [];
for (let b = 0; b + 1 < bounds.length; b++) {
  const lo = bounds[b], hi = bounds[b + 1];
  const f = { cpu: 0, agg: {} };
  for (const t of tasks) if (t.ts >= lo && t.ts < hi) f.cpu += (t.tdur ?? t.dur) / 1000;
  for (const e of mine) if (e.ts >= lo && e.ts < hi) f.agg[e.name] = (f.agg[e.name] ?? 0) + e.self / 1000;
  frames.push(f);
}
frames.sort((a, b) => b.cpu - a.cpu);
const top = frames.slice(0, Math.ceil(frames.length * Number(process.env.TOP ?? 0.1)));
const rest = frames.slice(top.length);
const sum = (arr) => { const a = {}; for (const f of arr) for (const [n, v] of Object.entries(f.agg)) a[n] = (a[n] ?? 0) + v / arr.length; return a; };
const at = sum(top), ar = sum(rest);
console.log(which, 'frames', frames.length, 'top cpu mean', (top.reduce((s, f) => s + f.cpu, 0) / top.length).toFixed(2), 'rest', (rest.reduce((s, f) => s + f.cpu, 0) / rest.length).toFixed(2));
for (const [n, v] of Object.entries(at).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.ROWS ?? 40))) console.log(v.toFixed(3).padStart(7), (ar[n] ?? 0).toFixed(3).padStart(7), n);
