/**
 * The memory store's REST API (`/api/v1/store/*`, LangGraph Platform store shapes) against a real server on SQLite and
 * on PostgreSQL (a fresh schema per server; TETHER_TEST_DATABASE_URL, default the local test database): put/get/delete,
 * namespaces, prefix search, LangGraph filters, full-text query, TTL, scopes, problem+json errors, /openapi.json.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { startTestServer, type TestServer } from './helpers.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => undefined);
after(() => admin.end());

let counter = 0;
const engines: Record<string, () => Promise<{ server: TestServer; stop: () => Promise<void> }>> = {
  sqlite: async () => {
    const server = await startTestServer();
    return { server, stop: () => server.stop() };
  },
  postgres: async () => {
    const schema = `tether_mem${process.pid}_${Date.now().toString(36)}_${counter++}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const u = new URL(DATABASE_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    const server = await startTestServer({ storage: 'postgres', databaseUrl: u.toString() });
    return {
      server,
      stop: async () => {
        await server.stop();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  },
};

for (const [engine, open] of Object.entries(engines)) {
  describe(`memory store API (${engine})`, () => {
    const withServer = (fn: (s: TestServer) => Promise<void>) => async () => {
      const { server, stop } = await open();
      try {
        await fn(server);
      } finally {
        await stop();
      }
    };
    const put = (
      s: TestServer,
      namespace: string[],
      key: string,
      value: unknown,
      extra: Record<string, unknown> = {},
    ) => s.req('PUT', '/api/v1/store/items', { namespace, key, value, ...extra });
    const search = async (s: TestServer, body: Record<string, unknown>) => {
      const res = await s.req('POST', '/api/v1/store/items/search', body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.items as Array<{
        namespace: string[];
        key: string;
        value: Record<string, unknown>;
        score?: number;
      }>;
    };
    const keys = (items: Array<{ key: string }>) => items.map((i) => i.key).sort();

    it(
      'put answers 204, get returns the item with times, a second put replaces the value and keeps created_at',
      withServer(async (s) => {
        const r1 = await put(s, ['users', 'u1', 'memories'], 'm1', { text: 'likes blue', n: 1 });
        assert.equal(r1.status, 204);
        const g1 = await s.req('GET', '/api/v1/store/items?namespace=users.u1.memories&key=m1');
        assert.equal(g1.status, 200);
        assert.deepEqual(g1.body.namespace, ['users', 'u1', 'memories']);
        assert.equal(g1.body.key, 'm1');
        assert.deepEqual(g1.body.value, { text: 'likes blue', n: 1 });
        assert.ok(!Number.isNaN(Date.parse(g1.body.created_at)));
        await new Promise((r) => setTimeout(r, 5));
        assert.equal((await put(s, ['users', 'u1', 'memories'], 'm1', { text: 'likes green' })).status, 204);
        const g2 = await s.req('GET', '/api/v1/store/items?namespace=users.u1.memories&key=m1');
        assert.deepEqual(g2.body.value, { text: 'likes green' });
        assert.equal(g2.body.created_at, g1.body.created_at);
        assert.ok(g2.body.updated_at > g1.body.updated_at);
      }),
    );

    it(
      'get of an absent item is a 404 problem with code store_item_not_found; delete answers 204 and removes it',
      withServer(async (s) => {
        const miss = await s.req('GET', '/api/v1/store/items?namespace=a&key=nope');
        assert.equal(miss.status, 404);
        assert.match(miss.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.equal(miss.body.code, 'store_item_not_found');
        await put(s, ['a'], 'k', { v: 1 });
        assert.equal((await s.req('DELETE', '/api/v1/store/items', { namespace: ['a'], key: 'k' })).status, 204);
        assert.equal((await s.req('GET', '/api/v1/store/items?namespace=a&key=k')).status, 404);
        assert.equal((await s.req('DELETE', '/api/v1/store/items', { namespace: ['a'], key: 'k' })).status, 204);
      }),
    );

    it(
      'refuses bad bodies: a label with a dot, an empty namespace, a value that is not an object, an unknown operator',
      withServer(async (s) => {
        for (const body of [
          { namespace: ['a.b'], key: 'k', value: {} },
          { namespace: [], key: 'k', value: {} },
          { namespace: ['a'], key: 'k', value: [1] },
          { namespace: ['a'], key: '', value: {} },
        ]) {
          const res = await s.req('PUT', '/api/v1/store/items', body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.code, 'validation_failed');
        }
        const bad = await s.req('POST', '/api/v1/store/items/search', {
          namespace_prefix: [],
          filter: { n: { $in: [1] } },
        });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.code, 'validation_failed');
      }),
    );

    it(
      'search by namespace prefix: the prefix is label-wise (a.b does not select a.bc), * matches any label; limit and offset page',
      withServer(async (s) => {
        await put(s, ['docs', 'u1'], 'd1', { t: 1 });
        await put(s, ['docs', 'u1', 'deep'], 'd2', { t: 2 });
        await put(s, ['docs', 'u10'], 'd3', { t: 3 });
        await put(s, ['docs', 'u2'], 'd4', { t: 4 });
        await put(s, ['other'], 'o1', { t: 5 });
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['docs', 'u1'] })), ['d1', 'd2']);
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['docs'] })), ['d1', 'd2', 'd3', 'd4']);
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['docs', '*'] })), ['d1', 'd2', 'd3', 'd4']);
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['*', 'u1'] })), ['d1', 'd2']);
        assert.deepEqual(keys(await search(s, { namespace_prefix: [] })), ['d1', 'd2', 'd3', 'd4', 'o1']);
        // Newest update first without a query; pages do not overlap.
        const all = await search(s, { namespace_prefix: ['docs'], limit: 10 });
        assert.deepEqual(
          all.map((i) => i.key),
          ['d4', 'd3', 'd2', 'd1'],
        );
        const p1 = await search(s, { namespace_prefix: ['docs'], limit: 2, offset: 0 });
        const p2 = await search(s, { namespace_prefix: ['docs'], limit: 2, offset: 2 });
        assert.deepEqual(
          [...p1, ...p2].map((i) => i.key),
          ['d4', 'd3', 'd2', 'd1'],
        );
      }),
    );

    it(
      'filters follow LangGraph: equality, nested partial match, exact arrays, $eq $ne $gt $gte $lt $lte',
      withServer(async (s) => {
        await put(s, ['f'], 'a', { kind: 'fact', score: 1, tags: ['x', 'y'], meta: { lang: 'en', src: 'chat' } });
        await put(s, ['f'], 'b', { kind: 'fact', score: 5, tags: ['x'], meta: { lang: 'de' } });
        await put(s, ['f'], 'c', { kind: 'pref', score: 10, name: 'zed' });
        const f = async (filter: Record<string, unknown>) => keys(await search(s, { namespace_prefix: ['f'], filter }));
        assert.deepEqual(await f({ kind: 'fact' }), ['a', 'b']);
        assert.deepEqual(await f({ kind: 'fact', score: 5 }), ['b']);
        assert.deepEqual(await f({ meta: { lang: 'en' } }), ['a']);
        assert.deepEqual(await f({ tags: ['x'] }), ['b']);
        assert.deepEqual(await f({ score: { $gt: 1 } }), ['b', 'c']);
        assert.deepEqual(await f({ score: { $gte: 1, $lt: 10 } }), ['a', 'b']);
        assert.deepEqual(await f({ score: { $lte: 5 } }), ['a', 'b']);
        assert.deepEqual(await f({ kind: { $ne: 'fact' } }), ['c']);
        assert.deepEqual(await f({ kind: { $eq: 'pref' } }), ['c']);
        assert.deepEqual(await f({ name: { $ne: 'zed' } }), ['a', 'b']);
        assert.deepEqual(await f({ missing: 'x' }), []);
        // A filter with paging: the offset counts matching items only.
        const page = await search(s, { namespace_prefix: ['f'], filter: { kind: 'fact' }, limit: 1, offset: 1 });
        assert.equal(page.length, 1);
      }),
    );

    it(
      'full-text query finds items by their text, scores them best first, and leaves index:false items out',
      withServer(async (s) => {
        await put(s, ['m'], 'blue', { text: 'The user favourite colour is blue' });
        await put(
          s,
          ['m'],
          'cat',
          { text: 'The user has a cat named Tom', note: 'blue blue blue' },
          { index: ['text'] },
        );
        await put(s, ['m'], 'hidden', { text: 'blue secret' }, { index: false });
        await put(s, ['n'], 'elsewhere', { text: 'blue elsewhere' });
        const hits = await search(s, { namespace_prefix: ['m'], query: 'blue' });
        assert.deepEqual(
          hits.map((h) => h.key),
          ['blue'],
        );
        assert.equal(typeof hits[0]!.score, 'number');
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['m'], query: 'cat' })), ['cat']);
        assert.deepEqual(keys(await search(s, { namespace_prefix: [], query: 'blue' })), ['blue', 'elsewhere']);
        // Replacing the value re-indexes it.
        await put(s, ['m'], 'blue', { text: 'now it is red' });
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['m'], query: 'blue' })), []);
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['m'], query: 'red' })), ['blue']);
        await s.req('DELETE', '/api/v1/store/items', { namespace: ['m'], key: 'blue' });
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['m'], query: 'red' })), []);
        // Query and filter together.
        await put(s, ['q'], 'x', { text: 'apple pie', kind: 'a' });
        await put(s, ['q'], 'y', { text: 'apple tart', kind: 'b' });
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['q'], query: 'apple', filter: { kind: 'b' } })), [
          'y',
        ]);
      }),
    );

    it(
      'list namespaces: prefix, suffix, wildcards, max_depth, limit/offset, in label order',
      withServer(async (s) => {
        for (const ns of [['a', 'b', 'c'], ['a', 'b', 'd'], ['a', 'e'], ['a-b'], ['x', 'b', 'c']])
          await put(s, ns, 'k', {});
        const list = async (body: Record<string, unknown>) => {
          const res = await s.req('POST', '/api/v1/store/namespaces', body);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          return res.body.namespaces as string[][];
        };
        assert.deepEqual(await list({}), [['a', 'b', 'c'], ['a', 'b', 'd'], ['a', 'e'], ['a-b'], ['x', 'b', 'c']]);
        assert.deepEqual(await list({ prefix: ['a'] }), [
          ['a', 'b', 'c'],
          ['a', 'b', 'd'],
          ['a', 'e'],
        ]);
        assert.deepEqual(await list({ suffix: ['c'] }), [
          ['a', 'b', 'c'],
          ['x', 'b', 'c'],
        ]);
        assert.deepEqual(await list({ prefix: ['*', 'b'] }), [
          ['a', 'b', 'c'],
          ['a', 'b', 'd'],
          ['x', 'b', 'c'],
        ]);
        assert.deepEqual(await list({ prefix: ['a'], max_depth: 2 }), [
          ['a', 'b'],
          ['a', 'e'],
        ]);
        assert.deepEqual(await list({ limit: 2, offset: 1 }), [
          ['a', 'b', 'd'],
          ['a', 'e'],
        ]);
      }),
    );

    it(
      'TTL: an item past its ttl is invisible to get, search and namespaces; an item without one stays',
      withServer(async (s) => {
        await put(s, ['t'], 'short', { text: 'ephemeral' }, { ttl: 0.001 }); // 60 ms
        await put(s, ['t'], 'long', { text: 'lasting' }, { ttl: 60 });
        await put(s, ['t2'], 'short2', { text: 'ephemeral' }, { ttl: 0.001 });
        const g = await s.req('GET', '/api/v1/store/items?namespace=t&key=long&refresh_ttl=false');
        assert.equal(typeof g.body.expires_at, 'string');
        await new Promise((r) => setTimeout(r, 150));
        assert.equal((await s.req('GET', '/api/v1/store/items?namespace=t&key=short')).status, 404);
        assert.deepEqual(keys(await search(s, { namespace_prefix: ['t'] })), ['long']);
        assert.deepEqual(keys(await search(s, { namespace_prefix: [], query: 'ephemeral' })), []);
        const ns = await s.req('POST', '/api/v1/store/namespaces', {});
        assert.deepEqual(ns.body.namespaces, [['t']]);
        // The swept store has no row left; putting the key again creates it anew.
        assert.equal(await s.app.store.memory.sweep(), 2);
        await put(s, ['t'], 'short', { text: 'back' });
        const again = await s.req('GET', '/api/v1/store/items?namespace=t&key=short');
        assert.equal(again.status, 200);
        assert.equal(again.body.expires_at, undefined);
      }),
    );

    it('scopes: reads (get, search, namespaces) need read, writes (put, delete) need ingest', async () => {
      const server =
        engine === 'sqlite' ? await startTestServer({}, { TETHER_API_KEYS: 'rk:read,wk:ingest' }) : undefined;
      if (!server) return; // scope checks do not depend on the engine
      try {
        const as = (key: string) => ({ authorization: `Bearer ${key}` });
        assert.equal(
          (await server.req('PUT', '/api/v1/store/items', { namespace: ['s'], key: 'k', value: {} }, as('rk'))).status,
          403,
        );
        assert.equal(
          (await server.req('PUT', '/api/v1/store/items', { namespace: ['s'], key: 'k', value: {} }, as('wk'))).status,
          204,
        );
        assert.equal(
          (await server.req('GET', '/api/v1/store/items?namespace=s&key=k', undefined, as('rk'))).status,
          200,
        );
        assert.equal(
          (await server.req('GET', '/api/v1/store/items?namespace=s&key=k', undefined, as('wk'))).status,
          403,
        );
        assert.equal(
          (await server.req('POST', '/api/v1/store/items/search', { namespace_prefix: ['s'] }, as('rk'))).status,
          200,
        );
        assert.equal((await server.req('POST', '/api/v1/store/namespaces', {}, as('rk'))).status, 200);
        assert.equal(
          (await server.req('DELETE', '/api/v1/store/items', { namespace: ['s'], key: 'k' }, as('rk'))).status,
          403,
        );
        assert.equal(
          (await server.req('DELETE', '/api/v1/store/items', { namespace: ['s'], key: 'k' }, as('wk'))).status,
          204,
        );
        assert.equal((await server.req('GET', '/api/v1/store/items?namespace=s&key=k')).status, 401);
      } finally {
        await server.stop();
      }
    });

    it(
      'the routes are in /openapi.json with their request and response schemas',
      withServer(async (s) => {
        const doc = (await s.req('GET', '/openapi.json')).body;
        const items = doc.paths['/api/v1/store/items'];
        assert.ok(items.put.requestBody && items.get.responses['200'] && items.delete);
        assert.ok(doc.paths['/api/v1/store/items/search'].post.responses['200']);
        assert.ok(doc.paths['/api/v1/store/namespaces'].post.requestBody);
      }),
    );
  });
}
