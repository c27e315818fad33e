/**
 * `tether export`, `tether import archive`, `tether copy` and `tether import prototype` with the real binary, a real
 * SQLite data directory (written by a real server) and a real PostgreSQL (TETHER_TEST_DATABASE_URL, a schema per test).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore, SqliteStore } from '@tether/server';
import { startTestServer } from '../../server/test/helpers.js';

const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const run = promisify(execFile);
const tether = (...args: string[]) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', TETHER_DATABASE_URL: '' } });
const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanup) await c();
  await admin.end();
});

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tether-archive-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};
let n = 0;
async function pgUrl(): Promise<string> {
  const schema = `tether_t${process.pid}_${Date.now().toString(36)}_a${n++}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  cleanup.push(async () => void (await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)));
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** A SQLite data directory with three sessions written through a real server (goals, agents, state, finalize). */
async function sourceDir(): Promise<string> {
  const dir = tmp();
  const s = await startTestServer({ dataDir: dir });
  await s.req('POST', '/api/v1/sessions', {
    sessionId: 'a-1',
    userId: 'ana',
    type: 'langgraph',
    tags: ['x'],
    metadata: { model: 'm' },
  });
  await s.req('POST', '/api/v1/state/a-1/goals', { goalId: 'g1', description: 'do it' });
  await s.req('PATCH', '/api/v1/state/a-1', { phase: 'work', nested: { b: 1, a: [1, { z: 2, y: 3 }] } });
  for (let i = 0; i < 30; i++)
    await s.req('POST', '/api/v1/actions/a-1', { tool: 'Bash', input: { command: `echo ${i}` } });
  await s.req('POST', '/api/responses/a-1', { text: 'done' });
  await s.req('POST', '/api/v1/sessions/a-1/finalize', { status: 'completed' });
  await s.req('POST', '/api/v1/actions/b-2', { tool: 'Read', i: 1 });
  await s.req('POST', '/api/v1/actions/c-3', { tool: 'Edit', i: 2 });
  await s.stop();
  return dir;
}

describe('moving data between stores', () => {
  it('export → import into PostgreSQL, twice: the same events (seq, ids, data); the second import adds nothing', async () => {
    const dir = await sourceDir();
    const file = join(tmp(), 'a.jsonl');
    const ex = await tether('export', '--from', `sqlite:${dir}`, '--out', file);
    assert.match(ex.stderr, /exported 3 sessions/);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines[0].type, 'archive');
    assert.equal(lines.at(-1).type, 'end');
    const url = await pgUrl();
    const first = await tether('import', 'archive', file, '--to', url);
    assert.match(first.stdout, /3 sessions, \d+ events stored, 0 already there, 0 problems/);
    const second = await tether('import', 'archive', file, '--to', url);
    assert.match(second.stdout, /3 sessions, 0 events stored, \d+ already there, 0 problems/);
    const src = new SqliteStore({ file: join(dir, 'tether.db') });
    const dst = await PostgresStore.open({ connectionString: url, poolSize: 2 });
    try {
      for (const id of ['a-1', 'b-2', 'c-3']) {
        const [a, b] = [await src.listEvents(id), await dst.listEvents(id)];
        assert.deepEqual(
          b.map((e) => [e.seq, e.id, e.kind, e.data]),
          a.map((e) => [e.seq, e.id, e.kind, e.data]),
          id,
        );
      }
      const [ra, rb] = [await src.getSession('a-1'), await dst.getSession('a-1')];
      assert.deepEqual(
        [rb?.status, rb?.userId, rb?.state.phase, rb?.state.goals[0]?.goalId, rb?.lastSeq],
        [ra?.status, ra?.userId, ra?.state.phase, ra?.state.goals[0]?.goalId, ra?.lastSeq],
      );
    } finally {
      await src.close();
      await dst.close();
    }
    const later = await tether('export', '--from', dir, '--since', new Date(Date.now() + 60_000).toISOString());
    assert.match(later.stderr, /exported 0 sessions/);
    // --session and a damaged archive: the checksum line catches a changed event.
    const one = join(tmp(), 'one.jsonl');
    await tether('export', '--from', dir, '--session', 'b-2', '--out', one);
    const bad = readFileSync(one, 'utf8').replace('"Read"', '"Write"');
    writeFileSync(one, bad);
    const r = await tether('import', 'archive', one, '--to', `sqlite:${tmp()}`).catch(
      (e: { stdout: string; stderr: string; code: number }) => e,
    );
    assert.match(r.stderr, /b-2: archive damaged: .*checksum differs/);
  });

  it('copy sqlite → postgres with a per-session count and checksum comparison; run again, still equal', async () => {
    const dir = await sourceDir();
    const url = await pgUrl();
    const r = await tether('copy', '--from', `sqlite:${dir}`, '--to', url);
    assert.match(r.stdout, /verified 3 sessions: 3 equal \(count and checksum\), 0 differ/);
    assert.match(r.stderr, /progress: 1 sessions, \d+ events stored/);
    const again = await tether('copy', '--from', `sqlite:${dir}`, '--to', url);
    assert.match(again.stdout, /0 events stored/);
    assert.match(again.stdout, /3 equal/);
  });

  it("imports the prototype's files and reports what it left broken: 0-byte JSON, torn lines, duplicate seq, deleted sessions", async () => {
    const root = tmp();
    const sess = (id: string, files: Record<string, string>) => {
      mkdirSync(join(root, 'sessions', id, 'subsessions'), { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(root, 'sessions', id, f), text);
    };
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, s)).toISOString();
    sess('good', {
      'metadata.json': JSON.stringify({
        $schema: 'session-metadata-v1',
        sessionId: 'good',
        userId: 'ana',
        created: t(0),
        updated: t(9),
        status: 'completed',
        model: 'claude',
        tags: ['p'],
        parentSession: null,
      }),
      'initial.json': JSON.stringify({
        $schema: 'session-initial-v1',
        timestamp: t(0),
        source: 'cli',
        input: 'hi',
        config: {},
      }),
      'state.json': JSON.stringify({
        $schema: 'session-state-v1',
        version: 3,
        timestamp: t(8),
        phase: 'done',
        goals: [{ id: 'goal-1', status: 'completed' }],
      }),
      'actions.jsonl':
        [
          { seq: 1, timestamp: t(1), type: 'tool_call', tool: 'Bash' },
          { seq: 2, timestamp: t(3), type: 'bash_exec' },
          { seq: 2, timestamp: t(4), type: 'file_write' },
        ]
          .map((x) => JSON.stringify(x))
          .join('\n') + '\n{"seq":3,"timest',
      'responses.jsonl': JSON.stringify({ seq: 1, timestamp: t(2), text: 'ok' }) + '\n',
      'final.json': JSON.stringify({
        $schema: 'session-final-v1',
        timestamp: t(9),
        status: 'success',
        outcome: 'fine',
      }),
    });
    sess('torn', {
      'metadata.json': '',
      'state.json': '',
      'actions.jsonl': JSON.stringify({ seq: 1, timestamp: t(5), type: 'tool_call' }) + '\n',
    });
    sess('orphan', { 'actions.jsonl': JSON.stringify({ seq: 1, timestamp: t(6), type: 'tool_call' }) + '\n' });
    writeFileSync(
      join(root, 'index.json'),
      JSON.stringify({
        good: { userId: 'ana', created: t(0) },
        torn: { userId: 'bo', created: t(0) },
        gone: { userId: 'x', created: t(0) },
      }),
    );
    const data = tmp();
    const r = await tether('import', 'prototype', root, '--to', `sqlite:${data}`);
    assert.match(r.stdout, /3 sessions, \d+ events stored, 0 already there/);
    for (const re of [
      /torn: .*metadata\.json: 0-byte file/,
      /torn: .*state\.json: 0-byte file/,
      /good: .*actions\.jsonl:3: seq 2 again/,
      /good: .*actions\.jsonl:4: unreadable line/,
      /gone: listed in index\.json but its directory is gone/,
      /orphan: directory not in index\.json/,
    ])
      assert.match(r.stderr, re);
    const again = await tether('import', 'prototype', root, '--to', `sqlite:${data}`);
    assert.match(again.stdout, /3 sessions, 0 events stored/);
    const store = new SqliteStore({ file: join(data, 'tether.db') });
    try {
      const good = await store.getSession('good');
      assert.deepEqual([good?.status, good?.userId, good?.state.phase, good?.lastSeq], ['completed', 'ana', 'done', 7]);
      assert.deepEqual(
        (await store.listEvents('good')).map((e) => e.kind),
        ['session_created', 'action', 'response', 'action', 'action', 'state_patched', 'session_finalized'],
      );
      assert.deepEqual((await store.getSession('orphan'))?.tags, ['prototype-unindexed']);
    } finally {
      await store.close();
    }
  });
});
