// Where the heaviest frames' main-thread time goes, by function (a tool, not a test): a CDP CPU
// profile of a benchmark case, its samples grouped into bursts of work (one per frame: runs of
// samples separated by more than 1.5 ms idle), and for the heaviest TOP share of bursts the mean
// inclusive time per function. Build with names kept first (see profile-frames.mjs's header).
//
//   node tests/e2e/profile-heavy.mjs [stage|scroll] [dist-dir]
// Env: SECS (default 8), TOP (default 0.1: the heaviest 10 %), ROWS (default 60), SELF=1 (self
// time per function instead of inclusive).
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
import { openCase } from './support/cases.mjs';

const which = process.argv[2] ?? 'scroll';
const server = await serveDir(process.argv[3] ?? 'dist', 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const cdp = await page.context().newCDPSession(page);
await openCase(page, server.url, which);
await page.waitForTimeout(500);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
await page.waitForTimeout(Number(process.env.SECS ?? 8) * 1000);
const { profile } = await cdp.send('Profiler.stop');

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id) => {
  const f = byId.get(id).callFrame;
  return f.functionName || `(anonymous ${f.url.split('/').pop()}:${f.lineNumber})`;
};
const bursts = [];
let t = profile.startTime;
let cur = null;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  const d = profile.timeDeltas[i + 1] ?? 0;
  if (name(profile.samples[i]) === '(idle)') {
    if (cur && t - cur.end > 1500) {
      bursts.push(cur);
      cur = null;
    }
    continue;
  }
  cur ??= { end: t, total: 0, samples: [] };
  cur.end = t + d;
  cur.total += d;
  cur.samples.push([profile.samples[i], d]);
}
if (cur) bursts.push(cur);
bursts.sort((a, b) => b.total - a.total);
const q = (p) => (bursts[Math.floor(p * bursts.length)]?.total / 1000).toFixed(2);
console.log(`${which}: ${bursts.length} bursts, p50 ${q(0.5)} ms, top 5 % from ${q(0.05)} ms, top 1 % from ${q(0.01)} ms`);
const heavy = bursts.slice(0, Math.ceil(bursts.length * Number(process.env.TOP ?? 0.1)));
const inclusive = new Map();
for (const b of heavy) {
  for (const [id, d] of b.samples) {
    const seen = new Set();
    // SELF=1: only the sampled function itself (self time) instead of every caller.
    for (let x = id; x !== undefined; x = process.env.SELF === '1' ? undefined : parent.get(x)) {
      const n = name(x);
      if (!seen.has(n)) {
        seen.add(n);
        inclusive.set(n, (inclusive.get(n) ?? 0) + d);
      }
    }
  }
}
console.log(`the heaviest ${heavy.length} bursts, mean ${process.env.SELF === '1' ? 'self' : 'inclusive'} ms per burst:`);
for (const [n, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.ROWS ?? 60))) {
  console.log(`${(us / heavy.length / 1000).toFixed(2).padStart(6)}  ${n.slice(0, 150)}`);
}
await browser.close();
await server.close();
