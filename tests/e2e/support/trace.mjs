// Shared by the frame tools (threads.mjs, thread-events.mjs, frames-self.mjs,
// frames-breakdown.mjs): a Chromium trace of a benchmark case, and the main thread's frames in it.
import { chromium } from 'playwright-core';
import { serveDir } from './server.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './harness.mjs';
import { openCase } from './cases.mjs';

/// Opens benchmark case `which` ('stage' | 'scroll', see cases.mjs) from the build in `dist`, adds
/// the style sheet `css` if given, and records `secs` seconds of trace in `categories`. Returns the
/// trace's events.
export async function traceCase(which, dist, { categories, secs = 4, css } = {}) {
  const server = await serveDir(dist, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openCase(page, server.url, which);
    if (css) await page.addStyleTag({ content: css });
    await page.waitForTimeout(500);
    await browser.startTracing(page, { categories });
    await page.waitForTimeout(secs * 1000);
    return JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  } finally {
    await browser.close();
    await server.close();
  }
}

/// The start of each frame of the page's main thread, as bench-frames.mjs cuts them: the top-level
/// task (`ThreadControllerImpl::RunTask`) in which a `FireAnimationFrame` runs. `mine`: the main
/// thread's complete ('X') events in time order; `tasks`: its top-level tasks among them.
export function frameStarts(mine, tasks) {
  const fires = mine.filter((e) => e.name === 'FireAnimationFrame');
  const bounds = [];
  let k = 0;
  for (const f of fires) {
    while (k < tasks.length && tasks[k].ts + tasks[k].dur < f.ts) k++;
    if (k < tasks.length && tasks[k].ts <= f.ts && bounds[bounds.length - 1] !== tasks[k].ts) bounds.push(tasks[k].ts);
  }
  return bounds;
}

/// Sets each event's self time, its own without its children's: `self` (CPU, the trace's thread
/// duration) and `selfWall`. `mine`: one thread's complete ('X') events, sorted by start and,
/// at one start, longest first.
export function setSelfTimes(mine) {
  const stack = [];
  for (const e of mine) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    e.self = e.tdur ?? e.dur;
    e.selfWall = e.dur;
    const up = stack[stack.length - 1];
    if (up) {
      up.self -= e.tdur ?? e.dur;
      up.selfWall -= e.dur;
    }
    stack.push(e);
  }
}
