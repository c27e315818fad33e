/**
 * Schemas of the seed routes: the prototype's (matemorotz/claude-session-infrastructure) request and response bodies,
 * field for field. Objects stay open (`additionalProperties: true`): the prototype stored what clients posted.
 */
import Type from 'typebox';
import { JsonObject, SessionIdSchema } from './events.js';

const Open = { additionalProperties: true } as const;
const Any = JsonObject();

/** `{success: true}`: the prototype's answer to every write. */
export const SeedAckSchema = Type.Object({ success: Type.Boolean() });

/** `POST /api/sessions` body: all three fields required, as the prototype. */
export const SeedCreateBodySchema = Type.Object(
  {
    sessionId: SessionIdSchema,
    userId: Type.String({ minLength: 1, maxLength: 256 }),
    initial: Any,
  },
  Open,
);

/** `POST /api/sessions` answer; `path` names the session's place in the store (never a server file path). */
export const SeedCreatedSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  path: Type.String(),
});

/** metadata.json. */
export const SeedMetadataSchema = Type.Object(
  {
    $schema: Type.String(),
    sessionId: Type.String(),
    userId: Type.Union([Type.String(), Type.Null()]),
    sandboxId: Type.Null(),
    created: Type.String(),
    updated: Type.String(),
    status: Type.String(),
    model: Type.String(),
    yoloMode: Type.Optional(Type.Unknown()),
    tokenUsage: Type.Object({ input: Type.Number(), output: Type.Number(), total: Type.Number() }),
    metrics: Type.Object({
      agentsSpawned: Type.Integer(),
      toolCalls: Type.Integer(),
      mcpCalls: Type.Integer(),
      filesModified: Type.Integer(),
      bashCommands: Type.Integer(),
    }),
    tags: Type.Array(Type.String()),
    parentSession: Type.Union([Type.String(), Type.Null()]),
    subsessions: Type.Array(Type.Unknown()),
    duration: Type.Optional(Type.Number({ description: 'ms from creation to finalize' })),
  },
  { ...Open, $id: 'SeedMetadata' },
);

/** state.json. */
export const SeedStateSchema = Type.Object(
  {
    $schema: Type.String(),
    version: Type.Integer(),
    timestamp: Type.String(),
    phase: Type.Optional(Type.Unknown()),
    currentStep: Type.Optional(Type.Unknown()),
    goals: Type.Array(Type.Object({ id: Type.String(), status: Type.String() }, Open)),
    priorities: Type.Optional(Type.Unknown()),
    expectedOutcome: Type.Optional(Type.Unknown()),
    agents: Type.Object(
      { spawned: Type.Array(Any), active: Type.Array(Type.String()), completed: Type.Array(Type.String()) },
      Open,
    ),
    mcp: Type.Optional(Type.Unknown()),
    workspace: Type.Optional(Type.Unknown()),
    errors: Type.Optional(Type.Unknown()),
  },
  { ...Open, $id: 'SeedState' },
);

/** A line of actions.jsonl / responses.jsonl: `{seq, timestamp, ...body}`. */
export const SeedEntrySchema = Type.Object(
  { seq: Type.Optional(Type.Unknown()), timestamp: Type.Optional(Type.Unknown()) },
  Open,
);

/** The prototype's agent record (the answer of `POST /api/state/:id/agents`). */
export const SeedAgentSchema = Type.Object(
  {
    agentId: Type.String(),
    type: Type.Optional(Type.Unknown()),
    task: Type.Optional(Type.Unknown()),
    status: Type.String(),
    spawnedAt: Type.String(),
    subsession: Type.Optional(Type.Unknown()),
    completedAt: Type.Optional(Type.String()),
  },
  Open,
);

/** `GET /api/query/stats`. */
export const SeedStatsSchema = Type.Object({
  total: Type.Integer(),
  active: Type.Integer(),
  completed: Type.Integer(),
  activeSessions: Type.Array(Type.String()),
  completedSessions: Type.Array(Type.String()),
});

/** An entry of `GET /api/sessions/user/:userId` (the prototype's index.json). */
export const SeedUserSessionSchema = Type.Object({
  sessionId: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  created: Type.String(),
});

/** Paging of the seed routes' arrays (Tether's addition; the prototype had only `limit` on actions). */
export const SeedPageQuerySchema = Type.Object({
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'At most this many entries (the first ones, as the prototype); capped by TETHER_RESPONSE_MAX_ITEMS',
    }),
  ),
  offset: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Skip this many entries first (from the Link rel="next" header)' }),
  ),
});
