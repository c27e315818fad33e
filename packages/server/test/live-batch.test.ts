/** Batched delivery (`/ws?batch=1`): many messages per frame, same messages, same order, same resume. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.ts';
import { appendActions, range, until, WsClient } from './live-helpers.ts';

describe('live feed, batched delivery', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('delivers every event in order inside batch frames, replay included', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'bt', userId: 'u' });
    await appendActions(s, 'bt', 300);
    const batched = await WsClient.connect(s, '?batch=1');
    const plain = await WsClient.connect(s, '');
    await batched.subscribe({ channel: 'session', sessionId: 'bt', afterSeq: 100 });
    await plain.subscribe({ channel: 'session', sessionId: 'bt', afterSeq: 100 });
    await appendActions(s, 'bt', 2000, { batch: 500 });
    await until(
      () => batched.events('session').length >= 2201 && plain.events('session').length >= 2201,
      'both clients to get every event',
    );
    const expected = range(101, 2301);
    assert.deepEqual(
      batched.events('session').map((m) => m.seq),
      expected,
    );
    assert.deepEqual(
      plain.events('session').map((m) => m.seq),
      expected,
    );
    assert.deepEqual(batched.events('session').slice(-3), plain.events('session').slice(-3), 'the same messages');
    assert.ok(batched.frames < plain.frames / 5, `batched: ${batched.frames} frames for ${plain.frames} unbatched`);
    // The flush rounds that carried them are in /metrics.
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    const rounds = Number(/^tether_live_flush_round_seconds_count (\d+)$/m.exec(metrics)?.[1]);
    const writes = Number(/^tether_live_socket_writes_total (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(rounds > 0 && writes >= rounds && writes >= batched.frames, `rounds ${rounds}, writes ${writes}`);
    await batched.close();
    await plain.close();
  });

  it('refuses a batch parameter other than 0 or 1', async () => {
    await assert.rejects(
      WsClient.connect(s, '?batch=yes'),
      (err: { status: number; body: { code: string } }) => err.status === 400 && err.body.code === 'validation_failed',
    );
  });
});
