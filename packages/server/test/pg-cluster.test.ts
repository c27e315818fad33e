/**
 * Several Tether servers on one PostgreSQL database share one live feed (plugins/cluster.ts, storage/postgres/pg-feed.ts):
 * every subscriber on every server — WebSocket and SSE, per session and firehose — gets every server's events in commit
 * order with no gap and no duplicate; a listener whose connection drops reports not ready, reconnects and catches up;
 * deletions and key revocations reach every server; retention runs once per interval across servers. Real servers on
 * port 0, a real PostgreSQL (TETHER_TEST_DATABASE_URL), a schema per test.
 */
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { hashKey, PostgresStore } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { SseReader, until, WsClient, type Msg } from './live-helpers.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => undefined);
const servers: TestServer[] = [];
const schemas: string[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
});

let counter = 0;
async function freshSchema(): Promise<string> {
  const schema = `tether_t${process.pid}_${Date.now().toString(36)}_c${counter++}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  return schema;
}

function urlFor(schema: string, port?: number): string {
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  if (port !== undefined) u.port = String(port);
  return u.toString();
}

async function start(schema: string, port?: number, env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer({ storage: 'postgres', databaseUrl: urlFor(schema, port) }, env);
  servers.push(s);
  return s;
}

/** Checks one subscriber's session stream: seqs 1..n in order, each once. */
function assertSessionStream(events: Msg[], n: number, what: string): void {
  assert.deepEqual(
    events.map((e) => e.seq),
    Array.from({ length: n }, (_, i) => i + 1),
    what,
  );
}

/** A TCP proxy to PostgreSQL that a test can cut (every connection dropped, no new ones) and restore. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  async up(): Promise<void> {
    const target = new URL(DATABASE_URL);
    this.server = createServer((c) => {
      const up = connect(Number(target.port || 5432), target.hostname);
      for (const s of [c, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
  }
}

describe('one live feed across servers on PostgreSQL', () => {
  it('writers on three servers, WebSocket and SSE subscribers on each: every event, in order, once, per session and firehose', async () => {
    const schema = await freshSchema();
    const s = [await start(schema), await start(schema), await start(schema)];
    const sessions = ['c-a', 'c-b', 'c-c', 'c-d'];
    const ws = await Promise.all(s.map((x) => WsClient.connect(x)));
    for (const c of ws) {
      await c.subscribe({ channel: 'firehose' });
      for (const id of sessions) await c.subscribe({ channel: 'session', sessionId: id });
    }
    // ?after=0: the streams replay from the start, so a stream whose subscription registers after the first writes
    // (the response headers come first) still must show every event exactly once.
    const sse = await Promise.all(s.map((x) => SseReader.open(`${x.url}/api/v1/sessions/c-a/stream?after=0`)));
    const sseAll = await Promise.all(s.map((x) => SseReader.open(`${x.url}/api/v1/stream?after=0`)));
    // 3 servers × 4 writers, each writing 15 events round-robin over the sessions; 180 actions in all.
    const perWriter = 15;
    await Promise.all(
      s.flatMap((server, si) =>
        Array.from({ length: 4 }, (_, w) =>
          (async () => {
            for (let i = 0; i < perWriter; i++) {
              const id = sessions[(w + i) % sessions.length]!;
              const r = await server.req('POST', `/api/v1/actions/${id}`, { type: 'note', si, w, i });
              assert.equal(r.status, 201, JSON.stringify(r.body));
            }
          })(),
        ),
      ),
    );
    const stored = new Map<string, number>();
    for (const id of sessions) stored.set(id, (await s[0]!.req('GET', `/api/v1/sessions/${id}`)).body.metadata.lastSeq);
    const total = [...stored.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 180 + sessions.length);
    const all = (await admin.query<{ pos: string }>(`SELECT pos FROM ${schema}.events ORDER BY pos`)).rows.map((r) =>
      Number(r.pos),
    );
    for (const [i, c] of ws.entries()) {
      await until(
        () =>
          c.events('firehose').length >= total &&
          sessions.every((id) => c.events('session', id).length >= stored.get(id)!),
        `ws subscriber on server ${i}`,
      );
      for (const id of sessions)
        assertSessionStream(c.events('session', id), stored.get(id)!, `ws on server ${i}, session ${id}`);
      assert.deepEqual(
        c.events('firehose').map((e) => e.pos),
        all,
        `ws firehose on server ${i}: every pos, in commit order, once`,
      );
    }
    for (const [i, r] of sse.entries()) {
      await until(() => r.events().length >= stored.get('c-a')!, `sse session subscriber on server ${i}`);
      assertSessionStream(r.events(), stored.get('c-a')!, `sse on server ${i}`);
    }
    for (const [i, r] of sseAll.entries()) {
      await until(() => r.events().length >= total, `sse firehose on server ${i}`);
      assert.deepEqual(
        r.events().map((e) => e.pos),
        all,
        `sse firehose on server ${i}`,
      );
    }
    // Resume on another server than the one the client read from: exactly the rest.
    const mid = ws[0]!.events('session', 'c-b')[5]!.seq as number;
    const other = await WsClient.connect(s[2]!);
    const sub = await other.subscribe({ channel: 'session', sessionId: 'c-b', afterSeq: mid });
    assert.equal(sub.replayed, stored.get('c-b')! - mid);
    assert.deepEqual(
      other.events('session', 'c-b').map((e) => e.seq),
      Array.from({ length: stored.get('c-b')! - mid }, (_, i) => mid + 1 + i),
    );
    for (const c of [...ws, other]) await c.close();
    for (const r of [...sse, ...sseAll]) r.stop();
    const health = (await s[1]!.req('GET', '/health')).body;
    assert.equal(health.cluster.listener, 'listening');
  });

  it('a deletion through one server reaches subscribers on the others', async () => {
    const schema = await freshSchema();
    const [a, b] = [await start(schema), await start(schema)];
    await a.req('POST', '/api/v1/actions/del-me', { type: 'note' });
    const c = await WsClient.connect(b);
    await c.subscribe({ channel: 'session', sessionId: 'del-me', afterSeq: 0 });
    assert.equal((await a.req('DELETE', '/api/v1/sessions/del-me')).status, 200);
    const m = await c.waitFor((x) => x.type === 'session_deleted', 'session_deleted on the other server');
    assert.equal(m.sessionId, 'del-me');
    await c.close();
  });

  it('each route that deletes a session tells a subscriber on the same server once (the shared feed tells it)', async () => {
    const schema = await freshSchema();
    const a = await start(schema);
    const routes: Array<[string, string, string]> = [
      ['del-v1', 'DELETE', '/api/v1/sessions/del-v1'],
      ['del-seed', 'DELETE', '/api/sessions/del-seed'],
      ['lg:del-thread', 'DELETE', '/api/v1/langgraph/threads/del-thread'],
    ];
    const c = await WsClient.connect(a);
    for (const [sessionId] of routes) {
      await a.req('POST', `/api/v1/actions/${sessionId}`, { type: 'note' });
      await c.subscribe({ channel: 'session', sessionId, afterSeq: 0 });
    }
    for (const [, method, path] of routes) assert.ok((await a.req(method, path)).status < 300, path);
    for (const [sessionId] of routes)
      await c.waitFor((x) => x.type === 'session_deleted' && x.sessionId === sessionId, `session_deleted ${sessionId}`);
    await new Promise((r) => setTimeout(r, 1500)); // a second copy would come from the other path within the feed's poll
    for (const [sessionId] of routes) {
      const n = c.messages.filter((x) => x.type === 'session_deleted' && x.sessionId === sessionId).length;
      assert.equal(n, 1, `${sessionId}: ${n} session_deleted messages`);
    }
    await c.close();
  });

  it('the listener losing its connection: /ready says not ready, then it reconnects and delivers what was written meanwhile', async () => {
    const schema = await freshSchema();
    const proxy = new CuttableProxy();
    await proxy.up();
    const writer = await start(schema);
    const reader = await start(schema, proxy.port);
    const c = await WsClient.connect(reader);
    await c.subscribe({ channel: 'session', sessionId: 'gap', afterSeq: 0 });
    await writer.req('POST', '/api/v1/actions/gap', { type: 'note', i: 0 });
    await until(() => c.events('session', 'gap').length === 2, 'first events');
    assert.equal((await reader.req('GET', '/ready')).status, 200);
    await proxy.cut();
    await until(() => reader.app.cluster?.state === 'down', 'listener down');
    const ready = await reader.req('GET', '/ready');
    assert.equal(ready.status, 503);
    assert.match(ready.body.reason, /listener down/);
    for (let i = 1; i <= 20; i++) await writer.req('POST', '/api/v1/actions/gap', { type: 'note', i });
    await proxy.up();
    await until(() => reader.app.cluster?.state === 'listening', 'listener back');
    await until(() => c.events('session', 'gap').length >= 22, 'caught up after reconnect');
    assertSessionStream(c.events('session', 'gap'), 22, 'no gap, no duplicate across the outage');
    assert.equal((await reader.req('GET', '/ready')).status, 200);
    assert.ok((await reader.req('GET', '/health')).body.cluster.reconnects >= 1);
    await c.close();
    await reader.stop();
    await proxy.cut();
  });

  it('a key revoked through another process closes live connections on every server at once and fails its next request', async () => {
    const schema = await freshSchema();
    const [a, b] = [await start(schema), await start(schema)];
    const cli = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 1 });
    try {
      const secret = 'tth_cluster_test_secret';
      await cli.createKey({
        id: 'k1',
        name: 't',
        hash: hashKey(secret),
        scopes: ['read', 'ingest'],
        created: new Date().toISOString(),
        revokedAt: null,
      });
      // Creation reaches both servers' key rings at once (no 5 s cache wait): anonymous requests now fail.
      for (const x of [a, b]) {
        let status = 0;
        for (let i = 0; i < 200 && status !== 401; i++) {
          status = (await x.req('GET', '/api/v1/sessions')).status;
          if (status !== 401) await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(status, 401);
      }
      const auth = { authorization: `Bearer ${secret}` };
      const conns = await Promise.all([a, b].map((x) => WsClient.connect(x, '', auth)));
      assert.equal((await b.req('GET', '/api/v1/sessions', undefined, auth)).status, 200);
      assert.equal(await cli.revokeKey('k1'), true);
      for (const c of conns) await until(() => c.closed?.code === 4001, 'closed 4001 after revocation');
      assert.equal((await b.req('GET', '/api/v1/sessions', undefined, auth)).status, 401);
    } finally {
      await cli.close();
    }
  });

  it('retention runs once per interval across all servers (advisory lock + last run)', async () => {
    const schema = await freshSchema();
    const stores = await Promise.all(
      [1, 2, 3].map(() => PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 2 })),
    );
    try {
      const end = (id: string) =>
        stores[0]!.append([
          {
            input: { sessionId: id, kind: 'session_finalized', data: { status: 'completed' } },
            autoCreate: true,
            receivedAt: new Date().toISOString(),
          },
        ]);
      for (const id of ['r1', 'r2', 'r3', 'r4']) await end(id);
      const future = new Date(Date.now() + 60_000).toISOString();
      const counts = await Promise.all(stores.map((s) => s.deleteEndedBefore(future, 3_600_000)));
      assert.equal(
        counts.reduce((x, y) => x + y, 0),
        4,
        `deleted once in all: ${counts.join(',')}`,
      );
      assert.equal(counts.filter((n) => n > 0).length, 1);
      await end('r5');
      assert.deepEqual(
        await Promise.all(stores.map((s) => s.deleteEndedBefore(future, 3_600_000))),
        [0, 0, 0],
        'not again within the interval',
      );
      assert.equal(await stores[1]!.deleteEndedBefore(future, 0), 1, 'due again after the interval');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
