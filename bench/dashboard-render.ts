/**
 * Dashboard rendering benchmark in real Chromium (Debian's package, headless, via playwright-core):
 *  1. time to first render of a session with N events (default 10,000): navigation → first timeline row painted, and
 *     → the whole log loaded into the (virtualized) timeline;
 *  2. frame rate of that open page while R events/s (default 200) arrive over the live feed for D seconds (default 10):
 *     requestAnimationFrame frames counted in the page; p50/p95/max frame interval; events shown at the end;
 *  3. live latency: 20 single actions posted through the REST API one at a time, each timed from the POST to its row
 *     being in the open page (the dashboard's "within 1 s" target; the browser test checks only that it appears).
 *
 *   npm run build && npm run build -w @tether/dashboard
 *   node --import tsx bench/dashboard-render.ts [--events 10000] [--rate 200] [--seconds 10]
 *
 * Prints a JSON line with the numbers. Traffic goes only to a `tether serve` it starts on 127.0.0.1.
 */
import { ingest, launchBrowser, startTether } from '../packages/dashboard/test/helpers.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('events', 10_000);
const RATE = arg('rate', 200);
const SECONDS = arg('seconds', 10);
const TOOLS = ['Bash', 'Read', 'Edit', 'Grep', 'Glob', 'WebFetch'];

function event(sessionId: string, i: number, t0: number): Record<string, unknown> {
  const ts = new Date(t0 + i * 50).toISOString();
  if (i % 5 === 4)
    return {
      sessionId,
      kind: 'response',
      timestamp: ts,
      data: {
        role: i % 10 === 4 ? 'user' : 'assistant',
        content: `Message ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}`,
      },
    };
  if (i % 97 === 0)
    return {
      sessionId,
      kind: 'state_patched',
      timestamp: ts,
      data: { patch: { currentStep: `step-${i}`, workspace: { counter: i } } },
    };
  return {
    sessionId,
    kind: 'action',
    timestamp: ts,
    data: {
      type: 'tool_use',
      tool: TOOLS[i % TOOLS.length],
      input: { command: `echo ${i}`, file_path: `/src/file-${i % 300}.ts` },
      output: `output of ${i}`,
      durationMs: 10 + (i % 400),
      ...(i % 53 === 0 ? { error: 'exit 1' } : {}),
    },
  };
}

const t = await startTether();
const browser = await launchBrowser();
try {
  const sid = 'bench-render';
  const t0 = Date.now() - N * 50;
  const events = [
    {
      sessionId: sid,
      kind: 'session_created',
      timestamp: new Date(t0 - 1000).toISOString(),
      data: { type: 'bench', userId: 'bench' },
    },
  ];
  for (let i = 1; i < N; i++) events.push(event(sid, i, t0) as never);
  await ingest(t, events);

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Warm the browser cache with the app bundle, as a returning user has it.
  await page.goto(`${t.url}/settings`);
  await page.waitForSelector('[data-testid="server-url"]');

  const nav0 = Date.now();
  await page.goto(`${t.url}/sessions/${sid}/timeline`);
  await page.waitForSelector('[data-testid="event-row"]', { timeout: 60_000 });
  const firstRowMs = await page.evaluate(() => performance.now());
  await page.waitForSelector(`.timeline[data-loaded="true"][data-count="${N}"]`, { timeout: 120_000 });
  const allLoadedMs = await page.evaluate(() => performance.now());
  const wallFirst = Date.now() - nav0;
  await page.waitForSelector('.conn[data-state="live"]');

  // Frame rate while events stream in (follow-live on: the newest row is kept in view).
  // A string, not a function: tsx would wrap named inner functions in a helper the page does not have.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    const tick = (ts) => { window.__frames.push(ts); if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const perTick = Math.max(1, Math.round(RATE / 20));
  const start = Date.now();
  let sent = 0;
  let seq = N;
  while (Date.now() - start < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * RATE);
    if (due > sent) {
      const batch = [];
      for (let k = 0; k < Math.min(due - sent, perTick * 4); k++) batch.push(event(sid, seq++, Date.now()));
      await ingest(t, batch);
      sent += batch.length;
    }
    await new Promise((r) => setTimeout(r, 1000 / 20));
  }
  const target = N + sent;
  await page.waitForSelector(`.timeline[data-count="${target}"]`, { timeout: 30_000 });
  const frames = (await page.evaluate('(() => { window.__stop = true; return window.__frames; })()')) as number[];
  const postToRow: number[] = [];
  for (let i = 0; i < 20; i++) {
    const marker = `live-marker-${i}-${Date.now()}`;
    const t0 = Date.now();
    const res = await fetch(`${t.url}/api/v1/actions/${sid}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'tool_use', tool: 'Bash', input: { command: marker } }),
    });
    const { seq: at } = (await res.json()) as { seq: number };
    await page.locator(`[data-testid="event-row"][data-seq="${at}"]`, { hasText: marker }).waitFor({ timeout: 30_000 });
    postToRow.push(Date.now() - t0);
  }
  postToRow.sort((a, b) => a - b);
  const gaps = frames
    .slice(1)
    .map((f, i) => f - frames[i]!)
    .sort((a, b) => a - b);
  const q = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))]!;
  const spanS = (frames[frames.length - 1]! - frames[0]!) / 1000;
  const result = {
    events: N,
    firstRowMs: Math.round(firstRowMs),
    allLoadedMs: Math.round(allLoadedMs),
    wallToFirstRowMs: wallFirst,
    liveRate: RATE,
    liveSeconds: SECONDS,
    liveEventsSent: sent,
    fps: +(frames.length / spanS).toFixed(1),
    frameMs: { p50: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +gaps[gaps.length - 1]!.toFixed(1) },
    framesOver50ms: gaps.filter((g) => g > 50).length,
    shownAtEnd: target,
    postToRowMs: { p50: postToRow[10]!, max: postToRow[19]! },
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await t.destroy();
}
