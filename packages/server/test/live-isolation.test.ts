/**
 * Live-feed state belongs to one app: two servers in one process (as tests, embedders and the MCP port run them) have
 * their own flush schedulers, frame caches and write counters, so one app's subscribers and metrics never see the
 * other's rounds.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.ts';
import { appendActions, until, WsClient } from './live-helpers.ts';

let a: TestServer;
let b: TestServer;
before(async () => {
  a = await startTestServer();
  b = await startTestServer();
});
after(async () => {
  await a.stop();
  await b.stop();
});

it('two apps in one process keep separate live outputs', async () => {
  assert.notEqual(a.app.live.output, b.app.live.output);
  const ws = await WsClient.connect(a);
  try {
    await ws.subscribe({ channel: 'session', sessionId: 'iso-1' });
    const before = { a: a.app.live.output.writes, b: b.app.live.output.writes };
    await appendActions(a, 'iso-1', 5, { batch: 1 });
    await until(
      () => ws.messages.filter((m) => m.sessionId === 'iso-1' && typeof m.seq === 'number').length >= 5,
      'five events on A',
    );
    assert.ok(a.app.live.output.writes > before.a, 'A wrote to its subscriber');
    assert.equal(b.app.live.output.writes, before.b, 'B wrote nothing');
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    assert.match(metrics, /^tether_live_socket_writes_total 0$/m);
  } finally {
    ws.ws.close();
  }
});
