// End-to-end: the scenario-specific chart panels (PACELC on `quorum`, election CDFs on
// `raft-election`), computed in the Web Worker (bin swarmscope-worker). Screenshots go to
// artifacts/e2e/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, useApp } from './support/harness.mjs';

const app = useApp();
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/// The native CLI's Monte Carlo (`swarmscope sweep quorum … --json`), the reference the worker's
/// wasm must equal bit for bit. `cargo run` builds the debug CLI if needed (f64 arithmetic is the
/// same in debug and release: no fast-math in Rust).
function nativeSweep(sets) {
  const args = ['run', '--quiet', '--bin', 'swarmscope', '--', 'sweep', 'quorum', '--trials', '100000', '--seed', '1', '--json'];
  for (const s of sets) args.push('--set', s);
  return JSON.parse(execFileSync('cargo', args, { cwd: ROOT, encoding: 'utf8', timeout: 900_000 })).metrics;
}

/// Every animation frame, what the PACELC panel shows (installed before the app loads).
const SAMPLE_PACELC = () => {
  window.__pacelc = [];
  const f = () => {
    const panel = document.querySelector('[data-testid=pacelc-panel]');
    if (panel) {
      window.__pacelc.push({
        state: panel.dataset.state,
        curve: Number(document.querySelector('[data-testid=pacelc-curve]')?.dataset.points ?? 0),
        plane: Number(document.querySelector('[data-testid=pacelc-plane]')?.dataset.points ?? 0),
        progress: Number(document.querySelector('[data-testid=pacelc-progress]')?.value ?? 0),
      });
    }
    requestAnimationFrame(f);
  };
  requestAnimationFrame(f);
};

/// Tests that navigate again (to install a probe or a route before the app starts) abort the
/// first page's pending favicon request; that is the test's doing, not the app's.
function dropOwn(problems, own = () => false) {
  const keep = problems.filter((p) => !(/favicon.*ERR_ABORTED/.test(p) || own(p)));
  problems.splice(0, problems.length, ...keep);
}

const readout = (page) =>
  page.$eval('[data-testid=pacelc-readout]', (e) => ({
    p: Number(e.dataset.pConsistent),
    p99: Number(e.dataset.readP99),
    vis: Number(e.dataset.tVisibility),
    trials: Number(e.dataset.trials),
  }));

app.test('PACELC fills in from the worker with progress, and equals the native CLI bit for bit', async ({ page, shot, url, problems }) => {
  await page.addInitScript(SAMPLE_PACELC);
  await page.goto(url('/?s=quorum&seed=1&t=2s&n=3&r=1&w=1&latency=lnkd-disk'));
  const panel = page.getByTestId('pacelc-panel');
  await panel.waitFor();
  // A picture of the curve half drawn, for people (not an assertion: the job may be done first).
  await page
    .waitForFunction(() => {
      const c = document.querySelector('[data-testid=pacelc-curve]');
      return c && c.closest('[data-state=running]') && Number(c.dataset.points) >= 16;
    }, null, { timeout: 10_000 })
    .then(() => panel.screenshot({ path: join(ARTIFACTS, 'panel-pacelc-filling.png') }))
    .catch(() => {});
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=done]', { timeout: 120_000 });
  const samples = await page.evaluate(() => window.__pacelc);
  // The page kept drawing frames while the worker computed, and saw the curve fill in.
  const running = samples.filter((s) => s.state === 'running');
  assert.ok(running.length >= 3, `frames while running: ${running.length}`);
  for (let i = 1; i < samples.length; i++) {
    assert.ok(samples[i].curve >= samples[i - 1].curve, 'the curve only grows');
    assert.ok(samples[i].progress >= samples[i - 1].progress - 1e-9, 'progress only grows');
  }
  const counts = new Set(samples.map((s) => s.curve));
  assert.ok(counts.size >= 2, `the curve arrived in slices: ${[...counts]}`);
  assert.equal(Number(await page.$eval('[data-testid=pacelc-curve]', (e) => e.dataset.points)), 48);
  assert.equal(Number(await page.$eval('[data-testid=pacelc-plane]', (e) => e.dataset.points)), 9, 'N = 3: 9 (R, W) points');
  assert.equal(await page.$eval('[data-testid=pacelc-progress]', (e) => Number(e.value)), 1);
  assert.match(await page.getByTestId('pacelc-note').innerText(), /Computed in a Web Worker in [\d.]+ s/);
  assert.equal((await page.$$('[data-testid=pacelc-plane] .pt.current')).length, 1);
  const text = await page.getByTestId('pacelc-readout').innerText();
  assert.match(text, /If Partitioned: A or C \(now: /);
  assert.match(text, /Else \(no partition\): read p99 = [\d.]+ ms vs P\(consistent\) = [\d.]+ %/);
  // Same seed, same trials: the wasm worker and the native CLI agree to the last bit.
  const got = await readout(page);
  const native = nativeSweep(['n=3', 'r=1', 'w=1', 'latency=lnkd-disk']);
  assert.equal(got.trials, 100000);
  assert.equal(got.p, native.p_consistent);
  assert.equal(got.p99, native.read_latency_ms.p99);
  assert.equal(got.vis, native.t_visibility_ms);
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(ARTIFACTS, 'panel-pacelc.png') });
  await shot('scenario-quorum-pacelc');
  dropOwn(problems);
});

app.test('PACELC: a parameter change supersedes the running job', { path: '/?s=quorum&seed=1&t=2s&n=3&r=1&w=1' }, async ({ page }) => {
  await page.getByTestId('pacelc-panel').waitFor();
  // At once, while the first job (r = 1) is still running.
  await page.fill('[data-testid=param-r]', '2');
  await page.press('[data-testid=param-r]', 'Enter');
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=done]', { timeout: 120_000 });
  assert.match(await page.getByTestId('pacelc-readout').innerText(), /N=3 R=2 W=1/);
  // Only the new job's slices were kept: one whole curve and plane, equal to the native run.
  assert.equal(Number(await page.$eval('[data-testid=pacelc-curve]', (e) => e.dataset.points)), 48);
  assert.equal(Number(await page.$eval('[data-testid=pacelc-plane]', (e) => e.dataset.points)), 9);
  const native = nativeSweep(['n=3', 'r=2', 'w=1']);
  assert.equal((await readout(page)).p, native.p_consistent);
});

app.test('PACELC: a worker that cannot load is a message in the panel, not a broken page', async ({ page, url, problems }) => {
  await page.route('**/swarmscope-worker*', (route) => route.abort());
  await page.goto(url('/?s=quorum&seed=1&t=1s'));
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=error]', { timeout: 60_000 });
  assert.match(await page.getByTestId('pacelc-error').innerText(), /could not run: .*worker/);
  // The rest of the page still works: play advances the run.
  const t0 = await page.getByTestId('time').innerText();
  await page.getByTestId('play').click();
  await page.waitForFunction((t) => document.querySelector('[data-testid=time]')?.textContent !== t, t0);
  await page.getByTestId('pacelc-panel').screenshot({ path: join(ARTIFACTS, 'panel-pacelc-worker-error.png') });
  // The blocked worker requests are this test's doing.
  const expected = (p) => /swarmscope-worker/.test(p);
  assert.ok(problems.some(expected), `the worker request was blocked: ${problems}`);
  dropOwn(problems, expected);
});

app.test('PACELC: a worker that panics is a message, and the next job starts a fresh worker', async ({ page, url, problems }) => {
  // A stand-in worker that says ready, then reports a panic as the real one's hook does.
  await page.route('**/swarmscope-worker_loader.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: "postMessage('ready'); onmessage = () => postMessage('panic\\tindex out of bounds');",
    }),
  );
  await page.goto(url('/?s=quorum&seed=1&t=1s&n=3&r=1&w=1'));
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=error]', { timeout: 60_000 });
  assert.match(await page.getByTestId('pacelc-error').innerText(), /the worker crashed: index out of bounds/);
  // The real worker again: a parameter change submits a new job, which starts a fresh worker.
  await page.unroute('**/swarmscope-worker_loader.js');
  await page.fill('[data-testid=param-r]', '2');
  await page.press('[data-testid=param-r]', 'Enter');
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=done]', { timeout: 120_000 });
  assert.match(await page.getByTestId('pacelc-readout').innerText(), /N=3 R=2 W=1/);
  dropOwn(problems);
});

app.test('the worker starts only when a panel needs it', async ({ page, url, problems }) => {
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(url('/'));
  await page.getByTestId('gallery').waitFor();
  await page.waitForTimeout(300);
  assert.ok(!requested.some((u) => /swarmscope-worker/.test(u)), 'the gallery loads no worker');
  await page.goto(url('/?s=quorum&seed=1'));
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=done]', { timeout: 120_000 });
  assert.ok(requested.some((u) => /swarmscope-worker_bg\.wasm/.test(u)), 'the quorum page loads it');
  dropOwn(problems);
});

app.test('raft-election Start fills the election-timeout CDFs', { path: '/?s=raft-election&seed=1&t=2s' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  const panel = page.getByTestId('cdf-panel');
  await panel.waitFor();
  assert.equal((await page.$$('[data-testid=cdf-line]')).length, 0, 'nothing runs on page load');
  await page.getByTestId('cdf-start').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cdf-line]').length >= 1, null, { timeout: 60_000 });
  const p = Number(await page.$eval('[data-testid=cdf-progress]', (e) => e.value));
  assert.ok(p > 0, `progress ${p}`);
  // Wait for a few curves (or the end), so the screenshot shows them side by side.
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=cdf-line]').length >= 3 || document.querySelector('[data-testid=cdf-start]'),
    null,
    { timeout: 120_000 },
  );
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(ARTIFACTS, 'panel-cdf.png') });
  await shot('scenario-raft-election-cdf');
});

app.test('quorum PACELC readout follows the partition branch', { path: '/?s=quorum&seed=1&n=5&r=3&w=3&partition=on&reachable=2' }, async ({ page }) => {
  await page.waitForSelector('[data-testid=pacelc-panel][data-state=done]', { timeout: 120_000 });
  const text = await page.getByTestId('pacelc-readout').innerText();
  assert.match(text, /now: C — writes 0\.0 % and reads 0\.0 % available/);
  assert.equal((await page.$$('[data-testid=pacelc-plane] .pt')).length, 25, 'N = 5: 25 (R, W) points');
  await page.getByTestId('pacelc-panel').screenshot({ path: join(ARTIFACTS, 'panel-pacelc-partition.png') });
});

app.test('quorum stage highlights the replica a stale read caught', { path: '/?s=quorum&seed=1&latency=wan' }, async ({ page, shot }) => {
  const stage = page.getByTestId('stage');
  await stage.waitFor();
  // R = W = 1 over the WAN: about two reads in three are stale, and each highlight lasts until
  // the next read (≥ the 200 ms gap of model time, seconds of wall time at the default speed).
  const alert = page.locator('[data-testid=agent-alert]').first();
  await alert.waitFor({ timeout: 60_000 });
  await page.getByTestId('play').click(); // pause, so the screenshot shows it
  const text = await alert.getAttribute('data-alert');
  assert.match(text, /^stale read: answered v\d+, latest committed v\d+$/);
  const [answered, latest] = text.match(/\d+/g).map(Number);
  assert.ok(answered < latest, text);
  assert.equal(await alert.locator('title').textContent(), text, 'the reason is the tooltip');
  const agent = alert.locator('xpath=..');
  assert.match(await agent.getAttribute('class'), /\breplica\b.*\balerted\b/);
  assert.match(await agent.getAttribute('aria-label'), /stale read/);
  await stage.screenshot({ path: join(ARTIFACTS, 'stage-quorum-stale-read.png') });
  await shot('scenario-quorum-stale-read');
});
