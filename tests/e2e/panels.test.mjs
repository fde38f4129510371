// End-to-end: the scenario-specific chart panels (PACELC on `quorum`, election CDFs on
// `raft-election`). Screenshots go to artifacts/e2e/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, useApp } from './support/harness.mjs';

const app = useApp();

app.test('quorum page shows the PACELC curve, plane and readout', { path: '/?s=quorum&seed=1&t=2s' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  const panel = page.getByTestId('pacelc-panel');
  await panel.waitFor();
  await page.getByTestId('pacelc-curve').waitFor();
  await page.getByTestId('pacelc-plane').waitFor();
  const curve = await page.$eval('[data-testid=pacelc-curve] polyline', (e) => e.getAttribute('points'));
  assert.ok(curve.split(' ').length > 10, 'the curve has points');
  assert.ok((await page.$$('[data-testid=pacelc-plane] .pt')).length >= 4, 'every (R, W) is a dot');
  assert.equal((await page.$$('[data-testid=pacelc-plane] .pt.current')).length, 1);
  const text = await page.getByTestId('pacelc-readout').innerText();
  assert.match(text, /If Partitioned: A or C \(now: /);
  assert.match(text, /Else \(no partition\): read p99 = [\d.]+ ms vs P\(consistent\) = [\d.]+ %/);
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(ARTIFACTS, 'panel-pacelc.png') });
  await shot('scenario-quorum-pacelc');
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

app.test('quorum PACELC readout follows the partition branch', { path: '/?s=quorum&seed=1&n=5&r=3&w=3&partition=on&reachable=2' }, async ({ page, shot }) => {
  await page.getByTestId('pacelc-readout').waitFor();
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
