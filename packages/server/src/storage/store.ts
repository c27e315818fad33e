import type {
  Analytics,
  EventInput,
  EventKind,
  ListSessionsQuery,
  SearchHit,
  SessionSummary,
  Stats,
  TetherEvent,
} from '@tether/protocol';
import type { TetherError } from '../errors.js';
import type { SessionRecord } from '../events/record.js';
import type { MemoryStore } from './memory.js';
import type { CheckpointQuery, CheckpointRows, StoredCheckpoint } from './checkpoints.js';

/** One event to append, with what the server decided at the edge. */
export interface AppendItem {
  input: EventInput;
  /** Create the session (a `session_created` event first) when it does not exist yet. */
  autoCreate: boolean;
  /** Server receive time, ISO 8601. */
  receivedAt: string;
  /** LangGraph rows written with the event in its transaction (kinds `checkpoint`, `checkpoint_writes` only). */
  checkpoint?: CheckpointRows;
  /**
   * Makes this item part of the one before it in the same `append` call (the group committer never splits a caller's
   * items, so both are in one transaction): once that one is accepted (new or duplicate), this item's input is built
   * from its event and session record (replacing `input`, which then only stands in); when that one is refused, this
   * one fails with the same error and writes nothing. A sub-agent's child session uses it, so that a spawn and its
   * child commit together or not at all.
   */
  withPrevious?: (previous: TetherEvent, session: SessionRecord) => EventInput;
}

/** An event with its global commit position (`pos`, the events table's key; increasing in commit order, with gaps). */
export type PositionedEvent = TetherEvent & { pos: number };

/**
 * The result of one append: the events committed (none for a duplicate) and the session after them.
 * `committed` events carry `pos` when the adapter knows it (the live feed's firehose resumes by it).
 */
export type AppendOutcome =
  | {
      ok: true;
      event: TetherEvent;
      duplicate: boolean;
      committed: Array<TetherEvent & { pos?: number }>;
      session: SessionRecord;
    }
  | { ok: false; error: TetherError };

export type { SearchHit, Stats } from '@tether/protocol';

/** An API key as stored: only the SHA-256 of the secret is kept. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  hash: string;
  scopes: string[];
  created: string;
  revokedAt: string | null;
}

export interface ListEventsOptions {
  /** Only events with seq > after. */
  after?: number;
  /** Only events with seq <= upTo. */
  upTo?: number;
  /** At most this many (default all). */
  limit?: number;
  kinds?: EventKind[];
  /** Take the newest `limit` events (still returned oldest first). */
  tail?: boolean;
  /** Skip this many matching events first (oldest-first order; paging of the seed routes' arrays). */
  offset?: number;
}

/** An event as stored, with its data still JSON text (for streaming it out without parsing it). */
export interface RawEvent {
  seq: number;
  id: string;
  timestamp: string;
  /** The event's data as stored: JSON text of an object. */
  data: string;
}

/** Analytics over a time range, computed in the store (ISO 8601 bounds, `bucketMs` in ms). */
export interface AnalyticsQuery {
  from: string;
  to: string;
  bucketMs: number;
  /** The parts to compute (default all); the others come back empty. A dashboard header needs only eventsOverTime. */
  include?: ReadonlySet<AnalyticsPart>;
}

/** The separately computed parts of analytics. */
export type AnalyticsPart = 'eventsOverTime' | 'tokensOverTime' | 'tools' | 'durations' | 'busiest';
export const ANALYTICS_PARTS: readonly AnalyticsPart[] = [
  'eventsOverTime',
  'tokensOverTime',
  'tools',
  'durations',
  'busiest',
];

/** Where the feed delivers: the server's live hub and key ring. Calls are synchronous, in commit order for events. */
export interface FeedSink {
  /** A committed event (any server's), with its session's current record when `needs()` asked for records. */
  event(ev: PositionedEvent, session: SessionRecord | undefined): void;
  /**
   * What the live subscribers need now: `nothing` (no connections: the feed only moves its cursor to the log's end,
   * one cheap query), `events`, or `sessions` (events with session records, for live session lists).
   */
  needs(): 'nothing' | 'events' | 'sessions';
  /** A session was deleted (through any server, or by retention). */
  deleted(sessionId: string): void;
  /** API keys were created or revoked somewhere: drop cached lookups, re-check live connections. */
  keysChanged(): void;
  /** Sessions live subscribers watch and have seen events of (checked for deletions missed while the listener was down). */
  watched(): string[];
  /** Logs the listener's state changes and read errors. */
  log(level: 'info' | 'warn' | 'error', msg: string, err?: unknown): void;
}

export interface FeedOptions {
  /** Read the log this often even without a notification, in ms (a backstop; nothing depends on it). Default 1000. */
  pollMs?: number;
  /** First wait before reconnecting a lost listener, in ms; doubles up to 5 s. Default 100. */
  reconnectMs?: number;
}

/** The listener connection's state, as /health and /ready report it. */
export type ListenerState = 'starting' | 'listening' | 'down' | 'closed';

/**
 * One server's share of a live feed fed from a log that several servers write (PostgreSQL: `PgFeed`). While a store
 * offers one ({@link Store.openFeed}), the server feeds its live hub from it — its own commits included — instead of
 * from its own commits, so every subscriber sees every server's events in one order.
 */
export interface SharedFeed {
  /** The wake-up connection's state (/health, /ready). */
  readonly state: ListenerState;
  /** The global position of the last event handed to the sink. */
  readonly cursor: number;
  /** How often the wake-up connection was re-established. */
  readonly reconnects: number;
  /** Since when it is down (ms since epoch), undefined while it listens. */
  readonly downSince: number | undefined;
  /** Starts listening and reading the log from its end. */
  start(): Promise<void>;
  /** This server committed `outcomes`: read the log now rather than at the next wake-up. */
  committed(outcomes: AppendOutcome[]): void;
  close(): Promise<void>;
}

/**
 * The storage contract. One adapter per engine (SQLite now, PostgreSQL next); every adapter must pass
 * test/store-contract.ts. `append` runs all items in ONE transaction (group commit) and resolves only after commit;
 * an item that fails its own checks gets `{ok:false}` without affecting the others. A failing commit rejects the promise.
 */
export interface Store {
  readonly engine: string;
  /**
   * How many `append` calls may be pending at once (the group committer's pipeline depth; default 1). An adapter that
   * allows more must commit concurrent calls in call order, each building on the ones before it.
   */
  readonly maxInFlight?: number;
  /** The memory store (long-term memory: namespaced JSON items), see storage/memory.ts. */
  readonly memory: MemoryStore;
  append(items: AppendItem[]): Promise<AppendOutcome[]>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }>;
  listEvents(sessionId: string, opts?: ListEventsOptions): Promise<TetherEvent[]>;
  /** As listEvents, with `data` left as the stored JSON text (optional: big responses stream it without a parse). */
  listEventsRaw?(sessionId: string, opts?: ListEventsOptions): Promise<RawEvent[]>;
  /** Events of every session in commit order after a global position (`pos`, exclusive); for the firehose. */
  listAllEvents(afterPos: number, limit: number): Promise<Array<TetherEvent & { pos: number }>>;
  /** The global position of the newest event (0 when empty). */
  lastPos(): Promise<number>;
  /** Deletes the session, its events and its LangGraph checkpoint rows in one transaction. */
  deleteSession(sessionId: string): Promise<boolean>;
  /** LangGraph checkpoints matching `q`, newest (greatest checkpoint id) first, with their blobs and pending writes. */
  listCheckpoints(q: CheckpointQuery): Promise<StoredCheckpoint[]>;
  search(query: string, limit: number): Promise<SearchHit[]>;
  stats(): Promise<Stats>;
  analytics(q: AnalyticsQuery): Promise<Analytics>;
  /**
   * Deletes sessions that ended before `iso`; returns how many. Used only by the retention setting. `everyMs`: the
   * retention interval; an adapter shared by several servers (PostgreSQL) runs it at most once per interval in all.
   */
  deleteEndedBefore(iso: string, everyMs?: number): Promise<number>;
  createKey(key: ApiKeyRecord): Promise<void>;
  listKeys(): Promise<ApiKeyRecord[]>;
  revokeKey(id: string): Promise<boolean>;
  /**
   * Present only on stores that several servers share (PostgreSQL): opens this server's {@link SharedFeed}. The
   * composition root feeds the live hub from it when present, from its own commits when absent (SQLite).
   */
  openFeed?(sink: FeedSink, opts?: FeedOptions): SharedFeed;
  /**
   * Set by the composition root to hear that the adapter went on in a degraded mode after an internal failure
   * (`message` says which; SQLite: the writer thread stopped, writes now commit on the HTTP thread). Optional.
   */
  onDegraded?: ((message: string, err: Error) => void) | undefined;
  close(): Promise<void>;
}
