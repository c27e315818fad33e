/**
 * LangGraph checkpoints (issue 14): the store contract for checkpoints on SQLite and on a real PostgreSQL (a schema of
 * its own per test), the `/api/v1/langgraph` routes on both engines, and durability of an answered put across a
 * SIGKILL of a real `tether serve` process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore, SqliteStore } from '../src/index.js';
import { threadSessionId } from '../src/storage/checkpoints.js';
import { BLOBS_OF_CHECKPOINT } from '../src/storage/sqlite/sqlite-checkpoints.js';
import Database from 'better-sqlite3';
import { runCheckpointContract } from './checkpoint-contract.js';
import { startTestServer, type TestServer } from './helpers.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => undefined);
after(() => admin.end());
let counter = 0;
const schemaName = () => `tether_lg${process.pid}_${Date.now().toString(36)}_${counter++}`;
const dropSchema = async (schema: string) => void (await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

runCheckpointContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-lg-'));
  const store = new SqliteStore({ file: join(dir, 'tether.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

runCheckpointContract('postgres', async () => {
  const schema = schemaName();
  const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 4 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});

describe('SQLite checkpoint reads', () => {
  it('looks each blob of a checkpoint up by its whole primary key (a read does not grow with the thread)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-lg-plan-'));
    try {
      const store = new SqliteStore({ file: join(dir, 'tether.db') });
      await store.close();
      const db = new Database(join(dir, 'tether.db'), { readonly: true });
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${BLOBS_OF_CHECKPOINT}`).all('{"a":"1"}', 't', '') as Array<{ detail: string }>
      ).map((r) => r.detail);
      db.close();
      assert.match(plan[0]!, /^SCAN j VIRTUAL TABLE/, plan.join(' | '));
      assert.match(
        plan[1]!,
        /^SEARCH b USING .*\(thread_id=\? AND checkpoint_ns=\? AND channel=\? AND version=\?\)/,
        plan.join(' | '),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

function body(
  threadId: string,
  id: string,
  parent: string | null,
  blobs: Record<string, [string, string]>,
  extra: Record<string, unknown> = {},
) {
  return {
    threadId,
    checkpointNs: '',
    checkpointId: id,
    parentCheckpointId: parent,
    checkpoint: { type: 'json', data: b64(`{"id":"${id}"}`) },
    metadata: { step: Number(id), source: 'loop' },
    channelVersions: Object.fromEntries(Object.entries(blobs).map(([c, [v]]) => [c, v])),
    blobs: Object.entries(blobs).map(([channel, [version, value]]) => ({
      channel,
      version,
      type: 'json',
      data: b64(value),
    })),
    ...extra,
  };
}

function apiTests(engine: string, start: () => Promise<{ s: TestServer; done: () => Promise<void> }>) {
  describe(`/api/v1/langgraph on ${engine}`, () => {
    it('a thread is a langgraph session whose log has a checkpoint event per put; tuples come back with blobs and writes', async () => {
      const { s, done } = await start();
      try {
        await s.req('POST', '/api/v1/sessions', { sessionId: 'agent-1', type: 'agent' });
        const thread = 'thread/with spaces';
        const r1 = await s.req(
          'POST',
          '/api/v1/langgraph/checkpoints',
          body(
            thread,
            '01',
            null,
            { msgs: ['1', '"hi"'], big: ['1', 'x'.repeat(5000)] },
            { parentSessionId: 'agent-1', writer: 'w1', values: { msgs: 'hi' } },
          ),
        );
        assert.equal(r1.status, 201, JSON.stringify(r1.body));
        assert.equal(r1.body.sessionId, threadSessionId(thread));
        const w = await s.req('POST', '/api/v1/langgraph/writes', {
          threadId: thread,
          checkpointId: '01',
          writes: [{ taskId: 't1', idx: 0, channel: 'msgs', type: 'json', data: b64('"w"') }],
          writer: 'w1',
        });
        assert.equal(w.status, 201);
        const r2 = await s.req(
          'POST',
          '/api/v1/langgraph/checkpoints',
          body(thread, '02', '01', { msgs: ['2', '"hi there"'] }, { writer: 'w2' }),
        );
        assert.equal(r2.status, 201);
        const list = await s.req(
          'GET',
          `/api/v1/langgraph/checkpoints?threadId=${encodeURIComponent(thread)}&checkpointNs=`,
        );
        assert.equal(list.status, 200);
        const [c2, c1] = list.body.checkpoints;
        assert.equal(c2.checkpointId, '02');
        assert.equal(c2.parentCheckpointId, '01');
        assert.deepEqual(c2.channelVersions, { msgs: '2' });
        assert.deepEqual(
          c2.blobs.map((b: any) => [b.channel, unb64(b.data)]),
          [['msgs', '"hi there"']],
        );
        assert.equal(c1.pendingWrites.length, 1);
        assert.equal(unb64(c1.pendingWrites[0].data), '"w"');
        const sess = await s.req('GET', `/api/v1/sessions/${encodeURIComponent(r1.body.sessionId)}/summary`);
        assert.equal(sess.body.type, 'langgraph');
        assert.equal(sess.body.parentSessionId, 'agent-1');
        const events = (await s.req('GET', `/api/v1/sessions/${encodeURIComponent(r1.body.sessionId)}/events`)).body
          .events;
        assert.deepEqual(
          events.map((e: any) => e.kind),
          ['session_created', 'checkpoint', 'checkpoint_writes', 'checkpoint'],
        );
        assert.equal(events[3].data.resumed?.previousWriter, 'w1', 'a new writer shows as a resume in the log');
        assert.equal(events[1].data.resumed, undefined);
        const state = (await s.req('GET', `/api/v1/state/${encodeURIComponent(r1.body.sessionId)}?atSeq=2`)).body;
        assert.equal(state.langgraph.checkpointId, '01');
        assert.deepEqual(state.langgraph.values, { msgs: 'hi' });
        const children = await s.req('GET', '/api/v1/sessions?parentSessionId=agent-1');
        assert.ok(
          children.status !== 200 || children.body.sessions.some((x: any) => x.sessionId === r1.body.sessionId),
        );
        const copy = await s.req('POST', `/api/v1/langgraph/threads/${encodeURIComponent(thread)}/copy`, {
          targetThreadId: 'copy-target',
        });
        assert.equal(copy.body.copied, 2);
        const copied = (await s.req('GET', '/api/v1/langgraph/checkpoints?threadId=copy-target')).body.checkpoints;
        assert.deepEqual(
          copied.map((c: any) => [c.checkpointId, c.parentCheckpointId, c.blobs, c.pendingWrites]),
          list.body.checkpoints.map((c: any) => [c.checkpointId, c.parentCheckpointId, c.blobs, c.pendingWrites]),
        );
        assert.equal(
          (await s.req('POST', '/api/v1/langgraph/threads/nothing-here/copy', { targetThreadId: 'copy-2' })).body
            .copied,
          0,
        );
        const del = await s.req('DELETE', `/api/v1/langgraph/threads/${encodeURIComponent(thread)}`);
        assert.equal(del.status, 204);
        assert.deepEqual(
          (await s.req('GET', `/api/v1/langgraph/checkpoints?threadId=${encodeURIComponent(thread)}`)).body.checkpoints,
          [],
        );
        assert.equal(
          (await s.req('DELETE', `/api/v1/langgraph/threads/${encodeURIComponent(thread)}`)).status,
          204,
          'deleting again is a no-op',
        );
      } finally {
        await done();
      }
    });

    it('answers problem+json for bad bodies and filters; raw checkpoint events cannot be ingested; the routes are in OpenAPI', async () => {
      const { s, done } = await start();
      try {
        const bad = await s.req('POST', '/api/v1/langgraph/checkpoints', { threadId: 't' });
        assert.equal(bad.status, 400);
        assert.equal(bad.headers.get('content-type')?.split(';')[0], 'application/problem+json');
        assert.equal(bad.body.code, 'validation_failed');
        const filter = await s.req('GET', '/api/v1/langgraph/checkpoints?filter=%5B1%5D');
        assert.equal(filter.body.code, 'validation_failed');
        const ingest = await s.req('POST', '/api/v1/ingest', {
          events: [{ sessionId: 'x', kind: 'checkpoint', data: {} }],
        });
        assert.equal(ingest.body.results[0].code, 'validation_failed');
        const paths = Object.keys((await s.req('GET', '/openapi.json')).body.paths);
        for (const p of [
          '/api/v1/langgraph/checkpoints',
          '/api/v1/langgraph/writes',
          '/api/v1/langgraph/threads/{threadId}',
        ])
          assert.ok(paths.includes(p), p);
      } finally {
        await done();
      }
    });
  });
}

apiTests('sqlite', async () => {
  const s = await startTestServer();
  return { s, done: () => s.stop() };
});

apiTests('postgres', async () => {
  const schema = schemaName();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const s = await startTestServer({ storage: 'postgres', databaseUrl: u.toString() });
  return {
    s,
    done: async () => {
      await s.stop();
      await dropSchema(schema);
    },
  };
});

const BIN = resolve(import.meta.dirname, '../../cli/dist/bin.js');

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

async function serve(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--no-dashboard'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

it('an answered checkpoint put survives SIGKILL of the server', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-lg-kill-'));
  const port = await freePort();
  let child = await serve(dataDir, port);
  try {
    const url = `http://127.0.0.1:${port}/api/v1/langgraph/checkpoints`;
    const puts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(`k${i % 4}`, String(i).padStart(2, '0'), null, { c: [String(i), `"v${i}"`] })),
        }).then((r) => r.status),
      ),
    );
    assert.deepEqual(puts, Array(20).fill(201));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child = await serve(dataDir, port);
    const got = (await (await fetch(`${url}?limit=100`)).json()) as {
      checkpoints: Array<{ checkpointId: string; blobs: Array<{ data: string }> }>;
    };
    assert.equal(got.checkpoints.length, 20);
    for (const c of got.checkpoints) assert.equal(unb64(c.blobs[0]!.data), `"v${Number(c.checkpointId)}"`);
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
