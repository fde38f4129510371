// Where one of Chromium's threads spends its CPU, by trace event (a tool, not a test): self time
// per event name, ms of CPU per second, over SECS seconds of a benchmark case; and the spread of
// one event's durations (EV, default the painter's canvas flush,
// OffscreenCanvasRenderingContext2D::FinalizeFrame: how often and how long the worker paints).
//
//   node tests/e2e/thread-events.mjs [stage|scroll] [dist] ["thread name"]
// The thread defaults to the painter ("DedicatedWorker thread"); "CrRendererMain" is the page's
// main thread. Env: SECS (default 4), EV, CSS=<rules> (a style sheet added first, e.g. to hide a
// canvas and see what it costs). See threads.mjs for the CPU of every thread.
import { traceCase, setSelfTimes } from './support/trace.mjs';
const thread = process.argv[4] ?? 'DedicatedWorker thread';
const secs = Number(process.env.SECS ?? 4);
const ev = await traceCase(process.argv[2] ?? 'stage', process.argv[3] ?? 'dist', {
  secs,
  css: process.env.CSS,
  categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'v8', 'gpu', 'viz', 'skia'],
});
const tn = ev.find((e) => e.name === 'thread_name' && e.args?.name === thread);
const mine = ev.filter((e) => e.ph === 'X' && e.pid === tn.pid && e.tid === tn.tid).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
const self = {};
setSelfTimes(mine);
for (const e of mine) self[e.name] = (self[e.name] ?? 0) + e.self;
const ff = mine.filter((e) => e.name === (process.env.EV ?? 'OffscreenCanvasRenderingContext2D::FinalizeFrame')).map((e) => (e.tdur ?? e.dur) / 1000).sort((a, b) => a - b);
console.log('count/s', (ff.length / secs).toFixed(1), 'p10', ff[Math.floor(ff.length * 0.1)]?.toFixed(2), 'p50', ff[Math.floor(ff.length * 0.5)]?.toFixed(2), 'p90', ff[Math.floor(ff.length * 0.9)]?.toFixed(2));
for (const [n, v] of Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((v / 1000 / secs).toFixed(1).padStart(7), 'ms/s', n);
