/**
 * The dashboard's REST access: the public API of docs/api.md through @tether/client, with the error classes and
 * cancellation (AbortSignal) the views use.
 */
import { APIConnectionError, APIStatusError, TetherClient } from '@tether/client';
import type {
  Analytics,
  EventPage,
  RestoredSession,
  SessionListQuery,
  SessionPage,
  SessionState,
  SessionSummary,
  Stats,
} from './types';

/** An error answered by the server (problem+json): `status`, stable `code` (packages/protocol/src/errors.ts), `detail`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly requestId?: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** The server could not be reached (refused, reset, DNS, CORS) — distinct from an answer with an error status. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export interface RestOptions {
  /** Base URL of the Tether service, '' for the page's origin. */
  baseUrl: string;
  /** API key sent as `Authorization: Bearer`, '' for none. */
  apiKey: string;
  /** Called with every ApiError (the app shows the key prompt on 401/403). */
  onError?: (err: ApiError) => void;
}

/**
 * REST calls of the public Tether API through @tether/client's TetherClient (retries off: the live link does the
 * reconnecting, and a restart must show as "reconnecting" at once). Every method throws ApiError (server answer) or ConnectionError (no answer);
 * with a `signal` that is aborted, it throws an AbortError and the (late) answer is dropped.
 */
export class TetherRest {
  readonly client: TetherClient;

  constructor(readonly opts: RestOptions) {
    this.client = new TetherClient({
      baseUrl: opts.baseUrl || window.location.origin,
      apiKey: opts.apiKey || undefined,
      maxRetries: 0,
      timeoutMs: 15_000,
    });
  }

  /** Runs a client call, mapping its errors (APIStatusError → ApiError, APIConnectionError → ConnectionError) and honouring `signal`. */
  private async call<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const aborted = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
    if (signal?.aborted) throw aborted();
    try {
      const r = await f();
      if (signal?.aborted) throw aborted();
      return r;
    } catch (err) {
      if (signal?.aborted) throw aborted();
      if (err instanceof APIStatusError) {
        const e = new ApiError(
          err.status,
          err.code,
          err.problem?.detail ?? err.problem?.title ?? err.message,
          err.requestId,
        );
        this.opts.onError?.(e);
        throw e;
      }
      if (err instanceof APIConnectionError)
        throw new ConnectionError(`Cannot reach ${this.opts.baseUrl || window.location.origin}: ${err.message}`);
      throw err;
    }
  }

  /** `GET /api/sessions` — filters, full-text `q`, sort, cursor pagination (newest first). */
  listSessions(q: SessionListQuery, signal?: AbortSignal): Promise<SessionPage> {
    return this.call(() => this.client.sessions.list(q as never) as Promise<SessionPage>, signal);
  }

  /** `GET /api/sessions/:id` — restore: summary (`metadata`), state, actions, responses, final. */
  restoreSession(id: string, signal?: AbortSignal): Promise<RestoredSession> {
    return this.call(() => this.client.sessions.get(id) as unknown as Promise<RestoredSession>, signal);
  }

  /** `GET /api/sessions/:id/events?after&limit&kind` — one page of the log in seq order (limit ≤ 10,000). */
  listEvents(
    id: string,
    o: { after?: number; limit?: number; kind?: string } = {},
    signal?: AbortSignal,
  ): Promise<EventPage> {
    return this.call(() => this.client.sessions.events(id, o as never) as Promise<EventPage>, signal);
  }

  /** `GET /api/sessions/:id/children` — sessions whose parentSessionId is `id`. */
  children(id: string, signal?: AbortSignal): Promise<{ sessionId: string; sessions: SessionSummary[] }> {
    return this.call(() => this.client.sessions.children(id), signal);
  }

  /** `GET /api/state/:id[?atSeq=N]` — the state, replayed to seq N when given. */
  getState(id: string, atSeq?: number, signal?: AbortSignal): Promise<SessionState> {
    return this.call(() => this.client.sessions.state(id, atSeq), signal);
  }

  /** `GET /api/query/stats` — totals by status and type. */
  stats(signal?: AbortSignal): Promise<Stats> {
    return this.call(() => this.client.stats() as Promise<Stats>, signal);
  }

  /** `GET /api/query/analytics?from&to&bucketMs` — computed by the service over a time range (ISO 8601, ms). */
  analytics(o: Parameters<TetherClient['analytics']>[0], signal?: AbortSignal): Promise<Analytics> {
    return this.call(() => this.client.analytics(o), signal);
  }

  /** `GET /health`. */
  health(signal?: AbortSignal): Promise<{ status: string; version: string }> {
    return this.call(() => this.client.health() as Promise<{ status: string; version: string }>, signal);
  }

  /** `GET /api/sessions/:id/summary` — one session's summary without its log. */
  sessionSummary(id: string, signal?: AbortSignal): Promise<SessionSummary> {
    return this.call(() => this.client.sessions.summary(id), signal);
  }

  /** `POST /api/ingest` — up to 1,000 events; 207 with per-item results. */
  ingest(events: Array<Record<string, unknown>>): Promise<{ accepted: number; rejected: number }> {
    return this.call(() => this.client.ingest(events as never));
  }
}

/** One session's summary, without its log: `GET /api/sessions/:id/summary`. */
export async function getSessionSummary(rest: TetherRest, id: string, signal?: AbortSignal): Promise<SessionSummary> {
  return rest.sessionSummary(id, signal);
}
