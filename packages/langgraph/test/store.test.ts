/**
 * TetherStore (LangGraph.js BaseStore on the memory store) side by side with LangGraph's own InMemoryStore: the same
 * calls on both give the same answers (LangGraph publishes no conformance suite for stores), against a real server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { InMemoryStore, type BaseStore, type Item } from '@langchain/langgraph-checkpoint';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherStore } from '../src/index.ts';

type Call = [method: 'put' | 'get' | 'search' | 'delete' | 'listNamespaces', args: unknown[]];

const norm = (r: unknown): unknown => {
  if (r === null || r === undefined) return null;
  if (Array.isArray(r) && r.length && typeof r[0] === 'object' && r[0] !== null && 'key' in r[0]) {
    return (r as Item[]).map((i) => norm(i)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (typeof r === 'object' && 'key' in (r as object)) {
    const i = r as Item;
    return { namespace: i.namespace, key: i.key, value: i.value };
  }
  return r;
};

function scenario(root: string): Call[] {
  const ns = (...labels: string[]) => [root, ...labels];
  return [
    ['put', [ns('users', 'u1'), 'color', { text: 'blue', kind: 'fact', n: 1, meta: { lang: 'en' } }]],
    ['put', [ns('users', 'u1'), 'pet', { text: 'cat', kind: 'fact', n: 5, tags: ['a', 'b'] }]],
    ['put', [ns('users', 'u2'), 'tea', { text: 'tea', kind: 'pref', n: 10, tags: ['a'] }]],
    ['put', [ns('users', 'u2', 'deep'), 'x', { text: 'x', kind: 'pref', n: 7, meta: { lang: 'de' } }]],
    ['put', [ns('docs'), 'd1', { text: 'doc', kind: 'doc', n: 3 }]],
    ['get', [ns('users', 'u1'), 'color']],
    ['get', [ns('users', 'u1'), 'missing']],
    ['get', [ns('nowhere'), 'color']],
    ['search', [ns(), { limit: 100 }]],
    ['search', [ns('users'), { limit: 100 }]],
    ['search', [ns('users', 'u1'), { limit: 100 }]],
    ['search', [ns('users', 'u'), { limit: 100 }]],
    ['search', [ns('users'), { filter: { kind: 'fact' }, limit: 100 }]],
    ['search', [ns('users'), { filter: { kind: 'fact', n: 5 }, limit: 100 }]],
    ['search', [ns(), { filter: { n: { $gt: 3 } }, limit: 100 }]],
    ['search', [ns(), { filter: { n: { $gte: 3, $lt: 10 } }, limit: 100 }]],
    ['search', [ns(), { filter: { n: { $lte: 5 } }, limit: 100 }]],
    ['search', [ns(), { filter: { kind: { $ne: 'fact' } }, limit: 100 }]],
    ['search', [ns(), { filter: { kind: { $eq: 'pref' } }, limit: 100 }]],
    ['search', [ns(), { filter: { kind: 'nothing' }, limit: 100 }]],
    ['listNamespaces', [{ prefix: ns() }]],
    ['listNamespaces', [{ prefix: ns('users') }]],
    ['listNamespaces', [{ prefix: ns(), maxDepth: 3 }]],
    ['listNamespaces', [{ prefix: ns(), suffix: ['deep'] }]],
    ['listNamespaces', [{ prefix: [root, '*', 'u2'] }]],
    ['listNamespaces', [{ prefix: ns(), limit: 2, offset: 1 }]],
    ['put', [ns('users', 'u1'), 'color', { text: 'green', kind: 'fact', n: 2 }]],
    ['get', [ns('users', 'u1'), 'color']],
    ['search', [ns('users'), { filter: { n: 2 }, limit: 100 }]],
    ['delete', [ns('users', 'u1'), 'pet']],
    ['get', [ns('users', 'u1'), 'pet']],
    ['search', [ns('users'), { limit: 100 }]],
  ];
}

async function run(store: BaseStore, calls: Call[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [m, args] of calls)
    out.push(norm(await (store[m] as (...a: unknown[]) => Promise<unknown>).apply(store, args)));
  return out;
}

test('TetherStore answers like InMemoryStore: get, put/replace/delete, prefix search, LangGraph filters, listNamespaces', async () => {
  const srv = await startTestServer();
  try {
    const root = `r${randomUUID().slice(0, 8)}`;
    const calls = scenario(root);
    const ours = await run(new TetherStore({ baseUrl: srv.url, logger: false }), calls);
    const theirs = await run(new InMemoryStore(), calls);
    for (const [i, [m, args]] of calls.entries()) assert.deepEqual(ours[i], theirs[i], `${m} ${JSON.stringify(args)}`);
  } finally {
    await srv.stop();
  }
});

test('TetherStore batch: reads see the store before the batch, the last put wins, null deletes; paging; full-text query', async () => {
  const srv = await startTestServer();
  try {
    const root = `r${randomUUID().slice(0, 8)}`;
    const tether = new TetherStore({ baseUrl: srv.url, logger: false });
    const mem = new InMemoryStore();
    const ops = [
      { namespace: [root], key: 'a', value: { v: 1 } },
      { namespace: [root], key: 'a' },
      { namespace: [root], key: 'a', value: { v: 2 } },
      { namespace: [root], key: 'b', value: { v: 3 } },
      { namespace: [root], key: 'b', value: null },
      { namespacePrefix: [root], limit: 10, offset: 0 },
    ];
    assert.deepEqual((await tether.batch(ops)).map(norm), (await mem.batch(ops)).map(norm));
    const after = [
      { namespace: [root], key: 'a' },
      { namespace: [root], key: 'b' },
    ];
    assert.deepEqual((await tether.batch(after)).map(norm), (await mem.batch(after)).map(norm));
    assert.deepEqual(norm(await tether.get([root], 'a')), { namespace: [root], key: 'a', value: { v: 2 } });
    for (const s of [tether, mem]) {
      for (let i = 0; i < 7; i++) await s.put([root, 'p'], `k${i}`, { i, even: i % 2 === 0 });
      const pages = await Promise.all(
        [0, 2, 4].map((offset) => s.search([root, 'p'], { filter: { even: true }, limit: 2, offset })),
      );
      assert.deepEqual(
        pages.map((p) => p.length),
        [2, 2, 0],
      );
      assert.deepEqual(
        pages
          .flat()
          .map((i) => i.key)
          .sort(),
        ['k0', 'k2', 'k4', 'k6'],
      );
    }
    await tether.put([root, 'q'], 'fav', { text: 'the favourite colour is blue' });
    await tether.put([root, 'q'], 'other', { text: 'nothing here', note: 'blue' }, ['text']);
    const hits = await tether.search([root, 'q'], { query: 'blue' });
    assert.deepEqual(
      hits.map((h) => h.key),
      ['fav'],
    );
    assert.equal(typeof hits[0]!.score, 'number');
  } finally {
    await srv.stop();
  }
});
