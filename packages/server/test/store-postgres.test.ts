/**
 * The PostgreSQL adapter against a real PostgreSQL (scripts/test.d/05-postgres.sh makes it ready): the store contract,
 * several stores (as several server processes) on one database, migrations racing, odd bytes, search input, the
 * firehose order, and the HTTP API on PostgreSQL with one and with two servers. Every test works in a schema of its
 * own (dropped after), so tests never see each other's data. The database is TETHER_TEST_DATABASE_URL (default
 * postgres://tether:tether@127.0.0.1:5432/tether_test); when it cannot be reached these tests FAIL, they never skip.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore, type AppendItem } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { runStoreContract } from './store-contract.js';
import { MIGRATIONS } from '../src/storage/postgres/migrations.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => undefined);
after(() => admin.end());

let counter = 0;
/** A new, empty schema name; `drop` removes it with everything in it. */
async function freshSchema(create = false): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `tether_t${process.pid}_${Date.now().toString(36)}_${counter++}`;
  if (create) await admin.query(`CREATE SCHEMA ${schema}`);
  return { schema, drop: async () => void (await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)) };
}

/** The test database URL with `search_path` set to `schema` (what an operator would pass as TETHER_DATABASE_URL). */
function urlFor(schema: string): string {
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

const at = () => new Date().toISOString();
const item = (
  sessionId: string,
  kind: AppendItem['input']['kind'],
  data: Record<string, unknown> = {},
  extra: Partial<AppendItem['input']> = {},
): AppendItem => ({
  input: { sessionId, kind, data, ...extra },
  autoCreate: true,
  receivedAt: at(),
});

it('postgres: the test database answers (start it with scripts/test.d/05-postgres.sh)', async () => {
  const { rows } = await admin.query<{ one: number }>('SELECT 1 AS one');
  assert.equal(rows[0]?.one, 1);
});

runStoreContract('postgres', async () => {
  const { schema, drop } = await freshSchema();
  const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 4 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await drop();
    },
  };
});

describe('postgres adapter', () => {
  /** Opens `n` stores on one fresh schema, like `n` server processes on one database. */
  const withStores =
    (
      n: number,
      fn: (stores: PostgresStore[], schema: string) => Promise<void>,
      opts: { orderedCommits?: boolean } = {},
    ) =>
    async () => {
      const { schema, drop } = await freshSchema();
      const stores = await Promise.all(
        Array.from({ length: n }, () =>
          PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 4, ...opts }),
        ),
      );
      try {
        await fn(stores, schema);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await drop();
      }
    };

  it(
    'applies each migration once when several servers start at once, and again finds nothing to do',
    withStores(4, async ([a], schema) => {
      const { rows } = await admin.query<{ version: number }>(
        `SELECT version FROM ${schema}.tether_migrations ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        MIGRATIONS.map((m) => m.version),
      );
      const again = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
      await again.close();
      await a!.append([item('s', 'action')]);
      assert.equal((await a!.getSession('s'))?.lastSeq, 2);
    }),
  );

  it(
    'keeps data across reopening: seq continues, the snapshot is read from the database',
    withStores(1, async ([a], schema) => {
      await a!.append([
        item('s', 'goal_added', { goalId: 'g' }),
        item('s', 'state_patched', { patch: { phase: 'x' } }),
      ]);
      const b = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
      try {
        const [o] = await b.append([item('s', 'action')]);
        assert.equal(o?.ok && o.event.seq, 4);
        const rec = await b.getSession('s');
        assert.equal(rec?.state.goals[0]?.goalId, 'g');
        assert.equal(rec?.state.phase, 'x');
        assert.equal(rec?.state.version, 3);
      } finally {
        await b.close();
      }
    }),
  );

  it(
    'two stores appending to one session concurrently: gapless seqs, nothing lost, state from both',
    withStores(2, async (stores) => {
      const rounds = 20;
      await Promise.all(
        stores.map((s, w) =>
          (async () => {
            for (let i = 0; i < rounds; i++) {
              const out = await s.append([
                item('shared', 'action', { w, i }),
                item('shared', 'state_patched', { patch: { [`w${w}`]: i } }),
              ]);
              assert.ok(
                out.every((o) => o.ok),
                JSON.stringify(out.map((o) => !o.ok && o.error.code)),
              );
            }
          })(),
        ),
      );
      const events = await stores[0]!.listEvents('shared');
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: 1 + rounds * 2 * 2 }, (_, i) => i + 1),
      );
      assert.equal(events.filter((e) => e.kind === 'session_created').length, 1);
      const rec = await stores[1]!.getSession('shared');
      assert.equal(rec?.lastSeq, events.length);
      assert.equal(rec?.metadata.metrics.actions, rounds * 2);
      assert.deepEqual([rec?.state.w0, rec?.state.w1], [rounds - 1, rounds - 1]);
      assert.equal(rec?.state.version, 1 + rounds * 2);
    }),
  );

  it(
    'two stores creating the same new sessions at once: one session_created each, no error',
    withStores(2, async ([a, b]) => {
      const ids = Array.from({ length: 10 }, (_, i) => `new-${i}`);
      const [oa, ob] = await Promise.all([
        a!.append(ids.map((id) => item(id, 'action', { by: 'a' }))),
        b!.append([...ids].reverse().map((id) => item(id, 'action', { by: 'b' }))),
      ]);
      assert.ok([...oa, ...ob].every((o) => o.ok));
      for (const id of ids) {
        const events = await a!.listEvents(id);
        assert.deepEqual(
          events.map((e) => [e.seq, e.kind]),
          [
            [1, 'session_created'],
            [2, 'action'],
            [3, 'action'],
          ],
        );
      }
    }),
  );

  it(
    'an idempotent retry sent to both stores at once is stored once',
    withStores(2, async ([a, b]) => {
      await a!.append([item('idem', 'action')]);
      const sends = Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a! : b!).append([item('idem', 'action', { x: 1 }, { id: 'evt-1' })]),
      );
      const outs = (await Promise.all(sends)).flat();
      assert.ok(outs.every((o) => o.ok && o.event.seq === 3));
      assert.equal(outs.filter((o) => o.ok && !o.duplicate).length, 1);
      assert.equal((await a!.listEvents('idem')).length, 3);
    }),
  );

  it(
    'expectedVersion across stores: of writers at one version exactly one wins',
    withStores(2, async ([a, b]) => {
      await a!.append([item('occ', 'state_patched', { patch: { n: 0 } })]);
      const outs = (
        await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? a! : b!).append([item('occ', 'state_patched', { patch: { n: i } }, { expectedVersion: 2 })]),
          ),
        )
      ).flat();
      assert.equal(outs.filter((o) => o.ok).length, 1);
      assert.ok(outs.filter((o) => !o.ok).every((o) => !o.ok && o.error.code === 'version_mismatch'));
      assert.equal((await b!.getSession('occ'))?.state.version, 3);
    }),
  );

  it(
    'stores NUL and unpaired surrogates (as U+FFFD) without failing the rest of the batch',
    withStores(1, async ([s]) => {
      const out = await s!.append([
        item('odd', 'action', { text: 'a\u0000b', ['k\u0000']: '\ud800x' }),
        item('odd', 'action', { text: 'fine' }),
      ]);
      assert.deepEqual(
        out.map((o) => o.ok && o.event.seq),
        [2, 3],
      );
      const events = await s!.listEvents('odd');
      assert.deepEqual(events[1]?.data, { text: 'a\ufffdb', ['k\ufffd']: '\ufffdx' });
      assert.deepEqual(events[2]?.data, { text: 'fine' });
    }),
  );

  it(
    'reads any search input without a syntax error: words ANDed, "phrases", prefix*',
    withStores(1, async ([s]) => {
      await s!.append([
        item('fts1', 'action', { text: 'the quick brown zebra' }),
        item('fts2', 'response', { content: 'zebras run quickly' }),
      ]);
      for (const q of ['"', '&', '|!():*', "'", 'a:*', '\\', '""', '*', '-', 'or or', '"unterminated', '((zebra'])
        await s!.search(q, 10);
      assert.deepEqual(
        (await s!.search('quick zebra', 10)).map((h) => h.sessionId),
        ['fts1'],
      );
      assert.deepEqual((await s!.search('zebr*', 10)).map((h) => h.sessionId).sort(), ['fts1', 'fts2']);
      assert.deepEqual(
        (await s!.search('"brown zebra"', 10)).map((h) => h.sessionId),
        ['fts1'],
      );
      assert.deepEqual(await s!.search('"zebra brown"', 10), []);
      const [hit] = await s!.search('zebras', 10);
      assert.equal(hit?.seq, 2);
      assert.match(hit!.snippet, /zebras run/);
      assert.deepEqual((await s!.listSessions({ q: '100%_' })).sessions, []);
    }),
  );

  it(
    'stats and analytics on PostgreSQL: counts, tools, errors, tokens; odd JSON types never break a query',
    withStores(1, async ([s]) => {
      await s!.append([
        item('an', 'action', { tool: 'Bash', error: 'boom', usage: { input: 10, output: 2 } }),
        item('an', 'action', { tool: 'Bash', error: false, usage: { input: 'lots' } }),
        item('an', 'action', { toolName: 'Read', isError: true }),
        item('an', 'response', { content: 'ok', usage: { input_tokens: 5, output_tokens: 1 } }),
        item('an', 'session_finalized', { status: 'completed' }),
      ]);
      const st = await s!.stats();
      assert.deepEqual(
        [st.totalSessions, st.completedSessions, st.totalEvents, st.totalActions, st.totalResponses],
        [1, 1, 6, 3, 1],
      );
      const now = Date.now();
      const a = await s!.analytics({
        from: new Date(now - 3_600_000).toISOString(),
        to: new Date(now + 60_000).toISOString(),
        bucketMs: 3_600_000,
      });
      assert.deepEqual(a.tools, [
        { tool: 'Bash', calls: 2, errors: 1 },
        { tool: 'Read', calls: 1, errors: 1 },
      ]);
      assert.equal(a.toolCalls, 3);
      const tokens = a.tokensOverTime as Array<{ input: number; output: number }>;
      assert.deepEqual([tokens.reduce((n, t) => n + t.input, 0), tokens.reduce((n, t) => n + t.output, 0)], [15, 3]);
      assert.equal((a.durations as unknown[]).length, 1);
      assert.equal((a.busiest as Array<{ events: number }>)[0]?.events, 6);
    }),
  );

  it(
    'firehose: a reader tailing by pos during writes from two stores misses nothing (commit order)',
    withStores(2, async (stores) => {
      const seen: number[] = [];
      let done = false;
      const reader = (async () => {
        let after = 0;
        while (!done || after < (await stores[0]!.lastPos())) {
          const page = await stores[0]!.listAllEvents(after, 500);
          for (const e of page) seen.push(e.pos);
          if (page.length) after = page[page.length - 1]!.pos;
        }
      })();
      await Promise.all(
        stores.map((s, w) =>
          (async () => {
            for (let i = 0; i < 40; i++)
              await s.append([item(`fh-${w}-${i % 3}`, 'action'), item(`fh-${(w + 1) % 2}-${i % 2}`, 'action')]);
          })(),
        ),
      );
      done = true;
      await reader;
      const all = (await stores[1]!.listAllEvents(0, 10_000)).map((e) => e.pos);
      assert.deepEqual(seen, all, 'the tailing reader saw exactly the stored positions, in order');
    }),
  );

  it(
    'deleteSession removes the session and its events; appends after it start a new session',
    withStores(2, async ([a, b]) => {
      await a!.append([item('del', 'action', { text: 'findme' })]);
      assert.equal(await b!.deleteSession('del'), true);
      assert.deepEqual(await a!.search('findme', 10), []);
      const [o] = await a!.append([item('del', 'action')]);
      assert.equal(o?.ok && o.event.seq, 2);
    }),
  );
});

describe('HTTP API on PostgreSQL', () => {
  const servers: TestServer[] = [];
  const drops: Array<() => Promise<void>> = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of drops) await d();
  });
  const start = async (schema: string) => {
    const s = await startTestServer({ storage: 'postgres', databaseUrl: urlFor(schema) });
    servers.push(s);
    return s;
  };

  it('serves the seed routes from PostgreSQL (tether serve --storage postgres)', async () => {
    const { schema, drop } = await freshSchema(true);
    drops.push(drop);
    const s = await start(schema);
    const c = await s.req('POST', '/api/v1/sessions', {
      sessionId: 'pg-1',
      userId: 'alice',
      tags: ['demo'],
      initial: { task: 'x' },
    });
    assert.equal(c.status, 201);
    const g = await s.req('POST', '/api/v1/state/pg-1/goals', { description: 'ship it', priority: 'high' });
    assert.equal(g.status, 201);
    const act = await s.req('POST', '/api/v1/actions/pg-1', {
      type: 'tool_call',
      tool: 'Bash',
      input: { command: 'ls' },
      timestamp: '2026-02-13T10:00:00Z',
    });
    assert.equal(act.status, 201);
    assert.equal(act.body.seq, 3);
    const st = await s.req('PATCH', '/api/v1/state/pg-1', { phase: 'execution' });
    assert.equal(st.status, 200);
    const gu = await s.req('PATCH', `/api/v1/state/pg-1/goals/${g.body.goal.goalId}`, { status: 'completed' });
    assert.equal(gu.body.goal.status, 'completed');
    const ing = await s.req('POST', '/api/v1/ingest', {
      events: [
        { sessionId: 'pg-2', kind: 'action', id: 'i1', data: { text: 'walrus' } },
        { sessionId: 'pg-1', kind: 'nope' },
      ],
    });
    assert.equal(ing.status, 207);
    assert.deepEqual(
      ing.body.results.map((r: { status: number }) => r.status),
      [201, 400],
    );
    const state = await s.req('GET', '/api/v1/state/pg-1');
    assert.equal(state.body.phase, 'execution');
    assert.equal(state.body.goals[0].status, 'completed');
    const actions = await s.req('GET', '/api/v1/actions/pg-1');
    assert.equal(actions.body.actions[0].timestamp, '2026-02-13T10:00:00.000Z');
    const search = await s.req('GET', '/api/v1/query/search?q=walrus');
    assert.equal(search.body.results[0]?.sessionId, 'pg-2');
    const list = await s.req('GET', '/api/v1/sessions?tag=demo');
    assert.deepEqual(
      list.body.sessions.map((x: { sessionId: string }) => x.sessionId),
      ['pg-1'],
    );
    const fin = await s.req('POST', '/api/v1/sessions/pg-1/finalize', { status: 'completed' });
    assert.equal(fin.status, 200);
    const stats = await s.req('GET', '/api/v1/query/stats');
    assert.equal(stats.body.totalSessions, 2);
    assert.equal(stats.body.completedSessions, 1);
    const bad = await s.req('GET', '/api/v1/sessions?cursor=bm9wZQ');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'validation_failed');

    // The firehose over SSE: replay from the database by pos, then live, ids strictly increasing, none missing.
    const stored =
      (await s.req('GET', '/api/v1/sessions/pg-1/events')).body.events.length +
      (await s.req('GET', '/api/v1/sessions/pg-2/events')).body.events.length;
    const ctl = new AbortController();
    const res = await fetch(`${s.url}/api/v1/stream?after=0`, {
      signal: ctl.signal,
      headers: { accept: 'text/event-stream' },
    });
    assert.equal(res.status, 200);
    const ids: number[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let posted = false;
    while (ids.length < stored + 1) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      const end = buf.lastIndexOf('\n') + 1;
      for (const m of buf.slice(0, end).matchAll(/^id: (\d+)$/gm)) ids.push(Number(m[1]));
      buf = buf.slice(end);
      if (!posted && ids.length >= stored) {
        posted = true;
        assert.equal((await s.req('POST', '/api/v1/actions/pg-2', { type: 'live' })).status, 201);
      }
    }
    await reader.cancel();
    ctl.abort();
    // Stop right away: a server stopped a while after an SSE client went away waits ~70 s to close (a live-feed
    // shutdown issue seen on SQLite too, reported), which would only slow this file down.
    servers.splice(servers.indexOf(s), 1);
    await s.stop();
    assert.equal(ids.length, stored + 1);
    assert.ok(
      ids.every((id, i) => i === 0 || id > ids[i - 1]!),
      `firehose ids increase: ${ids.join(',')}`,
    );
  });

  it('two servers on one database, 8 concurrent writers split across both into one session: seqs 1..N, no duplicates, nothing lost', async () => {
    const { schema, drop } = await freshSchema(true);
    drops.push(drop);
    const [a, b] = [await start(schema), await start(schema)];
    const writers = 8;
    const perWriter = 25;
    const acked: Array<{ w: number; i: number; seq: number }> = [];
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        (async () => {
          const server = w % 2 ? b : a;
          for (let i = 0; i < perWriter; i++) {
            const r = await server.req(
              'POST',
              '/api/v1/actions/two-servers',
              { type: 'note', w, i },
              { 'idempotency-key': `w${w}-i${i}` },
            );
            assert.equal(r.status, 201, JSON.stringify(r.body));
            acked.push({ w, i, seq: r.body.seq });
          }
        })(),
      ),
    );
    const n = writers * perWriter + 1;
    const events = (await a.req('GET', `/api/v1/sessions/two-servers/events?limit=1000`)).body.events as Array<{
      seq: number;
      kind: string;
      data: { w: number; i: number };
    }>;
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const x of acked)
      assert.deepEqual(
        [bySeq.get(x.seq)?.data.w, bySeq.get(x.seq)?.data.i],
        [x.w, x.i],
        `acknowledged w${x.w} i${x.i} is at its seq`,
      );
    assert.equal(new Set(acked.map((x) => x.seq)).size, acked.length);
    const fromB = (await b.req('GET', '/api/v1/sessions/two-servers')).body;
    assert.equal(fromB.metadata.lastSeq, n);
    assert.equal(fromB.actions.length, n - 1);
    const retry = await b.req(
      'POST',
      '/api/v1/actions/two-servers',
      { type: 'note', w: 0, i: 0 },
      { 'idempotency-key': 'w0-i0' },
    );
    assert.equal(retry.body.seq, acked.find((x) => x.w === 0 && x.i === 0)?.seq);
  });
});
