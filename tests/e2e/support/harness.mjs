// Shared end-to-end harness: one static server for dist/ and one headless Chromium per test file,
// a fresh browser context per test, and a guard that fails the test on any console error, page
// error or failed request.
//
//   import { useApp } from './support/harness.mjs';
//   const app = useApp();
//   app.test('a person can step the simulation', async ({ page, shot }) => {
//     await page.getByTestId('counter-button').click();
//     await shot('after-click');            // artifacts/e2e/after-click.png
//   });
//
// The app is served from $BASE_URL when set (scripts/test.sh serves dist/ itself), otherwise this
// file serves ./dist in-process. Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM_PATH);
// never `npx playwright install`.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from './server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = join(ROOT, 'artifacts', 'e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium floods the closed network with refused
// connections (TOOLCHAIN.md).
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function safeName(name) {
  return name.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

/// Registers before/after hooks for the file and returns `{ test, url }`.
export function useApp({ viewport = { width: 1280, height: 800 } } = {}) {
  const state = { server: null, browser: null, baseUrl: process.env.BASE_URL ?? null };

  before(async () => {
    if (!state.baseUrl) {
      state.server = await serveDir(join(ROOT, 'dist'), 0);
      state.baseUrl = state.server.url;
    }
    state.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: LAUNCH_ARGS,
      headless: true,
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await state.browser?.close();
    await state.server?.close();
  });

  const url = (path = '/') => new URL(path, state.baseUrl).href;

  /// A test with a fresh page already showing the app at `path` (default `/`); `before(page)`, if
  /// given, runs before that first load (e.g. `page.route`).
  /// `fn({ page, shot, url, problems })`; the test fails if `problems` is not empty at the end.
  function appTest(name, fnOrOptions, maybeFn) {
    const options = typeof fnOrOptions === 'function' ? {} : fnOrOptions;
    const fn = typeof fnOrOptions === 'function' ? fnOrOptions : maybeFn;
    return test(name, async () => {
      const context = await state.browser.newContext({ viewport });
      const page = await context.newPage();
      const problems = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('requestfailed', async (req) => {
        const why = req.failure()?.errorText ?? '';
        // A prefetch (a link pointed at prefetches its page's build) cut short by a page load is
        // not a failure of the page. (The header is the network stack's: headerValue sees it.)
        const purpose = why === 'net::ERR_ABORTED' ? await req.headerValue('sec-purpose').catch(() => null) : null;
        if (/prefetch/.test(purpose ?? '')) return;
        // Nor is the browser's own favicon request cut short by the next navigation (seen once
        // in CI, in the test that opens several links in a row).
        if (why === 'net::ERR_ABORTED' && req.resourceType() !== 'document' && /\/favicon[^/]*$/.test(new URL(req.url()).pathname)) return;
        problems.push(`request failed: ${req.url()} ${why}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      const shot = async (label) => {
        const file = join(ARTIFACTS, `${safeName(label)}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      };
      try {
        // Set up before the first load (routes that must answer the page's first requests).
        if (options.before) await options.before(page);
        await page.goto(url(options.path ?? '/'), { waitUntil: 'load' });
        // trunk's loader sets window.wasmBindings once the wasm module has started.
        await page.waitForFunction(() => window.wasmBindings !== undefined, null, {
          timeout: 15_000,
        });
        await fn({ page, shot, url, problems });
        assert.deepEqual(problems, [], 'the page reported errors');
      } catch (err) {
        await shot(`FAILED-${name}`).catch(() => {});
        throw err;
      } finally {
        await context.close();
      }
    });
  }

  return { test: appTest, url };
}
