/**
 * The prototype's measured failures under concurrency, each as a test: duplicate seqs under 16 writers,
 * lost state patches, lost goals, sessions silently deleted beyond the newest 50.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

describe('concurrent writers', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('16 concurrent writers: seqs 1..N with no gap and no duplicate', async () => {
    const writers = 16,
      each = 50;
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        (async () => {
          for (let i = 0; i < each; i++) {
            const r = await s.req('POST', '/api/v1/actions/conc-1', { writer: w, i });
            assert.equal(r.status, 201);
          }
        })(),
      ),
    );
    const { body } = await s.req('GET', '/api/v1/sessions/conc-1/events?limit=10000');
    const seqs = body.events.map((e: { seq: number }) => e.seq);
    assert.equal(seqs.length, writers * each + 1);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
    const pairs = new Set(
      body.events.slice(1).map((e: { data: { writer: number; i: number } }) => `${e.data.writer}:${e.data.i}`),
    );
    assert.equal(pairs.size, writers * each, 'every write stored once');
  });

  it('200 concurrent state patches to distinct keys: all kept', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'conc-2' });
    const res = await Promise.all(
      Array.from({ length: 200 }, (_, i) => s.req('PATCH', '/api/v1/state/conc-2', { workspace: { [`k${i}`]: i } })),
    );
    assert.ok(res.every((r) => r.status === 200));
    const state = (await s.req('GET', '/api/v1/state/conc-2')).body;
    assert.equal(Object.keys(state.workspace).length, 200);
    assert.equal(state.version, 201);
  });

  it('200 concurrent If-Match writers at the same version: exactly one wins, the rest get 412', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'conc-3' });
    const v = (await s.req('GET', '/api/v1/state/conc-3')).body.version;
    const res = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        s.req('PATCH', '/api/v1/state/conc-3', { winner: i }, { 'if-match': String(v) }),
      ),
    );
    assert.equal(res.filter((r) => r.status === 200).length, 1);
    assert.equal(res.filter((r) => r.status === 412).length, 199);
  });

  it('100 concurrent goals and 100 concurrent agent spawns: none lost', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'conc-4' });
    await Promise.all([
      ...Array.from({ length: 100 }, (_, i) =>
        s.req('POST', '/api/v1/state/conc-4/goals', { description: `goal ${i}` }),
      ),
      ...Array.from({ length: 100 }, (_, i) =>
        s.req('POST', '/api/v1/state/conc-4/agents', { type: 'worker', task: `t${i}` }),
      ),
    ]);
    const state = (await s.req('GET', '/api/v1/state/conc-4')).body;
    assert.equal(state.goals.length, 100);
    assert.equal(new Set(state.goals.map((g: { goalId: string }) => g.goalId)).size, 100);
    assert.equal(state.agents.spawned.length, 100);
    assert.equal(state.agents.active.length, 100);
  });

  it('retries with the same event id are stored once, even when sent concurrently', async () => {
    const res = await Promise.all(
      Array.from({ length: 20 }, () =>
        s.req('POST', '/api/v1/actions/conc-5', { type: 'x' }, { 'idempotency-key': 'retry-1' }),
      ),
    );
    assert.equal(new Set(res.map((r) => r.body.seq)).size, 1);
    assert.equal(res.filter((r) => r.status === 201).length, 1);
    assert.equal(res.filter((r) => r.status === 200 && r.body.duplicate).length, 19);
    const ingest = await s.req('POST', '/api/v1/ingest', {
      events: [{ id: 'retry-1', sessionId: 'conc-5', kind: 'action', data: { type: 'x' } }],
    });
    assert.deepEqual([ingest.body.results[0].status, ingest.body.results[0].seq], [200, res[0]!.body.seq]);
    assert.equal((await s.req('GET', '/api/v1/sessions/conc-5/events')).body.events.length, 2);
  });

  it('keeps every session: 120 sessions are all listed (the prototype deleted all but the newest 50)', async () => {
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        s.req('POST', '/api/v1/sessions', { sessionId: `keep-${i}`, tags: ['keep'] }),
      ),
    );
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { sessions: Array<{ sessionId: string }>; nextCursor: string | null } } = await s.req(
        'GET',
        `/api/v1/sessions?tag=keep&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...r.body.sessions.map((x) => x.sessionId));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.equal(ids.length, 120);
    assert.equal(new Set(ids).size, 120);
    assert.equal((await s.req('GET', '/api/v1/sessions/keep-0')).status, 200);
  });
});
