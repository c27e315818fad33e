import Type from 'typebox';
import { SessionIdSchema } from '@tether/protocol';

/** Shared route schemas (path parameters, acknowledgements). */
export const SessionParams = Type.Object({ sessionId: SessionIdSchema });
export const AnyObject = Type.Record(Type.String(), Type.Unknown());
export const LimitQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) });

/** The acknowledgement of an appended action or response. */
export const AppendAck = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  eventId: Type.String(),
  duplicate: Type.Boolean(),
});
/** References to the shared schemas buildApp registers (components in /openapi.json). */
export const SessionSummaryRef = Type.Unsafe<import('@tether/protocol').SessionSummary>({ $ref: 'SessionSummary#' });
export const EventRef = Type.Unsafe<import('@tether/protocol').TetherEvent>({ $ref: 'Event#' });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);

/** `{sessions, nextCursor}` of GET /api/sessions. */
export const SessionPage = Type.Object({
  sessions: Type.Array(SessionSummaryRef),
  nextCursor: Nullable(Type.String()),
});
/** `{sessions, count}` of the seed's query routes. */
export const SessionList = Type.Object({ sessions: Type.Array(SessionSummaryRef), count: Type.Integer() });
/** `{sessionId, events, lastSeq, nextAfter}` of GET /api/sessions/:id/events. */
export const EventPage = Type.Object({
  sessionId: Type.String(),
  events: Type.Array(EventRef),
  lastSeq: Type.Integer(),
  nextAfter: Nullable(Type.Integer()),
});
