// End-to-end: the canvas layers (src/ui/canvas.rs). Messages on the stage and arrows on the
// space-time diagram are drawn on <canvas>; these tests check, through the `swarmscopeStage()` /
// `swarmscopeDiagram()` hooks and the canvas pixels, that they are drawn where the hooks say, that
// hovering names them, clicking inspects them, dropped ones die half-way, duplicates show, the
// diagram still seeks and scrolls, and the layers follow the theme and the device pixel ratio.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, useApp } from './support/harness.mjs';

const app = useApp();

const stage = (page) => page.evaluate(() => window.swarmscopeStage());
const diagram = (page) => page.evaluate(() => window.swarmscopeDiagram());
const stageTime = async (page) => Number(await page.$eval('[data-testid=stage]', (el) => el.dataset.time));

/// Steps forward (`key`) until `ok(list)` holds for the stage's messages (or gives up).
async function stepUntil(page, ok, key = 'Shift+ArrowRight', max = 80) {
  for (let i = 0; i < max; i++) {
    const list = await stage(page);
    if (ok(list)) return list;
    await page.keyboard.press(key);
  }
  return stage(page);
}

/// The item whose (cx, cy) is farthest from every other's, so a click or hover hits only it.
function loneliest(items) {
  let best = null;
  let bestD = -1;
  for (const a of items) {
    let d = Infinity;
    for (const b of items) if (b !== a) d = Math.min(d, Math.hypot(a.cx - b.cx, a.cy - b.cy));
    if (d > bestD) [best, bestD] = [a, d];
  }
  return best;
}

/// The canvas pixel's alpha under client point (x, y). The canvases are painted in a Web Worker
/// (an OffscreenCanvas), so the page asks the painter (`window.swarmscopeAlpha`, src/ui/paint.js).
const alphaAt = (page, testid, x, y) =>
  page.evaluate(([testid, x, y]) => window.swarmscopeAlpha(testid, x, y), [testid, x, y]);

app.test('stage messages: drawn where reported, hover names them, click inspects them', { path: '/?s=heartbeat&seed=1&t=300ms&autoplay=0' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  const list = await stepUntil(page, (l) => l.filter((m) => !m.dying).length >= 2);
  assert.ok(list.length >= 2, 'messages in flight');
  assert.equal(list.length, Number(await page.$eval('[data-testid=stage]', (e) => e.dataset.msgs)));
  const m = loneliest(list.filter((x) => !x.dying));
  // The canvas has paint where the hook says the message is, and none far from every message.
  assert.ok((await alphaAt(page, 'msg-canvas', m.cx, m.cy)) > 0, 'a dot under the reported position');
  const box = await page.$eval('[data-testid=msg-canvas]', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top }; });
  assert.equal(await alphaAt(page, 'msg-canvas', box.x + 2, box.y + 2), 0, 'the corner is clear');
  // Hover: a tip with its id and kind.
  await page.mouse.move(m.cx, m.cy);
  const tip = page.getByTestId('msg-tip');
  await tip.waitFor({ state: 'visible' });
  const text = await tip.textContent();
  assert.ok(text.includes(`#${m.id}`) && text.includes(m.kind), text);
  await shot('canvas-stage-hover');
  // Click: the inspector shows the message and the stage marks it selected.
  await page.mouse.click(m.cx, m.cy);
  await page.waitForFunction((id) => window.swarmscopeStage().some((x) => x.id === id && x.selected), m.id);
  const insp = await page.getByTestId('inspector').textContent();
  assert.ok(insp.includes(`#${m.id} ${m.kind}`), insp);
  // Its moments read in seconds or milliseconds, not in the links' microseconds.
  assert.match(insp, /sent[\d.]+ m?sdue[\d.]+ m?slatency[\d.]+ m?s/, insp);
  assert.doesNotMatch(insp, /\d+us/, insp);
  await shot('canvas-message-inspected');
  // Moving away hides the tip.
  await page.mouse.move(box.x + 2, box.y + 2);
  await tip.waitFor({ state: 'hidden' });
});

app.test('dropped messages die half-way and duplicates are drawn', { path: '/?s=heartbeat&seed=3&loss=40%25&duplicate=40%25&t=200ms&autoplay=0' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  const list = await stepUntil(page, (l) => l.some((m) => m.dying) && l.some((m) => m.dup), '.', 300);
  const dying = list.filter((m) => m.dying);
  assert.ok(dying.length > 0, 'some dropped messages fading out');
  for (const m of dying) assert.equal(m.f, 0.5, `message ${m.id} died half-way`);
  assert.ok(list.some((m) => m.dup), 'duplicates drawn');
  for (const m of list) assert.ok(m.f >= 0 && m.f <= 1);
  await shot('canvas-dropped-and-duplicates');
  // A dying message fades out; with prefers-reduced-motion it stays opaque until it is gone.
  const fading = await stepUntil(page, (l) => l.some((m) => m.dying && m.gone > 0.3 && m.gone < 0.9), '.', 300);
  const m = loneliest(fading.filter((x) => x.dying && x.gone > 0.3 && x.gone < 0.9));
  assert.ok(m, 'a message half faded');
  const faded = await alphaAt(page, 'msg-canvas', m.cx, m.cy);
  assert.ok(faded > 0 && faded < 255, `faded alpha ${faded}`);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.waitForFunction(() => matchMedia('(prefers-reduced-motion: reduce)').matches);
  // Step away and back to the same time: the same frame, drawn again under reduced motion.
  const t = await page.$eval('[data-testid=stage]', (el) => el.dataset.time);
  await page.keyboard.press('.');
  await page.keyboard.press(',');
  assert.equal(await page.$eval('[data-testid=stage]', (el) => el.dataset.time), t);
  const still = await alphaAt(page, 'msg-canvas', m.cx, m.cy);
  assert.equal(still, 255, 'opaque under reduced motion');
});

app.test('diagram arrows: hover names, click inspects, click beside seeks, wheel scrolls', { path: '/?s=heartbeat&seed=1&t=1500ms&autoplay=0' }, async ({ page, shot }) => {
  const svg = page.getByTestId('spacetime');
  await svg.waitFor();
  await svg.scrollIntoViewIfNeeded();
  const arrows = await diagram(page);
  assert.ok(arrows.length > 0);
  assert.equal(arrows.length, Number(await svg.getAttribute('data-arrows')));
  const past = arrows.filter((a) => !a.future);
  const a = loneliest(past);
  assert.ok((await alphaAt(page, 'st-canvas', a.cx, a.cy)) > 0, 'the arrow is painted where reported');
  await page.mouse.move(a.cx, a.cy);
  const tip = page.getByTestId('st-tip');
  await tip.waitFor({ state: 'visible' });
  assert.ok((await tip.textContent()).includes(a.kind));
  await page.mouse.click(a.cx, a.cy);
  await page.waitForFunction((id) => window.swarmscopeDiagram().some((x) => x.id === id && x.selected), a.id);
  assert.ok((await page.getByTestId('inspector').textContent()).includes(`#${a.id} ${a.kind}`));
  await page.locator('section.spacetime').screenshot({ path: join(ARTIFACTS, 'canvas-diagram.png') });
  // Click in the lane labels' column (no arrows there): seeks to the window's start.
  const t0 = await stageTime(page);
  const r = await svg.boundingBox();
  await page.mouse.click(r.x + 6, r.y + r.height / 2);
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid=stage]').dataset.time) < t, t0);
  // Wheel: the cursor moves and the arrows with it.
  const t1 = await stageTime(page);
  const before = JSON.stringify((await diagram(page)).map((x) => x.cx));
  await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 120);
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid=stage]').dataset.time) > t, t1);
  assert.notEqual(JSON.stringify((await diagram(page)).map((x) => x.cx)), before, 'arrows scrolled');
  // Once the wheel rests, the whole page shows the cursor's time: the controls (refreshed in turn
  // with the stage while scrolling) and the URL (written after the cursor rests).
  await page.waitForFunction(() => {
    const t = Number(document.querySelector('[data-testid=stage]').dataset.time);
    const shown = document.querySelector('[data-testid=time]').textContent;
    return shown === `${(t / 1000).toFixed(1)} ms` || shown === `${(t / 1e6).toFixed(3)} s`;
  }, null, { timeout: 3000 });
  await page.waitForFunction(() => {
    const m = /^(\d+(?:\.\d+)?)(us|ms|s)$/.exec(new URLSearchParams(location.search).get('t') ?? '');
    const us = m ? Number(m[1]) * { us: 1, ms: 1e3, s: 1e6 }[m[2]] : NaN;
    return Math.round(us) === Number(document.querySelector('[data-testid=stage]').dataset.time);
  }, null, { timeout: 3000 });
  await shot('canvas-diagram-scrolled');
});

app.test('canvas layers follow the theme, the phone width and the pixel ratio', { path: '/?s=heartbeat&seed=4&t=600ms&theme=dark&autoplay=0' }, async ({ page, shot, url }) => {
  await page.setViewportSize({ width: 360, height: 760 });
  await page.getByTestId('stage').waitFor();
  await page.waitForFunction(() => window.swarmscopeStage().length > 0);
  // The message canvas covers the stage's SVG exactly.
  const [c, s] = await page.evaluate(() => ['msg-canvas', 'stage'].map((id) => {
    const r = document.querySelector(`[data-testid=${id}]`).getBoundingClientRect();
    return [r.left, r.top, r.width, r.height].map(Math.round);
  }));
  assert.deepEqual(c, s);
  await shot('canvas-phone-dark');
  // A device pixel ratio of 2 doubles the backing store.
  const ctx = await page.context().browser().newContext({ viewport: { width: 800, height: 700 }, deviceScaleFactor: 2 });
  const p2 = await ctx.newPage();
  await p2.goto(url('/?s=heartbeat&seed=4&t=600ms&autoplay=0'));
  await p2.getByTestId('stage').waitFor();
  await p2.waitForFunction(() => window.swarmscopeStage?.().length > 0);
  // (The painter sizes the canvas in the worker: the element shows it once that frame lands.)
  await p2.waitForFunction(() => {
    const e = document.querySelector('[data-testid=msg-canvas]');
    return e.width === Math.round(e.getBoundingClientRect().width * 2);
  }, null, { timeout: 5000 }).catch(() => {});
  const [bw, cw] = await p2.$eval('[data-testid=msg-canvas]', (e) => [e.width, e.getBoundingClientRect().width]);
  assert.equal(bw, Math.round(cw * 2));
  const m = (await p2.evaluate(() => window.swarmscopeStage()))[0];
  assert.ok((await alphaAt(p2, 'msg-canvas', m.cx, m.cy)) > 0);
  await ctx.close();
});

app.test('the canvases are painted in a worker, or on the main thread where that is not possible', { path: '/?s=heartbeat&seed=1&t=300ms&autoplay=0' }, async ({ page, url }) => {
  // Chromium has OffscreenCanvas: the painter is a Web Worker.
  await page.getByTestId('stage').waitFor();
  await page.waitForFunction(() => window.swarmscopeStage().length > 0);
  assert.equal(await page.$eval('[data-testid=stage]', (e) => e.dataset.paint), 'worker');
  const stats = await page.evaluate(() => window.swarmscopePaintStats());
  assert.ok(stats.applied > 0, JSON.stringify(stats));
  // Told otherwise (as a browser without OffscreenCanvas would be), the same frames are replayed
  // on the page's own canvases.
  const ctx = await page.context().browser().newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(() => { window.__swarmscopePaintHere = true; });
  const p2 = await ctx.newPage();
  const errors = [];
  p2.on('pageerror', (e) => errors.push(e.message));
  await p2.goto(url('/?s=heartbeat&seed=1&t=300ms&autoplay=0'));
  await p2.getByTestId('stage').waitFor();
  await p2.waitForFunction(() => window.swarmscopeStage?.().length > 0);
  assert.equal(await p2.$eval('[data-testid=stage]', (e) => e.dataset.paint), 'main');
  assert.equal(await p2.evaluate(() => window.swarmscopePaintStats()), null);
  const m = loneliest((await p2.evaluate(() => window.swarmscopeStage())).filter((x) => !x.dying));
  assert.ok((await alphaAt(p2, 'msg-canvas', m.cx, m.cy)) > 0, 'a dot under the reported position');
  const box = await p2.$eval('[data-testid=msg-canvas]', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top }; });
  assert.equal(await alphaAt(p2, 'msg-canvas', box.x + 2, box.y + 2), 0, 'the corner is clear');
  const arrow = (await p2.evaluate(() => window.swarmscopeDiagram())).find((a) => !a.dropped);
  assert.ok(arrow, 'arrows drawn');
  assert.deepEqual(errors, []);
  await ctx.close();
});

/// Counts, for `ms` of animation frames, the frames in which the stage's SVG, the diagram's SVG
/// and the side panels changed (a MutationObserver on each, read at the next frame), and those in
/// which the diagram's arrows were repainted (`arrows`: what `swarmscopeDiagram()` reports moved);
/// of those, `ahead` came a frame before a change of the diagram's SVG, and `apart` came further
/// than a frame from any.
async function partsSeen(page, ms) {
  return page.evaluate((ms) => new Promise((done) => {
    const sig = () => { const a = window.swarmscopeDiagram(); return a.length ? `${a.length}:${a[0].cx.toFixed(2)}:${a[a.length - 1].cx.toFixed(2)}` : ''; };
    let last = sig();
    const parts = { stage: '[data-testid=stage]', diagram: '[data-testid=spacetime]', panels: '.side-col' };
    const dirty = {};
    const seen = { frames: 0, stage: 0, diagram: 0, panels: 0, stage_and_panels: 0, arrows: 0, ahead: 0, apart: 0 };
    const at = { arrows: [], diagram: [] };
    const obs = Object.entries(parts).map(([k, sel]) => {
      const o = new MutationObserver(() => { dirty[k] = true; });
      o.observe(document.querySelector(sel), { subtree: true, childList: true, characterData: true, attributes: true });
      return o;
    });
    const t0 = performance.now();
    const f = () => {
      seen.frames++;
      for (const k of Object.keys(parts)) if (dirty[k]) seen[k]++;
      if (dirty.diagram) at.diagram.push(seen.frames);
      if (dirty.stage && dirty.panels) seen.stage_and_panels++;
      const now = sig();
      if (now !== last) {
        seen.arrows++;
        at.arrows.push(seen.frames);
      }
      last = now;
      for (const k of Object.keys(dirty)) delete dirty[k];
      if (performance.now() - t0 < ms) requestAnimationFrame(f);
      else {
        obs.forEach((o) => o.disconnect());
        const d = new Set(at.diagram);
        for (const i of at.arrows) {
          if (d.has(i + 1) && !d.has(i)) seen.ahead++;
          if (!d.has(i - 1) && !d.has(i) && !d.has(i + 1)) seen.apart++;
        }
        done(seen);
      }
    };
    requestAnimationFrame(f);
  }), ms);
}

app.test('while it plays and scrolls, each render refreshes one half: the stage with its diagram, or the panels; playing, the arrows move with the diagram', { path: '/?s=heartbeat&seed=1&nodes=25&latency=400ms..600ms&interval=500ms&timeout=5s&t=2s&autoplay=1' }, async ({ page }) => {
  // page::Halves: renders while time runs refresh the stage and the diagram, or the panels, in
  // turn. The diagram re-rendered on the panels' turn too (with the newer diagram the canvases
  // had just painted), and its canvas, not ticked, repainted at once.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]')?.dataset.msgs) >= 200);
  const check = (seen, what) => {
    const s = JSON.stringify(seen);
    assert.ok(seen.stage >= 8 && seen.panels >= 8, `${what}: both halves were refreshed: ${s}`);
    // A render that refreshes everything (the worker's answer, say) changes both: a few at most.
    assert.ok(seen.stage_and_panels <= 3, `${what}: the halves take turns: ${s}`);
    assert.ok(seen.diagram <= seen.stage + 2, `${what}: the diagram changes with the stage only: ${s}`);
  };
  const playing = await partsSeen(page, 2500);
  check(playing, 'playing');
  // While playing, the arrows move with the diagram's SVG (its cursor and time axis), not on
  // their own whenever the cursor moved a 300th of the window (then ~2x as often as the SVG).
  assert.ok(playing.arrows >= 8, `playing: the arrows move on: ${JSON.stringify(playing)}`);
  assert.ok(playing.arrows <= playing.diagram + 2, `playing: the arrows move with the diagram's SVG: ${JSON.stringify(playing)}`);
  assert.ok(playing.apart <= 2, `playing: each move of the arrows comes with one of the SVG: ${JSON.stringify(playing)}`);
  // Painted a frame ahead of the stage's turn, not by that render (page.rs, `arrows_ahead`).
  assert.ok(playing.ahead >= playing.arrows / 2, `playing: the arrows are painted a frame ahead: ${JSON.stringify(playing)}`);
  await page.keyboard.press('Space');
  await page.$eval('[data-testid=spacetime]', (e) => e.scrollIntoView());
  const scrolling = page.evaluate(() => new Promise((done) => {
    let i = 0;
    const f = () => {
      const el = document.querySelector('[data-testid=spacetime]');
      el.dispatchEvent(new WheelEvent('wheel', { deltaY: Math.floor(i / 30) % 2 ? 60 : -60, bubbles: true, cancelable: true }));
      if (++i < 150) requestAnimationFrame(f); else done();
    };
    requestAnimationFrame(f);
  }));
  const seen = await partsSeen(page, 2200);
  await scrolling;
  check(seen, 'scrolling');
  // Scrolling, the arrows follow the wheel at once, in most frames (the SVG every third).
  assert.ok(seen.arrows >= seen.frames / 2, `scrolling: the arrows follow the wheel: ${JSON.stringify(seen)}`);
});

app.test('on a slow machine (CPU throttled 8× or more), the arrows of a playing diagram still move with it', { path: '/?s=heartbeat&seed=1&nodes=25&latency=400ms..600ms&interval=500ms&timeout=5s&t=2s&autoplay=1' }, async ({ page }) => {
  // Frames there take longer than the renders' spacing, so no frame paints the diagram's arrows
  // ahead of the stage's turn (page.rs, `arrows_ahead`): that render must make them.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]')?.dataset.msgs) >= 200);
  const cdp = await page.context().newCDPSession(page);
  try {
    // Slow enough that a frame takes longer than the renders' spacing (50 ms) on this host.
    let seen;
    for (const rate of [8, 16, 32]) {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      seen = await partsSeen(page, 4000);
      seen.rate = rate;
      if (seen.frames <= 4000 / 50) break;
    }
    const s = JSON.stringify(seen);
    assert.ok(seen.frames <= 4000 / 50, `frames as slow as meant: ${s}`);
    assert.ok(seen.stage >= 3 && seen.diagram >= seen.stage - 2, `the diagram moves on with the stage: ${s}`);
    assert.ok(seen.arrows >= seen.diagram - 2 && seen.arrows <= seen.diagram + 2, `its arrows move with it: ${s}`);
    assert.ok(seen.apart <= 2, `each move of the arrows comes with one of the SVG: ${s}`);
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  }
});
