import type { MemoryBackend } from './memory-tools.js';
import type {
  EventInput,
  EventKind,
  ListSessionsQuery,
  SearchHit,
  SessionState,
  SessionSummary,
  Stats,
  TetherEvent,
} from '@tether/protocol';

/** The result of one append: the stored event (or the earlier one, for a duplicate event id) and the session after it. */
export interface AppendResult {
  event: TetherEvent;
  duplicate: boolean;
  session: SessionSummary;
  /** The state after the event, when the backend has it at hand (the in-process backend always does). */
  state?: SessionState;
}

/** A page of a session's event log (`nextAfter` is the seq to pass as `after` for the next page, null at the end). */
export interface EventPageResult {
  sessionId: string;
  events: TetherEvent[];
  lastSeq: number;
  nextAfter: number | null;
}

/**
 * An error a backend raises with a stable API code (`ERROR_CODES` in @tether/protocol, e.g. `session_not_found`,
 * `version_mismatch`); the tools turn it into a tool error naming the code.
 */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

/**
 * What the MCP tools need from Tether. Two implementations: in the service itself (`@tether/server`'s `/mcp` route:
 * the same append path as the REST routes, so MCP writes reach the live feed and the dashboard like any other event),
 * and over HTTP through `@tether/client` ({@link ClientBackend}, used by `tether mcp` on stdio).
 * Every method throws {@link BackendError} (or an error with a string `code`) for API errors.
 */
export interface TetherBackend {
  /** Appends one event (the first event of an unknown session creates it, as `POST /api/ingest` does). */
  append(input: EventInput): Promise<AppendResult>;
  /** A session's summary and current state; undefined when it does not exist. */
  getSession(sessionId: string): Promise<{ summary: SessionSummary; state: SessionState } | undefined>;
  listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }>;
  /** Events with seq > after, at most `limit`; throws `session_not_found`. */
  listEvents(sessionId: string, opts: { after: number; limit: number; kind?: EventKind }): Promise<EventPageResult>;
  /** The state replayed up to and including `atSeq` (the current state without it); throws `session_not_found`. */
  stateAt(sessionId: string, atSeq?: number): Promise<SessionState>;
  search(query: string, limit: number): Promise<SearchHit[]>;
  stats(): Promise<Stats>;
  /** The service's version and storage engine, for `health_check`. */
  info(): Promise<{ version: string; storage: string }>;
  /** The memory store (issue #14); when present, `commit_memory` and `recall_memory` are offered. */
  readonly memory?: MemoryBackend;
}
