// Frame-time benchmark (a measurement, not a test): requestAnimationFrame deltas in headless
// Chromium for (1) the stage with 25 agents and ≥ 500 messages in flight, playing, and (2) wheel
// scrolling through a space-time diagram with ≥ 10,000 messages. Prints p50/p95/max per case.
//
//   trunk build --release --offline && node tests/e2e/bench-frames.mjs
//
// Serves ./dist itself (or uses $BASE_URL). Chromium is Debian's (/usr/bin/chromium).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const server = process.env.BASE_URL ? null : await serveDir(join(ROOT, 'dist'), 0);
const base = process.env.BASE_URL ?? server.url;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

function stats(d) {
  const s = [...d].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { frames: s.length, p50: q(0.5).toFixed(2), p95: q(0.95).toFixed(2), max: s[s.length - 1].toFixed(2) };
}

async function recordFrames(page, ms, during) {
  await page.evaluate(() => {
    window.__d = [];
    let last = performance.now();
    window.__stop = false;
    const f = (t) => { window.__d.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(f); };
    requestAnimationFrame(f);
  });
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (during) await during();
    else await page.waitForTimeout(100);
  }
  return page.evaluate(() => { window.__stop = true; return window.__d.slice(3); });
}

// Case 1: 25 agents, long latency so that ≥ 500 messages are in flight, playing at 1/10×.
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const q1 = 's=heartbeat&seed=1&nodes=25&latency=400ms..600ms&interval=500ms&timeout=5s&t=2s&autoplay=1';
await page.goto(new URL(`/?${q1}`, base).href);
await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]')?.dataset.msgs) > 0);
const inflight = await page.$eval('[data-testid=stage]', (e) => Number(e.dataset.msgs));
const d1 = await recordFrames(page, SECONDS * 1000);
const inflightAfter = await page.$eval('[data-testid=stage]', (e) => Number(e.dataset.msgs));
console.log(JSON.stringify({ case: 'stage: 25 agents playing', in_flight: [inflight, inflightAfter], ...stats(d1) }));

// Baseline: the same page paused (nothing changes; shows what the machine itself costs).
await page.goto(new URL(`/?${q1.replace('&autoplay=1', '&autoplay=0')}`, base).href);
await page.getByTestId('stage').waitFor();
const d0 = await recordFrames(page, SECONDS * 1000);
console.log(JSON.stringify({ case: 'baseline: same page paused', ...stats(d0) }));

// Case 2: scroll a diagram of ≥ 10,000 messages (25 agents × 24 peers every 40 ms for 2 s: ~30,000 messages).
const q2 = 's=heartbeat&seed=1&nodes=25&latency=10ms..20ms&interval=40ms&timeout=1s&t=2s';
await page.goto(new URL(`/?${q2}`, base).href);
await page.getByTestId('spacetime').waitFor();
const total = await page.$eval('[data-testid=stage]', () => document.querySelector('[data-testid=spacetime]').dataset.arrows);
const box = await page.$eval('[data-testid=spacetime]', (e) => { e.scrollIntoView(); const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
await page.mouse.move(box.x, box.y);
let dir = -1;
let n = 0;
const d2 = await recordFrames(page, SECONDS * 1000, async () => {
  await page.mouse.wheel(0, dir * 60);
  if (++n % 40 === 0) dir = -dir;
  await page.waitForTimeout(16);
});
const sent = await page.evaluate(() => document.querySelector('.metric-list')?.textContent ?? '');
console.log(JSON.stringify({ case: 'space-time: wheel scrolling', arrows_drawn: Number(total), ...stats(d2) }));
console.log(JSON.stringify({ note: 'metrics panel', text: sent.slice(0, 200) }));

await browser.close();
await server?.close();
