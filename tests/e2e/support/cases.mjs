// The frame benchmark's two cases, opened on a page (shared by the frame tools: profile-heavy.mjs,
// mutations.mjs): 'stage' — 25 agents with ≥ 500 messages in flight, playing; 'scroll' — a
// diagram of ~30,000 messages wheel-scrolled one tick per frame (turning round every 40 ticks).
export async function openCase(page, base, which) {
  if (which === 'stage') {
    await page.goto(new URL('/?s=heartbeat&seed=1&nodes=25&latency=400ms..600ms&interval=500ms&timeout=5s&t=2s&autoplay=1', base).href);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=stage]')?.dataset.msgs) >= 500);
    return;
  }
  await page.goto(new URL('/?s=heartbeat&seed=1&nodes=25&latency=10ms..20ms&interval=40ms&timeout=1s&t=2s', base).href);
  await page.getByTestId('spacetime').waitFor();
  await page.$eval('[data-testid=spacetime]', (e) => e.scrollIntoView());
  await page.evaluate(() => {
    let i = 0;
    const f = () => {
      const el = document.querySelector('[data-testid=spacetime]');
      const dir = Math.floor(i++ / 40) % 2 === 0 ? -1 : 1;
      el?.dispatchEvent(new WheelEvent('wheel', { deltaY: dir * 60, bubbles: true, cancelable: true }));
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
}
