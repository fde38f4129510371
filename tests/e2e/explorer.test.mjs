// End-to-end: a person's path through the explorer. Screenshots go to artifacts/e2e/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, useApp } from './support/harness.mjs';

const app = useApp();

const attr = (page, sel, name) => page.$eval(sel, (el, n) => el.getAttribute(n), name);
const stageTime = async (page) => Number(await attr(page, '[data-testid=stage]', 'data-time'));

/// The agent menu is visible, inside the stage's box, off every other agent's disc and within 60 px
/// of its own agent's.
async function menuBesideItsAgent(page, agent) {
  const boxes = await page.evaluate(() => {
    const r = (e) => { const b = e.getBoundingClientRect(); return { x0: b.left, y0: b.top, x1: b.right, y1: b.bottom }; };
    const m = document.querySelector('[data-testid=agent-menu]');
    return {
      visible: getComputedStyle(m).visibility,
      menu: r(m),
      stage: r(document.querySelector('[data-testid=stage]')),
      agents: [...document.querySelectorAll('[data-testid^=agent-] .body')].map(r),
    };
  });
  const { menu, stage, agents } = boxes;
  const meets = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  assert.equal(boxes.visible, 'visible');
  assert.ok(menu.x0 >= stage.x0 - 1 && menu.x1 <= stage.x1 + 1 && menu.y0 >= stage.y0 - 1 && menu.y1 <= stage.y1 + 1, `menu inside the stage: ${JSON.stringify(boxes)}`);
  assert.deepEqual(agents.map((a, i) => (i !== agent && meets(a, menu) ? i : -1)).filter((i) => i >= 0), [], `the menu covers no other agent: ${JSON.stringify(boxes)}`);
  const own = agents[agent];
  assert.ok(meets({ x0: own.x0 - 60, x1: own.x1 + 60, y0: own.y0 - 60, y1: own.y1 + 60 }, menu), `the menu is beside its agent: ${JSON.stringify(boxes)}`);
}

// Messages are drawn on a canvas; `window.swarmscopeStage()` lists what was drawn (canvas.rs).

app.test('gallery → scenario, play, messages move', async ({ page, shot }) => {
  await page.getByTestId('gallery').waitFor();
  await shot('gallery');
  await page.getByTestId('card-heartbeat').click();
  await page.getByTestId('stage').waitFor();
  assert.match(page.url(), /s=heartbeat/);
  // Autoplay on the full page: wait for messages, then see them move between frames.
  await page.waitForFunction(() => (window.swarmscopeStage?.() ?? []).length > 0);
  // Across consecutive animation frames, some message is drawn at a new place.
  const moved = await page.evaluate(() => new Promise((done) => {
    let prev = null;
    let frames = 0;
    const tick = () => {
      const now = Object.fromEntries(window.swarmscopeStage().map((m) => [m.id, `${m.x},${m.y}`]));
      if (prev && Object.keys(now).some((k) => prev[k] !== undefined && prev[k] !== now[k])) return done(true);
      prev = now;
      if (++frames > 120) return done(false);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }));
  assert.ok(moved, 'messages move between frames');
  await shot('scenario-playing');
});

app.test('crash an agent by click, partition, scrub back and forth', { path: '/?s=heartbeat&seed=5&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  assert.equal(await stageTime(page), 300000);
  await page.getByTestId('agent-2').locator('.body').click();
  await page.getByTestId('agent-menu').waitFor();
  await shot('agent-menu');
  // The menu sits beside its agent on the stage, shown, and covers no other agent
  // (inspector.rs place_menu, geom::menu_at); again after a resize that letterboxes the stage's
  // drawing in its box (its height capped: 1366×768).
  await menuBesideItsAgent(page, 2);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.waitForTimeout(100);
  await menuBesideItsAgent(page, 2);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('menu-crash').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=agent-2]')?.dataset.status === 'crashed');
  assert.match(page.url(), /i=300ms\*crash\*2/);
  await page.keyboard.press('Escape');
  await page.getByTestId('split').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cut-link]').length > 0);
  assert.ok((await page.$$('[data-testid=partition-region]')).length >= 2);
  for (let i = 0; i < 6; i++) await page.keyboard.press('.');
  await shot('crashed-and-partitioned');
  const t1 = await stageTime(page);
  await page.keyboard.press(',');
  await page.keyboard.press(',');
  const t0 = await stageTime(page);
  assert.ok(t0 < t1, `step back ${t0} < ${t1}`);
  await page.keyboard.press('Shift+ArrowRight');
  assert.ok((await stageTime(page)) > t0);
  // Scrub with the range input.
  await page.$eval('[data-testid=scrubber]', (el) => {
    el.value = '100';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid=stage]').dataset.time === '100000');
  // Before the crash, agent 2 is up again.
  assert.equal(await attr(page, '[data-testid=agent-2]', 'data-status'), 'up');
  await page.keyboard.press('?');
  await page.getByTestId('help-overlay').waitFor();
  await shot('help');
});

app.test('a shared link reproduces the same trace hash', { path: '/?s=heartbeat&seed=9' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 150000);
  await page.getByTestId('agent-1').locator('.body').click();
  await page.getByTestId('menu-crash').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 400000);
  await page.getByTestId('play').click(); // pause: the URL now carries t
  await page.waitForFunction(() => /[?&]t=/.test(location.search));
  const hash = await attr(page, '[data-testid=stage]', 'data-trace-hash');
  const t = await stageTime(page);
  const url = page.url();
  await page.goto(url);
  await page.waitForFunction(() => window.wasmBindings !== undefined);
  await page.getByTestId('stage').waitFor();
  assert.equal(await stageTime(page), t);
  assert.equal(await attr(page, '[data-testid=stage]', 'data-trace-hash'), hash, url);
  assert.equal(await attr(page, '[data-testid=agent-1]', 'data-status'), 'crashed');
  await shot('reloaded-shared-link');
});

app.test('a malformed link shows a banner and keeps the page alive', { path: '/?s=heartbeat&seed=2&loss=900%25' }, async ({ page, shot }) => {
  await page.getByTestId('url-banner').waitFor();
  await page.getByTestId('stage').waitFor();
  await shot('bad-link-banner');
});

app.test('a link to no scenario opens the gallery with a banner that can be dismissed', { path: '/?s=nosuch&seed=1' }, async ({ page }) => {
  await page.getByTestId('gallery').waitFor();
  assert.match(await page.getByTestId('url-banner').textContent(), /nosuch/);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=url-banner]'));
  assert.ok(await page.$('[data-testid=card-raft-election]'));
});

app.test('odd links pick the build the app reads them for', async ({ page, url }) => {
  const scenario = () => page.waitForFunction(() => document.querySelector('[data-testid=page]')?.dataset.scenario);
  // Names an object has by inheritance are no scenario either: the gallery and its banner.
  for (const s of ['constructor', '__proto__', 'toString']) {
    await page.goto(url(`/?s=${s}&seed=1`));
    await page.getByTestId('gallery').waitFor();
    assert.match(await page.getByTestId('url-banner').textContent(), new RegExp(s), s);
  }
  // Leading '?'/'#', a percent-encoded id, the query in the hash, two s= (the last counts).
  for (const [path, id] of [['/??s=cap&seed=1', 'cap'], ['/?s=%63ap&seed=1', 'cap'], ['/#s=bully&seed=1', 'bully'], ['/?s=cap&s=quorum&seed=1', 'quorum']]) {
    await page.goto(url(path));
    await page.getByTestId('stage').waitFor();
    assert.equal(await (await scenario()).jsonValue(), id, path);
    assert.ok(!(await page.$('[data-testid=url-banner]')), `${path}: no banner`);
  }
});

app.test('embed mode in an iframe obeys postMessage', async ({ page, shot, url }) => {
  await page.waitForLoadState('networkidle');
  await page.goto(url('/embed-example.html'));
  const frame = page.frameLocator('iframe');
  await frame.getByTestId('stage').waitFor();
  const handle = await page.$('iframe');
  const f = await handle.contentFrame();
  await f.waitForFunction(() => window.wasmBindings !== undefined);
  const t = () => f.$eval('[data-testid=stage]', (el) => Number(el.dataset.time));
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'seek', t_ms: 700 }, '*'));
  await f.waitForFunction(() => document.querySelector('[data-testid=stage]').dataset.time === '700000');
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'play' }, '*'));
  await f.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 700000);
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'pause' }, '*'));
  await page.waitForTimeout(50);
  const a = await t();
  await page.waitForTimeout(200);
  assert.equal(await t(), a, 'paused');
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'set', key: 'loss', value: '30%' }, '*'));
  await f.waitForFunction(() => /set\*loss/.test(location.search));
  await shot('embed-in-iframe');
});

app.test('phone-sized screen and dark theme', { path: '/?s=heartbeat&seed=4&t=600ms&theme=dark' }, async ({ page, shot }) => {
  await page.setViewportSize({ width: 360, height: 760 });
  await page.getByTestId('stage').waitFor();
  await shot('phone-dark');
  await page.screenshot({ path: join(ARTIFACTS, 'phone-dark-top.png') });
  // Embed mode at the narrowest width it promises.
  await page.setViewportSize({ width: 320, height: 400 });
  await page.goto(page.url().replace('theme=dark', 'embed=1'));
  await page.getByTestId('stage').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'embed-320.png') });
});

app.test('every scenario in the catalogue opens, runs and draws', async ({ page, shot, url }) => {
  await page.getByTestId('gallery').waitFor();
  await shot('gallery-all');
  const ids = await page.$$eval('[data-testid^=card-]', (els) => els.map((e) => e.dataset.testid.slice(5)));
  assert.ok(ids.length >= 1);
  // A release build has one build of the app per page (scripts/pages.mjs): each page loads its own.
  const pages = await pageBuilds(page);
  for (const id of ids) {
    const wasm = wasmRequests(page);
    await page.goto(url(`/?s=${id}&seed=1&t=2s`));
    await page.waitForFunction(() => window.wasmBindings !== undefined);
    await page.getByTestId('stage').waitFor();
    assert.equal(await page.$eval('[data-testid=page]', (e) => e.dataset.scenario), id);
    if (pages) assert.deepEqual(wasm(), [`page-${id}`], `${id} loads its own build`);
    assert.ok((await page.$$('[data-testid^=agent-]')).length > 0, id);
    // The long texts are fetched from texts/<id>.txt, not built into the wasm.
    await page.getByTestId('explain-ai').waitFor();
    assert.ok((await page.getByTestId('explain-ai').textContent()).length > 100, id);
    await shot(`scenario-${id}`);
  }
});

/// The app builds (page-<id>, page-gallery, swarmscope-web) the page requests from now on, by name;
/// `prefetched` lists those only prefetched (a link pointed at, scripts/pages.mjs).
function wasmRequests(page, prefetched = []) {
  const seen = [];
  page.on('request', async (r) => {
    const m = /\/((?:page|swarmscope-web)(?:-[a-z0-9]+)*?)-[0-9a-f]{16}_bg\.wasm$/.exec(r.url());
    if (!m) return;
    const purpose = (await r.allHeaders())['sec-purpose'] ?? '';
    (purpose.includes('prefetch') ? prefetched : seen).push(m[1]);
  });
  return () => [...seen];
}

/// Whether this dist has one build per page (release) or one app for all (SWARMSCOPE_PAGES=0).
async function pageBuilds(page) {
  return page.evaluate(() => [...document.scripts].some((s) => /page-gallery-/.test(s.textContent)));
}

app.test('each page loads only its own build; a card, Home, Back and Forward move between them', async ({ page, shot, problems }) => {
  await page.getByTestId('gallery').waitFor();
  if (!(await pageBuilds(page))) return; // one app for every page: nothing to switch
  const prefetched = [];
  const wasm = wasmRequests(page, prefetched);
  // Pointing at a card prefetches its page's build.
  await page.getByTestId('card-gossip').hover();
  await page.waitForFunction(() => [...document.querySelectorAll('link[rel=prefetch]')].some((l) => /page-gossip-/.test(l.href)));
  // The build the current document runs (a document restored from the back-forward cache keeps
  // its own; one loaded afresh loads the build its URL asks for).
  const running = () =>
    page.evaluate(() => {
      const prefetch = new Set([...document.querySelectorAll('link[rel=prefetch]')].map((l) => l.href));
      return performance
        .getEntriesByType('resource')
        .filter((e) => !prefetch.has(e.name))
        .map((e) => /\/(page-[a-z0-9-]+?)-[0-9a-f]{16}_bg\.wasm$/.exec(e.name)?.[1])
        .filter(Boolean);
    });
  const showing = async (id) => {
    await page.waitForFunction((id) => document.querySelector('[data-testid=page]')?.dataset.scenario === id, id);
    await page.getByTestId('stage').waitFor();
    assert.deepEqual(await running(), [`page-${id}`], `${id} runs in its own build`);
  };
  const gallery = async () => {
    await page.getByTestId('gallery').waitFor();
    assert.deepEqual(await running(), ['page-gallery'], 'the gallery runs in its own build');
  };
  assert.deepEqual(await running(), ['page-gallery']);
  // A card loads the scenario's build; Home loads the gallery's; another card that scenario's.
  await page.getByTestId('card-cap').click();
  await showing('cap');
  await page.getByTestId('home').click();
  await gallery();
  await page.getByTestId('card-quorum').click();
  await showing('quorum');
  assert.deepEqual(wasm(), ['page-cap', 'page-gallery', 'page-quorum']);
  assert.ok(prefetched.includes('page-gossip'), `prefetched: ${prefetched}`);
  // Back to the gallery, back to CAP, forward twice to the quorum store: each page in its build.
  await page.goBack();
  await gallery();
  await page.goBack();
  await showing('cap');
  await page.goForward();
  await gallery();
  await page.goForward();
  await showing('quorum');
  // History entries of this document that point at another build's page (Back or Forward
  // without the back-forward cache land so): the app loads that page's build.
  await page.evaluate(() => history.pushState(null, '', '?s=bully&seed=1'));
  await page.goBack();
  await showing('quorum');
  await page.goForward();
  await showing('bully');
  await page.evaluate(() => history.pushState(null, '', '?'));
  await page.goBack();
  await showing('bully');
  await page.goForward();
  await gallery();
  // And in the gallery's build, an entry for a scenario's page (which it cannot even parse).
  await page.evaluate(() => history.pushState(null, '', '?s=gossip&seed=1'));
  await page.goBack();
  await gallery();
  await page.goForward();
  await showing('gossip');
  await shot('pages-back-forward');
  // A page load cancels what the last page still fetched: its icon, its texts, the Web Worker
  // the quorum page starts at once for its PACELC panel.
  const aborted = (p) => /^request failed: \S+\/(favicon-[0-9a-f]+\.svg|texts\/[a-z-]+\.txt|swarmscope-worker[^ ]*) net::ERR_ABORTED$/.test(p);
  problems.splice(0, problems.length, ...problems.filter((p) => !aborted(p)));
});

// The route is set before the page's first load (a second navigation would abort whatever the
// first page still had in flight, which the harness counts as a problem).
const gone = { path: '/?s=heartbeat&seed=1&t=300ms', before: (page) => page.route('**/texts/*.txt', (r) => r.fulfill({ status: 404, body: 'gone' })) };
app.test('a scenario whose texts cannot be fetched says so and still runs', gone, async ({ page, problems, shot }) => {
  await page.getByTestId('stage').waitFor();
  const msg = await page.getByTestId('explain-error').textContent();
  assert.match(msg, /could not be loaded \(HTTP 404/);
  // The 404 itself is what this test provokes; anything else still fails it.
  const provoked = (p) => /texts\/heartbeat\.txt|status of 404/.test(p);
  problems.splice(0, problems.length, ...problems.filter((p) => !provoked(p)));
  await shot('texts-missing');
});

// ---- direct manipulation: links, walls, suspicion; speed and time in the URL ----

/// Client (CSS px) coordinates of a point of the stage's drawing.
async function viewToClient(page, x, y) {
  return page.$eval('[data-testid=stage]', (svg, [x, y]) => {
    const m = svg.getScreenCTM();
    const p = new DOMPoint(x, y).matrixTransform(m);
    return { x: p.x, y: p.y };
  }, [x, y]);
}

/// A point on link `a-b` (a fraction of the way along) that the pointer would really hit.
async function linkPoint(page, link) {
  for (const f of [0.35, 0.3, 0.4, 0.25, 0.45, 0.6, 0.65]) {
    const pt = await page.$eval(`[data-link="${link}"] .link-hit`, (l, f) => {
      const g = (k) => Number(l.getAttribute(k));
      return { x: g('x1') + (g('x2') - g('x1')) * f, y: g('y1') + (g('y2') - g('y1')) * f };
    }, f);
    const c = await viewToClient(page, pt.x, pt.y);
    const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('[data-link]')?.dataset.link, c);
    if (hit === link) return c;
  }
  throw new Error(`no free point on link ${link}`);
}

async function scrubTo(page, ms) {
  await page.$eval('[data-testid=scrubber]', (el, ms) => {
    el.value = String(ms);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  await page.waitForFunction((us) => document.querySelector('[data-testid=stage]').dataset.time === us, String(ms * 1000));
}

const suspectedBy = (page, i) => attr(page, `[data-testid=agent-${i}]`, 'data-suspected-by');

app.test('click a link to cut it (dashed red, heartbeats across it lost), click again to mend it', { path: '/?s=heartbeat&seed=5&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  assert.equal(await attr(page, '[data-link="1-3"]', 'data-cut'), 'false');
  const p = await linkPoint(page, '1-3');
  await page.mouse.move(p.x, p.y);
  await shot('link-hover');
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction(() => document.querySelector('[data-link="1-3"]').dataset.cut === 'true');
  assert.equal(await attr(page, '[data-link="1-3"]', 'data-testid'), 'cut-link');
  assert.match(await attr(page, '[data-link="1-3"] .link', 'class'), /\bcut\b/);
  assert.match(page.url(), /i=300ms\*cut\*1\*3/);
  assert.match(await page.getByTestId('narration').textContent(), /Link 1–3 cut/);
  assert.equal(await page.$('[data-testid=agent-menu]'), null, 'a link click opens no agent menu');
  // Heartbeats across the cut are lost: after a timeout a1 and a3 suspect each other, falsely.
  await scrubTo(page, 1000);
  assert.equal(await suspectedBy(page, 3), '1');
  assert.equal(await suspectedBy(page, 1), '3');
  assert.match(await attr(page, '[data-testid=agent-3]', 'class'), /suspected-false/);
  assert.equal(await suspectedBy(page, 0), null);
  await shot('link-cut-false-suspicion');
  // Click again: mended, and trust comes back.
  const q = await linkPoint(page, '1-3');
  await page.mouse.click(q.x, q.y);
  await page.waitForFunction(() => document.querySelector('[data-link="1-3"]').dataset.cut === 'false');
  assert.match(page.url(), /1s\*mend\*1\*3/);
  assert.match(await page.getByTestId('narration').textContent(), /Link 1–3 mended/);
  await scrubTo(page, 1500);
  assert.equal(await suspectedBy(page, 3), null);
  // The keyboard way: the agent menu's link item.
  await page.getByTestId('agent-0').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('agent-menu').waitFor();
  await page.getByTestId('menu-link-peer').selectOption('4');
  assert.equal(await page.getByTestId('menu-link').textContent(), 'Cut link to a4');
  await page.getByTestId('menu-link').click();
  await page.waitForFunction(() => document.querySelector('[data-link="0-4"]').dataset.cut === 'true');
  assert.equal(await page.getByTestId('menu-link').textContent(), 'Mend link to a4');
  await shot('agent-menu-link');
});

app.test('drag a wall across the stage: two sides, a wall, an intervention in the URL; a click still opens the menu', { path: '/?s=heartbeat&seed=5&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  assert.equal((await page.$$('[data-testid=partition-region]')).length, 0);
  // A vertical wall at x = 450 of 800: a0, a3, a4 on the left, a1, a2 on the right.
  const a = await viewToClient(page, 450, 20);
  const b = await viewToClient(page, 450, 480);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x, (a.y + b.y) / 2, { steps: 6 });
  await page.getByTestId('wall-drag').waitFor();
  assert.match(await page.getByTestId('wall-drag').textContent(), /\{0,3,4\} \| \{1,2\}/);
  await shot('wall-dragging');
  await page.mouse.move(b.x, b.y, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=partition-region]').length >= 2);
  assert.equal(await page.$('[data-testid=wall-drag]'), null);
  assert.equal((await page.$$('[data-testid=wall]')).length, 1);
  assert.match(page.url(), /i=300ms\*part\*0\.3\.4(&|$)/);
  assert.match(await page.getByTestId('narration').textContent(), /Partition: \{0,3,4\} \| \{1,2\}/);
  assert.equal(await page.$('[data-testid=agent-menu]'), null, 'the drag is not a click');
  // Links across the wall are dashed red; within a side they are not.
  assert.equal(await attr(page, '[data-link="0-1"]', 'data-testid'), 'cut-link');
  assert.equal(await attr(page, '[data-link="3-4"]', 'data-testid'), 'link');
  await shot('wall-partition');
  // A click without a drag still opens the agent's menu.
  await page.getByTestId('agent-2').locator('.body').click();
  await page.getByTestId('agent-menu').waitFor();
  // A second wall adds up: a horizontal one splits {0,3,4} into {0} and {3,4}.
  await page.keyboard.press('Escape');
  const c = await viewToClient(page, 30, 150);
  const d = await viewToClient(page, 380, 150);
  await page.mouse.move(c.x, c.y);
  await page.mouse.down();
  await page.mouse.move(d.x, d.y, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => /part\*0\.3\.4!300ms\*part\*0-1\.2/.test(location.search));
  assert.match(await page.getByTestId('narration').textContent(), /Partition: \{0\} \| \{1,2\} \| \{3,4\}/);
  await shot('two-walls');
});

app.test('a grid (more than 24 agents): a dragged wall partitions it, drawn as a wall along the cell edges', { path: '/?s=heartbeat&seed=5&nodes=30&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  assert.match(await attr(page, '[data-testid=stage]', 'class'), /\bgrid\b/);
  assert.equal((await page.$$('[data-testid=wall]')).length, 0);
  // 30 agents on 8 columns of 100 view units: a vertical wall at x = 345 puts columns 0-2 on one side.
  const a = await viewToClient(page, 345, 5);
  const b = await viewToClient(page, 345, 470);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=wall]').length > 0);
  assert.match(await page.getByTestId('narration').textContent(), /Partition: \{0,1,2,8,9,10,16,17,18,24,25,26\} \| \{3,4,5,6,7,11,/);
  // One straight wall on the cell edge between columns 2 and 3, from the top of the grid down.
  const walls = await page.$$eval('[data-testid=wall]', (ls) => ls.map((l) => ['x1', 'y1', 'x2', 'y2'].map((k) => Number(l.getAttribute(k)))));
  assert.equal(walls.length, 1, JSON.stringify(walls));
  const [x1, y1, x2, y2] = walls[0];
  assert.ok(x1 === 300 && x2 === 300, JSON.stringify(walls));
  assert.ok(y1 === 0 && y2 > 300, JSON.stringify(walls));
  assert.ok((await page.$$('[data-testid=partition-region]')).length >= 2);
  await shot('grid-wall');
});

app.test('a ring labels its agents outward from the centre, and a click on a name opens that agent', { path: '/?s=raft-election&seed=3&nodes=10&t=3s' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  // Which way each agent's label block points: right of the ring "start", left "end".
  const anchors = await page.$$eval('[data-agent] .labels', (gs) => gs.map((g) => {
    const agent = g.closest('[data-agent]');
    const x = Number(agent.getAttribute('transform').match(/translate\(([-\d.]+)/)[1]);
    return [x, [...g.classList].find((c) => c !== 'labels')];
  }));
  assert.equal(anchors.length, 10);
  for (const [x, a] of anchors) {
    if (a === 'start') assert.ok(x > 400, `start-anchored label at x=${x}`);
    if (a === 'end') assert.ok(x < 400, `end-anchored label at x=${x}`);
  }
  assert.ok(anchors.some(([, a]) => a === 'start') && anchors.some(([, a]) => a === 'end'));
  // No two agents' label boxes overlap, nor any label an agent's disc; all stay on the stage.
  const { boxes, stage } = await page.evaluate(() => {
    const r = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const boxes = [...document.querySelectorAll('[data-agent]')].map((g) => ({ disc: r(g.querySelector('.body')), labels: [...g.querySelectorAll('.labels text')].map(r) }));
    return { boxes, stage: r(document.querySelector('[data-testid=stage]')) };
  });
  const hit = (a, b) => a[0] < b[2] - 1 && b[0] < a[2] - 1 && a[1] < b[3] - 1 && b[1] < a[3] - 1;
  for (const { labels } of boxes) {
    for (const l of labels) assert.ok(l[0] >= stage[0] - 1 && l[2] <= stage[2] + 1 && l[1] >= stage[1] - 1 && l[3] <= stage[3] + 1, `label ${l} outside the stage ${stage}`);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = 0; j < boxes.length; j++) {
      for (const l of boxes[i].labels) {
        assert.ok(!hit(l, boxes[j].disc), `a${i}'s label covers a${j}`);
        if (j > i) for (const m of boxes[j].labels) assert.ok(!hit(l, m), `a${i}'s and a${j}'s labels overlap`);
      }
    }
  }
  await page.locator('[data-testid=agent-3] .labels .name').click();
  await page.getByTestId('agent-menu').waitFor();
  await shot('ring-labels');
});

app.test('a crashed agent is drawn suspected (rightly) by the live ones', { path: '/?s=heartbeat&seed=5&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  await page.getByTestId('agent-2').locator('.body').click();
  await page.getByTestId('menu-crash').click();
  await page.keyboard.press('Escape');
  assert.equal(await suspectedBy(page, 2), null, 'not yet: the detector needs a timeout');
  await scrubTo(page, 1200);
  assert.equal(await suspectedBy(page, 2), '0,1,3,4');
  assert.match(await attr(page, '[data-testid=agent-2]', 'class'), /suspected-right/);
  assert.equal(await page.$eval('[data-testid=agent-2] > title', (t) => t.textContent), 'a2: suspected by a0, a1, a3, a4 — correctly: a2 has crashed');
  assert.match(await attr(page, '[data-testid=agent-2]', 'aria-label'), /suspected by a0, a1, a3, a4/);
  await page.getByTestId('suspect-legend').waitFor();
  await page.getByTestId('agent-2').locator('.body').click();
  assert.match(await page.getByTestId('inspector-suspected').textContent(), /correctly: a2 has crashed/);
  await shot('suspected-crashed');
  // Recovered, it is trusted again.
  await page.getByTestId('menu-crash').click();
  await scrubTo(page, 1700);
  assert.equal(await suspectedBy(page, 2), null);
});

app.test('speed travels in the URL both ways; a bad one gives a banner and the default', { path: '/?s=heartbeat&seed=2&t=100ms&speed=0.25' }, async ({ page, shot, url }) => {
  await page.getByTestId('stage').waitFor();
  // The slider snaps to its 0.05 steps; the speed itself is exact.
  assert.equal(await attr(page, '[data-testid=speed]', 'aria-valuetext'), '1/4×');
  await page.$eval('[data-testid=speed]', (el) => {
    el.value = '0';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => /[?&]speed=1(&|$)/.test(location.search));
  // A fresh load of the URL as it stands (goto, not reload: a reload refetches the favicon,
  // which the next navigation would abort).
  await page.waitForLoadState('networkidle');
  await page.goto(page.url());
  await page.getByTestId('stage').waitFor();
  assert.equal(Number(await page.getByTestId('speed').inputValue()), 0);
  for (const bad of ['warp', '0', '50']) {
    await page.waitForLoadState('networkidle');
    await page.goto(url(`/?s=heartbeat&seed=2&t=100ms&speed=${bad}`));
    await page.getByTestId('url-banner').waitFor();
    assert.match(await page.getByTestId('url-banner').textContent(), /speed/);
    assert.equal(Number(await page.getByTestId('speed').inputValue()), -1.5);
    assert.equal(await page.getByTestId('seed').inputValue(), '2', 'the rest of the link is kept');
    assert.equal(await stageTime(page), 100000);
  }
  await shot('bad-speed-banner');
});

app.test('Share and Embed while scrubbed back open at that moment with the same trace hash', { path: '/?s=heartbeat&seed=9&t=200ms&speed=0.5' }, async ({ page, shot, url }) => {
  await page.getByTestId('stage').waitFor();
  await page.getByTestId('agent-1').locator('.body').click();
  await page.getByTestId('menu-crash').click();
  await page.keyboard.press('Escape');
  await page.getByTestId('play').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]').dataset.time) > 900000);
  await page.getByTestId('play').click();
  await scrubTo(page, 600);
  assert.equal(await attr(page, '[data-testid=agent-1]', 'data-status'), 'crashed');
  assert.notEqual(await attr(page, '[data-testid=stage]', 'data-head'), '600000', 'scrubbed back, not at the head');
  const hash = await attr(page, '[data-testid=stage]', 'data-trace-hash');
  const statuses = await page.$$eval('[data-agent]', (els) => els.map((e) => e.dataset.status).join());
  await page.getByTestId('share').click();
  const shared = await page.getByTestId('shared-link').inputValue();
  assert.match(shared, /t=600ms/);
  await shot('share-toast');
  await page.getByTestId('embed').click();
  const snippet = await page.getByTestId('shared-link').inputValue();
  const src = snippet.match(/src="([^"]+)"/)[1].replace(/&amp;/g, '&');
  for (const link of [shared, src.replace('autoplay=1', 'autoplay=0')]) {
    await page.waitForLoadState('networkidle');
    await page.goto(link);
    await page.waitForFunction(() => window.wasmBindings !== undefined);
    await page.getByTestId('stage').waitFor();
    assert.equal(await stageTime(page), 600000, link);
    assert.equal(await attr(page, '[data-testid=stage]', 'data-trace-hash'), hash, link);
    assert.equal(await page.$$eval('[data-agent]', (els) => els.map((e) => e.dataset.status).join()), statuses);
  }
  await shot('shared-embed-at-moment');
});

app.test('scrubbed back, metrics and invariants read at the cursor and say so', { path: '/?s=bully&seed=1&variant=meek&t=3s' }, async ({ page, shot }) => {
  // The broken "meek" bully first breaks the rank-order invariant at 1.375 s.
  await page.getByTestId('stage').waitFor();
  const inv = page.getByTestId('invariant').first();
  assert.match(await inv.textContent(), /violated at 1\.375352 s/);
  assert.equal(await inv.getAttribute('class'), 'bad');
  assert.equal(await page.getByTestId('metrics-at').count(), 0);
  const num = (name) =>
    page.$$eval('.metric', (ms, name) => ms.find((m) => m.querySelector('dt').textContent === name)?.querySelector('.num').textContent, name);
  const atHead = Number(await num('elections'));
  const scrub = (ms) =>
    page.$eval('[data-testid=scrubber]', (el, ms) => {
      el.value = String(ms);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, ms);
  await scrub(1000);
  await page.getByTestId('metrics-at').waitFor();
  // Before the violation the invariant held, and the panel says when it breaks.
  assert.equal(await inv.getAttribute('class'), 'ok');
  assert.match(await inv.textContent(), /violated later, at 1\.375352 s/);
  // The metrics are those of the sample at or before 1 s (opening a link samples as it replays).
  const back = Number(await num('elections'));
  assert.ok(Number.isFinite(back) && back < atHead, `elections at 1 s ${back} < at 3 s ${atHead}`);
  assert.match(await page.getByTestId('metrics-at').textContent(), /At the cursor, 1 s .*the run itself is at 3 s\./);
  await shot('metrics-scrubbed-back');
  await scrub(2000);
  await page.waitForFunction(() => document.querySelector('[data-testid=invariant]')?.className === 'bad');
});

app.test('on a touch screen a sideways drag draws a wall and a vertical swipe still scrolls', { path: '/?s=heartbeat&seed=5&t=300ms' }, async ({ page, shot }) => {
  await page.getByTestId('stage').waitFor();
  // Real touches through Chromium's input pipeline (so the stage's touch-action applies).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
  const touch = (type, p) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: p.x, y: p.y }] : [] });
  const swipe = async (a, b) => {
    await touch('touchStart', a);
    for (let i = 1; i <= 12; i++) await touch('touchMove', { x: a.x + ((b.x - a.x) * i) / 12, y: a.y + ((b.y - a.y) * i) / 12 });
    await touch('touchEnd');
  };
  // Sideways across the middle of the ring (view y = 250 of 500): a horizontal wall.
  await swipe(await viewToClient(page, 30, 250), await viewToClient(page, 770, 250));
  await page.waitForFunction(() => /i=300ms\*part\*/.test(location.search));
  assert.equal((await page.$$('[data-testid=wall]')).length, 1);
  await shot('touch-wall');
  // A vertical swipe on the stage scrolls the page and draws nothing.
  const before = page.url();
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  await swipe(await viewToClient(page, 600, 450), await viewToClient(page, 600, 60));
  await page.waitForFunction(() => window.scrollY > 0);
  assert.equal(page.url(), before);
  assert.equal((await page.$$('[data-testid=wall]')).length, 1);
});
