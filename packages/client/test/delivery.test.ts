import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherClient, RateLimitedError, NotFoundError, type DeliveryErrorContext } from '../src/index.ts';
import { actionIndexes, allEvents, freePort, range, until } from './util.ts';

/** A fetch that counts ingest requests and their sizes. */
function countingFetch() {
  const batches: number[] = [];
  const f = async (url: string, init?: RequestInit) => {
    if (url.endsWith('/api/v1/ingest'))
      batches.push((JSON.parse(String(init!.body)) as { events: unknown[] }).events.length);
    return fetch(url, init);
  };
  return { batches, fetch: f };
}

test('batching: events go out in batches of flushAt, the rest on the interval or flush()', async () => {
  const srv = await startTestServer();
  const cf = countingFetch();
  const c = new TetherClient({
    baseUrl: srv.url,
    fetch: cf.fetch,
    flushAt: 10,
    flushIntervalMs: 60_000,
    logger: false,
  });
  try {
    const s = c.session('batch-1');
    for (const i of range(25)) void s.logAction({ i });
    await until(() => cf.batches.length >= 1);
    assert.equal(c.deliveryStats().pending > 0, true, 'the tail stays queued until flush');
    assert.equal(await c.flush(), true);
    assert.equal(
      cf.batches.reduce((a, b) => a + b, 0),
      25,
    );
    assert.ok(cf.batches.length <= 3, `25 events with flushAt 10 need at most 3 requests, got ${cf.batches}`);
    const { indexes, gapless } = actionIndexes(await allEvents(srv.url, 'batch-1'));
    assert.deepEqual(indexes, range(25));
    assert.ok(gapless);
    // The interval sends a partial batch without flush().
    const c2 = new TetherClient({
      baseUrl: srv.url,
      fetch: cf.fetch,
      flushAt: 1000,
      flushIntervalMs: 20,
      logger: false,
    });
    void c2.session('batch-2').logAction({ i: 0 });
    await until(async () => (await allEvents(srv.url, 'batch-2')).length === 2);
    await c2.close();
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('server down at first, then up: every event arrives exactly once', async () => {
  const port = await freePort();
  const errors: DeliveryErrorContext[] = [];
  const c = new TetherClient({
    baseUrl: `http://127.0.0.1:${port}`,
    flushAt: 7,
    flushIntervalMs: 10,
    initialDelayMs: 5,
    maxDelayMs: 50,
    timeoutMs: 2000,
    onError: (_e, ctx) => errors.push(ctx),
    logger: false,
  });
  const s = c.session('down-up');
  for (const i of range(50)) void s.logAction({ i });
  await until(() => c.deliveryStats().retries >= 3);
  assert.equal(c.deliveryStats().delivered, 0);
  assert.ok(
    errors.every((e) => e.willRetry),
    'connection errors are retried, not given up',
  );
  const srv = await startTestServer({ port });
  try {
    for (const i of range(10)) void s.logAction({ i: 50 + i });
    assert.equal(await c.flush(), true);
    const events = await allEvents(srv.url, 'down-up');
    const { indexes, gapless } = actionIndexes(events);
    assert.deepEqual(indexes, range(60));
    assert.ok(gapless);
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    assert.equal(c.deliveryStats().delivered, 60);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('close() flushes what is queued and refuses later events', async () => {
  const srv = await startTestServer();
  const c = new TetherClient({ baseUrl: srv.url, flushAt: 1000, flushIntervalMs: 60_000, logger: false });
  const s = c.session('close-1');
  for (const i of range(123)) void s.logAction({ i });
  assert.equal(await c.close(), true);
  try {
    assert.deepEqual(actionIndexes(await allEvents(srv.url, 'close-1')).indexes, range(123));
    const r = await s.logAction({ i: 999 });
    assert.equal(r.success, false);
    assert.equal(c.deliveryStats().dropped, 1);
  } finally {
    await srv.stop();
  }
});

test('per-item 4xx is reported to onError (not retried) while the rest of the batch is stored', async () => {
  const srv = await startTestServer();
  const seen: Array<{ err: Error; ctx: DeliveryErrorContext }> = [];
  const c = new TetherClient({ baseUrl: srv.url, onError: (err, ctx) => seen.push({ err, ctx }), logger: false });
  try {
    const s = c.session('items-1');
    void s.logAction({ i: 0 });
    const bad = await s.updateGoal('no-such-goal', { status: 'completed' });
    void s.logAction({ i: 1 });
    assert.equal(await c.flush(), true);
    assert.deepEqual(actionIndexes(await allEvents(srv.url, 'items-1')).indexes, [0, 1]);
    assert.equal(seen.length, 1);
    assert.ok(seen[0]!.err instanceof NotFoundError);
    assert.equal((seen[0]!.err as NotFoundError).code, 'goal_not_found');
    assert.deepEqual(seen[0]!.ctx.eventIds, [bad.eventId]);
    assert.equal(seen[0]!.ctx.willRetry, false);
    assert.equal(c.deliveryStats().rejected, 1);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('a retry of a batch that was stored answers duplicates, never stores twice (client event ids)', async () => {
  const srv = await startTestServer();
  let first = true;
  // Deliver the first ingest, then pretend the answer was lost: the client must resend the same ids.
  const f = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (url.endsWith('/api/v1/ingest') && first) {
      first = false;
      throw new TypeError('fetch failed (simulated lost answer)');
    }
    return res;
  };
  const c = new TetherClient({ baseUrl: srv.url, fetch: f, initialDelayMs: 5, logger: false });
  try {
    const s = c.session('dup-1');
    for (const i of range(5)) void s.logAction({ i });
    assert.equal(await c.flush(), true);
    assert.equal(c.deliveryStats().duplicates, 5);
    const { indexes, gapless } = actionIndexes(await allEvents(srv.url, 'dup-1'));
    assert.deepEqual(indexes, range(5));
    assert.ok(gapless);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('429 with Retry-After: the client waits as told, then delivers once', async () => {
  const srv = await startTestServer();
  const hits: number[] = [];
  let limited = 2;
  // A tiny proxy: the first two ingest requests answer 429 Retry-After: 1; everything else is forwarded.
  const proxy = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const ch of req) chunks.push(ch as Buffer);
    if (req.url === '/api/v1/ingest') hits.push(Date.now());
    if (req.url === '/api/v1/ingest' && limited > 0) {
      limited--;
      res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '1', 'x-request-id': 'req-429' });
      res.end(
        JSON.stringify({
          type: 'https://tether.dev/problems/rate_limited',
          title: 'Rate limited',
          status: 429,
          code: 'rate_limited',
          detail: 'slow down',
        }),
      );
      return;
    }
    const up = await fetch(srv.url + req.url, {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const errors: Error[] = [];
  const c = new TetherClient({
    baseUrl: url,
    initialDelayMs: 1,
    maxDelayMs: 5000,
    onError: (e) => errors.push(e),
    logger: false,
  });
  try {
    const s = c.session('rl-1');
    for (const i of range(3)) void s.logAction({ i });
    assert.equal(await c.flush(), true);
    assert.equal(hits.length, 3);
    // Backoff alone would wait ~1 ms; Retry-After: 1 makes each wait at least a second.
    assert.ok(
      hits[1]! - hits[0]! >= 950 && hits[2]! - hits[1]! >= 950,
      `waits: ${hits[1]! - hits[0]!}, ${hits[2]! - hits[1]!} ms`,
    );
    assert.equal(errors.length, 2);
    assert.ok(errors[0] instanceof RateLimitedError);
    assert.equal((errors[0] as RateLimitedError).retryAfterMs, 1000);
    assert.equal((errors[0] as RateLimitedError).requestId, 'req-429');
    assert.deepEqual(actionIndexes(await allEvents(srv.url, 'rl-1')).indexes, range(3));
    // REST calls honour it too and surface the typed error when retries run out.
    limited = 1;
    const c2 = new TetherClient({ baseUrl: url, maxRetries: 0, logger: false });
    await assert.rejects(
      c2.ingest([{ sessionId: 'rl-1', kind: 'action', data: {} }]),
      (e: unknown) => e instanceof RateLimitedError && e.status === 429 && e.code === 'rate_limited',
    );
  } finally {
    await c.close();
    await new Promise<void>((r) => proxy.close(() => r()));
    await srv.stop();
  }
});

test('queue full: drop_oldest counts and reports; block waits for room and loses nothing', async () => {
  const port = await freePort();
  const dropped: DeliveryErrorContext[] = [];
  const c = new TetherClient({
    baseUrl: `http://127.0.0.1:${port}`,
    maxQueueSize: 10,
    flushAt: 1000,
    flushIntervalMs: 60_000,
    onError: (_e, ctx) => {
      if (ctx.phase === 'dropped') dropped.push(ctx);
    },
    logger: false,
  });
  const s = c.session('full-1');
  for (const i of range(15)) void s.logAction({ i });
  assert.equal(c.deliveryStats().dropped, 5);
  assert.equal(dropped.length, 5);
  const srv = await startTestServer({ port });
  try {
    assert.equal(await c.flush(), true);
    assert.deepEqual(
      actionIndexes(await allEvents(srv.url, 'full-1')).indexes,
      range(10).map((i) => i + 5),
      'the oldest five were dropped',
    );
    const b = new TetherClient({ baseUrl: srv.url, maxQueueSize: 5, flushAt: 5, onFull: 'block', logger: false });
    const sb = b.session('full-2');
    let resolvedEarly = 0;
    const pending = range(40).map((i) =>
      sb.logAction({ i }).then((r) => {
        resolvedEarly++;
        return r;
      }),
    );
    assert.equal(resolvedEarly, 0);
    const receipts = await Promise.all(pending);
    assert.ok(receipts.every((r) => r.success));
    assert.equal(await b.flush(), true);
    assert.deepEqual(actionIndexes(await allEvents(srv.url, 'full-2')).indexes, range(40));
    assert.equal(b.deliveryStats().dropped, 0);
    await b.close();
  } finally {
    await c.close();
    await srv.stop();
  }
});
