// CPU profile of the frame-time benchmark's cases (a tool, not a test): where the main thread's
// time goes, by function (self time), via the Chrome DevTools Protocol's Profiler.
//
//   node tests/e2e/profile-frames.mjs [stage|scroll] [dist-dir]
//
// For readable wasm function names build a copy with names kept and wasm-opt off, e.g.
//   sed 's/data-wasm-opt="z"/data-wasm-opt="0" data-keep-debug/' index.html > index-prof.html
//   trunk build --release --offline --dist /tmp/prof-dist index-prof.html; rm index-prof.html
//   node tests/e2e/profile-frames.mjs stage /tmp/prof-dist
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
import { openCase } from './support/cases.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const which = process.argv[2] ?? 'stage';
const dir = process.argv[3] ?? join(ROOT, 'dist');
const server = await serveDir(dir, 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const cdp = await page.context().newCDPSession(page);

await openCase(page, server.url, which);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.waitForTimeout(4000);
const { profile } = await cdp.send('Profiler.stop');

const self = new Map();
const dt = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
for (let i = 0; i < profile.samples.length; i++) {
  const d = profile.timeDeltas[i + 1] ?? 0;
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + d);
}
let total = 0;
for (const [id, us] of dt) {
  const n = byId.get(id);
  const name = n.callFrame.functionName || `(anonymous ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber})`;
  self.set(name, (self.get(name) ?? 0) + us);
  total += us;
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
console.log(`total ${(total / 1000).toFixed(0)} ms sampled over 4 s (${which})`);
for (const [name, us] of top) console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${name.slice(0, 140)}`);
await browser.close();
await server.close();
