/**
 * Liveness: an agent logging one event now and then sees each one stored at the service within one flush interval
 * (plus a wide margin for a busy machine), without flush(), over several events with idle spells in between — not only
 * once `flushAt` events have piled up or the process exits. (The Python SDK had that bug: python/tests/test_trickle.py.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherClient } from '../src/index.ts';
import { allEvents } from './util.ts';

/** Milliseconds between sends the client is configured with. */
const INTERVAL_MS = 200;
/** Added to the interval before an event counts as late: wide on purpose; a stuck sender never delivers at all. */
const MARGIN_MS = 10_000;
const EVENTS = 6;

test('a slow trickle of events is delivered one flush interval at a time, not at flushAt', async () => {
  const srv = await startTestServer();
  const c = new TetherClient({ baseUrl: srv.url, flushAt: 100, flushIntervalMs: INTERVAL_MS, logger: false });
  try {
    const s = c.session('trickle-ts');
    for (let i = 0; i < EVENTS; i++) {
      void s.logAction({ type: 'step', i });
      const deadline = Date.now() + INTERVAL_MS + MARGIN_MS;
      let stored = false;
      while (!stored && Date.now() < deadline) {
        stored = (await allEvents(srv.url, 'trickle-ts')).some((e) => e.kind === 'action' && e.data.i === i);
        if (!stored) await sleep(20);
      }
      assert.ok(stored, `event ${i} not stored ${INTERVAL_MS + MARGIN_MS} ms after it was logged`);
      await sleep(INTERVAL_MS / 2); // idle a while: the sender goes back to waiting
    }
  } finally {
    await c.close();
    await srv.stop();
  }
});
