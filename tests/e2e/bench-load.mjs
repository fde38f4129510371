// Load-time benchmark (a measurement, not a test): how long the release build takes to become
// usable when served on loopback, in headless Chromium, with a cold cache each time.
//
//   trunk build --release --offline && node tests/e2e/bench-load.mjs
//
// For each page it reports, as the median of RUNS cold loads: `dom_ms` (DOMContentLoaded),
// `rendered_ms` (the app's first element is in the DOM: wasm fetched, compiled, instantiated and
// the first Yew render done) and `interactive_ms` (a click dispatched at that moment on the page's
// main control has been handled and drawn: a gallery card has loaded its scenario's page build and
// drawn its stage / the scenario's play button turns into pause), all from navigation start; and
// the bytes the page fetched (raw, and gzipped as a server would send them; the gallery's include
// the scenario page its card opened).
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = process.env.DIST ?? join(ROOT, 'dist');
const server = process.env.BASE_URL ? null : await serveDir(DIST, 0);
const base = process.env.BASE_URL ?? server.url;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });

// In the page, from the start: note when the first element matching `sel` appears (the first
// render), click `click` at once, and note when `done` (a JS expression) first holds. Times are
// kept in sessionStorage from the first document's navigation start, so a click that loads another
// page (a gallery card loads the scenario's own build: scripts/pages.mjs) is timed to the end.
const WATCH = ({ sel, click, done }) => {
  const load = () => JSON.parse(sessionStorage.getItem('bench') ?? 'null');
  const t = load() ?? { origin: performance.timeOrigin };
  const save = () => sessionStorage.setItem('bench', JSON.stringify(t));
  const now = () => performance.timeOrigin + performance.now() - t.origin;
  save();
  document.addEventListener('DOMContentLoaded', () => {
    if (t.dom == null) {
      t.dom = now();
      save();
    }
  });
  const isDone = new Function(`return (${done});`);
  new MutationObserver(() => {
    if (t.rendered == null && document.querySelector(sel)) {
      t.rendered = now();
      save();
      document.querySelector(click)?.click();
    }
    if (t.rendered != null && t.interactive == null && isDone()) {
      t.interactive = now();
      save();
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
  window.__t = t;
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(name, query, watch) {
  const rows = [];
  let files = new Map();
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    files = new Map();
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      files.set(path === '/' ? '/index.html' : path, true);
    });
    await page.addInitScript(WATCH, watch);
    await page.goto(new URL(query, base).href, { waitUntil: 'domcontentloaded' });
    // Polled: a gallery card's click replaces the document under the wait.
    let t = null;
    for (const until = Date.now() + 30_000; !t?.interactive && Date.now() < until; ) {
      t = await page.evaluate(() => window.__t).catch(() => null);
      if (!t?.interactive) await new Promise((ok) => setTimeout(ok, 20));
    }
    if (!t?.interactive) throw new Error(`${name}: not interactive within 30 s`);
    rows.push(t);
    await ctx.close();
  }
  let raw = 0;
  let gz = 0;
  for (const path of files.keys()) {
    const body = await readFile(join(DIST, path)).catch(() => null);
    if (!body) continue;
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  console.log(JSON.stringify({
    page: name,
    runs: RUNS,
    dom_ms: +median(rows.map((r) => r.dom)).toFixed(1),
    rendered_ms: +median(rows.map((r) => r.rendered)).toFixed(1),
    interactive_ms: +median(rows.map((r) => r.interactive)).toFixed(1),
    files: files.size,
    kb_raw: +(raw / 1024).toFixed(1),
    kb_gzip: +(gz / 1024).toFixed(1),
  }));
}

await measure('gallery', '/', {
  sel: '[data-testid=card-heartbeat]',
  click: '[data-testid=card-heartbeat]',
  done: "document.querySelector('[data-testid=stage]') != null",
});
await measure('scenario (raft-election)', '/?s=raft-election&seed=1', {
  sel: '[data-testid=stage]',
  click: 'button[aria-label^=Play]',
  done: "document.querySelector('button[aria-label^=Pause]') != null",
});
// The largest page build (scripts/size.sh).
await measure('scenario (quorum)', '/?s=quorum&seed=1', {
  sel: '[data-testid=stage]',
  click: 'button[aria-label^=Play]',
  done: "document.querySelector('button[aria-label^=Pause]') != null",
});

await browser.close();
await server?.close();
