// The CPU of every thread of Chromium's processes over a benchmark case (a tool, not a test): ms of
// CPU and of wall time per second, per thread, from a trace's top-level events. On a machine with
// two cores, the painter's worker, the compositor and the GPU process's software compositing take
// turns with the page's main thread; this shows how much each one asks for.
//
//   node tests/e2e/threads.mjs [stage|scroll] [dist]
// Env: SECS (default 4).
import { traceCase } from './support/trace.mjs';
const secs = Number(process.env.SECS ?? 4);
const ev = await traceCase(process.argv[2] ?? 'stage', process.argv[3] ?? 'dist', {
  secs,
  categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'viz', 'gpu', 'cc'],
});
const names = new Map();
for (const e of ev) if (e.name === 'thread_name') names.set(`${e.pid}/${e.tid}`, e.args.name);
const pnames = new Map();
for (const e of ev) if (e.name === 'process_name') pnames.set(e.pid, e.args.name);
const per = new Map();
// top-level only: events not nested in another X event on the same thread
const byThread = new Map();
for (const e of ev) if (e.ph === 'X' && e.tdur !== undefined) { const k = `${e.pid}/${e.tid}`; if (!byThread.has(k)) byThread.set(k, []); byThread.get(k).push(e); }
for (const [k, arr] of byThread) {
  arr.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  let end = -1, cpu = 0, wall = 0;
  for (const e of arr) if (e.ts >= end) { cpu += e.tdur; wall += e.dur; end = e.ts + e.dur; }
  per.set(k, { cpu: cpu / 1000 / secs, wall: wall / 1000 / secs });
}
const rows = [...per].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 20);
for (const [k, v] of rows) console.log(`${v.cpu.toFixed(1).padStart(6)} ms cpu/s ${v.wall.toFixed(1).padStart(6)} ms wall/s  ${pnames.get(Number(k.split('/')[0])) ?? '?'} / ${names.get(k) ?? k}`);
