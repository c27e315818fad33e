/**
 * Flush rounds of the live feed (packages/server/src/live/connection.ts), with a recording transport in place of the
 * socket so that a round can be made slow on purpose: a round over many connections writes in slices with the event
 * loop running in between; each connection gets one write per round holding its messages in order; messages that
 * arrive mid-round go out in that round or the next, never out of order; connections with the same messages share one
 * encoded Buffer. The real sockets are covered by live-ws.test.ts and live-batch.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveConnection, LiveOutput, type Framing, type Transport } from '../src/live/connection.ts';
import { Outgoing } from '../src/live/messages.ts';
import { until } from './live-helpers.ts';

class RecordingTransport implements Transport {
  readonly writes: Buffer[] = [];
  /** @param costMs time each write takes (busy wait), to make a round of many connections longer than one slice */
  constructor(
    readonly framing: Framing,
    private readonly costMs = 0,
  ) {}
  buffered(): number {
    return 0;
  }
  write(bytes: Buffer): void {
    const end = performance.now() + this.costMs;
    while (performance.now() < end);
    this.writes.push(bytes);
  }
  close(): void {}
  heartbeat(): void {}
}

const registry = { detach() {}, output: new LiveOutput() };

/** The payloads of consecutive unmasked WebSocket text frames (RFC 6455 §5.2; payloads < 64 KiB here). */
function wsPayloads(buf: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < buf.length; ) {
    assert.equal(buf[at], 0x81, 'FIN + text opcode');
    let n = buf[at + 1]!;
    let head = 2;
    if (n === 126) {
      n = buf.readUInt16BE(at + 2);
      head = 4;
    }
    out.push(buf.subarray(at + head, at + head + n).toString());
    at += head + n;
  }
  return out;
}

function connections(n: number, framing: Framing, costMs = 0): Array<{ conn: LiveConnection; t: RecordingTransport }> {
  return Array.from({ length: n }, () => {
    const t = new RecordingTransport(framing, costMs);
    return { conn: new LiveConnection(t, registry, 8 * 1024 * 1024, undefined, undefined), t };
  });
}

const message = (seq: number) =>
  new Outgoing(
    {
      type: 'action',
      channel: 'session',
      sessionId: 's',
      seq,
      eventId: `e${seq}`,
      kind: 'action',
      timestamp: '2026-01-01T00:00:00.000Z',
      receivedAt: '2026-01-01T00:00:00.000Z',
      data: { n: seq },
    },
    seq,
  );

describe('live feed flush rounds', () => {
  it('writes a long round in slices, lets the event loop run between them, and keeps every connection in order', async () => {
    // 300 connections × 0.05 ms per write: a 15 ms round, several 2 ms slices.
    const all = connections(300, 'ws', 0.05);
    const first = [1, 2, 3, 4, 5].map(message);
    for (const m of first) for (const { conn } of all) conn.send(m);
    assert.equal(all.filter(({ t }) => t.writes.length > 0).length, 0, 'nothing is written before the round');

    // Runs after the round's first slice (both are in the same setImmediate queue, the round first).
    const sixth = message(6);
    const writtenAtProbe = await new Promise<number>((resolve) =>
      setImmediate(() => {
        const written = all.filter(({ t }) => t.writes.length > 0).length;
        for (const { conn } of all) conn.send(sixth); // mid-round: joins this round's write or the next round's
        resolve(written);
      }),
    );
    assert.ok(
      writtenAtProbe > 0 && writtenAtProbe < all.length,
      `the event loop ran mid-round (after ${writtenAtProbe} of ${all.length} writes)`,
    );

    await until(
      () => all.every(({ t }) => wsPayloads(Buffer.concat(t.writes)).length === 6),
      'every connection to get all 6 messages',
    );
    for (const [i, { t }] of all.entries()) {
      const seqs = wsPayloads(Buffer.concat(t.writes)).map((p) => (JSON.parse(p) as { seq: number }).seq);
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6], `connection ${i} in order`);
      // Flushed before the probe: 1–5, then 6 in the next round; after it: 1–6 in one write.
      assert.equal(t.writes.length, i < writtenAtProbe ? 2 : 1, `connection ${i}: one write per round`);
    }
    // The connections with the same messages in a round got the very same Buffer (encoded once).
    const late = all.slice(writtenAtProbe);
    assert.ok(
      late.every(({ t }) => t.writes[0] === late[0]!.t.writes[0]),
      'one shared Buffer for the same list',
    );
    assert.ok(
      all.slice(0, writtenAtProbe).every(({ t }) => t.writes[1] === all[0]!.t.writes[1]),
      'and for the next round',
    );
  });

  it('encodes batch frames and SSE events from the same queue', async () => {
    const [batched] = connections(1, 'ws-batch');
    const [sse] = connections(1, 'sse');
    for (const seq of [1, 2, 3]) {
      const m = message(seq);
      batched!.conn.send(m);
      sse!.conn.send(m);
    }
    await until(() => batched!.t.writes.length === 1 && sse!.t.writes.length === 1, 'one write each');
    const frame = JSON.parse(wsPayloads(batched!.t.writes[0]!)[0]!) as {
      type: string;
      messages: Array<{ seq: number }>;
    };
    assert.equal(frame.type, 'batch');
    assert.deepEqual(
      frame.messages.map((m) => m.seq),
      [1, 2, 3],
    );
    const events = sse!.t.writes[0]!.toString().trim().split('\n\n');
    assert.deepEqual(
      events.map((e) => e.split('\n')[0]),
      ['id: 1', 'id: 2', 'id: 3'],
    );
    assert.deepEqual(
      events.map((e) => (JSON.parse(e.split('\n')[1]!.slice('data: '.length)) as { seq: number }).seq),
      [1, 2, 3],
    );
  });
});
