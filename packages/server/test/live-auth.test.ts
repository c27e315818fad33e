/**
 * Live feed with API keys enabled: no event reaches a client without a `read` key, on either transport. The prototype
 * sent every session's creation to anonymous WebSocket clients; here they are refused before any socket exists.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashKey } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.ts';
import { SseReader, until, WsClient, type Msg } from './live-helpers.ts';

const READ = 'secret-read';
const INGEST = 'secret-ingest';
const auth = (k: string) => ({ authorization: `Bearer ${k}` });

describe('live feed authorization', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ heartbeatMs: 200 }, { TETHER_API_KEYS: `${READ}:read,${INGEST}:ingest` });
  });
  after(async () => {
    await s.stop();
  });

  async function refused(
    query: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Msg; messages: Msg[] }> {
    const err = await WsClient.connect(s, query, headers).then(
      () => assert.fail('the upgrade should have been refused'),
      (e) => e as { status: number; body: Msg; client: WsClient },
    );
    return { status: err.status, body: err.body, messages: err.client.messages };
  }

  it('refuses WebSocket upgrades without a read key, and such clients receive nothing', async () => {
    const anon = await refused('');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.code, 'unauthorized');
    // The refusal is the same problem+json as every HTTP error (live/authorize.ts refuseUpgrade), naming the path asked for.
    assert.equal(anon.body.status, 401);
    assert.equal(anon.body.instance, '/api/v1/ws');
    assert.match(String(anon.body.type), /unauthorized$/);
    assert.equal((await refused('?session=x')).status, 401);
    assert.equal((await refused('?apiKey=wrong')).status, 401);
    const ingestOnly = await refused('', auth(INGEST));
    assert.equal(ingestOnly.status, 403);
    assert.equal(ingestOnly.body.code, 'forbidden');
    assert.equal(s.app.hub.stats.totalConnections, 0);
  });

  it('an authorized watcher sees a new session while a refused one never got anything', async () => {
    const ok = await WsClient.connect(s, `?apiKey=${READ}`);
    await ok.subscribe({ channel: 'list' });
    const anonAttempts = await Promise.all([refused(''), refused('?session=secret-session')]);
    const r = await s.req(
      'POST',
      '/api/v1/sessions',
      { sessionId: 'secret-session', initial: { task: 'private' } },
      auth(INGEST),
    );
    assert.equal(r.status, 201);
    const created = await ok.waitFor((m) => m.type === 'session_created', 'session_created for the authorized watcher');
    assert.equal(created.sessionId, 'secret-session');
    for (const a of anonAttempts) assert.deepEqual(a.messages, []);
    assert.equal(s.app.hub.stats.totalConnections, 1);
    await ok.close();
  });

  it('refuses SSE streams without a read key; accepts ?apiKey= for EventSource', async () => {
    const none = await SseReader.open(`${s.url}/api/v1/stream`);
    assert.equal(none.status, 401);
    await s.req('POST', '/api/v1/sessions', { sessionId: 'sse-session' }, auth(INGEST));
    const ingest = await SseReader.open(`${s.url}/api/v1/sessions/sse-session/stream?after=0`, auth(INGEST));
    assert.equal(ingest.status, 403);
    assert.deepEqual(ingest.messages, []);
    const ok = await SseReader.open(`${s.url}/api/v1/sessions/sse-session/stream?after=0&apiKey=${READ}`);
    assert.equal(ok.status, 200);
    await until(() => ok.events().length === 1, 'the replayed session_created');
    ok.stop();
  });

  it('refuses a browser page from another origin', async () => {
    const r = await refused(`?apiKey=${READ}`, { origin: 'https://evil.example' });
    assert.equal(r.status, 403);
    const same = await WsClient.connect(s, `?apiKey=${READ}`, { origin: s.url });
    await same.close();
  });

  it('closes a socket with 4001 when its key is revoked', async () => {
    const secret = 'stored-read-key';
    await s.app.store.createKey({
      id: 'k-live',
      name: 'live',
      hash: hashKey(secret),
      scopes: ['read'],
      created: new Date().toISOString(),
      revokedAt: null,
    });
    const c = await WsClient.connect(s, '?session=secret-session', auth(secret));
    await c.waitFor((m) => m.type === 'subscribed', 'subscribed');
    await s.app.store.revokeKey('k-live');
    await until(() => c.closed !== undefined, 'the socket to be closed after revocation (key cache: 5 s)');
    assert.equal(c.closed!.code, 4001);
  });
});
