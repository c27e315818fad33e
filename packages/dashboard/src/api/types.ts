/**
 * Shapes of the API responses the dashboard reads. Session, event and state types come from @tether/protocol
 * (the wire contract); the response envelopes follow docs/api.md.
 */
import type { SessionState, SessionSummary, TetherEvent } from '@tether/protocol';

export type { Analytics, SessionState, SessionSummary, Stats, TetherEvent, Goal, AgentRecord, EventKind, SessionStatus } from '@tether/protocol';

/** `GET /api/sessions` query. */
export interface SessionListQuery {
  userId?: string;
  status?: string;
  type?: string;
  tag?: string;
  parentSessionId?: string;
  q?: string;
  sort?: 'created' | 'updated';
  limit?: number;
  cursor?: string;
}

/** `GET /api/sessions` answer: `nextCursor` is null at the end. */
export interface SessionPage {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

/** `GET /api/sessions/:id/events` answer. `nextAfter` is null when this page reached the end. */
export interface EventPage {
  sessionId: string;
  events: TetherEvent[];
  lastSeq: number;
  nextAfter: number | null;
}

/** `GET /api/sessions/:id` (restore). */
export interface RestoredSession {
  sessionId: string;
  metadata: SessionSummary;
  initial: Record<string, unknown> | null;
  state: SessionState;
  final: unknown;
}

/** A message of the live feed (docs/live-feed.md): event messages carry the event fields, list messages a `session`. */
export interface LiveMessage {
  type: string;
  channel?: 'session' | 'firehose' | 'list';
  sessionId?: string;
  seq?: number;
  pos?: number;
  eventId?: string;
  kind?: string;
  timestamp?: string;
  receivedAt?: string;
  data?: Record<string, unknown>;
  session?: SessionSummary | null;
  [key: string]: unknown;
}

/** Turns an event message of the live feed into the stored event shape. */
export function eventFromMessage(m: LiveMessage): TetherEvent | null {
  if (m.seq === undefined || !m.sessionId || !m.kind) return null;
  return {
    id: m.eventId ?? `${m.sessionId}:${m.seq}`, sessionId: m.sessionId, seq: m.seq, kind: m.kind as TetherEvent['kind'],
    timestamp: m.timestamp ?? m.receivedAt ?? '', receivedAt: m.receivedAt ?? m.timestamp ?? '', data: m.data ?? {},
  };
}
