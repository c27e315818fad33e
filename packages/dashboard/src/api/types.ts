/**
 * Shapes of the API responses the dashboard reads. Session, event and state types come from @tether/protocol
 * (the wire contract); the response envelopes follow docs/api.md.
 */
import type { ListSessionsParams } from '@tether/client';
import type { SessionSummary, TetherEvent } from '@tether/protocol';

export type {
  Analytics,
  SessionState,
  SessionSummary,
  Stats,
  TetherEvent,
  Goal,
  AgentRecord,
  EventKind,
  SessionStatus,
} from '@tether/protocol';

/** Response envelopes of the REST API, as @tether/client types them (docs/api.md). */
export type { EventPage, RestoredSession, SessionPage } from '@tether/client';

/** `GET /api/sessions` query as the dashboard's filters hold it (status is free text from the URL until validated by the server). */
export type SessionListQuery = Omit<ListSessionsParams, 'status'> & { status?: string };

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
    id: m.eventId ?? `${m.sessionId}:${m.seq}`,
    sessionId: m.sessionId,
    seq: m.seq,
    kind: m.kind as TetherEvent['kind'],
    timestamp: m.timestamp ?? m.receivedAt ?? '',
    receivedAt: m.receivedAt ?? m.timestamp ?? '',
    data: m.data ?? {},
  };
}
