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
