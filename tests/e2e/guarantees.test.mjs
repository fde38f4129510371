// End-to-end: the Guarantees panel on the sessions scenario. With no session fix read-your-writes
// breaks, "show" seeks to the witness and the diagram marks it red; sticky sessions keep it. The
// checkers run in the Web Worker: a 10,000-operation history is checked while the page responds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, useApp } from './support/harness.mjs';

const app = useApp();

const state = (page, name) =>
  page.$eval(`[data-testid=guarantee][data-name="${name}"]`, (el) => el.dataset.state).catch(() => null);
const stageTime = async (page) =>
  Number(await page.$eval('[data-testid=stage]', (el) => el.getAttribute('data-time')));

/// Pauses, then scrubs forward (Shift+→) until `done()` or `maxSteps` presses.
async function advanceUntil(page, done, maxSteps = 200) {
  for (let i = 0; i < maxSteps; i++) {
    if (await done()) return true;
    await page.keyboard.press('Shift+ArrowRight');
    await page.waitForTimeout(30);
  }
  return done();
}

app.test('session=none: read-your-writes breaks, show marks the witness', { path: '/?s=sessions&seed=1&session=none&autoplay=0' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  const broke = await advanceUntil(page, async () => (await state(page, 'ryw')) === 'broken');
  assert.ok(broke, 'read-your-writes should break without sessions');
  // Every guarantee has a row; the broken one explains itself.
  assert.equal((await page.$$('[data-testid=guarantee]')).length, 7);
  const why = await page.$eval('[data-name=ryw] .g-why', (el) => el.textContent);
  assert.ok(why.length > 10, `explanation: ${why}`);
  await page.waitForFunction(() => /read-your-writes/.test(document.querySelector('[data-testid=guar-narration]')?.textContent ?? ''));
  const tHead = await stageTime(page);
  await page.click('[data-name=ryw] [data-testid=guar-show]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=witness-mark].focus').length > 0);
  assert.ok((await stageTime(page)) <= tHead, 'show seeks to the witness, not past the head');
  const title = await page.$eval('[data-testid=witness-mark].focus title', (el) => el.textContent);
  assert.match(title, /read-your-writes/);
  await shot('guarantees-ryw-broken');
  // Close-ups of the diagram with the highlighted witness and of the panel.
  await page.locator('section.spacetime').screenshot({ path: join(ARTIFACTS, 'guarantees-diagram.png') });
  await page.getByTestId('guarantees').screenshot({ path: join(ARTIFACTS, 'guarantees-panel.png') });
});

app.test('session=sticky keeps read-your-writes', { path: '/?s=sessions&seed=1&session=sticky&autoplay=0' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  await advanceUntil(page, async () => (await stageTime(page)) >= 9_000_000, 200);
  // The verdicts come back from the worker: wait for the check of the final history.
  await page.waitForSelector('[data-testid=guarantees][data-state=done]', { timeout: 60_000 });
  assert.equal(await state(page, 'ryw'), 'kept');
  assert.equal(await state(page, 'monotonic-reads'), 'kept');
  await shot('guarantees-sticky');
});

/// Installed before the app loads: counts animation frames while the Guarantees panel says
/// "checking", notes when the help overlay appears, and holds the worker's `done` replies while
/// `window.__holdDone` is set (so the test can act while a check is certainly still out, however
/// fast the worker is), counting the frames drawn before the worker's answer came back.
const WATCH_CHECK = () => {
  window.__guar = { framesChecking: 0, checkingSeen: false, startAt: null, doneAt: null, helpAt: null, helpWhileChecking: null, framesBeforeReply: null };
  window.__held = [];
  window.__holdDone = true;
  const Real = window.Worker;
  window.Worker = class extends Real {
    set onmessage(h) {
      super.onmessage = h && ((ev) => {
        if (window.__holdDone && typeof ev.data === 'string' && ev.data.startsWith('done')) {
          if (window.__guar.framesBeforeReply === null) window.__guar.framesBeforeReply = window.__guar.framesChecking;
          window.__held.push(() => h.call(this, ev));
        } else {
          h.call(this, ev);
        }
      });
    }
    get onmessage() { return super.onmessage; }
  };
  const f = (t) => {
    const g = document.querySelector('[data-testid=guarantees]');
    const checking = g?.dataset.state === 'checking';
    if (checking) {
      window.__guar.framesChecking++;
      window.__guar.checkingSeen = true;
      if (window.__guar.startAt === null) window.__guar.startAt = t;
    } else if (window.__guar.checkingSeen && window.__guar.doneAt === null && g?.dataset.state === 'done') {
      window.__guar.doneAt = t;
    }
    if (window.__guar.helpAt === null && document.querySelector('[data-testid=help-overlay]')) {
      window.__guar.helpAt = t;
      window.__guar.helpWhileChecking = checking;
    }
    requestAnimationFrame(f);
  };
  requestAnimationFrame(f);
};

// Issue 7: "a 10,000-operation history from a live run checked in a Web Worker without freezing
// the page". Six agents, 1 ms think time and latency: 10,000 operations by t = 5 s.
app.test('a 10,000-operation history is checked in the worker while the page keeps responding', async ({ page, url, shot, problems }) => {
  // The checkers live in the worker's wasm, not in the page's: the page cannot run them on its
  // own thread (a string only the sequential checker has).
  const wasm = async (re) => {
    const html = await (await page.request.get(url('/'))).text();
    const names = [...html.matchAll(/[\w.-]+_bg\.wasm/g)].map((m) => m[0]);
    const name = re === 'worker' ? 'swarmscope-worker_bg.wasm' : names.find((n) => !n.startsWith('swarmscope-worker'));
    return Buffer.from(await (await page.request.get(url(`/${name}`))).body()).toString('latin1');
  };
  const needle = 'sequential consistency search gave up';
  assert.ok((await wasm('worker')).includes(needle), 'the worker carries the checkers');
  assert.ok(!(await wasm('page')).includes(needle), 'the page does not');

  await page.addInitScript(WATCH_CHECK);
  await page.goto(url('/?s=sessions&seed=1&session=none&clients=6&think=1ms&latency=1ms&lag=5ms&t=5s&autoplay=0'));
  await page.waitForSelector('[data-testid=guarantees][data-state=checking]', { timeout: 60_000 });
  // While the check is out (its reply held back until we are done), the page handles a key
  // press (the help overlay opens) and keeps drawing frames.
  await page.keyboard.press('?');
  await page.getByTestId('help-overlay').waitFor();
  await shot('guarantees-10k-checking');
  // The worker answers on its own (the reply is held, not missing)...
  await page.waitForFunction(() => window.__held.length > 0, null, { timeout: 300_000 });
  // ...and the page drew frames between sending the history and getting the answer.
  const before = await page.evaluate(() => window.__guar);
  assert.equal(before.helpWhileChecking, true, 'the key press was handled while the check was out');
  assert.ok(before.framesBeforeReply >= 3, `frames drawn while the worker computed: ${before.framesBeforeReply}`);
  await page.evaluate(() => { window.__holdDone = false; for (const r of window.__held.splice(0)) r(); });
  await page.waitForSelector('[data-testid=guarantees][data-state=done]', { timeout: 60_000 });
  const w = await page.evaluate(() => window.__guar);
  assert.ok(w.framesChecking >= 10, `animation frames while checking: ${w.framesChecking}`);
  const ops = Number(await page.$eval('[data-testid=guarantees]', (e) => e.dataset.ops));
  assert.ok(ops >= 10_000, `operations checked: ${ops}`);
  assert.equal((await page.$$('[data-testid=guarantee]')).length, 7);
  assert.equal(await state(page, 'ryw'), 'broken');
  // The search and closure checkers decided too (the worker's cap is 20,000 operations).
  for (const name of ['linearizability', 'sequential', 'causal']) {
    assert.notEqual(await state(page, name), 'undecided', name);
  }
  await page.keyboard.press('Escape');
  // A figure for the report, not an assertion.
  console.log(`10k check: ${ops} operations, ${w.framesBeforeReply} frames drawn before the worker's answer`);
  // Navigating again (to install the probe first) aborted the first page's favicon request.
  problems.splice(0, problems.length, ...problems.filter((p) => !/favicon.*ERR_ABORTED/.test(p)));
  await page.getByTestId('guarantees').screenshot({ path: join(ARTIFACTS, 'guarantees-10k.png') });
});

app.test('the checkers failing to load is a message in the panel', async ({ page, url, problems }) => {
  await page.route('**/swarmscope-worker*', (route) => route.abort());
  await page.goto(url('/?s=sessions&seed=1&session=none&t=3s&autoplay=0'));
  await page.waitForSelector('[data-testid=guarantees][data-state=error]', { timeout: 60_000 });
  assert.match(await page.getByTestId('guar-error').innerText(), /could not run: .*worker/);
  const expected = (p) => /swarmscope-worker|favicon.*ERR_ABORTED/.test(p);
  problems.splice(0, problems.length, ...problems.filter((p) => !expected(p)));
});
