/**
 * The storage contract: every Store adapter must pass these tests (run by store-*.test.ts with a fresh store each).
 * It speaks only the Store interface, never an engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store, AppendItem } from '../src/index.js';

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

export function runStoreContract(
  name: string,
  make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    const withStore = (fn: (s: Store) => Promise<void>) => async () => {
      const { store, cleanup } = await make();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    };

    it(
      'assigns gapless seqs per session and auto-creates sessions',
      withStore(async (s) => {
        const out = await s.append([
          item('a', 'action', { n: 1 }),
          item('b', 'action'),
          item('a', 'action', { n: 2 }),
          item('a', 'response'),
        ]);
        assert.ok(out.every((o) => o.ok));
        const seqs = out.map((o) => (o.ok ? `${o.event.sessionId}:${o.event.seq}` : 'x'));
        assert.deepEqual(seqs, ['a:2', 'b:2', 'a:3', 'a:4']);
        const events = await s.listEvents('a');
        assert.deepEqual(
          events.map((e) => [e.seq, e.kind]),
          [
            [1, 'session_created'],
            [2, 'action'],
            [3, 'action'],
            [4, 'response'],
          ],
        );
        const rec = await s.getSession('a');
        assert.equal(rec?.lastSeq, 4);
        assert.equal(rec?.metadata.metrics.actions, 2);
        assert.equal(rec?.metadata.metrics.responses, 1);
      }),
    );

    it(
      "auto-created sessions start at the first event's own time; token counters stay numbers",
      withStore(async (s) => {
        await s.append([item('t1', 'action', { type: 'task_start', timestamp: '2026-02-13T10:00:00Z' })]);
        const rec = (await s.getSession('t1'))!;
        assert.equal(rec.created, '2026-02-13T10:00:00.000Z');
        await s.append([
          item('t1', 'metadata_updated', { patch: { tokenUsage: { input: 'lots', output: 5 } } }),
          item('t1', 'response', { usage: { input: 10, output: 1 } }),
        ]);
        assert.deepEqual((await s.getSession('t1'))!.metadata.tokenUsage, { input: 10, output: 6, total: 16 });
      }),
    );

    it(
      'refuses unknown sessions when autoCreate is off, and duplicate creation',
      withStore(async (s) => {
        const [o] = await s.append([{ ...item('nope', 'action'), autoCreate: false }]);
        assert.equal(o?.ok, false);
        assert.equal(!o?.ok && o?.error.code, 'session_not_found');
        await s.append([item('c', 'session_created', { userId: 'u' })]);
        const [dup] = await s.append([item('c', 'session_created', { userId: 'u' })]);
        assert.equal(!dup?.ok && dup?.error.code, 'session_exists');
      }),
    );

    it(
      'is idempotent by event id, also within one batch',
      withStore(async (s) => {
        const first = await s.append([
          item('d', 'action', { x: 1 }, { id: 'e1' }),
          item('d', 'action', { x: 1 }, { id: 'e1' }),
        ]);
        const again = await s.append([item('d', 'action', { x: 1 }, { id: 'e1' })]);
        const seqs = [...first, ...again].map((o) => (o.ok ? [o.event.seq, o.duplicate] : null));
        assert.deepEqual(seqs, [
          [2, false],
          [2, true],
          [2, true],
        ]);
        assert.equal((await s.listEvents('d')).length, 2);
      }),
    );

    it(
      'rejects one failing item without affecting the rest of the batch',
      withStore(async (s) => {
        const out = await s.append([
          item('e', 'action'),
          item('e', 'goal_updated', { goalId: 'missing' }),
          item('e', 'action'),
        ]);
        assert.deepEqual(
          out.map((o) => (o.ok ? o.event.seq : o.error.code)),
          [2, 'goal_not_found', 3],
        );
      }),
    );

    it(
      'keeps the state snapshot equal to a replay of the log',
      withStore(async (s) => {
        await s.append([
          item('f', 'state_patched', { patch: { phase: 'execution', workspace: { cwd: '/app' } } }),
          item('f', 'goal_added', { goalId: 'g1', description: 'ship', priority: 'high' }),
          item('f', 'goal_updated', { goalId: 'g1', status: 'completed' }),
          item('f', 'agent_spawned', { agentId: 'a1', type: 'coder' }),
          item('f', 'agent_completed', { agentId: 'a1', result: 'ok' }),
          item('f', 'state_patched', { patch: { workspace: { cwd: null, branch: 'main' } } }),
        ]);
        const rec = (await s.getSession('f'))!;
        assert.equal(rec.state.phase, 'execution');
        assert.deepEqual(rec.state.workspace, { branch: 'main' });
        assert.equal(rec.state.goals[0]?.status, 'completed');
        assert.ok(rec.state.goals[0]?.completedAt);
        assert.deepEqual(rec.state.agents.completed, ['a1']);
        assert.deepEqual(rec.state.agents.active, []);
        assert.equal(rec.state.version, 7);
        const { applyEvent } = await import('../src/index.js');
        let replay: ReturnType<typeof applyEvent> | undefined;
        for (const ev of await s.listEvents('f')) replay = applyEvent(replay, ev);
        assert.deepEqual(replay?.state, rec.state);
      }),
    );

    it(
      'checks expectedVersion and changes nothing on mismatch',
      withStore(async (s) => {
        await s.append([item('g', 'state_patched', { patch: { a: 1 } })]);
        const [bad] = await s.append([item('g', 'state_patched', { patch: { a: 2 } }, { expectedVersion: 1 })]);
        assert.equal(!bad?.ok && bad?.error.code, 'version_mismatch');
        const [good] = await s.append([item('g', 'state_patched', { patch: { a: 3 } }, { expectedVersion: 2 })]);
        assert.ok(good?.ok);
        assert.equal((await s.getSession('g'))?.state.a, 3);
      }),
    );

    it(
      'lists, filters and pages sessions; finalizes; searches; deletes',
      withStore(async (s) => {
        for (let i = 0; i < 7; i++) {
          await s.append([
            item(
              `l${i}`,
              'session_created',
              { userId: i % 2 ? 'odd' : 'even', type: 'langgraph', tags: [`t${i % 3}`] },
              { timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() },
            ),
          ]);
        }
        await s.append([
          item('l3', 'action', { type: 'note', text: 'the quick zebra jumps' }),
          item('l3', 'session_finalized', { status: 'failed' }),
        ]);
        const page1 = await s.listSessions({ limit: 3 });
        assert.deepEqual(
          page1.sessions.map((x) => x.sessionId),
          ['l6', 'l5', 'l4'],
        );
        const page2 = await s.listSessions({ limit: 3, cursor: page1.nextCursor! });
        assert.deepEqual(
          page2.sessions.map((x) => x.sessionId),
          ['l3', 'l2', 'l1'],
        );
        const page3 = await s.listSessions({ limit: 3, cursor: page2.nextCursor! });
        assert.deepEqual(
          page3.sessions.map((x) => x.sessionId),
          ['l0'],
        );
        assert.equal(page3.nextCursor, null);
        assert.equal((await s.listSessions({ userId: 'odd' })).sessions.length, 3);
        assert.equal((await s.listSessions({ tag: 't0' })).sessions.length, 3);
        assert.deepEqual(
          (await s.listSessions({ status: 'failed' })).sessions.map((x) => x.sessionId),
          ['l3'],
        );
        assert.deepEqual(
          (await s.listSessions({ q: 'zebra' })).sessions.map((x) => x.sessionId),
          ['l3'],
        );
        const hits = await s.search('zebra', 10);
        assert.equal(hits[0]?.sessionId, 'l3');
        assert.match(hits[0]!.snippet, /zebra/);
        const st = await s.stats();
        assert.equal(st.totalSessions, 7);
        assert.equal(st.failedSessions, 1);
        assert.equal(await s.deleteSession('l3'), true);
        assert.equal(await s.getSession('l3'), undefined);
        assert.deepEqual(await s.listEvents('l3'), []);
        assert.deepEqual(await s.search('zebra', 10), []);
        assert.equal(await s.deleteSession('l3'), false);
      }),
    );

    it(
      'gives every event a global position in commit order',
      withStore(async (s) => {
        await s.append([item('p', 'action'), item('q', 'action')]);
        const all = await s.listAllEvents(0, 100);
        assert.deepEqual(
          all.map((e) => `${e.sessionId}:${e.seq}`),
          ['p:1', 'p:2', 'q:1', 'q:2'],
        );
        assert.ok(all.every((e, i) => i === 0 || e.pos > all[i - 1]!.pos));
        assert.equal(await s.lastPos(), all[3]!.pos);
        assert.deepEqual(
          (await s.listAllEvents(all[1]!.pos, 100)).map((e) => e.seq),
          [1, 2],
        );
      }),
    );

    it(
      'stores API keys by hash and revokes them',
      withStore(async (s) => {
        await s.createKey({ id: 'k1', name: 'ci', hash: 'h1', scopes: ['read'], created: at(), revokedAt: null });
        assert.deepEqual(
          (await s.listKeys()).map((k) => [k.id, k.scopes, k.revokedAt]),
          [['k1', ['read'], null]],
        );
        assert.equal(await s.revokeKey('k1'), true);
        assert.equal(await s.revokeKey('k1'), false);
        assert.ok((await s.listKeys())[0]?.revokedAt);
      }),
    );
  });
}
