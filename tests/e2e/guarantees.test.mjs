// End-to-end: the Guarantees panel on the sessions scenario. With no session fix read-your-writes
// breaks, "show" seeks to the witness and the diagram marks it red; sticky sessions keep it.
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
  assert.equal(await state(page, 'ryw'), 'kept');
  assert.equal(await state(page, 'monotonic-reads'), 'kept');
  await shot('guarantees-sticky');
});
