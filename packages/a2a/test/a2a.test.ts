/**
 * @tether/a2a against a real server: conversations keyed by contextId (new task id per send), the @a2a-js/sdk TaskStore
 * surviving a fresh store instance, the memory tool across contexts and per scope.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Role, TaskState, type Message, type Task } from '@a2a-js/sdk';
import { ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';
import { TetherClient } from '@tether/client';
import { startTestServer } from '../../server/test/helpers.ts';
import { ConversationStore, MemoryTool, TetherTaskStore, contextSessionId, taskSessionId } from '../src/index.ts';

const msg = (contextId: string, text: string, role = Role.ROLE_USER, taskId = ''): Message => ({
  messageId: randomUUID(),
  contextId,
  taskId,
  role,
  parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }],
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});

test('two sends with new task ids share one context session, in order; files by reference', async () => {
  const server = await startTestServer();
  try {
    const client = new TetherClient({ baseUrl: server.url });
    const store = new ConversationStore(client);
    const ctx = `ctx-${randomUUID()}`;
    assert.deepEqual(await store.history(ctx), []);
    for (const [i, text] of ['my name is Hongming', 'what is my name?'].entries()) {
      const taskId = `task-${i}-${randomUUID()}`;
      await store.append(msg(ctx, text), { taskId });
      await store.append(msg(ctx, `reply ${i}`, Role.ROLE_AGENT, taskId));
    }
    const file: Message = {
      ...msg(ctx, 'see'),
      parts: [
        {
          content: { $case: 'raw', value: Buffer.from('secret numbers 12%') },
          metadata: undefined,
          filename: 'q.txt',
          mediaType: 'text/plain',
        },
      ],
    };
    await store.append(file, { fileUrls: { 0: 'workspace:uploads/q.txt' } });
    await store.append(file); // a retry: same messageId, stored once
    const h = await store.history(ctx);
    assert.deepEqual(
      h.map((m) => [m.role, m.parts[0]]),
      [
        ['user', { kind: 'text', text: 'my name is Hongming' }],
        ['agent', { kind: 'text', text: 'reply 0' }],
        ['user', { kind: 'text', text: 'what is my name?' }],
        ['agent', { kind: 'text', text: 'reply 1' }],
        [
          'user',
          {
            kind: 'file',
            filename: 'q.txt',
            mediaType: 'text/plain',
            url: 'workspace:uploads/q.txt',
            size: 18,
            sha256: h[4]!.parts[0]!.kind === 'file' ? h[4]!.parts[0]!.sha256 : null,
          },
        ],
      ],
    );
    assert.equal((await store.history(ctx, 2)).length, 2);
    const raw = JSON.stringify(await client.sessions.events(contextSessionId(ctx)));
    assert.ok(!raw.includes(Buffer.from('secret numbers 12%').toString('base64')) && !raw.includes('secret numbers'));
  } finally {
    await server.stop();
  }
});

test('TetherTaskStore: save, load from a fresh store, owner scoping, list by context', async () => {
  const server = await startTestServer();
  try {
    const client = new TetherClient({ baseUrl: server.url });
    const call = new ServerCallContext({ user: new UnauthenticatedUser() });
    const ctx = `ctx-${randomUUID()}`;
    const task: Task = {
      id: randomUUID(),
      contextId: ctx,
      history: [msg(ctx, 'hello')],
      metadata: { k: 'v' },
      status: {
        state: TaskState.TASK_STATE_COMPLETED,
        message: msg(ctx, 'done', Role.ROLE_AGENT),
        timestamp: new Date().toISOString(),
      },
      artifacts: [
        {
          artifactId: 'a1',
          name: 'answer',
          description: '',
          parts: [{ content: { $case: 'text', value: '42' }, metadata: undefined, filename: '', mediaType: '' }],
          metadata: undefined,
          extensions: [],
        },
      ],
    };
    await new TetherTaskStore(client).save(task, call);
    const loaded = await new TetherTaskStore(client).load(task.id, call);
    assert.equal(loaded?.id, task.id);
    assert.equal(loaded?.status?.state, TaskState.TASK_STATE_COMPLETED);
    assert.equal(
      loaded?.artifacts[0]?.parts[0]?.content?.$case === 'text' && loaded.artifacts[0].parts[0].content.value,
      '42',
    );
    assert.equal(
      loaded?.history[0]?.parts[0]?.content?.$case === 'text' && loaded.history[0].parts[0].content.value,
      'hello',
    );
    assert.equal(
      await new TetherTaskStore(client, { ownerResolver: () => 'someone-else' }).load(task.id, call),
      undefined,
    );
    assert.equal(await new TetherTaskStore(client).load('no-such-task', call), undefined);
    const listed = await new TetherTaskStore(client).list(
      { contextId: ctx } as Parameters<TetherTaskStore['list']>[0],
      call,
    );
    assert.deepEqual(
      listed.tasks.map((t) => t.id),
      [task.id],
    );
    const children = await client.sessions.children(contextSessionId(ctx));
    assert.deepEqual(
      children.sessions.map((s) => s.sessionId),
      [taskSessionId(task.id)],
    );
  } finally {
    await server.stop();
  }
});

test('MemoryTool: a fact committed in one context is recalled in another, per user', async () => {
  const server = await startTestServer();
  try {
    const client = new TetherClient({ baseUrl: server.url });
    const memory = new MemoryTool(client.store);
    const alice = { kind: 'user' as const, id: `alice-${randomUUID()}` };
    await memory.commitMemory('my favorite color is blue', alice, 'ctx-a');
    await memory.commitMemory('the deploy window is Friday', alice);
    assert.deepEqual(await memory.recallMemory('What is my favorite color?', alice), ['my favorite color is blue']);
    assert.deepEqual(
      await memory.recallMemory('What is my favorite color?', { kind: 'user', id: `bob-${randomUUID()}` }),
      [],
    );
    assert.equal((await client.store.searchItems(['a2a', 'memories', 'user', alice.id], { limit: 10 })).length, 2);
  } finally {
    await server.stop();
  }
});
