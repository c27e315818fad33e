import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherClient, PermissionDeniedError } from '../src/index.ts';

test('client.store: put, get, search (prefix, filter, query), namespaces, delete against a real server', async () => {
  const srv = await startTestServer();
  const c = new TetherClient({ baseUrl: srv.url, logger: false });
  try {
    assert.equal(await c.store.getItem(['u', '1'], 'missing'), null);
    await c.store.putItem(['u', '1', 'memories'], 'color', { text: 'favourite colour is blue', kind: 'fact', n: 1 });
    await c.store.putItem(['u', '1', 'memories'], 'pet', { text: 'has a cat', kind: 'fact', n: 3 }, { ttl: 60 });
    await c.store.putItem(['u', '2'], 'other', { text: 'blue too', kind: 'pref' }, { index: false });
    const item = await c.store.getItem(['u', '1', 'memories'], 'color');
    assert.ok(item);
    assert.deepEqual(item.namespace, ['u', '1', 'memories']);
    assert.deepEqual(item.value, { text: 'favourite colour is blue', kind: 'fact', n: 1 });
    assert.ok(!Number.isNaN(Date.parse(item.createdAt)) && item.updatedAt >= item.createdAt);
    assert.equal(item.score, undefined);
    assert.ok((await c.store.getItem(['u', '1', 'memories'], 'pet'))?.expiresAt);
    assert.deepEqual((await c.store.searchItems(['u'])).map((i) => i.key).sort(), ['color', 'other', 'pet']);
    assert.deepEqual(
      (await c.store.searchItems(['u'], { filter: { kind: 'fact', n: { $gt: 1 } } })).map((i) => i.key),
      ['pet'],
    );
    const hits = await c.store.searchItems(['u'], { query: 'blue' });
    assert.deepEqual(
      hits.map((i) => i.key),
      ['color'],
    );
    assert.equal(typeof hits[0]!.score, 'number');
    assert.equal((await c.store.searchItems(['u'], { limit: 1, offset: 1 })).length, 1);
    assert.deepEqual(await c.store.listNamespaces(), [
      ['u', '1', 'memories'],
      ['u', '2'],
    ]);
    assert.deepEqual(await c.store.listNamespaces({ prefix: ['u'], maxDepth: 2 }), [
      ['u', '1'],
      ['u', '2'],
    ]);
    assert.deepEqual(await c.store.listNamespaces({ suffix: ['2'] }), [['u', '2']]);
    await c.store.deleteItem(['u', '1', 'memories'], 'color');
    assert.equal(await c.store.getItem(['u', '1', 'memories'], 'color'), null);
    await assert.rejects(c.store.putItem(['a.b'], 'k', {}), TypeError);
  } finally {
    await srv.stop();
  }
});

test('client.store: a read-only key cannot write (PermissionDeniedError)', async () => {
  const srv = await startTestServer({}, { TETHER_API_KEYS: 'ro:read' });
  const c = new TetherClient({ baseUrl: srv.url, apiKey: 'ro', logger: false, maxRetries: 0 });
  try {
    await assert.rejects(c.store.putItem(['x'], 'k', { v: 1 }), PermissionDeniedError);
    assert.deepEqual(await c.store.searchItems(['x']), []);
  } finally {
    await srv.stop();
  }
});
