// Per-frame composition of the frame-time benchmark's frames (a tool, not a test): main-thread CPU
// per frame split into script, layout, style and paint, the heaviest frames in detail, for A/B of
// builds (docs/explorer.md, "Sixth round").
//   CAPPED=1 node tests/e2e/frames-breakdown.mjs [stage|scroll] [dist]
// Env: CAPPED=1 keeps Chromium at its 60 Hz vsync (as bench-frames.mjs does); SECS (default 4);
// CSS=<rules> injects a style sheet first (to try a CSS change without a build); SEQ=1 prints 60
// frames in order (cpu/script/paint/layout); WAIT=1 lists the worst frames by wall time with the
// time each event spent off the CPU (wall minus thread time).
import { chromium } from 'playwright-core';
import { serveDir } from './support/server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './support/harness.mjs';
import { frameStarts } from './support/trace.mjs';
const which = process.argv[2] ?? 'stage';
const server = await serveDir(process.argv[3] ?? 'dist', 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS, ...(process.env.CAPPED === '1' ? [] : ['--disable-frame-rate-limit','--disable-gpu-vsync'])], headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
if (which==='stage'){
  await page.goto(`${server.url}?s=heartbeat&seed=1&nodes=25&latency=400ms..600ms&interval=500ms&timeout=5s&t=2s&autoplay=1`);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]')?.dataset.msgs) >= 500);
} else {
  await page.goto(`${server.url}?s=heartbeat&seed=1&nodes=25&latency=10ms..20ms&interval=40ms&timeout=1s&t=2s`);
  await page.getByTestId('spacetime').waitFor();
  await page.$eval('[data-testid=spacetime]', (e) => e.scrollIntoView());
  await page.waitForTimeout(500);
  await page.evaluate(()=>{let i=0;const f=()=>{const el=document.querySelector('[data-testid=spacetime]');const dir=Math.floor(i/40)%2===0?-1:1;i++;el.dispatchEvent(new WheelEvent('wheel',{deltaY:dir*60,bubbles:true,cancelable:true}));requestAnimationFrame(f)};requestAnimationFrame(f)});
  await page.waitForTimeout(500);
}
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
await browser.startTracing(page, { categories: (process.env.CATS ?? 'devtools.timeline,toplevel').split(',') });
await page.waitForTimeout(Number(process.env.SECS ?? 4) * 1000);
const trace = JSON.parse((await browser.stopTracing()).toString());
const ev = trace.traceEvents;
const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
const mine = ev.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts);
const tasks = mine.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
const bounds = frameStarts(mine, tasks);
const frames = [];
for (let b = 0; b + 1 < bounds.length; b++) {
  const lo = bounds[b], hi = bounds[b+1];
  const f = { cpu: 0, js: 0, layout: 0, style: 0, paint: 0, commit: 0, micro: 0, timer: 0 };
  for (const t of tasks) if (t.ts >= lo && t.ts < hi) f.cpu += (t.tdur ?? t.dur) / 1000;
  for (const e of mine) {
    if (e.ts < lo || e.ts >= hi) continue;
    const d = (e.tdur ?? e.dur) / 1000;
    if (e.name === 'FireAnimationFrame' || e.name === 'EventDispatch') f.js += d;
    else if (e.name === 'RunMicrotasks') f.micro += d;
    else if (e.name === 'TimerFire') f.timer += d;
    else if (e.name === 'Layout') f.layout += d;
    else if (e.name === 'UpdateLayoutTree') f.style += d;
    else if (e.name === 'Paint') f.paint += d;
    else if (e.name === 'Commit') f.commit += d;
  }
  f.lo=lo; f.hi=hi;
  frames.push(f);
}
if (process.env.SEQ) console.log(frames.slice(20, 80).map(f=>`${f.cpu.toFixed(1)}/${f.js.toFixed(1)}/${f.paint.toFixed(1)}/${f.layout.toFixed(1)}`).join(' '));
frames.sort((a,b)=>b.cpu-a.cpu);
const q = (p) => frames[Math.floor(p*frames.length)]?.cpu.toFixed(2);
console.log(which, 'frames', frames.length, 'cpu p50', q(0.5), 'p90', q(0.1), 'p95', q(0.05), 'p99', q(0.01));
const top = frames.slice(0, Math.ceil(frames.length*0.1));
const avg = (k, arr) => (arr.reduce((s,f)=>s+f[k],0)/arr.length).toFixed(2);
for (const [name, arr] of [['top10%', top], ['rest', frames.slice(top.length)]]) console.log(name, Object.keys(frames[0]).map(k=>`${k} ${avg(k,arr)}`).join(' '));
for (const f of frames.slice(0, 5)) {
  console.log(Object.entries(f).filter(([k])=>k!=='lo'&&k!=='hi').map(([k,v])=>`${k} ${v.toFixed(1)}`).join(' '));
  const agg = {};
  for (const e of mine) if (e.ts >= f.lo && e.ts < f.hi) agg[e.name] = (agg[e.name] ?? 0) + (e.tdur ?? e.dur) / 1000;
  console.log('   ', Object.entries(agg).sort((a,b)=>b[1]-a[1]).slice(0,12).map(([k,v])=>`${k} ${v.toFixed(1)}`).join(' | '));
}
if (process.env.WAIT) {
  const byWall = [...frames].map((f) => { let wall = 0; for (const t of tasks) if (t.ts >= f.lo && t.ts < f.hi) wall += t.dur / 1000; return { ...f, wall }; }).sort((a, b) => b.wall - a.wall);
  for (const f of byWall.slice(0, 6)) {
    const agg = {};
    for (const e of mine) if (e.ts >= f.lo && e.ts < f.hi && e.tdur !== undefined) agg[e.name] = (agg[e.name] ?? 0) + (e.dur - e.tdur) / 1000;
    console.log('wall', f.wall.toFixed(1), 'cpu', f.cpu.toFixed(1), 'waits:', Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' | '));
  }
}
await browser.close(); await server.close();
