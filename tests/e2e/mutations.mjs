// What a second of a benchmark case changes in the DOM (a tool, not a test): every mutation
// record, counted by kind and by the element it touched (with its nearest data-testid), to see
// what each render really writes.
//
//   node tests/e2e/mutations.mjs [stage|scroll] [dist-dir]
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
import { openCase } from './support/cases.mjs';

const which = process.argv[2] ?? 'scroll';
const server = await serveDir(process.argv[3] ?? 'dist', 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await openCase(page, server.url, which);
await page.waitForTimeout(500);
const counts = await page.evaluate(() => new Promise((done) => {
  const out = {};
  const where = (n) => {
    const e = n.nodeType === 1 ? n : n.parentElement;
    if (!e) return '?';
    const t = e.closest('[data-testid]')?.dataset.testid ?? '';
    return `${t}>${e.tagName.toLowerCase()}.${(e.getAttribute('class') ?? '').split(' ')[0]}`;
  };
  const o = new MutationObserver((list) => {
    for (const m of list) {
      const k = `${m.type}${m.attributeName ? `:${m.attributeName}` : ''} ${where(m.target)}`;
      out[k] = (out[k] ?? 0) + 1;
    }
  });
  o.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  setTimeout(() => {
    o.disconnect();
    done(out);
  }, 1000);
}));
console.log(`${which}: DOM mutations in 1 s, by kind and element`);
for (const [k, v] of Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(String(v).padStart(5), k);
await browser.close();
await server.close();
