import type {
  Analytics,
  EventInput,
  EventKind,
  IngestResponse,
  SessionState,
  SessionSummary,
  TetherEvent,
} from '@tether/protocol';
import { Batcher, type DeliveryOptions, type DeliveryStats } from './batcher.js';
import { HttpClient, type FetchLike, type HttpOptions } from './http.js';
import { uuid } from './id.js';
import { StoreResource } from './store.js';
import { SessionLogger, enqueueEvent, type LogOptions, type LogReceipt } from './session-logger.js';
import { LiveSocket, type LiveSocketOptions } from './live-socket.js';
import { subscribeSse, type SubscribeOptions, type Subscription } from './subscribe.js';
import type {
  AppendAck,
  CreateSessionParams,
  CreateSessionResult,
  EventPage,
  FinalizeParams,
  FinalizeResult,
  Health,
  ListEventsParams,
  ListSessionsParams,
  RestoredSession,
  ResumedSession,
  SearchResult,
  SessionPage,
  Stats,
} from './types.js';

/**
 * Options of {@link TetherClient}. `baseUrl` is required; see `configFromEnv()` for the environment variables.
 * REST calls: `timeoutMs` per attempt [10000], `maxRetries` [2] for reads and idempotent writes, backoff `initialDelayMs`
 * [250] to `maxDelayMs` [30000] with jitter, honouring Retry-After. Background logging: {@link DeliveryOptions}.
 */
export interface TetherClientOptions extends HttpOptions, DeliveryOptions {
  /** Default session of `client.log*()` shortcuts and the seed-compatible functions. */
  sessionId?: string | undefined;
}

/** Reads and writes sessions over REST, logs events in the background, and subscribes to the live feed. */
export interface SessionsResource {
  create(params?: CreateSessionParams): Promise<CreateSessionResult>;
  get(sessionId: string): Promise<RestoredSession>;
  /** One session's summary without its log (`GET /api/sessions/:id/summary`). */
  summary(sessionId: string): Promise<SessionSummary>;
  list(params?: ListSessionsParams): Promise<SessionPage>;
  listAll(params?: Omit<ListSessionsParams, 'cursor'>): AsyncIterable<SessionSummary>;
  events(sessionId: string, params?: ListEventsParams): Promise<EventPage>;
  children(sessionId: string): Promise<{ sessionId: string; sessions: SessionSummary[] }>;
  state(sessionId: string, atSeq?: number): Promise<SessionState>;
  finalize(sessionId: string, params?: FinalizeParams): Promise<FinalizeResult>;
  updateMetadata(
    sessionId: string,
    patch: Record<string, unknown>,
  ): Promise<AppendAck & { metadata: Record<string, unknown> }>;
  delete(sessionId: string): Promise<{ success: true; sessionId: string; deleted: true }>;
}

const enc = encodeURIComponent;

/**
 * The Tether client. Runs in Node ≥ 20 and browsers.
 *
 * - REST (`client.sessions.*`, `search`, `stats`, `health`, `ingest`): awaited calls that throw the {@link APIError} tree.
 * - Logging (`client.session(id).logAction(…)`, `client.log(…)`): queued and sent in batches in the background; never throws.
 * - Live feed (`client.subscribe(…)`): an async iterator over SSE that resumes after reconnects; `client.live(…)`: one
 *   WebSocket carrying several subscriptions (sessions, firehose, list), resumed after reconnects.
 *
 * ```ts
 * const tether = new TetherClient({ baseUrl: 'http://localhost:9000' });
 * const s = tether.session('run-42');
 * s.logAction({ type: 'tool_use', tool: 'Bash', input: { command: 'ls' } });
 * await tether.close(); // flushes
 * ```
 */
export class TetherClient {
  readonly http: HttpClient;
  readonly options: TetherClientOptions;
  private batcherInstance: Batcher | undefined;
  private readonly fetchImpl: FetchLike;

  constructor(options: TetherClientOptions) {
    if (!options?.baseUrl) throw new TypeError('TetherClient: baseUrl is required (e.g. http://localhost:9000)');
    this.options = options;
    this.http = new HttpClient(options);
    this.store = new StoreResource(this.http);
    this.fetchImpl = options.fetch ?? (((input, init) => globalThis.fetch(input, init)) as FetchLike);
    // With a spool, start at once: batches left by an earlier run are sent without waiting for a new log call.
    if (options.spool) void this.batcher;
  }

  /** The background sender, created on first use (a read-only client starts no timers). */
  get batcher(): Batcher {
    return (this.batcherInstance ??= new Batcher(this.http, this.options));
  }

  /** The memory store (long-term memory items): putItem, getItem, searchItems, deleteItem, listNamespaces. */
  readonly store: StoreResource;

  /** Session REST routes. Writes send an Idempotency-Key so their retries are safe. */
  readonly sessions: SessionsResource = {
    create: async (params = {}) =>
      (
        await this.http.request<CreateSessionResult>({
          method: 'POST',
          path: '/api/v1/sessions',
          body: { eventId: uuid(), ...params },
          retry: true,
        })
      ).body,
    get: async (id) =>
      (await this.http.request<RestoredSession>({ method: 'GET', path: `/api/v1/sessions/${enc(id)}` })).body,
    summary: async (id) =>
      (await this.http.request<SessionSummary>({ method: 'GET', path: `/api/v1/sessions/${enc(id)}/summary` })).body,
    list: async (params = {}) =>
      (await this.http.request<SessionPage>({ method: 'GET', path: '/api/v1/sessions', query: { ...params } })).body,
    listAll: (params = {}) => this.pages(params),
    events: async (id, params = {}) =>
      (
        await this.http.request<EventPage>({
          method: 'GET',
          path: `/api/v1/sessions/${enc(id)}/events`,
          query: { ...params },
        })
      ).body,
    children: async (id) =>
      (
        await this.http.request<{ sessionId: string; sessions: SessionSummary[] }>({
          method: 'GET',
          path: `/api/v1/sessions/${enc(id)}/children`,
        })
      ).body,
    state: async (id, atSeq) =>
      (await this.http.request<SessionState>({ method: 'GET', path: `/api/v1/state/${enc(id)}`, query: { atSeq } }))
        .body,
    finalize: async (id, params = {}) =>
      (
        await this.http.request<FinalizeResult>({
          method: 'POST',
          path: `/api/v1/sessions/${enc(id)}/finalize`,
          body: params,
          headers: { 'idempotency-key': uuid() },
        })
      ).body,
    updateMetadata: async (id, patch) =>
      (
        await this.http.request<AppendAck & { metadata: Record<string, unknown> }>({
          method: 'PATCH',
          path: `/api/v1/sessions/${enc(id)}/metadata`,
          body: patch,
          headers: { 'idempotency-key': uuid() },
        })
      ).body,
    delete: async (id) =>
      (
        await this.http.request<{ success: true; sessionId: string; deleted: true }>({
          method: 'DELETE',
          path: `/api/v1/sessions/${enc(id)}`,
          retry: true,
        })
      ).body,
  };

  private async *pages(params: Omit<ListSessionsParams, 'cursor'>): AsyncGenerator<SessionSummary> {
    let cursor: string | undefined;
    do {
      const page = await this.sessions.list({ ...params, ...(cursor ? { cursor } : {}) });
      yield* page.sessions;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Every event of a session after `after` (seq), page by page, in seq order. */
  async *iterEvents(
    sessionId: string,
    after = 0,
    pageSize = 1000,
  ): AsyncGenerator<import('@tether/protocol').TetherEvent> {
    for (let next: number | null = after; next !== null; ) {
      const page: EventPage = await this.sessions.events(sessionId, { after: next, limit: pageSize });
      yield* page.events;
      next = page.nextAfter;
    }
  }

  /**
   * Resumes a session after a restart (the seed's "Session Resume — restart containers from persisted state"): its
   * summary, initial, state and `lastSeq` now (`GET /api/v1/sessions/:id/summary` and `/api/v1/state/:id`), and its log
   * as a lazy iterator (`GET /api/v1/sessions/:id/events?after=` page by page), so a 200,000-event session costs one
   * page of memory. Throws NotFoundError for an unknown session. See docs/sdk.md, "Resume a session".
   */
  async resume(sessionId: string): Promise<ResumedSession> {
    const [state, summary] = await Promise.all([this.sessions.state(sessionId), this.sessions.summary(sessionId)]);
    const events = async function* (
      this: TetherClient,
      opts: { after?: number; kind?: EventKind; pageSize?: number } = {},
    ): AsyncGenerator<TetherEvent> {
      for (let next: number | null = opts.after ?? 0; next !== null; ) {
        const page: EventPage = await this.sessions.events(sessionId, {
          after: next,
          limit: opts.pageSize ?? 1000,
          ...(opts.kind ? { kind: opts.kind } : {}),
        });
        yield* page.events;
        next = page.nextAfter;
      }
    }.bind(this);
    return { sessionId, metadata: summary, initial: summary.initial, state, lastSeq: summary.lastSeq, events };
  }

  /** Full-text search over event content (SQLite FTS5 syntax: words ANDed, "phrases", prefix*). `limit` 1–500 [50]. */
  async search(q: string, limit?: number): Promise<SearchResult> {
    return (await this.http.request<SearchResult>({ method: 'GET', path: '/api/v1/query/search', query: { q, limit } }))
      .body;
  }

  /** Totals by status and type. */
  /**
   * Tool usage, error rate, events and tokens over time, durations and busiest sessions for a time range, computed by
   * the service (`GET /api/query/analytics`). `from`/`to` are ISO 8601 (default: the last 24 h), `bucketMs` in ms;
   * `include` limits the work to some parts (e.g. `['eventsOverTime']`), the others come back empty.
   */
  async analytics(
    range: {
      from?: string;
      to?: string;
      bucketMs?: number;
      include?: Array<'eventsOverTime' | 'tokensOverTime' | 'tools' | 'durations' | 'busiest'>;
    } = {},
  ): Promise<Analytics> {
    const { include, ...rest } = range;
    return (
      await this.http.request<Analytics>({
        method: 'GET',
        path: '/api/v1/query/analytics',
        query: { ...rest, ...(include?.length ? { include: include.join(',') } : {}) },
      })
    ).body;
  }

  async stats(): Promise<Stats> {
    return (await this.http.request<Stats>({ method: 'GET', path: '/api/v1/query/stats' })).body;
  }

  /** Most recently updated sessions (seed route). */
  async recent(limit?: number): Promise<{ sessions: SessionSummary[]; count: number }> {
    return (
      await this.http.request<{ sessions: SessionSummary[]; count: number }>({
        method: 'GET',
        path: '/api/v1/query/recent',
        query: { limit },
      })
    ).body;
  }

  /** `GET /health`. Throws APIConnectionError when the service is unreachable. */
  async health(): Promise<Health> {
    return (await this.http.request<Health>({ method: 'GET', path: '/health' })).body;
  }

  /**
   * Sends events now (`POST /api/ingest`, ≤ 1000), bypassing the queue, and returns the per-item results (207). Items
   * without an id get one, so this call is retried safely on connection errors and 5xx/429.
   */
  async ingest(events: EventInput[]): Promise<IngestResponse> {
    const withIds = events.map((e) => (e.id ? e : { ...e, id: uuid() }));
    return (
      await this.http.request<IngestResponse>({
        method: 'POST',
        path: '/api/v1/ingest',
        body: { events: withIds },
        retry: true,
      })
    ).body;
  }

  /** A logger bound to one session (cheap; make as many as you like). */
  session(sessionId: string): SessionLogger {
    return new SessionLogger(this.batcher, sessionId);
  }

  /** Queues any event for background delivery (the general form of the SessionLogger methods). Never throws. */
  log(
    event: { sessionId: string; kind: EventInput['kind']; data?: Record<string, unknown> } & LogOptions,
  ): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, event.sessionId, event.kind, event.data ?? {}, event);
  }

  /** Waits until every event logged so far is delivered (or refused). Resolves false if `timeoutMs` passed first; never rejects. */
  flush(timeoutMs?: number): Promise<boolean> {
    return this.batcherInstance ? this.batcherInstance.flush(timeoutMs) : Promise.resolve(true);
  }

  /**
   * Flushes for up to `timeoutMs` [10000], then stops background delivery. Undelivered events stay in the spool (if
   * any) for the next start, otherwise they are reported lost. Resolves true when everything was delivered.
   */
  close(timeoutMs?: number): Promise<boolean> {
    return this.batcherInstance ? this.batcherInstance.close(timeoutMs) : Promise.resolve(true);
  }

  /**
   * Synchronously saves events that are only in memory to the spool (for `process.on('exit')`, where async work no longer
   * runs); without a spool they are reported lost. Returns the number saved. Installed by `installExitHooks`.
   */
  saveSync(): number {
    return this.batcherInstance?.saveSync() ?? 0;
  }

  /** Counters of background delivery (queued, delivered, duplicates, rejected, dropped, retries, pending). */
  deliveryStats(): DeliveryStats {
    return (
      this.batcherInstance?.stats() ?? {
        queued: 0,
        delivered: 0,
        duplicates: 0,
        rejected: 0,
        dropped: 0,
        retries: 0,
        pending: 0,
      }
    );
  }

  /**
   * Live events of one session (`{ sessionId }`) or of every session (`{}`), as an async iterator that reconnects with
   * backoff and resumes from the last seq/pos, so each event is yielded once, in order. See {@link subscribeSse}.
   *
   * ```ts
   * for await (const ev of tether.subscribe({ sessionId: 's1', afterSeq: 0 })) console.log(ev.seq, ev.kind);
   * ```
   */
  subscribe(opts: SubscribeOptions = {}): Subscription {
    return subscribeSse(this.http, this.fetchImpl as typeof fetch, opts);
  }

  /**
   * A {@link LiveSocket}: one WebSocket to `/api/v1/ws` with this client's base URL and API key, carrying any number of
   * `session`, `firehose` and `list` subscriptions, reconnected with backoff and resumed from the last seq/pos.
   * In Node 20 pass the `ws` package's constructor (`{ WebSocket }`); browsers use the global one. It connects at
   * the first subscription (or `connect()`); `close()` it when done.
   *
   * ```ts
   * const live = tether.live({ WebSocket }); // WebSocket from 'ws' in Node 20
   * live.session('s1', { afterSeq: 0, onEvent: (ev) => console.log(ev.seq, ev.kind) });
   * ```
   */
  live(options: Omit<LiveSocketOptions, 'baseUrl' | 'apiKey'> = {}): LiveSocket {
    return new LiveSocket({ ...options, baseUrl: this.http.baseUrl, apiKey: this.options.apiKey });
  }
}
