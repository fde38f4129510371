// End-to-end: the release build in a real (headless) Chromium. Run by scripts/test.sh, or
// `node --test tests/e2e/*.test.mjs` after `trunk build --release --offline`.
import assert from 'node:assert/strict';
import { useApp } from './support/harness.mjs';

const app = useApp();

app.test('the app opens with its title', async ({ page, shot }) => {
  await page.getByTestId('app-title').waitFor();
  assert.equal(await page.title(), 'Swarmscope');
  assert.equal(await page.getByTestId('app-title').textContent(), 'Swarmscope');
  await shot('home');
});
