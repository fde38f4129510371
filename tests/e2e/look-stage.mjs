// A close look at the stage at 2× (a tool, not a test): serves dist/, opens a link, saves the
// stage alone to artifacts/look/<name>.png.
//   node tests/e2e/look-stage.mjs 's=heartbeat&seed=5&i=300ms*crash*2&t=1200ms' crashed [dark]
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { ARTIFACTS, CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
const [query, name, theme] = process.argv.slice(2);
const out = join(ARTIFACTS, '..', 'look');
await mkdir(out, { recursive: true });
const server = await serveDir('dist', 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2, colorScheme: theme === 'dark' ? 'dark' : 'light' });
await page.goto(new URL(`/?${query}`, server.url).href);
await page.getByTestId('stage').waitFor();
await page.getByTestId('stage').screenshot({ path: join(out, `${name}.png`) });
await browser.close();
await server.close();
