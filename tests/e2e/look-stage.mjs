// Ad-hoc look at the stage at 2× (not a test): node tests/e2e/look-stage.mjs '<query>' name [crash-agent] [seek-ms]
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
const [query, name, theme] = process.argv.slice(2);
const server = await serveDir('dist', 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2, colorScheme: theme === 'dark' ? 'dark' : 'light' });
await page.goto(new URL(`/?${query}`, server.url).href);
await page.getByTestId('stage').waitFor();
await page.getByTestId('stage').screenshot({ path: `/tmp/ishots/${name}.png` });
await browser.close();
await server.close();
