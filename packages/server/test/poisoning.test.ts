/**
 * Issue #12, item 1 (group-commit poisoning): one item's failure stays that item's. Innocent writers share group-commit
 * transactions with an attacker, over HTTP and against the stores directly, on SQLite (writer thread and inline
 * commits) and on PostgreSQL (TETHER_TEST_DATABASE_URL, see store-postgres.test.ts; a schema per test, dropped after).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { GroupCommitter, PostgresStore, SqliteStore, type AppendItem, type Store } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => undefined);
after(() => admin.end());

let counter = 0;
async function freshSchema(): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const schema = `tether_poison${process.pid}_${Date.now().toString(36)}_${counter++}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: u.toString(),
    drop: async () => void (await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

const WRITERS = 32;
const ROUNDS = 12;
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/**
 * 32 writers append to sessions of their own (actions, and a goal every fourth round) while an attacker sends deeply
 * nested actions, `PATCH {"goals": null}` followed by `POST /goals`, and ingest batches with a poisoned item.
 * Every innocent write must succeed and be stored; the attacker gets 4xx, never 500.
 */
async function innocentsWithAttacker(s: TestServer, tag: string): Promise<void> {
  const innocent: number[] = [];
  const attacker: number[] = [];
  let stop = false;
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    for (let i = 0; i < ROUNDS; i++) {
      const r =
        i % 4 === 3
          ? await s.req('POST', `/api/v1/state/${tag}-w${w}/goals`, { description: `goal ${i}` })
          : await s.req('POST', `/api/v1/actions/${tag}-w${w}`, { type: 'tool_call', tool: 'Bash', i });
      innocent.push(r.status);
    }
  });
  const attack = (async () => {
    const a = `${tag}-attacker`;
    await s.req('POST', `/api/v1/actions/${a}`, { type: 'x' });
    while (!stop) {
      const answers = await Promise.all([
        s.req('POST', `/api/v1/actions/${a}`, `{"type":"x","d":${deep(10_000)}}`),
        s.req('POST', `/api/v1/actions/${a}`, `{"type":"x","d":${deep(1000)}}`),
        s.req('PATCH', `/api/v1/state/${a}`, { goals: null }),
        s.req('PATCH', `/api/v1/state/${a}`, { agents: { active: null } }),
        s.req('POST', `/api/v1/state/${a}/goals`, { description: 'after the patch' }),
      ]);
      for (const r of answers) attacker.push(r.status);
    }
  })();
  await Promise.all(writers);
  stop = true;
  await attack;
  const failed = innocent.filter((st) => st !== 201);
  assert.equal(failed.length, 0, `innocent failures: ${failed.join(',')}`);
  assert.equal(innocent.length, WRITERS * ROUNDS);
  assert.ok(
    attacker.length > 0 && attacker.every((st) => st < 500),
    `attacker statuses: ${[...new Set(attacker)].join(',')}`,
  );
  for (let w = 0; w < WRITERS; w++) {
    const r = await s.req('GET', `/api/v1/actions/${tag}-w${w}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.actions.length, ROUNDS - ROUNDS / 4, `writer ${w}: every acknowledged action stored`);
    assert.equal(
      (await s.req('GET', `/api/v1/state/${tag}-w${w}`)).body.goals.length,
      ROUNDS / 4,
      `writer ${w}: every acknowledged goal stored`,
    );
  }
  // The attacker's own session still answers its goal and agent calls (its patches were refused).
  assert.equal(
    (await s.req('POST', `/api/v1/state/${tag}-attacker/goals`, { description: 'still works' })).status,
    201,
  );
  assert.equal((await s.req('POST', `/api/v1/state/${tag}-attacker/agents`, { type: 'helper' })).status, 201);
}

/** One ingest batch with poisoned items among good ones: 207, the good ones stored, each poisoned one its own 4xx. */
async function ingestWithPoison(s: TestServer, tag: string): Promise<void> {
  const events = [
    { sessionId: `${tag}-i1`, kind: 'action', data: { n: 1 } },
    { sessionId: `${tag}-i2`, kind: 'state_patched', data: { patch: { goals: null } } },
    { sessionId: `${tag}-i1`, kind: 'action', data: { n: 2 } },
    { sessionId: `${tag}-i3`, kind: 'state_patched', data: { patch: { agents: { spawned: 'x' } } } },
    { sessionId: `${tag}-i1`, kind: 'goal_added', data: { description: 'g' } },
  ];
  const r = await s.req('POST', '/api/v1/ingest', { events });
  assert.equal(r.status, 207, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.results.map((x: { status: number }) => x.status),
    [201, 400, 201, 400, 201],
  );
  assert.match(r.body.results[1].detail, /goals/);
  assert.match(r.body.results[3].detail, /agents\/spawned/);
  assert.deepEqual(
    (await s.req('GET', `/api/v1/actions/${tag}-i1`)).body.actions.map((a: { n: number }) => a.n),
    [1, 2],
  );
  assert.equal((await s.req('GET', `/api/v1/state/${tag}-i1`)).body.goals.length, 1);
  // A too-deep ingest body is refused as a whole at the edge (before parsing), with its own code.
  const deepBody = await s.req(
    'POST',
    '/api/v1/ingest',
    `{"events":[{"sessionId":"${tag}-i1","kind":"action","data":{"d":${deep(100)}}}]}`,
  );
  assert.equal(deepBody.status, 400);
  assert.equal(deepBody.body.code, 'too_deep');
}

describe('poisoning over HTTP: 32 innocent writers and an attacker', () => {
  it('sqlite: 0 innocent failures, attacker refused with 4xx, ingest answers per item', async () => {
    const s = await startTestServer();
    try {
      await innocentsWithAttacker(s, 'sq');
      await ingestWithPoison(s, 'sq');
    } finally {
      await s.stop();
    }
  });

  it('postgres: 0 innocent failures, attacker refused with 4xx, ingest answers per item', async () => {
    const { url, drop } = await freshSchema();
    const s = await startTestServer({ storage: 'postgres', databaseUrl: url });
    try {
      await innocentsWithAttacker(s, 'pg');
      await ingestWithPoison(s, 'pg');
    } finally {
      await s.stop();
      await drop();
    }
  });
});

const at = () => new Date().toISOString();
const item = (sessionId: string, data: Record<string, unknown>): AppendItem => ({
  input: { sessionId, kind: 'action', data },
  autoCreate: true,
  receivedAt: at(),
});

/** Data whose serialisation throws a TypeError: a non-TetherError while the item is checked. */
const unserialisable = () => ({
  type: 'x',
  toJSON() {
    throw new TypeError('boom while serialising');
  },
});

/** Data that serialises but makes `applyEvent` throw (its `tool` getter fails when read while applying the event). */
function failsWhileApplying(): Record<string, unknown> {
  const data: Record<string, unknown> = { type: 'tool_call' };
  Object.defineProperty(data, 'tool', {
    enumerable: true,
    get() {
      if (new Error().stack?.includes('classifyAction')) throw new TypeError('boom while applying');
      return 'Bash';
    },
  });
  return data;
}

/**
 * Through a real GroupCommitter: 32 innocent callers and poisoned ones submitted at once share one transaction;
 * each poisoned caller gets its own failure, every innocent one commits; one caller's batch with a poisoned item keeps
 * its other items. Then the committer's own fallback: an engine error on a shared transaction is retried per caller.
 */
async function storeScenario(store: Store): Promise<void> {
  const c = new GroupCommitter(store, 2000);
  const innocents = Array.from({ length: WRITERS }, (_, w) =>
    c.append(item(`st-w${w}`, { type: 'tool_call', tool: 'Read', w })),
  );
  const poisons = [c.append(item('st-bad1', unserialisable())), c.append(item('st-bad2', failsWhileApplying()))];
  const batch = c.appendMany([
    item('st-mixed', { n: 1 }),
    item('st-mixed', unserialisable()),
    item('st-mixed', failsWhileApplying()),
    item('st-mixed', { n: 2 }),
  ]);
  const out = await Promise.all(innocents);
  assert.ok(
    out.every((o) => o.ok),
    'every innocent append committed',
  );
  for (const p of await Promise.all(poisons)) {
    assert.equal(p.ok, false);
    if (!p.ok) assert.equal(p.error.code, 'internal_error');
  }
  assert.deepEqual(
    (await batch).map((o) => o.ok),
    [true, false, false, true],
  );
  for (let w = 0; w < WRITERS; w++) assert.equal((await store.listEvents(`st-w${w}`)).length, 2);
  assert.deepEqual(
    (await store.listEvents('st-mixed')).map((e) => e.data.n ?? e.kind),
    ['session_created', 1, 2],
  );
  assert.equal(await store.getSession('st-bad1'), undefined);

  // An engine error the store cannot pin on an item (simulated for the session "st-engine"): only that caller fails.
  const flaky = new Proxy(store, {
    get(t, p) {
      if (p === 'append') {
        return (items: AppendItem[]) =>
          items.some((i) => i.input.sessionId === 'st-engine')
            ? Promise.reject(Object.assign(new Error('simulated engine error'), { code: 'SQLITE_CONSTRAINT' }))
            : t.append(items);
      }
      const v = Reflect.get(t, p) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  const c2 = new GroupCommitter(flaky, 2000);
  const good = Array.from({ length: 8 }, (_, w) => c2.append(item(`st-e${w}`, { w })));
  const bad = c2.append(item('st-engine', {}));
  assert.ok((await Promise.all(good)).every((o) => o.ok));
  await assert.rejects(bad, /simulated engine error/);
}

describe('poisoning in the stores, through the group committer', () => {
  it('sqlite with the writer thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-poison-'));
    const store = new SqliteStore({ file: join(dir, 'tether.db') });
    try {
      await storeScenario(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sqlite with inline commits (no writer thread)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-poison-'));
    const store = new SqliteStore({ file: join(dir, 'tether.db'), writerThread: false });
    try {
      await storeScenario(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('postgres', async () => {
    const { schema, drop } = await freshSchema();
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      await storeScenario(store);
    } finally {
      await store.close();
      await drop();
    }
  });
});
