import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/index.js';
import { startTestServer } from './helpers.js';
import { runStoreContract } from './store-contract.js';

/** Runs `fn` with a fresh temporary directory, removed afterwards (also when `fn` fails). */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-store-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-store-'));
  const store = new SqliteStore({ file: join(dir, 'tether.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

it('sqlite: data survives closing and reopening the file (snapshot, seq, cache cold)', () =>
  inTempDir(async (dir) => {
    const a = new SqliteStore({ file: join(dir, 'tether.db') });
    await a.append([
      {
        input: { sessionId: 's', kind: 'goal_added', data: { goalId: 'g' } },
        autoCreate: true,
        receivedAt: new Date().toISOString(),
      },
    ]);
    await a.close();
    const b = new SqliteStore({ file: join(dir, 'tether.db'), durability: 'full' });
    const [o] = await b.append([
      { input: { sessionId: 's', kind: 'action', data: {} }, autoCreate: true, receivedAt: new Date().toISOString() },
    ]);
    assert.equal(o?.ok && o.event.seq, 3);
    assert.equal((await b.getSession('s'))?.state.goals[0]?.goalId, 'g');
    await b.close();
  }));

it('sqlite: a failed write rolls back the appends handed over behind it; later appends continue without a gap', () =>
  inTempDir(async (dir) => {
    const at = new Date().toISOString();
    const action = (i: number) => ({
      input: { sessionId: 's', kind: 'action' as const, data: { i } },
      autoCreate: true,
      receivedAt: at,
    });
    const store = new SqliteStore({ file: join(dir, 'tether.db') });
    await store.append([action(1)]); // seq 1 session_created, seq 2 the action
    // Three transactions handed to the writer thread at once: an append, a write that fails, an append behind it.
    const write = (store as unknown as { write(tx: unknown): Promise<number[]> }).write.bind(store);
    const before = store.append([action(2)]);
    const bad = write({ ops: [['INSERT INTO no_such_table VALUES (1)', []]] });
    const behind = store.append([action(3)]);
    assert.equal((await before)[0]?.ok && (await before)[0]?.ok === true, true);
    await assert.rejects(bad, /no_such_table/);
    await assert.rejects(behind, /earlier write/);
    const [next] = await store.append([action(4)]);
    assert.equal(next?.ok && next.event.seq, 4, 'the skipped append left no gap and no seq taken');
    assert.deepEqual(
      (await store.listEvents('s')).map((e) => [e.seq, e.data.i ?? null]),
      [
        [1, null],
        [2, 1],
        [3, 2],
        [4, 4],
      ],
    );
    assert.equal((await store.getSession('s'))?.lastSeq, 4);
    await store.close();
    const reopened = new SqliteStore({ file: join(dir, 'tether.db') });
    const [again] = await reopened.append([action(5)]);
    assert.equal(again?.ok && again.event.seq, 5);
    assert.equal((await reopened.getSession('s'))?.metadata.metrics.actions, 4);
    await reopened.close();
  }));

it('sqlite: readers never see an uncommitted append (records change only after commit)', () =>
  inTempDir(async (dir) => {
    const at = new Date().toISOString();
    const store = new SqliteStore({ file: join(dir, 'tether.db') });
    await store.append([
      { input: { sessionId: 'r', kind: 'goal_added', data: { goalId: 'g1' } }, autoCreate: true, receivedAt: at },
    ]);
    const committed = await store.getSession('r');
    // A large batch first (it goes to the writer thread), then the goal behind it: both in flight while we read.
    const big = store.append(
      Array.from({ length: 1000 }, (_, i) => ({
        input: { sessionId: 'other', kind: 'action' as const, data: { i } },
        autoCreate: true,
        receivedAt: at,
      })),
    );
    const pending = store.append([
      { input: { sessionId: 'r', kind: 'goal_added', data: { goalId: 'g2' } }, autoCreate: true, receivedAt: at },
    ]);
    const during = await store.getSession('r'); // read while the writer thread commits
    await big;
    assert.equal(during?.lastSeq, committed?.lastSeq);
    assert.deepEqual(
      during?.state.goals.map((g) => g.goalId),
      ['g1'],
    );
    await pending;
    const afterwards = await store.getSession('r');
    assert.deepEqual(
      afterwards?.state.goals.map((g) => g.goalId),
      ['g1', 'g2'],
    );
    assert.equal(afterwards?.lastSeq, (committed?.lastSeq ?? 0) + 1);
    await store.close();
  }));

it('sqlite: committed pages reach the database file while the store runs (checkpoints run without a restart)', () =>
  inTempDir(async (dir) => {
    const file = join(dir, 'tether.db');
    const store = new SqliteStore({ file });
    const at = new Date().toISOString();
    const empty = statSync(file).size;
    for (let b = 0; b < 10; b++) {
      await store.append(
        Array.from({ length: 1000 }, (_, i) => ({
          input: { sessionId: `c${i % 10}`, kind: 'action' as const, data: { text: 'x'.repeat(200), i } },
          autoCreate: true,
          receivedAt: at,
        })),
      );
    }
    // Checkpoints (the checkpoint thread; the writer's own if that thread failed) copy WAL pages into the file.
    const deadline = Date.now() + 5000;
    while (statSync(file).size < empty + 2_000_000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      statSync(file).size >= empty + 2_000_000,
      `database file grew from ${empty} to ${statSync(file).size} bytes`,
    );
    await store.close();
  }));

it('sqlite: search sees every acknowledged event, forgets deleted sessions, and keeps its index file across restarts', () =>
  inTempDir(async (dir) => {
    const file = join(dir, 'tether.db');
    const at = new Date().toISOString();
    const say = (sessionId: string, text: string) => ({
      input: { sessionId, kind: 'response' as const, data: { text } },
      autoCreate: true,
      receivedAt: at,
    });
    const store = new SqliteStore({ file });
    await store.append([say('a', 'quokka sunrise')]);
    assert.deepEqual(
      (await store.search('quokka', 10)).map((h) => h.sessionId),
      ['a'],
    );
    await store.append([say('b', 'quokka sunset')]); // after a search: the index thread must look again
    assert.deepEqual((await store.search('quokka', 10)).map((h) => h.sessionId).sort(), ['a', 'b']);
    assert.equal(await store.deleteSession('a'), true);
    assert.deepEqual(
      (await store.search('quokka', 10)).map((h) => h.sessionId),
      ['b'],
    );
    await store.close();
    assert.ok(statSync(join(dir, 'tether-fts.db')).size > 0, 'the index has its own file');
    const reopened = new SqliteStore({ file });
    assert.deepEqual(
      (await reopened.search('sunset', 10)).map((h) => h.sessionId),
      ['b'],
    );
    assert.deepEqual(
      (await reopened.search('sunrise', 10)).map((h) => h.sessionId),
      [],
    );
    await reopened.close();
  }));

it('sqlite: when the writer thread stops, writes go on (committed on the HTTP thread) and nothing acknowledged is lost', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-store-'));
  const s = await startTestServer({ dataDir });
  try {
    assert.equal((await s.req('POST', '/api/v1/actions/w', { tool: 'Bash' })).status, 201);
    const store = s.app.store as unknown as {
      writer: { writer: { worker: { terminate(): Promise<number> } } };
      onDegraded?: (m: string, e: Error) => void;
    };
    let reported: Error | undefined;
    const log = store.onDegraded;
    store.onDegraded = (m, e) => {
      reported = e;
      log?.(m, e);
    };
    await store.writer.writer.worker.terminate();
    assert.match(String(reported?.message), /writer thread exited/);
    // Small and large batches, a deletion and a search: all on the HTTP thread's connection now.
    assert.equal((await s.req('POST', '/api/v1/actions/w', { tool: 'Bash', input: { command: 'zebra' } })).status, 201);
    const big = await s.req('POST', '/api/v1/ingest', {
      events: Array.from({ length: 50 }, (_, i) => ({ sessionId: 'w', kind: 'action', data: { i } })),
    });
    assert.equal(big.body.accepted, 50);
    assert.equal((await s.req('POST', '/api/v1/actions/gone', { tool: 'Read' })).status, 201);
    assert.equal((await s.req('DELETE', '/api/v1/sessions/gone')).status, 200);
    assert.equal((await s.req('GET', '/api/v1/sessions/w/events?limit=1000')).body.events.length, 53);
    const found = await s.req('GET', '/api/v1/query/search?q=zebra');
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(
      found.body.results.map((r: { sessionId: string }) => r.sessionId),
      ['w'],
    );
    assert.equal((await s.req('GET', '/ready')).status, 200);
  } finally {
    await s.stop();
  }
  // And after a restart (a fresh writer thread), every acknowledged event is there, gapless.
  const again = await startTestServer({ dataDir });
  try {
    const seqs = (await again.req('GET', '/api/v1/sessions/w/events?limit=1000')).body.events.map(
      (e: { seq: number }) => e.seq,
    );
    assert.deepEqual(
      seqs,
      Array.from({ length: 53 }, (_, i) => i + 1),
    );
    assert.equal((await again.req('GET', '/api/v1/sessions/gone')).status, 404);
  } finally {
    await again.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('sqlite: indexing never takes the main file’s write lock, and appends never take the index file’s', () =>
  inTempDir(async (dir) => {
    // SQLite's BEGIN IMMEDIATE takes the write lock of every attached database; both sides must begin DEFERRED.
    const file = join(dir, 'tether.db');
    const at = new Date().toISOString();
    const store = new SqliteStore({ file });
    await store.append(
      Array.from({ length: 100 }, (_, i) => ({
        input: { sessionId: 'l', kind: 'response' as const, data: { text: `walrus ${i}` } },
        autoCreate: true,
        receivedAt: at,
      })),
    );
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE'); // someone holds the main file's write lock
    try {
      assert.equal(
        (await store.search('walrus', 200)).length,
        100,
        'the index thread indexed while the main file was write-locked',
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const fts = new Database(join(dir, 'tether-fts.db'));
    fts.pragma('busy_timeout = 0');
    fts.exec('BEGIN IMMEDIATE'); // someone holds the index file's write lock
    try {
      const [o] = await store.append([
        { input: { sessionId: 'l', kind: 'action', data: {} }, autoCreate: true, receivedAt: at },
      ]);
      assert.equal(
        o?.ok && o.event.seq,
        102,
        'a small append (committed on this thread) did not wait for the index file',
      );
    } finally {
      fts.exec('ROLLBACK');
      fts.close();
    }
    await store.close();
  }));

it('sqlite: an ingest answer waits while the full-text index is more than maxIndexLag events behind', () =>
  inTempDir(async (dir) => {
    const at = new Date().toISOString();
    const batch = (b: number) =>
      Array.from({ length: 1000 }, (_, i) => ({
        input: { sessionId: `lag-${i % 5}`, kind: 'action' as const, data: { word: `w${b}x${i}` } },
        autoCreate: true,
        receivedAt: at,
      }));
    // maxIndexLag 0: an answered batch is already in the index. Under the 2,500-event slice, nothing but the wait
    // makes the index thread index it before its 250 ms tick.
    const held = new SqliteStore({ file: join(dir, 'held.db'), maxIndexLag: 0 });
    for (let b = 0; b < 3; b++) {
      const out = await held.append(batch(b));
      assert.ok(out.every((o) => o.ok));
      assert.equal(held.indexLag(), 0, `batch ${b}: answered with events not yet indexed`);
    }
    await held.close();
    // The default (10,000 events) does not hold these batches: the answer comes before the index has them.
    const free = new SqliteStore({ file: join(dir, 'free.db') });
    const t0 = performance.now();
    await free.append(batch(0));
    assert.ok(free.indexLag() > 0, 'the index thread indexed a 1,000-event batch before its answer');
    assert.ok(performance.now() - t0 < 1000);
    const [hit] = await free.search('w0x999', 5);
    assert.equal(hit?.sessionId, 'lag-4', 'a search still catches up first');
    await free.close();
  }));
