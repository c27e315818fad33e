/**
 * Memory store latency over HTTP on loopback: put, get, search by prefix, full-text search and filtered search, one
 * request at a time through @tether/client against a real server, on SQLite and on PostgreSQL (a fresh schema,
 * dropped after). Usage: node --import tsx bench/memory.ts [--items 2000] [--reads 500]
 * Needs TETHER_TEST_DATABASE_URL for PostgreSQL (default the local test database). Prints a Markdown table.
 */
import pg from 'pg';
import { TetherClient } from '../packages/client/src/index.js';
import { startTestServer, type TestServer } from '../packages/server/test/helpers.js';

const arg = (name: string, dflt: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || dflt;
const ITEMS = arg('items', 2000);
const READS = arg('reads', 500);
const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const WORDS = ['blue', 'green', 'cat', 'dog', 'tea', 'coffee', 'lisbon', 'berlin', 'ramen', 'pizza', 'jazz', 'rock'];

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function time(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    out.push(performance.now() - t0);
  }
  return out;
}

async function run(engine: string, server: TestServer): Promise<string[]> {
  const c = new TetherClient({ baseUrl: server.url, logger: false });
  const ns = (i: number) => ['bench', `user${i % 20}`, 'memories'];
  const value = (i: number) => ({
    text: `memory ${i}: likes ${WORDS[i % WORDS.length]} and ${WORDS[(i * 7) % WORDS.length]}`,
    kind: i % 3 ? 'fact' : 'pref',
    n: i,
  });
  const rows: string[] = [];
  const add = (op: string, xs: number[]) =>
    rows.push(`| ${engine} | ${op} | ${xs.length} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 99).toFixed(2)} |`);
  add('put (new key)', await time(ITEMS, (i) => c.store.putItem(ns(i), `k${i}`, value(i))));
  add('put (replace)', await time(READS, (i) => c.store.putItem(ns(i), `k${i}`, value(i + 1))));
  add('get', await time(READS, (i) => c.store.getItem(ns(i), `k${(i * 13) % ITEMS}`)));
  add('search prefix, limit 10', await time(READS, (i) => c.store.searchItems(ns(i))));
  add(
    'search query (1 word), limit 10',
    await time(READS, (i) => c.store.searchItems(['bench'], { query: WORDS[i % WORDS.length]! })),
  );
  add(
    'search filter {kind}, limit 10',
    await time(READS, (i) => c.store.searchItems(ns(i), { filter: { kind: 'pref' } })),
  );
  add('list namespaces', await time(Math.min(READS, 100), () => c.store.listNamespaces()));
  // The adapter alone (in process, no HTTP): what the storage costs.
  const m = server.app.store.memory;
  add(
    'adapter: put (replace)',
    await time(READS, (i) => m.put({ namespace: ns(i), key: `k${i}`, value: value(i + 2) })),
  );
  add('adapter: get', await time(READS, (i) => m.get(ns(i), `k${(i * 13) % ITEMS}`)));
  add(
    'adapter: search query, limit 10',
    await time(READS, (i) =>
      m.search({ namespacePrefix: ['bench'], query: WORDS[i % WORDS.length]!, limit: 10, offset: 0 }),
    ),
  );
  add(
    'adapter: search filter, limit 10',
    await time(READS, (i) => m.search({ namespacePrefix: ns(i), filter: { kind: 'pref' }, limit: 10, offset: 0 })),
  );
  return rows;
}

const out = ['| engine | operation | requests | p50 ms | p99 ms |', '|---|---|---:|---:|---:|'];
{
  const s = await startTestServer();
  try {
    out.push(...(await run('SQLite', s)));
  } finally {
    await s.stop();
  }
}
{
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  const schema = `tether_bench_mem_${process.pid}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const s = await startTestServer({ storage: 'postgres', databaseUrl: u.toString() });
  try {
    out.push(...(await run('PostgreSQL', s)));
  } finally {
    await s.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
console.log(
  `${ITEMS} items in 20 namespaces; ${READS} requests per read row; one request at a time over loopback HTTP (adapter rows: in process); load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}.\n`,
);
console.log(out.join('\n'));
