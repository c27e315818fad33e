import Type, { type Static } from 'typebox';
import { EVENT_KIND_LIST, type EventKind } from './events.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** `GET /api/v1/query/stats`: totals over all sessions. */
export const StatsSchema = Type.Object({
  totalSessions: Type.Integer(),
  activeSessions: Type.Integer(),
  completedSessions: Type.Integer(),
  failedSessions: Type.Integer(),
  abandonedSessions: Type.Integer(),
  totalEvents: Type.Integer(),
  totalActions: Type.Integer(),
  totalResponses: Type.Integer(),
  byType: Type.Record(Type.String(), Type.Integer(), { description: 'Sessions per type ("unknown" for none)' }),
  byStatus: Type.Record(Type.String(), Type.Integer(), { description: 'Sessions per status' }),
});
export type Stats = Static<typeof StatsSchema>;

/** One hit of `GET /api/v1/query/search`: the event's place and a short piece of its text. */
export const SearchHitSchema = Type.Object({
  sessionId: Type.String(),
  seq: Type.Integer(),
  kind: Type.Unsafe<EventKind>({ type: 'string', enum: EVENT_KIND_LIST }),
  timestamp: Type.String(),
  snippet: Type.String(),
});
export type SearchHit = Static<typeof SearchHitSchema>;

/** `GET /api/v1/query/search` answer: the query as given and its hits, best first. */
export const SearchResultSchema = Type.Object({ query: Type.String(), results: Type.Array(SearchHitSchema) });
export type SearchResult = Static<typeof SearchResultSchema>;

/**
 * `GET /api/v1/query/analytics?from&to&bucketMs`, computed by the service over events whose timestamp is in [from, to).
 * Bucket starts `t` are epoch ms; `durationMs` in ms; `errorRate` = toolErrors / toolCalls (0 when no calls).
 */
export const AnalyticsSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  bucketMs: Type.Integer(),
  eventsOverTime: Type.Array(Type.Object({ t: Type.Number(), kind: Type.String(), n: Type.Integer() })),
  tokensOverTime: Type.Array(Type.Object({ t: Type.Number(), input: Type.Number(), output: Type.Number() })),
  tools: Type.Array(Type.Object({ tool: NullableString, calls: Type.Integer(), errors: Type.Integer() })),
  durations: Type.Array(
    Type.Object({ sessionId: Type.String(), type: NullableString, status: Type.String(), durationMs: Type.Number() }),
  ),
  busiest: Type.Array(
    Type.Object({ sessionId: Type.String(), events: Type.Integer(), type: NullableString, status: NullableString }),
  ),
  toolCalls: Type.Integer(),
  toolErrors: Type.Integer(),
  errorRate: Type.Number(),
});
export type Analytics = Static<typeof AnalyticsSchema>;
