// Web Worker benchmark (a measurement, not a test): PBS Monte Carlo trials per second in the
// release worker wasm (dist/swarmscope-worker_bg.wasm) in headless Chromium, timed inside the
// worker (`elapsed_ms` of its `done` reply), and the page's frame deltas while it runs.
//
//   trunk build --release --offline && node tests/e2e/bench-worker.mjs
//
// Env: BENCH_TRIALS (default 2,000,000), BENCH_RUNS (default 3), DIST (default ./dist). Serves the build itself (or uses
// $BASE_URL). Prints one JSON line per run and a summary line.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const server = process.env.BASE_URL ? null : await serveDir(process.env.DIST ?? join(ROOT, 'dist'), 0);
const base = process.env.BASE_URL ?? server.url;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 2_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });

try {
  const page = await browser.newPage();
  await page.goto(new URL('/?s=quorum&seed=1', base).href);
  await page.getByTestId('stage').waitFor();
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    // A worker of our own, speaking the page's wire format (src/jobs/mod.rs): "run <id> bench <n>".
    const r = await page.evaluate(async (trials) => {
      const w = new Worker('./swarmscope-worker_loader.js');
      const frames = [];
      let last = performance.now();
      let stop = false;
      const f = (t) => { frames.push(t - last); last = t; if (!stop) requestAnimationFrame(f); };
      requestAnimationFrame(f);
      // Each progress/done message carries the trials of its slices ("bench <n>" lines).
      let done = 0;
      const count = (text) => {
        for (const l of text.split('\n')) if (l.startsWith('bench\t')) done += Number(l.split('\t')[1]);
      };
      const reply = await new Promise((ok, fail) => {
        w.onerror = (e) => fail(new Error(`worker error: ${e.message}`));
        w.onmessage = (e) => {
          const head = e.data.split('\n')[0].split('\t');
          if (head[0] === 'ready') w.postMessage(`run\t1\tbench\t${trials}`);
          else if (head[0] === 'progress') count(e.data);
          else if (head[0] === 'done') {
            count(e.data);
            ok({ elapsed_ms: Number(head[2]) });
          } else if (head[0] === 'error' || head[0] === 'panic') fail(new Error(e.data));
        };
      });
      stop = true;
      w.terminate();
      const s = frames.slice(2).sort((a, b) => a - b);
      return {
        trials: done,
        elapsed_ms: reply.elapsed_ms,
        frames: s.length,
        frame_p50_ms: s[Math.floor(s.length * 0.5)] ?? null,
        frame_max_ms: s[s.length - 1] ?? null,
      };
    }, TRIALS);
    const rate = r.trials / (r.elapsed_ms / 1000);
    rates.push(rate);
    console.log(JSON.stringify({ case: 'worker: PBS Monte Carlo (quorum defaults)', run, ...r, trials_per_s: Math.round(rate) }));
  }
  rates.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      summary: 'wasm worker Monte Carlo trials/s',
      median: Math.round(rates[Math.floor(rates.length / 2)]),
      best: Math.round(rates[rates.length - 1]),
      target: 500_000,
    }),
  );
} finally {
  await browser.close();
  await server?.close();
}
