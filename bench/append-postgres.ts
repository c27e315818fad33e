/**
 * Append throughput and latency on PostgreSQL: `tether serve --storage postgres` child processes (one, then two on
 * one database) driven with autocannon, plus the adapter alone (1, 2, 4 stores as that many processes) with and
 * without the commit-order lock. Each run uses a fresh schema, dropped after.
 * Usage: node --import tsx bench/append-postgres.ts [--seconds 10]
 * Needs a PostgreSQL: TETHER_TEST_DATABASE_URL (default postgres://tether:tether@127.0.0.1:5432/tether_test, which
 * scripts/test.d/05-postgres.sh makes ready). Prints Markdown tables for docs/benchmarks.md.
 */
import pg from 'pg';
import { PostgresStore, type AppendItem } from '../packages/server/src/index.js';
import { load, row, startServer, type BenchServer, type Result } from './lib.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const body = JSON.stringify({ type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 });
const headers = { 'content-type': 'application/json' };
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });

async function withSchema<T>(fn: (schema: string, url: string) => Promise<T>): Promise<T> {
  const schema = `tether_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  try {
    return await fn(schema, u.toString());
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  }
}

const servePg = (url: string) => startServer({ TETHER_STORAGE: 'postgres', TETHER_DATABASE_URL: url });
const cell = (r: Result) => [r.reqPerSec, r.p50, r.p99, `${r.errors} / ${r.non2xx}`];

/** Single-event appends spread over `sessions` sessions, `connections` split evenly across `servers`, all at once. */
async function spread(servers: BenchServer[], label: string, connections: number, sessions: number): Promise<Result> {
  const per = Math.max(1, Math.floor(connections / servers.length));
  const results = await Promise.all(servers.map((s, k) => {
    let n = 0;
    return load({
      url: s.url, connections: per, duration: seconds,
      requests: [{ method: 'POST', headers, body, setupRequest: (req) => ({ ...req, path: `/api/actions/${label}-${(n++ * servers.length + k) % sessions}` }) }],
    });
  }));
  return {
    reqPerSec: results.reduce((a, r) => a + r.reqPerSec, 0), p50: Math.max(...results.map((r) => r.p50)), p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((a, r) => a + r.errors, 0), non2xx: results.reduce((a, r) => a + r.non2xx, 0), total: results.reduce((a, r) => a + r.total, 0),
  };
}

async function http(lines: string[]): Promise<void> {
  await withSchema(async (_schema, url) => {
    const server = await servePg(url);
    try {
      for (const connections of [1, 16, 64]) {
        lines.push(row(['one server, single-event appends, one session', connections, ...cell(await spread([server], 'one', connections, 1))]));
        console.error(lines.at(-1));
      }
      for (const connections of [16, 64]) {
        lines.push(row(['one server, single-event appends, over 100 sessions', connections, ...cell(await spread([server], `many${connections}`, connections, 100))]));
        console.error(lines.at(-1));
      }
      for (const connections of [1, 4]) {
        let n = 0;
        const r = await load({
          url: server.url, connections, duration: seconds,
          requests: [{
            method: 'POST', headers,
            setupRequest: (req) => {
              const b = n++;
              const events = Array.from({ length: 1000 }, (_, j) => ({ sessionId: `ingest-${b % 100}`, kind: 'action', data: { tool: 'Bash', j, input: { command: 'ls' } } }));
              return { ...req, path: '/api/ingest', body: JSON.stringify({ events }) };
            },
          }],
        });
        lines.push(row(['one server, /api/ingest, 1,000-event batches', connections, `${r.reqPerSec} req/s = ${(r.reqPerSec * 1000).toLocaleString('en')} events/s`, r.p50, r.p99, `${r.errors} / ${r.non2xx}`]));
        console.error(lines.at(-1));
      }
    } finally {
      await server.stop();
    }
  });
  await withSchema(async (_schema, url) => {
    const servers = [await servePg(url), await servePg(url)];
    try {
      lines.push(row(['two servers, single-event appends, one session', '2 × 32', ...cell(await spread(servers, 'two-one', 64, 1))]));
      console.error(lines.at(-1));
      lines.push(row(['two servers, single-event appends, over 100 sessions', '2 × 32', ...cell(await spread(servers, 'two-many', 64, 100))]));
      console.error(lines.at(-1));
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
}

/**
 * The adapter alone: `processes` stores on one schema (as that many server processes), each with one append in flight
 * at a time as GroupCommitter does, 16-event batches over 100 sessions.
 */
async function adapter(lines: string[], processes: number, orderedCommits: boolean): Promise<void> {
  await withSchema(async (schema) => {
    const stores = await Promise.all(Array.from({ length: processes }, () => PostgresStore.open({ connectionString: DATABASE_URL, schema, orderedCommits })));
    const until = Date.now() + seconds * 1000;
    let events = 0;
    const latencies: number[] = [];
    await Promise.all(stores.map(async (s, k) => {
      for (let i = 0; Date.now() < until; i++) {
        const items: AppendItem[] = Array.from({ length: 16 }, (_, j) => ({
          input: { sessionId: `a-${(k * 16 + i * 7 + j) % 100}`, kind: 'action', data: { tool: 'Read', j } }, autoCreate: true, receivedAt: new Date().toISOString(),
        }));
        const t = performance.now();
        await s.append(items);
        latencies.push(performance.now() - t);
        events += items.length;
      }
    }));
    await Promise.all(stores.map((s) => s.close()));
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
    lines.push(row([`${processes} stores, 16-event batches over 100 sessions`, String(orderedCommits), Math.round(events / seconds).toLocaleString('en'), Math.round(latencies.length / seconds), q(0.5), q(0.99)]));
    console.error(lines.at(-1));
  });
}

async function main(): Promise<void> {
  const lines = [row(['scenario', 'connections', 'req/s (events/s)', 'p50 ms', 'p99 ms', 'errors / non-2xx']), row(['---', '---', '---', '---', '---', '---'])];
  await http(lines);
  const store = [row(['scenario', 'orderedCommits', 'events/s', 'transactions/s', 'p50 ms', 'p99 ms']), row(['---', '---', '---', '---', '---', '---'])];
  for (const processes of [1, 2, 4]) for (const ordered of [true, false]) await adapter(store, processes, ordered);
  await admin.end();
  console.log([...lines, '', ...store].join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
