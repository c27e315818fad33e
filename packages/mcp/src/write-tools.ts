import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { EventInput } from '@tether/protocol';
import type { TetherBackend } from './backend.js';
import { ok, toolError } from './result.js';
import { requireScope, type McpCaller } from './scopes.js';

const SessionId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a session id is 1–128 characters of A-Za-z0-9._:-')
  .describe('The session (created by its first event when unknown)');
const EventId = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Idempotency key: a retry with the same id is stored once');
const Json = z.record(z.string(), z.unknown());

/** The object without its undefined members (optional arguments that were not given). */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** What every write tool answers. */
export const WriteResult = {
  session_id: z.string(),
  seq: z.number().int().describe("The event's position in the session log"),
  event_id: z.string(),
  duplicate: z.boolean().describe('True when an event with this event_id was stored before (nothing was added)'),
  state_version: z.number().int(),
  status: z.string().describe("The session's status after the event"),
};

// Append-only: no write tool deletes anything (every earlier state can be replayed), so none is destructive;
// writes without an event_id add a new event each time, so they are not idempotent.
const APPEND = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;

/**
 * Registers Tether's write tools (scope `ingest`): create_session, log_action, log_response, patch_state, add_goal,
 * update_goal, spawn_agent, complete_agent, finalize_session. Each appends one ordinary event through the backend.
 */
export function registerWriteTools(server: McpServer, backend: TetherBackend, caller: McpCaller): void {
  const append = async (input: EventInput, extra?: () => Promise<void>) => {
    try {
      requireScope(caller, 'ingest');
      const r = await backend.append(input.data ? { ...input, data: compact(input.data) } : input);
      if (extra) await extra();
      return ok({
        session_id: r.event.sessionId,
        seq: r.event.seq,
        event_id: r.event.id,
        duplicate: r.duplicate,
        state_version: r.session.stateVersion,
        status: r.session.status,
      });
    } catch (err) {
      return toolError(err);
    }
  };
  const withId = (id: string | undefined) => (id ? { id } : {});

  server.registerTool(
    'create_session',
    {
      title: 'Create a session',
      description:
        'Creates a session with its owner, type, tags and metadata (optional: the first event of an unknown session creates it).',
      inputSchema: {
        session_id: SessionId,
        user_id: z.string().max(256).optional(),
        type: z.string().max(128).optional(),
        tags: z.array(z.string().max(128)).max(64).optional(),
        metadata: Json.optional(),
        initial: Json.optional(),
        parent_session_id: SessionId.optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Create a session' },
    },
    async (a) =>
      append({
        sessionId: a.session_id,
        kind: 'session_created',
        ...withId(a.event_id),
        data: {
          userId: a.user_id,
          type: a.type,
          tags: a.tags,
          metadata: a.metadata,
          initial: a.initial,
          parentSessionId: a.parent_session_id,
        },
      }),
  );

  for (const [name, kind, what] of [
    ['log_action', 'action', 'an action (a tool call, a command, a step)'],
    ['log_response', 'response', 'a response (model output)'],
  ] as const) {
    const field = kind === 'action' ? 'action' : 'response';
    server.registerTool(
      name,
      {
        title: `Log ${what.split(' (')[0]}`,
        description: `Appends ${what} to the session log. ${field} is any JSON object; type, tool, input, output, error, usage, content are understood.`,
        inputSchema: {
          session_id: SessionId,
          [field]: Json.describe('The event data (any JSON object)'),
          event_id: EventId,
        },
        outputSchema: WriteResult,
        annotations: { ...APPEND, title: `Log ${what.split(' (')[0]}` },
      },
      async (a: Record<string, unknown>) =>
        append({
          sessionId: a.session_id as string,
          kind,
          ...withId(a.event_id as string | undefined),
          data: a[field] as Record<string, unknown>,
        }),
    );
  }

  server.registerTool(
    'patch_state',
    {
      title: 'Patch the state',
      description:
        'Merge-patches the session state (RFC 7396: null removes a key). With expected_version, a different current version refuses the patch (version_mismatch) and changes nothing.',
      inputSchema: {
        session_id: SessionId,
        patch: Json.describe('RFC 7396 merge patch of the state'),
        expected_version: z.number().int().min(0).optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Patch the state' },
    },
    async (a) =>
      append({
        sessionId: a.session_id,
        kind: 'state_patched',
        ...withId(a.event_id),
        ...(a.expected_version !== undefined ? { expectedVersion: a.expected_version } : {}),
        data: { patch: a.patch },
      }),
  );

  server.registerTool(
    'add_goal',
    {
      title: 'Add a goal',
      description:
        'Adds a goal to the session state (goal_id generated when absent; status pending, priority medium by default).',
      inputSchema: {
        session_id: SessionId,
        description: z.string().max(10_000),
        goal_id: z.string().min(1).max(200).optional(),
        priority: z.string().max(64).optional(),
        status: z.string().max(64).optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Add a goal' },
    },
    async (a) =>
      append({
        sessionId: a.session_id,
        kind: 'goal_added',
        ...withId(a.event_id),
        data: { description: a.description, goalId: a.goal_id, priority: a.priority, status: a.status },
      }),
  );

  server.registerTool(
    'update_goal',
    {
      title: 'Update a goal',
      description: 'Updates a goal (status completed sets completedAt). Unknown goal: goal_not_found.',
      inputSchema: {
        session_id: SessionId,
        goal_id: z.string().min(1).max(200),
        status: z.string().max(64).optional(),
        description: z.string().max(10_000).optional(),
        priority: z.string().max(64).optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Update a goal' },
    },
    async (a) =>
      append({
        sessionId: a.session_id,
        kind: 'goal_updated',
        ...withId(a.event_id),
        data: {
          goalId: a.goal_id,
          ...(a.status ? { status: a.status } : {}),
          ...(a.description ? { description: a.description } : {}),
          ...(a.priority ? { priority: a.priority } : {}),
        },
      }),
  );

  server.registerTool(
    'spawn_agent',
    {
      title: 'Spawn a sub-agent',
      description:
        'Records a spawned sub-agent in the state. With child_session_id, the child session is created with parentSessionId = this session.',
      inputSchema: {
        session_id: SessionId,
        agent_type: z.string().max(128),
        task: z.unknown().optional(),
        agent_id: z.string().min(1).max(200).optional(),
        child_session_id: SessionId.optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Spawn a sub-agent' },
    },
    async (a) => {
      const agentId = a.agent_id ?? `agent-${crypto.randomUUID().slice(0, 8)}`;
      return append(
        {
          sessionId: a.session_id,
          kind: 'agent_spawned',
          ...withId(a.event_id),
          data: { agentId, type: a.agent_type, task: a.task, childSessionId: a.child_session_id },
        },
        async () => {
          if (!a.child_session_id || (await backend.getSession(a.child_session_id))) return;
          await backend.append({
            sessionId: a.child_session_id,
            kind: 'session_created',
            id: `spawned-by:${a.session_id}:${agentId}`,
            data: { parentSessionId: a.session_id, type: a.agent_type, initial: { task: a.task ?? null, agentId } },
          });
        },
      );
    },
  );

  server.registerTool(
    'complete_agent',
    {
      title: 'Complete a sub-agent',
      description: 'Marks a sub-agent completed (or failed) with its result. Unknown agent: agent_not_found.',
      inputSchema: {
        session_id: SessionId,
        agent_id: z.string().min(1).max(200),
        result: z.unknown().optional(),
        status: z.string().max(64).optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Complete a sub-agent' },
    },
    async (a) =>
      append({
        sessionId: a.session_id,
        kind: 'agent_completed',
        ...withId(a.event_id),
        data: {
          agentId: a.agent_id,
          ...(a.result !== undefined ? { result: a.result } : {}),
          ...(a.status ? { status: a.status } : {}),
        },
      }),
  );

  server.registerTool(
    'finalize_session',
    {
      title: 'Finalize a session',
      description:
        'Ends the session: status completed (default), failed or abandoned, with its outcome (final, any JSON). The duration is the end time minus the start.',
      inputSchema: {
        session_id: SessionId,
        status: z.enum(['completed', 'failed', 'abandoned']).optional(),
        final: z.unknown().optional(),
        timestamp: z.iso.datetime({ offset: true }).optional(),
        event_id: EventId,
      },
      outputSchema: WriteResult,
      annotations: { ...APPEND, title: 'Finalize a session' },
    },
    async (a) =>
      append({
        sessionId: a.session_id,
        kind: 'session_finalized',
        ...withId(a.event_id),
        ...(a.timestamp ? { timestamp: new Date(a.timestamp).toISOString() } : {}),
        data: { status: a.status ?? 'completed', ...(a.final !== undefined ? { final: a.final } : {}) },
      }),
  );
}
