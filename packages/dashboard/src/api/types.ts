/**
 * Shapes of the API responses the dashboard reads. Session, event and state types come from @tether/protocol
 * (the wire contract); the response envelopes follow docs/api.md.
 */
import type { ListSessionsParams } from '@tether/client';
import type { LiveEventMessage, TetherEvent } from '@tether/protocol';

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

/** Turns an event message of the live feed (the protocol's `LiveEventMessage`) into the stored event shape. */
export function eventFromMessage(m: LiveEventMessage): TetherEvent {
  return {
    id: m.eventId,
    sessionId: m.sessionId,
    seq: m.seq,
    kind: m.kind,
    timestamp: m.timestamp,
    receivedAt: m.receivedAt,
    data: m.data,
  };
}
