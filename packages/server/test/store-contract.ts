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
      'search finds each event of a batch by its own words (batches over several sessions, one after another)',
      withStore(async (s) => {
        // Each event's index text must be its own: a shifted or mixed-up text (SQLite indexes texts offered with
        // positions, issue #18) would find an event by another's word.
        for (let b = 0; b < 3; b++)
          await s.append(
            Array.from({ length: 12 }, (_, i) =>
              item(`fw${(b * 12 + i) % 5}`, 'action', { type: 'note', text: `word${b * 12 + i}x and more` }),
            ),
          );
        const events = (await Promise.all([0, 1, 2, 3, 4].map((k) => s.listEvents(`fw${k}`)))).flat();
        for (let n = 0; n < 36; n++) {
          const hits = await s.search(`word${n}x`, 10);
          const own = events.find((e) => (e.data as { text?: string }).text === `word${n}x and more`)!;
          assert.deepEqual(
            hits.map((h) => [h.sessionId, h.seq]),
            [[own.sessionId, own.seq]],
            `word${n}x`,
          );
        }
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
      'normalizes event times to ISO 8601 UTC; unparsable or out-of-range (years 1–9999) times fall back to receivedAt',
      withStore(async (s) => {
        const receivedAt = '2026-03-01T00:00:00.000Z';
        const at = (timestamp: string) => ({ ...item('tm', 'action', {}, { timestamp }), receivedAt });
        const out = await s.append([
          at('2026-02-13T12:00:00+02:00'),
          at('not a time'),
          at('+010000-01-01T00:00:00Z'),
          at('-000001-01-01T00:00:00Z'),
          { ...item('tm', 'action', { timestamp: '2026-02-13T10:00:01Z' }), receivedAt },
        ]);
        const times = out.map((o) => (o.ok ? o.event.timestamp : 'x'));
        assert.deepEqual(times, [
          '2026-02-13T10:00:00.000Z',
          receivedAt,
          receivedAt,
          receivedAt,
          '2026-02-13T10:00:01.000Z',
        ]);
        const stored = await s.listEvents('tm', { kinds: ['action'] });
        assert.deepEqual(
          stored.map((e) => e.timestamp),
          times,
        );
      }),
    );

    it(
      'gives new events UUIDv7 ids (time-ordered) and keeps client ids as sent',
      withStore(async (s) => {
        const out = await s.append([item('id', 'action'), item('id', 'action', {}, { id: 'client:1' })]);
        const ids = out.flatMap((o) => (o.ok ? o.committed.map((e) => e.id) : []));
        assert.equal(ids.length, 3);
        for (const id of ids.slice(0, 2))
          assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(ids[0]! < ids[1]!, 'ids made later sort later');
        assert.equal(ids[2], 'client:1');
      }),
    );

    it(
      'stores NUL and unpaired surrogates as U+FFFD, keys included, without failing the rest of the batch',
      withStore(async (s) => {
        const out = await s.append([
          item('odd', 'action', { text: 'a\u0000b', ['k\u0000']: '\ud800x', pair: '\ud83d\ude00' }),
          item('odd', 'action', { text: 'plain' }),
        ]);
        assert.ok(out.every((o) => o.ok));
        const [odd, plain] = await s.listEvents('odd', { kinds: ['action'] });
        assert.deepEqual(odd?.data, { text: 'a\ufffdb', ['k\ufffd']: '\ufffdx', pair: '\ud83d\ude00' });
        assert.deepEqual(out[0]?.ok && out[0].event.data, odd?.data, 'the answer holds what is stored');
        assert.deepEqual(plain?.data, { text: 'plain' });
      }),
    );

    it(
      'lists events with after, upTo, kinds, limit, tail and offset',
      withStore(async (s) => {
        await s.append(Array.from({ length: 9 }, (_, i) => item('le', i % 3 === 2 ? 'response' : 'action', { i })));
        const seqs = async (o: Parameters<Store['listEvents']>[1]) => (await s.listEvents('le', o)).map((e) => e.seq);
        assert.deepEqual(await seqs({}), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.deepEqual(await seqs({ after: 7 }), [8, 9, 10]);
        assert.deepEqual(await seqs({ upTo: 3 }), [1, 2, 3]);
        assert.deepEqual(await seqs({ after: 2, upTo: 5 }), [3, 4, 5]);
        assert.deepEqual(await seqs({ kinds: ['response'] }), [4, 7, 10]);
        assert.deepEqual(await seqs({ limit: 3 }), [1, 2, 3]);
        assert.deepEqual(await seqs({ limit: 3, tail: true }), [8, 9, 10]);
        assert.deepEqual(await seqs({ kinds: ['action'], limit: 2, tail: true, upTo: 8 }), [6, 8]);
        assert.deepEqual(await seqs({ limit: 2, offset: 3 }), [4, 5]);
        assert.deepEqual(await seqs({ after: 10 }), []);
        assert.deepEqual(await s.listEvents('none-such'), []);
        if (s.listEventsRaw) {
          const raw = await s.listEventsRaw('le', { kinds: ['response'], limit: 1 });
          assert.deepEqual(
            raw.map((r) => [r.seq, JSON.parse(r.data)]),
            [[4, { i: 2 }]],
          );
        }
      }),
    );

    it(
      'filters sessions by created range and parent ("none": top level), and sorts by updated',
      withStore(async (s) => {
        const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
        await s.append([item('r0', 'session_created', {}, { timestamp: t(0) })]);
        await s.append([item('r1', 'session_created', { parentSessionId: 'r0' }, { timestamp: t(1) })]);
        await s.append([item('r2', 'session_created', {}, { timestamp: t(2) })]);
        await s.append([item('r0', 'action', { n: 1 })]); // r0 is now the most recently updated
        const ids = async (q: Parameters<Store['listSessions']>[0]) =>
          (await s.listSessions(q)).sessions.map((x) => x.sessionId);
        assert.deepEqual(await ids({}), ['r2', 'r1', 'r0']);
        assert.deepEqual(await ids({ sort: 'updated' }), ['r0', 'r2', 'r1']);
        assert.deepEqual(await ids({ createdAfter: t(1) }), ['r2', 'r1']);
        assert.deepEqual(await ids({ createdBefore: t(1) }), ['r0']);
        assert.deepEqual(await ids({ createdAfter: t(0), createdBefore: t(2) }), ['r1', 'r0']);
        assert.deepEqual(await ids({ createdAfter: '2026-01-01T02:01:00+02:00' }), ['r2', 'r1'], 'any offset');
        await assert.rejects(
          s.listSessions({ createdAfter: 'soon' }),
          (e: { code?: string }) => e.code === 'validation_failed',
        );
        assert.deepEqual(await ids({ parentSessionId: 'none' }), ['r2', 'r0']);
        assert.deepEqual(await ids({ parentSessionId: 'r0' }), ['r1']);
        const page1 = await s.listSessions({ sort: 'updated', limit: 2 });
        const page2 = await s.listSessions({ sort: 'updated', limit: 2, cursor: page1.nextCursor! });
        assert.deepEqual(
          [...page1.sessions, ...page2.sessions].map((x) => x.sessionId),
          ['r0', 'r2', 'r1'],
        );
      }),
    );

    it(
      'deletes sessions that ended before a time (retention), and only those',
      withStore(async (s) => {
        await s.append([
          item('old', 'session_created'),
          item('open', 'session_created'),
          item('new', 'session_created'),
        ]);
        await s.append([item('old', 'session_finalized', { status: 'completed' })]);
        const cut = new Date(Date.now() + 60_000).toISOString();
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(await s.deleteEndedBefore(new Date(Date.now() - 3_600_000).toISOString()), 0);
        assert.equal(await s.deleteEndedBefore(cut), 1);
        assert.equal(await s.getSession('old'), undefined);
        assert.deepEqual(await s.listEvents('old'), []);
        assert.ok(await s.getSession('open'));
        await s.append([item('new', 'session_finalized', { status: 'failed' })]);
        assert.equal(await s.deleteEndedBefore(new Date(Date.now() + 60_000).toISOString()), 1);
        assert.deepEqual(
          (await s.listSessions({})).sessions.map((x) => x.sessionId),
          ['open'],
        );
      }),
    );

    it(
      'computes analytics: events over time, tokens, tool calls and errors, durations, busiest sessions',
      withStore(async (s) => {
        const t = (m: number) => new Date(Date.UTC(2026, 4, 1, 0, m)).toISOString();
        const at = (sessionId: string, kind: AppendItem['input']['kind'], data: Record<string, unknown>, m: number) =>
          item(sessionId, kind, data, { timestamp: t(m) });
        await s.append([
          at('an1', 'session_created', { type: 'coder' }, 0),
          at('an1', 'action', { tool: 'Bash', usage: { input_tokens: 10, output_tokens: 2 } }, 1),
          at('an1', 'action', { tool: 'Bash', isError: true }, 2),
          at('an1', 'action', { type: 'tool_call', toolName: 'Read' }, 61),
          at('an1', 'response', { usage: { input: 5, output: 7 } }, 62),
          at('an1', 'session_finalized', { status: 'completed' }, 63),
          at('an2', 'session_created', {}, 5),
          at('an2', 'action', { type: 'note', text: 'no tool' }, 6),
        ]);
        const a = await s.analytics({ from: t(0), to: t(120), bucketMs: 3_600_000 });
        assert.equal(a.toolCalls, 3);
        assert.equal(a.toolErrors, 1);
        assert.deepEqual(
          [...a.tools].sort((x, y) => String(x.tool).localeCompare(String(y.tool))),
          [
            { tool: 'Bash', calls: 2, errors: 1 },
            { tool: 'Read', calls: 1, errors: 0 },
          ],
        );
        const perHour = new Map<number, number>();
        for (const b of a.eventsOverTime) perHour.set(b.t, (perHour.get(b.t) ?? 0) + b.n);
        assert.deepEqual([...perHour.values()], [5, 3]);
        const tokens = a.tokensOverTime.reduce((n, b) => ({ input: n.input + b.input, output: n.output + b.output }), {
          input: 0,
          output: 0,
        });
        assert.deepEqual(tokens, { input: 15, output: 9 });
        assert.deepEqual(
          a.durations.map((d) => [d.sessionId, d.status, d.durationMs]),
          [['an1', 'completed', 63 * 60_000]],
        );
        assert.deepEqual(
          a.busiest.slice(0, 2).map((b) => [b.sessionId, b.events]),
          [
            ['an1', 6],
            ['an2', 2],
          ],
        );
        const none = await s.analytics({ from: t(200), to: t(300), bucketMs: 60_000 });
        assert.deepEqual([none.toolCalls, none.eventsOverTime.length, none.busiest.length], [0, 0, 0]);
      }),
    );

    it(
      'commits an item made withPrevious only with the item before it, built from its event',
      withStore(async (s) => {
        await s.append([item('gov', 'session_created')]);
        const spawn = (agentId: string): AppendItem[] => [
          item('gov', 'agent_spawned', { agentId, type: 'coder' }),
          {
            ...item(`gov.${agentId}`, 'session_created'),
            withPrevious: (ev, parent) => ({
              sessionId: `gov.${agentId}`,
              kind: 'session_created',
              id: `spawned-by:${parent.sessionId}:${String(ev.data.agentId)}`,
              data: { parentSessionId: parent.sessionId, initial: { agentId: ev.data.agentId } },
            }),
          },
        ];
        const [a, child] = await s.append(spawn('a1'));
        assert.ok(a?.ok && child?.ok);
        assert.equal(child.event.id, 'spawned-by:gov:a1');
        assert.equal((await s.getSession('gov.a1'))?.parentSessionId, 'gov');
        // Spawning a1 again is refused (duplicate_id): its child item fails with the same error and writes nothing.
        const again = await s.append([...spawn('a1').slice(0, 1), spawn('a2')[1]!]);
        assert.deepEqual(
          again.map((o) => !o.ok && o.error.code),
          ['duplicate_id', 'duplicate_id'],
        );
        assert.equal(await s.getSession('gov.a2'), undefined);
        // A duplicate spawn (same event id) still makes a missing child: the retry of a request whose answer was lost.
        const first = await s.append([{ ...item('gov', 'agent_spawned', { agentId: 'a3' }, { id: 'sp3' }) }]);
        assert.ok(first[0]?.ok);
        const retry = await s.append([item('gov', 'agent_spawned', { agentId: 'a3' }, { id: 'sp3' }), spawn('a3')[1]!]);
        assert.ok(retry[0]?.ok && retry[0].duplicate && retry[1]?.ok && !retry[1].duplicate);
        assert.equal((await s.getSession('gov.a3'))?.parentSessionId, 'gov');
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
