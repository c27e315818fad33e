import { APIStatusError, type TetherClient } from '@tether/client';
import { Task } from '@a2a-js/sdk';
import { resolveUserScope, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';
import { DEFAULT_PREFIX, contextSessionId } from './conversation-store.js';

type ListTasksRequest = Parameters<TaskStore['list']>[0];
type ListTasksResponse = Awaited<ReturnType<TaskStore['list']>>;

/** The Tether session id of an A2A task (`a2a-task:<taskId>`). */
export const taskSessionId = (taskId: string): string => contextSessionId(taskId, 'a2a-task:');

/**
 * `@a2a-js/sdk`'s `TaskStore` in Tether: each task a session `a2a-task:<taskId>` (type `a2a_task`) under its context's
 * session, the task's proto3 JSON (`Task.toJSON`) in the state under `task`, the owner (`resolveUserScope`) under
 * `owner`. Same layout as Python's `tether.a2a.TetherTaskStore`, so runtimes in either language share tasks.
 */
export class TetherTaskStore implements TaskStore {
  private readonly created = new Set<string>();

  constructor(
    readonly client: TetherClient,
    readonly opts: { contextPrefix?: string; ownerResolver?: (c: ServerCallContext) => string } = {},
  ) {}

  private owner(c: ServerCallContext): string {
    return (this.opts.ownerResolver ?? resolveUserScope)(c);
  }

  private async create(body: Parameters<TetherClient['sessions']['create']>[0]): Promise<void> {
    try {
      await this.client.sessions.create(body);
    } catch (err) {
      if (!(err instanceof APIStatusError && err.status === 409)) throw err;
    }
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const sid = taskSessionId(task.id);
    const owner = this.owner(context);
    if (!this.created.has(sid)) {
      const parent = contextSessionId(task.contextId, this.opts.contextPrefix ?? DEFAULT_PREFIX);
      await this.create({ sessionId: parent, type: 'a2a_context' });
      await this.create({
        sessionId: sid,
        type: 'a2a_task',
        parentSessionId: parent,
        ...(owner ? { userId: owner } : {}),
      });
      this.created.add(sid);
    }
    const json = Task.toJSON(task) as Record<string, unknown>;
    const status = (json.status ?? {}) as Record<string, unknown>;
    const value = {
      ...json,
      status: { state: status.state ?? null, message: status.message ?? null, timestamp: status.timestamp ?? null },
      artifacts: json.artifacts ?? [],
      history: json.history ?? [],
      metadata: json.metadata ?? null,
    };
    const res = await this.client.ingest([
      { sessionId: sid, kind: 'state_patched', data: { patch: { owner, task: value } } },
    ]);
    if (res.results[0]?.seq === undefined)
      throw new Error(`saving task ${task.id} was rejected: ${res.results[0]?.detail ?? ''}`);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    let state: Record<string, unknown>;
    try {
      state = (await this.client.sessions.state(taskSessionId(taskId))) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof APIStatusError && err.status === 404) return undefined;
      throw err;
    }
    if (!state.task || state.owner !== this.owner(context)) return undefined;
    return fromState(state.task as Record<string, unknown>);
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const owner = this.owner(context);
    const ids = params.contextId
      ? (
          await this.client.sessions
            .children(contextSessionId(params.contextId, this.opts.contextPrefix ?? DEFAULT_PREFIX))
            .catch(() => ({ sessions: [] }))
        ).sessions
          .filter((s) => s.type === 'a2a_task')
          .map((s) => s.sessionId)
      : (await this.client.sessions.list({ type: 'a2a_task', limit: 200 })).sessions.map((s) => s.sessionId);
    const tasks: Task[] = [];
    for (const sid of ids) {
      const state = (await this.client.sessions.state(sid)) as Record<string, unknown>;
      if (state.owner !== owner || !state.task) continue;
      const t = fromState(state.task as Record<string, unknown>);
      if (params.status && t.status?.state !== params.status) continue;
      tasks.push(t);
    }
    tasks.sort(
      (a, b) =>
        String(b.status?.timestamp ?? '').localeCompare(String(a.status?.timestamp ?? '')) || b.id.localeCompare(a.id),
    );
    const pageSize = params.pageSize ?? 50;
    return {
      tasks: tasks.slice(0, pageSize),
      nextPageToken: '',
      pageSize,
      totalSize: tasks.length,
    } as ListTasksResponse;
  }
}

function fromState(v: Record<string, unknown>): Task {
  const status = Object.fromEntries(
    Object.entries((v.status ?? {}) as Record<string, unknown>).filter(([, x]) => x !== null),
  );
  const clean = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
  return Task.fromJSON({ ...clean, status });
}
