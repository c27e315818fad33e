import Type, { type Static } from 'typebox';
import { EVENT_ID_PATTERN, SESSION_ID_PATTERN } from './ids.js';

/**
 * The kinds of events in a session's append-only log. One constant map, so names are never spelled twice.
 * The live feed (WebSocket) uses the prototype's message names, see {@link LIVE_MESSAGE_TYPES}.
 */
export const EVENT_KINDS = {
  session_created: 'session_created',
  action: 'action',
  response: 'response',
  state_patched: 'state_patched',
  goal_added: 'goal_added',
  goal_updated: 'goal_updated',
  agent_spawned: 'agent_spawned',
  agent_completed: 'agent_completed',
  metadata_updated: 'metadata_updated',
  session_finalized: 'session_finalized',
  /** A LangGraph checkpoint stored in the thread's session (`/api/v1/langgraph/checkpoints`). */
  checkpoint: 'checkpoint',
  /** Pending writes of a LangGraph task against a checkpoint (`/api/v1/langgraph/writes`). */
  checkpoint_writes: 'checkpoint_writes',
} as const;

export type EventKind = keyof typeof EVENT_KINDS;
export const EVENT_KIND_LIST = Object.keys(EVENT_KINDS) as EventKind[];

/**
 * Kinds that change the state projection and bump `state.version`: the service's reducer
 * (packages/server/src/events/reduce.ts) and the dashboard's time travel both read this set.
 */
export const STATE_KINDS: ReadonlySet<string> = new Set<EventKind>([
  'state_patched',
  'goal_added',
  'goal_updated',
  'agent_spawned',
  'agent_completed',
  'checkpoint',
  'checkpoint_writes',
]);

/**
 * Live-feed message `type` per event kind, as the seed prototype named them
 * (`state_patched` went out as `state_updated`). `session_deleted` has no event: deletion removes the log.
 */
export const LIVE_MESSAGE_TYPES: Record<EventKind, string> = {
  ...EVENT_KINDS,
  state_patched: 'state_updated',
};

export const SessionIdSchema = Type.String({
  pattern: SESSION_ID_PATTERN,
  description: '1–128 characters of A-Za-z0-9._:-',
});
export const EventIdSchema = Type.String({
  pattern: EVENT_ID_PATTERN,
  description: 'Client-chosen idempotency key (1–200 printable ASCII characters)',
});
export const SessionStatusSchema = Type.Union(
  [Type.Literal('active'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('abandoned')],
  { description: 'active | completed | failed | abandoned' },
);
export type SessionStatus = Static<typeof SessionStatusSchema>;

/**
 * A JSON object with any members (not an array, not null): event data, metadata, state, filters. Spelled as
 * `{type: 'object', additionalProperties: true}` rather than `Type.Record(Type.String(), Type.Unknown())`: both accept
 * the same documents, but TypeBox compiles a Record to `Object.entries(value).every(…)` with a regex test per key
 * (0.3–0.8 µs and ~700 bytes of garbage per ingested ~400-byte tool call, issue 18), and an open object to one type test.
 * `options`: description and other annotations.
 */
export function JsonObject(options: { description?: string } = {}) {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, ...options });
}

const Json = JsonObject();

/** An event as stored and served: `seq` is 1, 2, 3, … per session with no gaps. */
export const EventSchema = Type.Object(
  {
    id: Type.String({ description: 'Event id: the client-chosen idempotency key, or a server-generated UUID' }),
    sessionId: Type.String(),
    seq: Type.Integer({ minimum: 1, description: 'Position in the session log, 1-based, gapless' }),
    kind: Type.Unsafe<EventKind>({ type: 'string', enum: EVENT_KIND_LIST, description: 'One of EVENT_KINDS' }),
    timestamp: Type.String({
      description: 'Client time of the event (ISO 8601); the receive time when the client sent none',
    }),
    receivedAt: Type.String({ description: 'Server receive time (ISO 8601)' }),
    data: Json,
  },
  { $id: 'Event' },
);
/** An event as stored and served (the type of {@link EventSchema}). */
export type TetherEvent = Static<typeof EventSchema>;

/**
 * One event to append (the item of `POST /api/ingest`).
 * `data` per kind:
 * - `session_created`: `{ userId?, type?, parentSessionId?, tags?, metadata?, initial? }`
 * - `action`: free object; `type`, `tool`/`toolName`, `input`, `output`, `error`, `durationMs`, `toolUseId`, `usage` are understood
 * - `response`: free object; `content`, `role`, `usage` are understood
 * - `state_patched`: `{ patch }`, an RFC 7396 merge patch of the state
 * - `goal_added`: `{ goalId?, description, priority?, status? }`
 * - `goal_updated`: `{ goalId, status?, description?, priority?, ... }`
 * - `agent_spawned`: `{ agentId?, type, task?, childSessionId? }`
 * - `agent_completed`: `{ agentId, result?, status? }`
 * - `metadata_updated`: `{ patch }`, an RFC 7396 merge patch of the metadata (`metrics` is derived and ignored)
 * - `session_finalized`: `{ status?, final? }`
 * - `checkpoint`: `{ threadId, checkpointNs, checkpointId, parentCheckpointId, step, source, channels, values?, writer?,
 *   resumed? }`, written by `POST /api/v1/langgraph/checkpoints` only (the bytes live beside the log, see docs/langgraph.md)
 * - `checkpoint_writes`: `{ threadId, checkpointNs, checkpointId, taskId, taskPath?, channels, writer?, resumed? }`, by `POST /api/v1/langgraph/writes`
 */
export const EventInputSchema = Type.Object(
  {
    id: Type.Optional(EventIdSchema),
    sessionId: SessionIdSchema,
    kind: Type.Unsafe<EventKind>({ type: 'string', enum: EVENT_KIND_LIST, description: 'One of EVENT_KINDS' }),
    timestamp: Type.Optional(Type.String({ format: 'date-time' })),
    data: Type.Optional(Json),
    expectedVersion: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'State version the writer expects (optimistic concurrency); 412 on mismatch',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EventInput = Static<typeof EventInputSchema>;

/** `POST /api/ingest` body: up to 1,000 events for any sessions. */
export const IngestBodySchema = Type.Object(
  {
    events: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: 1000,
      description:
        'Each item is checked on its own against EventInput; its client event id may be sent as eventId (the name REST bodies use; preferred) or id',
    }),
  },
  { additionalProperties: false },
);

/** Per-item result of `POST /api/ingest` (207 Multi-Status). */
export const IngestItemResultSchema = Type.Object({
  index: Type.Integer(),
  status: Type.Integer({ description: '201 stored, 200 duplicate (already stored), or the error status' }),
  id: Type.Optional(Type.String()),
  sessionId: Type.Optional(Type.String()),
  seq: Type.Optional(Type.Integer()),
  duplicate: Type.Optional(Type.Boolean()),
  code: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});
export type IngestItemResult = Static<typeof IngestItemResultSchema>;

export const IngestResponseSchema = Type.Object({
  accepted: Type.Integer({ description: 'Items stored now or earlier (201 + 200)' }),
  rejected: Type.Integer(),
  results: Type.Array(IngestItemResultSchema),
});
export type IngestResponse = Static<typeof IngestResponseSchema>;
