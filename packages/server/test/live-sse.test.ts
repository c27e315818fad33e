/**
 * Server-Sent Events transport against a real server: resume with Last-Event-ID (seq for a session, pos for the
 * firehose) with no gap and no duplicate while writes continue, ?after= and ?tail=, heartbeat comments, bad input.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers.ts';
import { appendActions, range, SseReader, until } from './live-helpers.ts';

describe('live feed over SSE', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ heartbeatMs: 100 });
  });
  after(async () => {
    await s.stop();
  });

  it('resumes a session stream from Last-Event-ID with exactly the missing events', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'sse' });
    const a = await SseReader.open(`${s.url}/api/v1/sessions/sse/stream?after=0`);
    const writing = appendActions(s, 'sse', 2000, { batch: 100 });
    await until(() => a.events().length >= 300, '300 events on the first stream');
    a.stop();
    const lastId = a.lastId()!;
    const seen = a.events().map((m) => m.seq);
    assert.equal(String(seen.at(-1)), lastId, 'id: is the seq');
    // `after=0` would replay everything: Last-Event-ID must win.
    const b = await SseReader.open(`${s.url}/api/v1/sessions/sse/stream?after=0`, { 'last-event-id': lastId });
    await writing;
    await until(() => b.events().at(-1)?.seq === 2001, 'the resumed stream to reach seq 2001');
    const got = b.events().map((m) => m.seq);
    assert.deepEqual(got, range(Number(lastId) + 1, 2001));
    assert.deepEqual([...seen, ...got], range(1, 2001));
    const marker = b.messages.find((m) => m.data.type === 'subscribed')!;
    assert.equal(marker.id, undefined, 'the switch marker does not move the resume position');
    assert.equal(marker.data.channel, 'session');
    for (const m of b.messages) if (typeof m.data.seq === 'number') assert.equal(m.id, String(m.data.seq));
    b.stop();
  });

  it('resumes the firehose from Last-Event-ID by pos', async () => {
    const startPos = await s.app.store.lastPos();
    const a = await SseReader.open(`${s.url}/api/v1/stream?after=${startPos}`);
    const writers = Promise.all([
      appendActions(s, 'sse-a', 500, { batch: 25 }),
      appendActions(s, 'sse-b', 500, { batch: 25 }),
    ]);
    await until(() => a.events().length >= 100, '100 firehose events');
    a.stop();
    const b = await SseReader.open(`${s.url}/api/v1/stream`, { 'last-event-id': a.lastId()! });
    await writers;
    const all = await s.app.store.listAllEvents(startPos, 100_000);
    await until(() => b.events().at(-1)?.pos === all.at(-1)!.pos, 'the resumed firehose to reach the last pos');
    const delivered = [...a.events(), ...b.events()];
    assert.deepEqual(
      delivered.map((m) => `${m.pos}:${m.sessionId}:${m.seq}`),
      all.map((e) => `${e.pos}:${e.sessionId}:${e.seq}`),
    );
    for (const m of b.messages) if (typeof m.data.pos === 'number') assert.equal(m.id, String(m.data.pos));
    assert.ok(delivered.every((m) => m.channel === 'firehose'));
    b.stop();
  });

  it('replays the last N events with ?tail=, then goes live', async () => {
    await appendActions(s, 'tail', 9); // seq 1..10
    const r = await SseReader.open(`${s.url}/api/v1/sessions/tail/stream?tail=3`);
    await until(() => r.messages.some((m) => m.data.type === 'subscribed'), 'subscribed');
    assert.deepEqual(
      r.events().map((m) => m.seq),
      [8, 9, 10],
    );
    await appendActions(s, 'tail', 1);
    await until(() => r.events().length === 4, 'the live event');
    assert.equal(r.events()[3]!.seq, 11);
    r.stop();
  });

  it('sends heartbeat comments and a session_deleted message without id', async () => {
    await appendActions(s, 'hb', 1);
    const r = await SseReader.open(`${s.url}/api/v1/sessions/hb/stream`);
    await until(() => r.comments >= 2, 'two heartbeat comments');
    await s.req('DELETE', '/api/v1/sessions/hb');
    await until(() => r.messages.some((m) => m.data.type === 'session_deleted'), 'session_deleted');
    assert.equal(r.messages.find((m) => m.data.type === 'session_deleted')!.id, undefined);
    r.stop();
  });

  it('answers malformed positions with problem+json 400', async () => {
    const bad = await SseReader.open(`${s.url}/api/v1/sessions/x/stream`, { 'last-event-id': 'abc' });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, 'validation_failed');
    const neg = await SseReader.open(`${s.url}/api/v1/stream?after=-1`);
    assert.equal(neg.status, 400);
    const badId = await SseReader.open(`${s.url}/api/v1/sessions/${encodeURIComponent('a b')}/stream`);
    assert.equal(badId.status, 400);
    assert.equal((badId.body as { code: string }).code, 'invalid_session_id');
  });
});
