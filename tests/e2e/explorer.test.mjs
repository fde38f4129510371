// End-to-end: a person's path through the explorer. Screenshots go to artifacts/e2e/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, useApp } from './support/harness.mjs';

const app = useApp();

const attr = (page, sel, name) => page.$eval(sel, (el, n) => el.getAttribute(n), name);
const stageTime = async (page) => Number(await attr(page, '[data-testid=stage]', 'data-time'));

// Messages are drawn on a canvas; `window.swarmscopeStage()` lists what was drawn (canvas.rs).

app.test('gallery → scenario, play, messages move', async ({ page, shot }) => {
  await page.getByTestId('gallery').waitFor();
  await shot('gallery');
  await page.getByTestId('card-heartbeat').click();
  await page.getByTestId('stage').waitFor();
  assert.match(page.url(), /s=heartbeat/);
  // Autoplay on the full page: wait for messages, then see them move between frames.
  await page.waitForFunction(() => (window.swarmscopeStage?.() ?? []).length > 0);
  // Across consecutive animation frames, some message is drawn at a new place.
  const moved = await page.evaluate(() => new Promise((done) => {
    let prev = null;
    let frames = 0;
    const tick = () => {
      const now = Object.fromEntries(window.swarmscopeStage().map((m) => [m.id, `${m.x},${m.y}`]));
      if (prev && Object.keys(now).some((k) => prev[k] !== undefined && prev[k] !== now[k])) return done(true);
      prev = now;
      if (++frames > 120) return done(false);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }));
  assert.ok(moved, 'messages move between frames');
  await shot('scenario-playing');
});

app.test('crash an agent by click, partition, scrub back and forth', { path: '/?s=heartbeat&seed=5&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  assert.equal(await stageTime(page), 300000);
  await page.getByTestId('agent-2').click();
  await page.getByTestId('agent-menu').waitFor();
  await shot('agent-menu');
  await page.getByTestId('menu-crash').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=agent-2]')?.dataset.status === 'crashed');
  assert.match(page.url(), /i=300ms\*crash\*2/);
  await page.keyboard.press('Escape');
  await page.getByTestId('split').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cut-link]').length > 0);
  assert.ok((await page.$$('[data-testid=partition-region]')).length >= 2);
  for (let i = 0; i < 6; i++) await page.keyboard.press('.');
  await shot('crashed-and-partitioned');
  const t1 = await stageTime(page);
  await page.keyboard.press(',');
  await page.keyboard.press(',');
  const t0 = await stageTime(page);
  assert.ok(t0 < t1, `step back ${t0} < ${t1}`);
  await page.keyboard.press('Shift+ArrowRight');
  assert.ok((await stageTime(page)) > t0);
  // Scrub with the range input.
  await page.$eval('[data-testid=scrubber]', (el) => {
    el.value = '100';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid=stage]').dataset.time === '100000');
  // Before the crash, agent 2 is up again.
  assert.equal(await attr(page, '[data-testid=agent-2]', 'data-status'), 'up');
  await page.keyboard.press('?');
  await page.getByTestId('help-overlay').waitFor();
  await shot('help');
});

app.test('a shared link reproduces the same trace hash', { path: '/?s=heartbeat&seed=9' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 150000);
  await page.getByTestId('agent-1').click();
  await page.getByTestId('menu-crash').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 400000);
  await page.getByTestId('play').click(); // pause: the URL now carries t
  await page.waitForFunction(() => /[?&]t=/.test(location.search));
  const hash = await attr(page, '[data-testid=stage]', 'data-trace-hash');
  const t = await stageTime(page);
  const url = page.url();
  await page.goto(url);
  await page.waitForFunction(() => window.wasmBindings !== undefined);
  await page.getByTestId('stage').waitFor();
  assert.equal(await stageTime(page), t);
  assert.equal(await attr(page, '[data-testid=stage]', 'data-trace-hash'), hash, url);
  assert.equal(await attr(page, '[data-testid=agent-1]', 'data-status'), 'crashed');
  await shot('reloaded-shared-link');
});

app.test('a malformed link shows a banner and keeps the page alive', { path: '/?s=heartbeat&seed=2&loss=900%25' }, async ({ page, shot }) => {
  await page.getByTestId('url-banner').waitFor();
  await page.getByTestId('stage').waitFor();
  await shot('bad-link-banner');
});

app.test('embed mode in an iframe obeys postMessage', async ({ page, shot, url }) => {
  await page.waitForLoadState('networkidle');
  await page.goto(url('/embed-example.html'));
  const frame = page.frameLocator('iframe');
  await frame.getByTestId('stage').waitFor();
  const handle = await page.$('iframe');
  const f = await handle.contentFrame();
  await f.waitForFunction(() => window.wasmBindings !== undefined);
  const t = () => f.$eval('[data-testid=stage]', (el) => Number(el.dataset.time));
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'seek', t_ms: 700 }, '*'));
  await f.waitForFunction(() => document.querySelector('[data-testid=stage]').dataset.time === '700000');
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'play' }, '*'));
  await f.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 700000);
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'pause' }, '*'));
  await page.waitForTimeout(50);
  const a = await t();
  await page.waitForTimeout(200);
  assert.equal(await t(), a, 'paused');
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'set', key: 'loss', value: '30%' }, '*'));
  await f.waitForFunction(() => /set\*loss/.test(location.search));
  await shot('embed-in-iframe');
});

app.test('phone-sized screen and dark theme', { path: '/?s=heartbeat&seed=4&t=600ms&theme=dark' }, async ({ page, shot }) => {
  await page.setViewportSize({ width: 360, height: 760 });
  await page.getByTestId('stage').waitFor();
  await shot('phone-dark');
  await page.screenshot({ path: join(ARTIFACTS, 'phone-dark-top.png') });
  // Embed mode at the narrowest width it promises.
  await page.setViewportSize({ width: 320, height: 400 });
  await page.goto(page.url().replace('theme=dark', 'embed=1'));
  await page.getByTestId('stage').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'embed-320.png') });
});

app.test('every scenario in the catalogue opens, runs and draws', async ({ page, shot, url }) => {
  await page.getByTestId('gallery').waitFor();
  await shot('gallery-all');
  const ids = await page.$$eval('[data-testid^=card-]', (els) => els.map((e) => e.dataset.testid.slice(5)));
  assert.ok(ids.length >= 1);
  for (const id of ids) {
    await page.goto(url(`/?s=${id}&seed=1&t=2s`));
    await page.waitForFunction(() => window.wasmBindings !== undefined);
    await page.getByTestId('stage').waitFor();
    assert.equal(await page.$eval('[data-testid=page]', (e) => e.dataset.scenario), id);
    assert.ok((await page.$$('[data-testid^=agent-]')).length > 0, id);
    await shot(`scenario-${id}`);
  }
});
