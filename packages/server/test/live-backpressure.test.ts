/**
 * Bounded memory per live connection: a WebSocket client that stops reading is closed with 4008 once its outbound
 * queue would pass TETHER_WS_BUFFER_LIMIT, the queue never grows past the limit, and the client can resume from its
 * last seq without loss. Heartbeats drop a peer that stopped answering pings.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startTestServer } from './helpers.ts';
import { appendActions, range, until, WsClient } from './live-helpers.ts';

const LIMIT = 256 * 1024;

describe('live feed backpressure', () => {
  it('cuts off a client that stops reading with 4008, keeps its queue under the limit, and lets it resume', async () => {
    const s = await startTestServer({ wsBufferLimit: LIMIT });
    try {
      await s.req('POST', '/api/v1/sessions', { sessionId: 'slow' });
      const healthy = await WsClient.connect(s, '?session=slow&after=0');
      const slow = await WsClient.connect(s, '?session=slow&after=0');
      await until(() => slow.events('session').length === 1, 'the slow client to see session_created');
      const conn = [...s.app.live.connections].at(-1)!;
      // Stop reading: the kernel buffers fill, then the server's queue for this socket grows.
      (slow.ws as unknown as { _socket: Socket })._socket.pause();
      let appended = 0;
      while (!conn.closed) {
        await appendActions(s, 'slow', 200, { batch: 200, pad: 4000, from: appended });
        appended += 200;
        assert.ok(appended <= 40_000, 'the slow consumer should have been cut off long before 160 MB');
      }
      assert.ok(conn.peakBuffered <= LIMIT, `queue peaked at ${conn.peakBuffered} bytes, limit ${LIMIT}`);
      assert.ok(appended * 4000 > 4 * LIMIT, 'far more was written than the limit');
      assert.equal(s.app.hub.stats.totalConnections, 1, 'only the healthy client is still counted');
      // The healthy subscriber was not affected.
      await until(() => healthy.events('session').length === appended + 1, 'the healthy client to get everything');
      // Reading again, the slow client gets what was queued, then the close frame with the clear code.
      (slow.ws as unknown as { _socket: Socket })._socket.resume();
      await until(() => slow.closed !== undefined, 'the slow client to see the close');
      assert.equal(slow.closed!.code, 4008);
      assert.match(slow.closed!.reason, /slow consumer/);
      const got = slow.events('session').map((m) => m.seq);
      assert.deepEqual(got, range(1, got.length), 'what it did get is a gapless prefix');
      // Resume from the last seq: exactly the rest.
      const again = await WsClient.connect(s, `?session=slow&after=${got.at(-1)}`);
      await until(() => again.events('session').at(-1)?.seq === appended + 1, 'the resumed client to catch up');
      assert.deepEqual(
        again.events('session').map((m) => m.seq),
        range(got.at(-1)! + 1, appended + 1),
      );
      await Promise.all([again.close(), healthy.close()]);
    } finally {
      await s.stop();
    }
  });

  it('paces a long replay to the reader instead of cutting it off', async () => {
    const s = await startTestServer({ wsBufferLimit: LIMIT });
    try {
      await appendActions(s, 'big', 2000, { batch: 200, pad: 2000 }); // ~4 MB of history, 16× the limit
      const c = await WsClient.connect(s);
      await c.subscribe({ channel: 'session', sessionId: 'big', afterSeq: 0 });
      assert.deepEqual(
        c.events('session').map((m) => m.seq),
        range(1, 2001),
      );
      assert.equal(c.closed, undefined);
      await c.close();
    } finally {
      await s.stop();
    }
  });

  it('drops a peer that stops answering heartbeats', async () => {
    const s = await startTestServer({ heartbeatMs: 100 });
    try {
      const c = await WsClient.connect(s, '?session=hb', {});
      // A live client answers pings by itself: it survives several heartbeats.
      const pings = await new Promise<number>((resolve) => {
        let n = 0;
        c.ws.on('ping', () => ++n === 3 && resolve(n));
      });
      assert.equal(pings, 3);
      assert.equal(c.closed, undefined);
      // Now it stops reading (so it answers no ping): the server terminates it.
      (c.ws as unknown as { _socket: Socket })._socket.pause();
      await until(() => s.app.hub.stats.totalConnections === 0, 'the dead peer to be dropped');
    } finally {
      await s.stop();
    }
  });
});
