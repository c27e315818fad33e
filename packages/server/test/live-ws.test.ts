/**
 * The WebSocket live feed against a real server: fan-out to many subscribers, resume after a drop with no gap and no
 * duplicate, firehose resume by pos, list watchers, client operations, /health stats, shutdown close code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers.ts';
import { appendActions, range, until, WsClient } from './live-helpers.ts';

describe('live feed over WebSocket', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('delivers every event of a 5,000-event burst to each of 100 subscribers, in seq order', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'burst', userId: 'u' });
    const clients = await Promise.all(range(1, 100).map(() => WsClient.connect(s, '', {})));
    await Promise.all(clients.map((c) => c.subscribe({ channel: 'session', sessionId: 'burst' })));
    assert.equal((await s.req('GET', '/health')).body.websocket.sessions, 1);
    await appendActions(s, 'burst', 5000);
    await until(
      () => clients.every((c) => c.events('session').length >= 5000),
      'all 100 subscribers to get 5,000 events',
      60_000,
    );
    const expected = range(2, 5001);
    for (const c of clients) {
      assert.deepEqual(
        c.events('session').map((m) => m.seq),
        expected,
      );
      assert.equal(c.closed, undefined);
    }
    const first = clients[0]!.events('session')[0]!;
    assert.equal(first.type, 'action');
    assert.equal(first.sessionId, 'burst');
    assert.equal(typeof first.eventId, 'string');
    assert.equal(typeof first.pos, 'number');
    assert.equal(typeof first.timestamp, 'string');
    assert.equal(first.data.tool, 'Bash');
    await Promise.all(clients.map((c) => c.close()));
    await until(() => s.app.hub.stats.totalConnections === 0, 'connections to be counted down');
  });

  it('resumes the firehose by pos across sessions, in commit order', async () => {
    const startPos = await s.app.store.lastPos();
    const a = await WsClient.connect(s);
    await a.subscribe({ channel: 'firehose', afterPos: startPos });
    const writers = Promise.all([
      appendActions(s, 'fh-a', 1000, { batch: 50 }),
      appendActions(s, 'fh-b', 1000, { batch: 50 }),
    ]);
    await until(() => a.events('firehose').length >= 200, 'the firehose to deliver 200 events');
    await a.close();
    const lastPos = a.events('firehose').at(-1)!.pos;
    const b = await WsClient.connect(s);
    await b.subscribe({ channel: 'firehose', afterPos: lastPos });
    await writers;
    const all = await s.app.store.listAllEvents(startPos, 100_000);
    assert.equal(all.length, 2002); // 2 × (session_created + 1,000 actions)
    await until(
      () => b.events('firehose').at(-1)?.pos === all.at(-1)!.pos,
      'the resumed firehose to reach the last pos',
    );
    const delivered = [...a.events('firehose'), ...b.events('firehose')].map((m) => `${m.pos}:${m.sessionId}:${m.seq}`);
    assert.deepEqual(
      delivered,
      all.map((e) => `${e.pos}:${e.sessionId}:${e.seq}`),
    );
    await b.close();
  });

  it('a session subscription without a position is live-only and says where it starts', async () => {
    await appendActions(s, 'live-only', 5);
    const c = await WsClient.connect(s);
    const sub = await c.subscribe({ channel: 'session', sessionId: 'live-only' });
    assert.equal(sub.replayed, 0);
    assert.equal(sub.lastSeq, 6);
    await appendActions(s, 'live-only', 2);
    await until(() => c.events('session').length === 2, 'two live events');
    assert.deepEqual(
      c.events('session').map((m) => m.seq),
      [7, 8],
    );
    await c.close();
  });

  it('list watchers get created, finalized and deleted with the session summary, and nothing for plain events', async () => {
    const c = await WsClient.connect(s, '?user=dash');
    await c.subscribe({ channel: 'list' });
    await s.req('POST', '/api/v1/sessions', { sessionId: 'listed', userId: 'alice', type: 'coder' });
    await s.req('POST', '/api/v1/actions/listed', { type: 'x' });
    await s.req('POST', '/api/v1/sessions/listed/finalize', { status: 'failed' });
    await s.req('DELETE', '/api/v1/sessions/listed');
    await c.waitFor((m) => m.type === 'session_deleted', 'session_deleted');
    const list = c.messages.filter((m) => m.channel === 'list' && m.sessionId === 'listed');
    assert.deepEqual(
      list.map((m) => m.type),
      ['session_created', 'session_finalized', 'session_deleted'],
    );
    assert.equal(list[0]!.session.userId, 'alice');
    assert.equal(list[0]!.session.type, 'coder');
    assert.equal(list[0]!.seq, 1);
    assert.equal(list[1]!.session.status, 'failed');
    assert.equal(list[1]!.data.status, 'failed');
    assert.equal(list[2]!.session, null);
    await c.close();
  });

  it('list watchers with updates get coalesced session_updated messages', async () => {
    const c = await WsClient.connect(s);
    await c.subscribe({ channel: 'list', updates: true });
    await appendActions(s, 'upd', 50, { batch: 10 });
    const m = await c.waitFor(
      (x) => x.type === 'session_updated' && x.sessionId === 'upd' && x.session.lastSeq === 51,
      'session_updated with lastSeq 51',
    );
    assert.equal(m.channel, 'list');
    assert.ok(
      c.messages.filter((x) => x.type === 'session_updated' && x.sessionId === 'upd').length < 50,
      'updates are coalesced',
    );
    await c.close();
  });

  it('answers bad operations with error messages without closing, and stops after unsubscribe', async () => {
    const c = await WsClient.connect(s);
    assert.equal(c.messages[0]!.type, 'hello');
    c.ws.send('not json');
    c.send({ op: 'subscribe', channel: 'nope', id: 'e1' });
    c.send({ op: 'subscribe', channel: 'session', sessionId: '../etc', id: 'e2' });
    c.send({ op: 'subscribe', channel: 'session', sessionId: 'ok', afterSeq: -1, id: 'e3' });
    c.send({ op: 'ping', id: 'p' });
    await c.waitFor((m) => m.type === 'pong' && m.id === 'p', 'pong');
    const errors = c.messages.filter((m) => m.type === 'error');
    assert.deepEqual(
      errors.map((e) => [e.id, e.code]),
      [
        [undefined, 'invalid_json'],
        ['e1', 'validation_failed'],
        ['e2', 'invalid_session_id'],
        ['e3', 'validation_failed'],
      ],
    );
    await c.subscribe({ channel: 'session', sessionId: 'unsub' });
    await appendActions(s, 'unsub', 1);
    await until(() => c.events('session').length === 2, 'two events before unsubscribing');
    c.send({ op: 'unsubscribe', channel: 'session', sessionId: 'unsub', id: 'u' });
    await c.waitFor((m) => m.type === 'unsubscribed' && m.id === 'u', 'unsubscribed');
    await appendActions(s, 'unsub', 3);
    c.send({ op: 'ping', id: 'p2' });
    await c.waitFor((m) => m.id === 'p2', 'second pong');
    assert.equal(c.events('session').length, 2, 'nothing after unsubscribe');
    assert.equal(c.closed, undefined);
    await c.close();
  });

  it('counts connections, users and subscribed sessions in /health', async () => {
    const a = await WsClient.connect(s, '?session=h1&user=alice');
    const b = await WsClient.connect(s, '?session=h2&user=alice');
    const c = await WsClient.connect(s, '?session=h2&user=bob');
    await until(() => s.app.hub.stats.sessions === 2, 'two subscribed sessions');
    assert.deepEqual((await s.req('GET', '/health')).body.websocket, { totalConnections: 3, users: 2, sessions: 2 });
    await Promise.all([a.close(), b.close(), c.close()]);
    await until(() => s.app.hub.stats.totalConnections === 0, 'connections closed');
    assert.deepEqual((await s.req('GET', '/health')).body.websocket, { totalConnections: 0, users: 0, sessions: 0 });
  });
});

describe('live feed resume', () => {
  it('a client that drops mid-stream and resumes from its last seq receives exactly the missing events', async () => {
    // A small buffer limit makes the replay pace itself (yield to the event loop), so writes keep committing during
    // the replay: the switch to live must then drop what the replay already sent and add what it did not.
    const s = await startTestServer({ wsBufferLimit: 256 * 1024 });
    try {
      await s.req('POST', '/api/v1/sessions', { sessionId: 'resume' });
      const a = await WsClient.connect(s, '?session=resume&after=0');
      const writing = appendActions(s, 'resume', 6000, { batch: 100, pad: 300 });
      await until(() => a.events('session').length >= 300, 'the first client to see 300 events');
      await a.close();
      const seen = a.events('session').map((m) => m.seq);
      const last = seen.at(-1)!;
      // Let it miss more than a few replay pages, then resume while the writer is still appending.
      await until(
        () =>
          (s.app.store as unknown as { db: { prepare(q: string): { get(): { n: number } } } }).db
            .prepare("SELECT max(seq) AS n FROM events WHERE session_id = 'resume'")
            .get().n >
          last + 1500,
        'the writer to get ahead',
      );
      const b = await WsClient.connect(s);
      const sub = await b.subscribe({ channel: 'session', sessionId: 'resume', afterSeq: last });
      assert.equal(sub.type, 'subscribed');
      assert.ok(sub.replayed >= 1500, `replayed ${sub.replayed} events from storage`);
      await writing;
      await until(() => b.events('session').at(-1)?.seq === 6001, 'the resumed client to reach seq 6001');
      const got = b.events('session').map((m) => m.seq);
      assert.deepEqual(got, range(last + 1, 6001), 'exactly the missing events, in order, no duplicates');
      assert.deepEqual([...seen, ...got], range(1, 6001));
      // Everything before `subscribed` was replayed from storage; the marker reports the switch position.
      const idx = b.messages.indexOf(sub);
      const replayed = b.messages.slice(0, idx).filter((m) => m.seq !== undefined);
      assert.equal(sub.replayed, replayed.length);
      assert.equal(sub.lastSeq, replayed.at(-1)!.seq);
      assert.equal(b.closed, undefined);
      await b.close();
    } finally {
      await s.stop();
    }
  });
});

describe('live feed shutdown', () => {
  it('closes sockets with 1001 when the server stops', async () => {
    const s = await startTestServer();
    const c = await WsClient.connect(s, '?session=x');
    await s.stop();
    await until(() => c.closed !== undefined, 'the socket to close');
    assert.equal(c.closed!.code, 1001);
  });
});
