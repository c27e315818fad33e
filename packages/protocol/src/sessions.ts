import Type, { type Static } from 'typebox';
import { JsonObject, SessionIdSchema, SessionStatusSchema } from './events.js';

const Obj = JsonObject();

/** Token counts summed over the session (the seed's metadata.tokenUsage, plus cache counters). */
export interface TokenUsage {
  input: number;
  output: number;
  total: number;
  cacheRead?: number;
  cacheCreation?: number;
}

/** Counters derived from the event log; clients cannot set them. */
export interface SessionMetrics {
  events: number;
  actions: number;
  responses: number;
  toolCalls: number;
  toolErrors: number;
  bashCommands: number;
  filesModified: number;
  mcpCalls: number;
  agentsSpawned: number;
  agentsCompleted: number;
  goals: number;
  /** The prototype's five counters (metadata.json `metrics`), counted its way: each action by its `type`. */
  seed?: SeedMetrics;
}

/** The prototype's metadata.json `metrics`: each action counts once, by `type` (task_spawn, tool_call, mcp_call, file_write/file_edit, bash_exec; any other type counts as a tool call); spawned agents count too. */
export interface SeedMetrics {
  agentsSpawned: number;
  toolCalls: number;
  mcpCalls: number;
  filesModified: number;
  bashCommands: number;
}

/** The seed's metadata.json: model, tokenUsage, metrics and any keys the client adds. */
export interface SessionMetadata {
  model?: string;
  tokenUsage: TokenUsage;
  metrics: SessionMetrics;
  [key: string]: unknown;
}

/** A goal in the state (`state.goals`). */
export interface Goal {
  /** The prototype's name for the goal id (same value as goalId). */
  id?: string;
  goalId: string;
  description?: string;
  status: string;
  priority?: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  [key: string]: unknown;
}

/** A spawned sub-agent (`state.agents.spawned`); `active` and `completed` list agent ids. */
export interface AgentRecord {
  agentId: string;
  type: string;
  task?: unknown;
  status: string;
  spawnedAt: string;
  completedAt?: string;
  durationMs?: number;
  result?: unknown;
  childSessionId?: string;
  [key: string]: unknown;
}

/** The state projection (the seed's state.json shape), with `version` bumped by every state change. */
export interface SessionState {
  sessionId: string;
  version: number;
  phase: string;
  currentStep: string | null;
  goals: Goal[];
  priorities: unknown[];
  agents: { spawned: AgentRecord[]; active: string[]; completed: string[] };
  workspace: Record<string, unknown>;
  errors: unknown[];
  [key: string]: unknown;
}

export const SessionSummarySchema = Type.Object(
  {
    sessionId: Type.String(),
    userId: Type.Union([Type.String(), Type.Null()]),
    type: Type.Union([Type.String(), Type.Null()]),
    parentSessionId: Type.Union([Type.String(), Type.Null()]),
    status: SessionStatusSchema,
    tags: Type.Array(Type.String()),
    // Open on the wire (clients merge-patch any keys into it); typed as SessionMetadata.
    metadata: Type.Unsafe<SessionMetadata>(Obj),
    initial: Type.Union([Obj, Type.Null()]),
    created: Type.String(),
    updated: Type.String(),
    endedAt: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Union([Type.Number(), Type.Null()]),
    lastSeq: Type.Integer(),
    stateVersion: Type.Integer(),
  },
  { $id: 'SessionSummary' },
);
/** A session's summary as listed and as the `metadata` block of a restore. Times are ISO 8601, `durationMs` in ms. */
export type SessionSummary = Static<typeof SessionSummarySchema>;

/** `POST /api/sessions` body (the seed's shape plus type, tags, parent, metadata). */
export const CreateSessionBodySchema = Type.Object({
  sessionId: Type.Optional(SessionIdSchema),
  userId: Type.Optional(Type.String({ maxLength: 256 })),
  type: Type.Optional(Type.String({ maxLength: 128 })),
  parentSessionId: Type.Optional(SessionIdSchema),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 })),
  metadata: Type.Optional(Obj),
  initial: Type.Optional(Obj),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export type CreateSessionBody = Static<typeof CreateSessionBodySchema>;

export const FinalizeBodySchema = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('completed'), Type.Literal('failed'), Type.Literal('abandoned')])),
  final: Type.Optional(Type.Unknown()),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
});

export const GoalBodySchema = Type.Object({
  goalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String()),
  priority: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
});

export const AgentBodySchema = Type.Object({
  agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  type: Type.Optional(Type.String()),
  task: Type.Optional(Type.Unknown()),
  childSessionId: Type.Optional(SessionIdSchema),
});

/** Query of `GET /api/sessions`. `cursor` is opaque; pass back `nextCursor`. */
export const ListSessionsQuerySchema = Type.Object({
  userId: Type.Optional(Type.String()),
  status: Type.Optional(SessionStatusSchema),
  type: Type.Optional(Type.String()),
  tag: Type.Optional(Type.String()),
  parentSessionId: Type.Optional(Type.String({ description: 'A session id, or "none" for top-level sessions only' })),
  createdAfter: Type.Optional(Type.String({ format: 'date-time' })),
  createdBefore: Type.Optional(Type.String({ format: 'date-time' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Full-text search over event content' })),
  sort: Type.Optional(Type.Union([Type.Literal('created'), Type.Literal('updated')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});
export type ListSessionsQuery = Static<typeof ListSessionsQuerySchema>;

// ---- Response bodies of Tether's own session and state routes (/api/v1). Open parts stay open
// (`additionalProperties: true`): the state, metadata, goals, agents and logged entries hold what clients sent.

const Open = { additionalProperties: true } as const;
const SummaryRef = Type.Unsafe<SessionSummary>({ $ref: 'SessionSummary#' });

/** A goal (`state.goals[]`): goalId, status, times, and what the client sent. */
export const GoalSchema = Type.Object(
  {
    goalId: Type.String(),
    status: Type.Optional(Type.Unknown()),
    createdAt: Type.Optional(Type.Unknown()),
    updatedAt: Type.Optional(Type.Unknown()),
  },
  Open,
);
/** A spawned sub-agent (`state.agents.spawned[]`). */
export const AgentRecordSchema = Type.Object(
  {
    agentId: Type.String(),
    type: Type.Optional(Type.Unknown()),
    status: Type.Optional(Type.Unknown()),
    spawnedAt: Type.Optional(Type.Unknown()),
  },
  Open,
);

/**
 * The state projection (`GET /api/v1/state/:id`), the seed's state.json shape plus `sessionId` and `version` (bumped by
 * every state change). Every other member can be merge-patched to any JSON, so only `sessionId` and `version` are typed.
 * With `?atSeq=`, the state replayed to that seq, with `atSeq` set.
 */
export const SessionStateSchema = Type.Object(
  {
    sessionId: Type.String(),
    version: Type.Integer({ minimum: 0 }),
    atSeq: Type.Optional(Type.Integer({ description: 'Only on a replay (?atSeq=)' })),
  },
  {
    ...Open,
    description:
      'phase, currentStep, goals, priorities, agents {spawned, active, completed}, workspace, errors and any patched keys',
  },
);

/** `POST /api/v1/sessions` answer (201 created, 200 a repeat of the same event id). */
export const SessionCreatedSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  duplicate: Type.Boolean(),
  session: SummaryRef,
});

/** An action or response as served: the posted object plus its `eventId`, `seq` and `timestamp`. */
export const LogEntrySchema = Type.Object(
  { eventId: Type.String(), seq: Type.Integer(), timestamp: Type.String() },
  Open,
);

/** `GET /api/v1/sessions/:id` (restore): the summary, initial, state, the first actions and responses (capped), final. */
export const RestoredSessionSchema = Type.Object({
  sessionId: Type.String(),
  metadata: SummaryRef,
  initial: Type.Unknown(),
  state: SessionStateSchema,
  actions: Type.Array(LogEntrySchema),
  responses: Type.Array(LogEntrySchema),
  final: Type.Unknown({ description: "The finalize body's final, or null" }),
});

/** `GET /api/v1/sessions/user/:userId`. */
export const UserSessionsSchema = Type.Object({
  userId: Type.String(),
  sessions: Type.Array(SummaryRef),
  count: Type.Integer(),
});
/** `PATCH /api/v1/sessions/:id/metadata` answer: the metadata after the patch. */
export const MetadataPatchedSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  metadata: Obj,
});
/** `POST /api/v1/sessions/:id/finalize` answer. */
export const SessionFinalizedSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  status: SessionStatusSchema,
  seq: Type.Integer(),
  session: SummaryRef,
});
/** `DELETE /api/v1/sessions/:id` answer. */
export const SessionDeletedSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  deleted: Type.Boolean(),
});
/** `GET /api/v1/actions/:id`: the newest actions (at most TETHER_RESPONSE_MAX_ITEMS), oldest first. */
export const ActionListSchema = Type.Object({
  sessionId: Type.String(),
  actions: Type.Array(LogEntrySchema),
  count: Type.Integer(),
});
/** `GET /api/v1/actions/:id/responses`: the newest responses, oldest first. */
export const ResponseListSchema = Type.Object({
  sessionId: Type.String(),
  responses: Type.Array(LogEntrySchema),
  count: Type.Integer(),
});
/** `PATCH /api/v1/state/:id` answer: the state after the patch. */
export const StatePatchedSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  state: SessionStateSchema,
});
/** `POST /api/v1/state/:id/goals` and `PATCH …/goals/:goalId` answer: the goal after the change. */
export const GoalAckSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  goal: Type.Optional(GoalSchema),
});
/** `POST /api/v1/state/:id/agents` and `…/agents/:agentId/complete` answer: the agent record after the change. */
export const AgentAckSchema = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  agent: Type.Optional(AgentRecordSchema),
});
