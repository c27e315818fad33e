/**
 * The LangGraph checkpoint part of the storage contract (issue 14): every Store adapter must pass it
 * (langgraph-store.test.ts runs it on SQLite and PostgreSQL). It speaks only the Store interface.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendItem, Store } from '../src/index.js';
import type { CheckpointRows } from '../src/storage/checkpoints.js';

const at = () => new Date().toISOString();
const bytes = (s: string) => new TextEncoder().encode(s);

function put(
  sessionId: string,
  threadId: string,
  ns: string,
  id: string,
  parentId: string | null,
  versions: Record<string, string>,
  blobs: Record<string, string>,
  metadata: Record<string, unknown> = {},
): AppendItem {
  const rows: CheckpointRows = {
    threadId,
    ns,
    checkpoint: {
      checkpointId: id,
      parentId,
      type: 'json',
      data: bytes(`{"id":"${id}"}`),
      metadata,
      channelVersions: versions,
    },
    blobs: Object.entries(blobs).map(([channel, v]) => ({
      channel,
      version: versions[channel]!,
      type: 'json',
      data: bytes(v),
    })),
  };
  return {
    input: { sessionId, kind: 'checkpoint', data: { threadId, checkpointNs: ns, checkpointId: id } },
    autoCreate: true,
    receivedAt: at(),
    checkpoint: rows,
  };
}

function writes(
  sessionId: string,
  threadId: string,
  ns: string,
  checkpointId: string,
  taskId: string,
  items: Array<[number, string, string]>,
  replace = false,
): AppendItem {
  return {
    input: { sessionId, kind: 'checkpoint_writes', data: { threadId, checkpointId } },
    autoCreate: true,
    receivedAt: at(),
    checkpoint: {
      threadId,
      ns,
      writes: {
        checkpointId,
        replace,
        items: items.map(([idx, channel, v]) => ({ taskId, idx, channel, type: 'json', data: bytes(v), taskPath: '' })),
      },
    },
  };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

export function runCheckpointContract(
  name: string,
  make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract, LangGraph checkpoints: ${name}`, () => {
    const withStore = (fn: (s: Store) => Promise<void>) => async () => {
      const { store, cleanup } = await make();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    };

    it(
      'stores a checkpoint as an event with its rows; joins the blobs of its versions; a blob is stored once',
      withStore(async (s) => {
        const out = await s.append([
          put('lg:t', 't', '', '01', null, { a: '1', b: '1' }, { a: '"A1"', b: '"B1"' }, { step: 0, source: 'input' }),
          put(
            'lg:t',
            't',
            '',
            '02',
            '01',
            { a: '2', b: '1' },
            { a: '"A2"', b: '"B1 again"' },
            { step: 1, source: 'loop' },
          ),
        ]);
        assert.ok(out.every((o) => o.ok));
        const events = await s.listEvents('lg:t');
        assert.deepEqual(
          events.map((e) => e.kind),
          ['session_created', 'checkpoint', 'checkpoint'],
        );
        const [latest, first] = await s.listCheckpoints({ threadId: 't', ns: '' });
        assert.equal(latest?.checkpointId, '02');
        assert.equal(latest?.parentId, '01');
        assert.equal(latest?.seq, 3);
        assert.equal(text(latest!.data), '{"id":"02"}');
        const values = Object.fromEntries(latest!.blobs.map((b) => [b.channel, text(b.data)]));
        assert.deepEqual(values, { a: '"A2"', b: '"B1"' }, 'b at version 1 was stored by the first put and kept');
        assert.deepEqual(Object.fromEntries(first!.blobs.map((b) => [b.channel, text(b.data)])), {
          a: '"A1"',
          b: '"B1"',
        });
        assert.deepEqual(latest?.metadata, { step: 1, source: 'loop' });
      }),
    );

    it(
      'filters by namespace, id, before, metadata (a missing key equals null) and limits, newest first',
      withStore(async (s) => {
        await s.append([
          put('lg:f', 'f', '', '01', null, {}, {}, { step: 0, source: 'input', user: 'u1' }),
          put('lg:f', 'f', '', '02', '01', {}, {}, { step: 1, source: 'loop', user: 'u1', nested: { k: [1, 2] } }),
          put('lg:f', 'f', 'child:1', '03', null, {}, {}, { step: 0, source: 'loop' }),
          put('lg:g', 'g', '', '04', null, {}, {}, { step: 0, source: 'loop' }),
        ]);
        const ids = async (q: Parameters<Store['listCheckpoints']>[0]) =>
          (await s.listCheckpoints(q)).map((c) => c.checkpointId);
        assert.deepEqual(await ids({ threadId: 'f' }), ['03', '02', '01']);
        assert.deepEqual(await ids({ threadId: 'f', ns: '' }), ['02', '01']);
        assert.deepEqual(await ids({ threadId: 'f', ns: 'child:1' }), ['03']);
        assert.deepEqual(await ids({ threadId: 'f', ns: '', checkpointId: '01' }), ['01']);
        assert.deepEqual(await ids({ threadId: 'f', ns: '', before: '02' }), ['01']);
        assert.deepEqual(await ids({ threadId: 'f', ns: '', limit: 1 }), ['02']);
        assert.deepEqual(await ids({ filter: { source: 'loop' } }), ['04', '03', '02']);
        assert.deepEqual(await ids({ filter: { source: 'loop', step: 1 } }), ['02']);
        assert.deepEqual(await ids({ filter: { nested: { k: [1, 2] } } }), ['02']);
        assert.deepEqual(await ids({ threadId: 'f', filter: { user: null } }), ['03']);
        assert.deepEqual(await ids({ filter: { step: '1' } }), [], 'the string "1" is not the number 1');
      }),
    );

    it(
      'keeps the first pending write per (task, idx) unless asked to replace; writes belong to one checkpoint',
      withStore(async (s) => {
        await s.append([put('lg:w', 'w', '', '01', null, {}, {}), put('lg:w', 'w', '', '02', '01', {}, {})]);
        await s.append([
          writes('lg:w', 'w', '', '01', 'task-b', [
            [0, 'x', '"1"'],
            [1, 'y', '"2"'],
          ]),
          writes('lg:w', 'w', '', '01', 'task-a', [[0, 'x', '"a"']]),
        ]);
        await s.append([writes('lg:w', 'w', '', '01', 'task-b', [[0, 'x', '"again"']])]);
        await s.append([
          writes('lg:w', 'w', '', '01', 'task-a', [[-1, '__error__', '"e1"']], true),
          writes('lg:w', 'w', '', '01', 'task-a', [[-1, '__error__', '"e2"']], true),
        ]);
        const [second, first] = await s.listCheckpoints({ threadId: 'w', ns: '' });
        assert.deepEqual(second?.writes, []);
        assert.deepEqual(
          first?.writes.map((w) => [w.taskId, w.idx, w.channel, text(w.data)]),
          [
            ['task-a', -1, '__error__', '"e2"'],
            ['task-a', 0, 'x', '"a"'],
            ['task-b', 0, 'x', '"1"'],
            ['task-b', 1, 'y', '"2"'],
          ],
        );
        assert.equal(
          (await s.listEvents('lg:w', { kinds: ['checkpoint_writes'] })).length,
          5,
          'every put of writes is in the log',
        );
      }),
    );

    it(
      'refuses checkpoint events without their rows, and rows that failed leave nothing',
      withStore(async (s) => {
        const [bare] = await s.append([
          { input: { sessionId: 'lg:x', kind: 'checkpoint', data: {} }, autoCreate: true, receivedAt: at() },
        ]);
        assert.equal(!bare?.ok && bare?.error.code, 'validation_failed');
        const [refused] = await s.append([{ ...put('lg:x', 'x', '', '01', null, {}, {}), autoCreate: false }]);
        assert.equal(!refused?.ok && refused?.error.code, 'session_not_found');
        assert.deepEqual(await s.listCheckpoints({ threadId: 'x' }), []);
      }),
    );

    it(
      'deleting the session deletes its checkpoints, blobs and writes, and nothing of other threads',
      withStore(async (s) => {
        await s.append([
          put('lg:d', 'd', '', '01', null, { a: '1' }, { a: '"A"' }),
          put('lg:d', 'd', 'child', '02', null, {}, {}),
          put('lg:e', 'e', '', '03', null, { a: '1' }, { a: '"E"' }),
        ]);
        await s.append([writes('lg:d', 'd', '', '01', 't', [[0, 'x', '"1"']])]);
        assert.equal(await s.deleteSession('lg:d'), true);
        assert.deepEqual(await s.listCheckpoints({ threadId: 'd' }), []);
        // A new thread of the same id starts empty: no blob or write of the old one shows through.
        await s.append([put('lg:d', 'd', '', '01', null, { a: '1' }, {})]);
        const [again] = await s.listCheckpoints({ threadId: 'd' });
        assert.deepEqual(again?.blobs, []);
        assert.deepEqual(again?.writes, []);
        const [other] = await s.listCheckpoints({ threadId: 'e' });
        assert.equal(text(other!.blobs[0]!.data), '"E"');
      }),
    );
  });
}
