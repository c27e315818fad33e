/**
 * Append throughput and latency on PostgreSQL: `tether serve --storage postgres` child processes (one, then two on
 * one database) driven with autocannon, plus the adapter alone (1, 2, 4 stores as that many processes) with and
 * without the commit-order lock. Each run uses a fresh schema, dropped after.
 * `--scale-out`: only the scale-out comparison — single appends and ingest through 1, 2 and 3 servers on one
 * PostgreSQL beside one SQLite server, in the same sitting (ratios to SQLite), and the PostgreSQL cost per event
 * (WAL bytes from pg_current_wal_lsn, table and index bytes, CPU of the serving backends from /proc).
 * `--retention`: only the cost of retention by DELETE (for the partitioning analysis).
 * Usage: node --import tsx bench/append-postgres.ts [--seconds 10] [--scale-out | --retention]
 * Needs a PostgreSQL: TETHER_TEST_DATABASE_URL (default postgres://tether:tether@127.0.0.1:5432/tether_test, which
 * scripts/test.d/05-postgres.sh makes ready). Prints Markdown tables for docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
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
  const results = await Promise.all(
    servers.map((s, k) => {
      let n = 0;
      return load({
        url: s.url,
        connections: per,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers,
            body,
            setupRequest: (req) => ({
              ...req,
              path: `/api/v1/actions/${label}-${(n++ * servers.length + k) % sessions}`,
            }),
          },
        ],
      });
    }),
  );
  return {
    reqPerSec: results.reduce((a, r) => a + r.reqPerSec, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((a, r) => a + r.errors, 0),
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    total: results.reduce((a, r) => a + r.total, 0),
  };
}

async function http(lines: string[]): Promise<void> {
  await withSchema(async (_schema, url) => {
    const server = await servePg(url);
    try {
      for (const connections of [1, 16, 64]) {
        lines.push(
          row([
            'one server, single-event appends, one session',
            connections,
            ...cell(await spread([server], 'one', connections, 1)),
          ]),
        );
        console.error(lines.at(-1));
      }
      for (const connections of [16, 64]) {
        lines.push(
          row([
            'one server, single-event appends, over 100 sessions',
            connections,
            ...cell(await spread([server], `many${connections}`, connections, 100)),
          ]),
        );
        console.error(lines.at(-1));
      }
      for (const connections of [1, 4]) {
        let n = 0;
        const r = await load({
          url: server.url,
          connections,
          duration: seconds,
          requests: [
            {
              method: 'POST',
              headers,
              setupRequest: (req) => {
                const b = n++;
                const events = Array.from({ length: 1000 }, (_, j) => ({
                  sessionId: `ingest-${b % 100}`,
                  kind: 'action',
                  data: { tool: 'Bash', j, input: { command: 'ls' } },
                }));
                return { ...req, path: '/api/v1/ingest', body: JSON.stringify({ events }) };
              },
            },
          ],
        });
        lines.push(
          row([
            'one server, /api/ingest, 1,000-event batches',
            connections,
            `${r.reqPerSec} req/s = ${(r.reqPerSec * 1000).toLocaleString('en')} events/s`,
            r.p50,
            r.p99,
            `${r.errors} / ${r.non2xx}`,
          ]),
        );
        console.error(lines.at(-1));
      }
    } finally {
      await server.stop();
    }
  });
  await withSchema(async (_schema, url) => {
    const servers = [await servePg(url), await servePg(url)];
    try {
      lines.push(
        row([
          'two servers, single-event appends, one session',
          '2 × 32',
          ...cell(await spread(servers, 'two-one', 64, 1)),
        ]),
      );
      console.error(lines.at(-1));
      lines.push(
        row([
          'two servers, single-event appends, over 100 sessions',
          '2 × 32',
          ...cell(await spread(servers, 'two-many', 64, 100)),
        ]),
      );
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
    const stores = await Promise.all(
      Array.from({ length: processes }, () =>
        PostgresStore.open({ connectionString: DATABASE_URL, schema, orderedCommits }),
      ),
    );
    const until = Date.now() + seconds * 1000;
    let events = 0;
    const latencies: number[] = [];
    await Promise.all(
      stores.map(async (s, k) => {
        for (let i = 0; Date.now() < until; i++) {
          const items: AppendItem[] = Array.from({ length: 16 }, (_, j) => ({
            input: { sessionId: `a-${(k * 16 + i * 7 + j) % 100}`, kind: 'action', data: { tool: 'Read', j } },
            autoCreate: true,
            receivedAt: new Date().toISOString(),
          }));
          const t = performance.now();
          await s.append(items);
          latencies.push(performance.now() - t);
          events += items.length;
        }
      }),
    );
    await Promise.all(stores.map((s) => s.close()));
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
    lines.push(
      row([
        `${processes} stores, 16-event batches over 100 sessions`,
        String(orderedCommits),
        Math.round(events / seconds).toLocaleString('en'),
        Math.round(latencies.length / seconds),
        q(0.5),
        q(0.99),
      ]),
    );
    console.error(lines.at(-1));
  });
}

/** Single appends (48 connections over 100 sessions) and ingest (3 connections, 1,000-event batches) through `servers`. */
async function mix(servers: BenchServer[], label: string): Promise<{ single: Result; ingest: number }> {
  const single = await spread(servers, `${label}-s`, 48, 100);
  const per = Math.max(1, Math.floor(3 / servers.length));
  const results = await Promise.all(
    servers.map((srv, k) => {
      let n = 0;
      return load({
        url: srv.url,
        connections: per,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers,
            setupRequest: (req) => {
              const b = n++;
              const events = Array.from({ length: 1000 }, (_, j) => ({
                sessionId: `${label}-i-${(b * 3 + k) % 100}`,
                kind: 'action',
                data: { tool: 'Bash', j, input: { command: 'ls' } },
              }));
              return { ...req, path: '/api/v1/ingest', body: JSON.stringify({ events }) };
            },
          },
        ],
      });
    }),
  );
  return { single, ingest: results.reduce((a, r) => a + r.reqPerSec * 1000, 0) };
}

/** 1, 2, 3 PostgreSQL servers vs one SQLite server, same load, same sitting. */
async function scaleOut(lines: string[]): Promise<void> {
  const sqlite = await startServer();
  let base: { single: Result; ingest: number };
  try {
    base = await mix([sqlite], 'sq');
  } finally {
    await sqlite.stop();
  }
  lines.push(
    row([
      'SQLite, 1 server',
      base.single.reqPerSec,
      '1.00',
      base.single.p50,
      base.single.p99,
      Math.round(base.ingest).toLocaleString('en'),
      '1.00',
    ]),
  );
  console.error(lines.at(-1));
  for (const n of [1, 2, 3]) {
    await withSchema(async (_schema, url) => {
      const servers = await Promise.all(Array.from({ length: n }, () => servePg(url)));
      try {
        const r = await mix(servers, `pg${n}`);
        lines.push(
          row([
            `PostgreSQL, ${n} server${n > 1 ? 's' : ''}`,
            r.single.reqPerSec,
            (r.single.reqPerSec / base.single.reqPerSec).toFixed(2),
            r.single.p50,
            r.single.p99,
            Math.round(r.ingest).toLocaleString('en'),
            (r.ingest / base.ingest).toFixed(2),
          ]),
        );
        console.error(lines.at(-1));
      } finally {
        await Promise.all(servers.map((x) => x.stop()));
      }
    });
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (Linux; clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * What one event costs PostgreSQL: `n` events appended through the adapter in 16-event batches over 100 sessions,
 * measuring the WAL written (pg_wal_lsn_diff of pg_current_wal_lsn), the growth of the events table and its indexes,
 * and the CPU of the backends that served the appends (their /proc stat; the WAL writer and checkpointer not included).
 */
async function costPerEvent(lines: string[], n = 40_000): Promise<void> {
  await withSchema(async (schema) => {
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 1 });
    try {
      await store.append([
        {
          input: { sessionId: 'warm', kind: 'action', data: {} },
          autoCreate: true,
          receivedAt: new Date().toISOString(),
        },
      ]);
      const pid = (await store.pool.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
      const size = async () =>
        (
          await admin.query<{ t: string; i: string }>(
            `SELECT pg_table_size('${schema}.events') AS t, pg_indexes_size('${schema}.events') AS i`,
          )
        ).rows[0]!;
      const lsn0 = (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0]!.l;
      const s0 = await size();
      const c0 = cpuSeconds(pid);
      const t0 = performance.now();
      for (let i = 0; i * 16 < n; i++) {
        await store.append(
          Array.from({ length: 16 }, (_, j) => ({
            input: {
              sessionId: `c-${(i * 7 + j) % 100}`,
              kind: 'action',
              data: { type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 },
            },
            autoCreate: true,
            receivedAt: new Date().toISOString(),
          })),
        );
      }
      const ms = performance.now() - t0;
      const c1 = cpuSeconds(pid);
      const wal = Number(
        (await admin.query<{ d: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d', [lsn0])).rows[0]!.d,
      );
      const s1 = await size();
      lines.push(
        row(['events', n.toLocaleString('en')]),
        row(["WAL bytes / event (whole cluster: other databases' writes included)", Math.round(wal / n)]),
        row(['events table bytes / event (heap + TOAST)', Math.round((Number(s1.t) - Number(s0.t)) / n)]),
        row([
          'index bytes / event (pkey, (session, seq), (session, event id), ts, GIN fts)',
          Math.round((Number(s1.i) - Number(s0.i)) / n),
        ]),
        row(['backend CPU µs / event', (((c1 - c0) * 1e6) / n).toFixed(1)]),
        row(['wall µs / event (one connection, 16-event batches)', ((ms * 1000) / n).toFixed(1)]),
      );
      console.error(lines.slice(-6).join('\n'));
    } finally {
      await store.close();
    }
  });
}

/**
 * What retention costs without partitions: `n` events over 100 sessions, all finalized, then deleted through
 * deleteEndedBefore (the retention path: per session, DELETE of its row and its events). Measures time and WAL per
 * deleted event, for the partitioning analysis in docs/scaling.md (a dropped partition writes almost no WAL).
 */
async function retentionCost(lines: string[], n = 40_000): Promise<void> {
  await withSchema(async (schema) => {
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 2 });
    try {
      for (let i = 0; i * 16 < n; i++) {
        await store.append(
          Array.from({ length: 16 }, (_, j) => ({
            input: {
              sessionId: `r-${(i * 7 + j) % 100}`,
              kind: 'action',
              data: { type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' } },
            },
            autoCreate: true,
            receivedAt: new Date().toISOString(),
          })),
        );
      }
      await store.append(
        Array.from({ length: 100 }, (_, k) => ({
          input: { sessionId: `r-${k}`, kind: 'session_finalized', data: { status: 'completed' } },
          autoCreate: false,
          receivedAt: new Date().toISOString(),
        })),
      );
      const lsn0 = (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0]!.l;
      const t0 = performance.now();
      const deleted = await store.deleteEndedBefore(new Date(Date.now() + 60_000).toISOString());
      const ms = performance.now() - t0;
      const wal = Number(
        (await admin.query<{ d: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d', [lsn0])).rows[0]!.d,
      );
      const events = n + 200;
      lines.push(
        row(['retention by DELETE: sessions, events', `${deleted}, ${events.toLocaleString('en')}`]),
        row(['retention by DELETE: µs / event', ((ms * 1000) / events).toFixed(1)]),
        row(['retention by DELETE: WAL bytes / event', Math.round(wal / events)]),
      );
      console.error(lines.slice(-3).join('\n'));
    } finally {
      await store.close();
    }
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--retention')) {
    const cost = [row(['retention', 'value']), row(['---', '---'])];
    await retentionCost(cost);
    await admin.end();
    console.log(cost.join('\n'));
    return;
  }
  if (process.argv.includes('--scale-out')) {
    const lines = [
      row([
        'servers',
        'single appends req/s',
        'ratio to SQLite',
        'p50 ms',
        'p99 ms',
        'ingest events/s',
        'ratio to SQLite',
      ]),
      row(['---', '---', '---', '---', '---', '---', '---']),
    ];
    await scaleOut(lines);
    const cost = [row(['PostgreSQL cost', 'per event']), row(['---', '---'])];
    await costPerEvent(cost);
    await retentionCost(cost);
    await admin.end();
    console.log([...lines, '', ...cost].join('\n'));
    return;
  }
  const lines = [
    row(['scenario', 'connections', 'req/s (events/s)', 'p50 ms', 'p99 ms', 'errors / non-2xx']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  await http(lines);
  const store = [
    row(['scenario', 'orderedCommits', 'events/s', 'transactions/s', 'p50 ms', 'p99 ms']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  for (const processes of [1, 2, 4]) for (const ordered of [true, false]) await adapter(store, processes, ordered);
  await admin.end();
  console.log([...lines, '', ...store].join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
