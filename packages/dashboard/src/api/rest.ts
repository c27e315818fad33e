/**
 * The dashboard's REST access: the public API of docs/api.md through @tether/client (and its error classes), with the
 * cancellation (AbortSignal) the views use.
 */
import { APIStatusError, TetherClient } from '@tether/client';
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

/**
 * The human text of a server error: the problem's `detail` (or `title`), else the error's message. The dashboard's
 * errors are the SDK's (`@tether/client`, packages/client/src/errors.ts): an `APIStatusError` (subclassed per status)
 * when the server answered with an error — `status`, stable `code` (packages/protocol/src/errors.ts), `problem`,
 * `requestId` — and an `APIConnectionError` when it did not answer (refused, reset, DNS, CORS).
 */
export function problemDetail(err: APIStatusError): string {
  return err.problem?.detail ?? err.problem?.title ?? err.message;
}

export interface RestOptions {
  /** Base URL of the Tether service, '' for the page's origin. */
  baseUrl: string;
  /** API key sent as `Authorization: Bearer`, '' for none. */
  apiKey: string;
  /** Called with every APIStatusError (the app shows the key prompt on 401/403). */
  onError?: (err: APIStatusError) => void;
}

/**
 * REST calls of the public Tether API through @tether/client's TetherClient (retries off: the live link does the
 * reconnecting, and a restart must show as "reconnecting" at once). Every method throws the SDK's APIStatusError (server
 * answer) or APIConnectionError (no answer);
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

  /** Runs a client call, reporting server errors to `onError` and honouring `signal`. */
  private async call<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const aborted = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
    if (signal?.aborted) throw aborted();
    try {
      const r = await f();
      if (signal?.aborted) throw aborted();
      return r;
    } catch (err) {
      if (signal?.aborted) throw aborted();
      if (err instanceof APIStatusError) this.opts.onError?.(err);
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
