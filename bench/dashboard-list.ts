/**
 * The dashboard's sessions list at 100,000 sessions, in real Chromium (Debian's package via playwright-core):
 * time to the first list row, then scrolling down page after page (the list loads 100 rows per request as it nears its
 * end, and renders only the visible rows): time per loaded page and the frame rate while scrolling.
 *
 *   npm run build && npm run build -w @tether/dashboard
 *   node --import tsx bench/dashboard-list.ts [--sessions 100000] [--pages 30]
 *
 * Prints a JSON line. Traffic goes only to a `tether serve` it starts on 127.0.0.1.
 */
import { ingest, launchBrowser, startTether } from '../packages/dashboard/test/helpers.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('sessions', 100_000);
const PAGES = arg('pages', 30);

const t = await startTether();
const browser = await launchBrowser();
try {
  const seed0 = Date.now();
  for (let i = 0; i < N; i += 500) {
    const events = [];
    for (let j = i; j < Math.min(N, i + 500); j++) {
      const sessionId = `s-${String(j).padStart(6, '0')}`;
      events.push({
        sessionId,
        kind: 'session_created',
        data: { userId: `user-${j % 50}`, type: j % 3 ? 'langgraph' : 'claude-code', tags: [`t${j % 7}`] },
      });
      events.push({ sessionId, kind: 'action', data: { tool: 'Bash', input: { command: `echo ${j}` } } });
    }
    await ingest(t, events);
  }
  const seedS = (Date.now() - seed0) / 1000;

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${t.url}/settings`); // warm the bundle cache, as for a returning user
  await page.waitForSelector('[data-testid="server-url"]');
  const nav0 = Date.now();
  await page.goto(`${t.url}/`);
  await page.waitForSelector('[data-testid="session-list"] .srow', { timeout: 60_000 });
  const firstRowMs = Date.now() - nav0;

  const loaded = async () => Number(((await page.locator('.tfoot').textContent()) ?? '0').replace(/[^\d]/g, ''));
  await page.evaluate(`(() => {
    window.__frames = []; window.__stop = false;
    const tick = (ts) => { window.__frames.push(ts); if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const pageMs: number[] = [];
  for (let p = 0; p < PAGES; p++) {
    const before = await loaded();
    const t0 = Date.now();
    await page.evaluate(
      `(() => { const el = document.querySelector('[data-testid="session-list"]'); el.scrollTop = el.scrollHeight; })()`,
    );
    while ((await loaded()) <= before) {
      if (Date.now() - t0 > 30_000) throw new Error(`page ${p} did not load`);
      await new Promise((r) => setTimeout(r, 5));
    }
    pageMs.push(Date.now() - t0);
  }
  const frames = (await page.evaluate('(() => { window.__stop = true; return window.__frames; })()')) as number[];
  const gaps = frames
    .slice(1)
    .map((f, i) => f - frames[i]!)
    .sort((a, b) => a - b);
  const q = (arr: number[], p: number) => arr[Math.min(arr.length - 1, Math.floor(p * arr.length))]!;
  const sortedPages = [...pageMs].sort((a, b) => a - b);
  const rendered = await page.locator('[data-testid="session-list"] .srow').count();
  console.log(
    JSON.stringify({
      sessions: N,
      seedSeconds: +seedS.toFixed(1),
      firstRowMs,
      pagesScrolled: PAGES,
      rowsLoaded: await loaded(),
      rowsInDom: rendered,
      pageLoadMs: { p50: q(sortedPages, 0.5), p95: q(sortedPages, 0.95), max: sortedPages.at(-1) },
      fps: +(frames.length / ((frames.at(-1)! - frames[0]!) / 1000)).toFixed(1),
      frameMs: { p50: +q(gaps, 0.5).toFixed(1), p95: +q(gaps, 0.95).toFixed(1) },
    }),
  );
} finally {
  await browser.close();
  await t.destroy();
}
