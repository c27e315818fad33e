/**
 * Messages of the live feed (docs/live-feed.md): what the server sends on the WebSocket `/api/v1/ws` and as SSE
 * `data:` lines of `/api/v1/stream` and `/api/v1/sessions/:id/stream`, and the operations a WebSocket client sends.
 * Listed under components.schemas of /openapi.json (their `$id`s).
 */
import Type, { type Static } from 'typebox';
import { EVENT_KIND_LIST, JsonObject, type EventKind } from './events.js';
import type { SessionSummary } from './sessions.js';

const Obj = JsonObject();
const RequestId = Type.Union([Type.String({ maxLength: 200 }), Type.Number()], {
  description: 'The `id` of the client operation answered',
});
const Kind = Type.Unsafe<EventKind>({ type: 'string', enum: EVENT_KIND_LIST });
const Summary = Type.Unsafe<SessionSummary>({ $ref: 'SessionSummary#' });

/**
 * An event of the `session` or `firehose` channel: the prototype's `{type, sessionId, data, timestamp}` plus `channel`,
 * `seq`, `eventId`, `pos` (the global commit position, when known), `kind`, `receivedAt`. `type` is the prototype's
 * name of the kind (`state_updated` for `state_patched`, see LIVE_MESSAGE_TYPES).
 */
export const LiveEventMessageSchema = Type.Object(
  {
    type: Type.String(),
    channel: Type.Union([Type.Literal('session'), Type.Literal('firehose')]),
    sessionId: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    eventId: Type.String(),
    pos: Type.Optional(Type.Integer({ description: 'Global commit position (resume the firehose with it)' })),
    kind: Kind,
    timestamp: Type.String(),
    receivedAt: Type.String(),
    data: Obj,
  },
  { $id: 'LiveEventMessage' },
);
export type LiveEventMessage = Static<typeof LiveEventMessageSchema>;

/** A session-level event (`session_created`, `session_finalized`) on the `list` channel, with the summary as of now. */
export const LiveListEventMessageSchema = Type.Object(
  {
    type: Type.String(),
    channel: Type.Literal('list'),
    sessionId: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    eventId: Type.String(),
    pos: Type.Optional(Type.Integer()),
    kind: Kind,
    timestamp: Type.String(),
    receivedAt: Type.String(),
    data: Obj,
    session: Summary,
  },
  { $id: 'LiveListEventMessage' },
);
export type LiveListEventMessage = Static<typeof LiveListEventMessageSchema>;

/** `session_updated` (list channel with `updates: true`): new activity of a session, coalesced. */
export const LiveSessionUpdatedMessageSchema = Type.Object(
  {
    type: Type.Literal('session_updated'),
    channel: Type.Literal('list'),
    sessionId: Type.String(),
    timestamp: Type.String(),
    session: Summary,
  },
  { $id: 'LiveSessionUpdatedMessage' },
);
export type LiveSessionUpdatedMessage = Static<typeof LiveSessionUpdatedMessageSchema>;

/** `session_deleted` on any channel: deletion is not an event of the log, so no `seq` or `pos`; `session: null` on `list`. */
export const LiveSessionDeletedMessageSchema = Type.Object(
  {
    type: Type.Literal('session_deleted'),
    channel: Type.Union([Type.Literal('session'), Type.Literal('firehose'), Type.Literal('list')]),
    sessionId: Type.String(),
    timestamp: Type.String(),
    data: Obj,
    session: Type.Optional(Type.Null()),
  },
  { $id: 'LiveSessionDeletedMessage' },
);
export type LiveSessionDeletedMessage = Static<typeof LiveSessionDeletedMessageSchema>;

/** The first WebSocket message: protocol version, server version, heartbeat interval (ms), outbound buffer limit (bytes). */
export const LiveHelloMessageSchema = Type.Object(
  {
    type: Type.Literal('hello'),
    protocol: Type.Integer(),
    version: Type.String(),
    heartbeatMs: Type.Integer(),
    bufferLimit: Type.Integer(),
  },
  { $id: 'LiveHelloMessage' },
);
export type LiveHelloMessage = Static<typeof LiveHelloMessageSchema>;

/**
 * A subscription is live: after the replay (`replayed` events, up to `lastSeq` for a session, `lastPos` for the
 * firehose); for `list`, with its `updates` flag.
 */
export const LiveSubscribedMessageSchema = Type.Object(
  {
    type: Type.Literal('subscribed'),
    id: Type.Optional(RequestId),
    channel: Type.Union([Type.Literal('session'), Type.Literal('firehose'), Type.Literal('list')]),
    sessionId: Type.Optional(Type.String()),
    replayed: Type.Optional(Type.Integer()),
    lastSeq: Type.Optional(Type.Integer()),
    lastPos: Type.Optional(Type.Integer()),
    updates: Type.Optional(Type.Boolean()),
  },
  { $id: 'LiveSubscribedMessage' },
);
export type LiveSubscribedMessage = Static<typeof LiveSubscribedMessageSchema>;

/** The answer to an `unsubscribe` operation. */
export const LiveUnsubscribedMessageSchema = Type.Object(
  {
    type: Type.Literal('unsubscribed'),
    id: Type.Optional(RequestId),
    channel: Type.Union([Type.Literal('session'), Type.Literal('firehose'), Type.Literal('list')]),
    sessionId: Type.Optional(Type.String()),
  },
  { $id: 'LiveUnsubscribedMessage' },
);
export type LiveUnsubscribedMessage = Static<typeof LiveUnsubscribedMessageSchema>;

/** A refused client operation (`code` as in problem+json: validation_failed, invalid_json, …); the connection stays open. */
export const LiveErrorMessageSchema = Type.Object(
  {
    type: Type.Literal('error'),
    id: Type.Optional(RequestId),
    code: Type.String(),
    detail: Type.String(),
  },
  { $id: 'LiveErrorMessage' },
);
export type LiveErrorMessage = Static<typeof LiveErrorMessageSchema>;

/** The answer to `{"op":"ping"}`. */
export const LivePongMessageSchema = Type.Object(
  { type: Type.Literal('pong'), id: Type.Optional(RequestId) },
  { $id: 'LivePongMessage' },
);
export type LivePongMessage = Static<typeof LivePongMessageSchema>;

/** The last SSE message before the server ends the stream (`code` as the WebSocket close codes: 1001, 4001, 4008). */
export const LiveCloseMessageSchema = Type.Object(
  { type: Type.Literal('close'), code: Type.Integer(), reason: Type.String() },
  { $id: 'LiveCloseMessage' },
);
export type LiveCloseMessage = Static<typeof LiveCloseMessageSchema>;

const MessageSchemas = [
  LiveEventMessageSchema,
  LiveListEventMessageSchema,
  LiveSessionUpdatedMessageSchema,
  LiveSessionDeletedMessageSchema,
  LiveHelloMessageSchema,
  LiveSubscribedMessageSchema,
  LiveUnsubscribedMessageSchema,
  LiveErrorMessageSchema,
  LivePongMessageSchema,
  LiveCloseMessageSchema,
] as const;

/** Any one message the server sends on the live feed (WebSocket frame or SSE `data:` line). */
export type LiveServerMessage = Static<(typeof MessageSchemas)[number]>;

/** `{"type":"batch","messages":[…]}`: one WebSocket frame holding several messages (`/api/v1/ws?batch=1`). */
export const LiveBatchMessageSchema = Type.Object(
  {
    type: Type.Literal('batch'),
    messages: Type.Array(
      Type.Unsafe<LiveServerMessage>({
        anyOf: MessageSchemas.map((s) => ({ $ref: `${(s as { $id?: string }).$id}#` })),
      }),
    ),
  },
  { $id: 'LiveBatchMessage' },
);
export type LiveBatchMessage = { type: 'batch'; messages: LiveServerMessage[] };

/** A WebSocket client operation (docs/live-feed.md "Client operations"); frames at most 64 KiB. */
export const LiveClientOpSchema = Type.Object(
  {
    op: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe'), Type.Literal('ping')]),
    id: Type.Optional(RequestId),
    channel: Type.Optional(Type.Union([Type.Literal('session'), Type.Literal('firehose'), Type.Literal('list')])),
    sessionId: Type.Optional(Type.String()),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    afterPos: Type.Optional(Type.Integer({ minimum: 0 })),
    updates: Type.Optional(Type.Boolean()),
  },
  { $id: 'LiveClientOp' },
);
export type LiveClientOp = Static<typeof LiveClientOpSchema>;

/** Every live-feed schema with an `$id` (for the OpenAPI components and for validators). */
export const LIVE_SCHEMAS = [...MessageSchemas, LiveBatchMessageSchema, LiveClientOpSchema] as const;
