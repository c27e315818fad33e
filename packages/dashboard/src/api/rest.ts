/**
 * The dashboard's REST access: the public API of docs/api.md through @tether/client, with the error classes and
 * cancellation (AbortSignal) the views use.
 */
import { APIConnectionError, APIError, TetherClient } from '@tether/client';
import type { Analytics, EventPage, RestoredSession, SessionListQuery, SessionPage, SessionState, SessionSummary, Stats } from './types';

/** An error answered by the server (problem+json): `status`, stable `code` (packages/protocol/src/errors.ts), `detail`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly requestId?: string) {
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

function qs(params: object): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/**
 * REST calls of the public Tether API through @tether/client's TetherClient (retries off: the live link does the
 * reconnecting, and a restart must show as "reconnecting" at once). Analytics is not in the client yet, so it goes
 * through {@link TetherRest.request}. Every method throws ApiError (server answer) or ConnectionError (no answer);
 * with a `signal` that is aborted, it throws an AbortError and the (late) answer is dropped.
 */
export class TetherRest {
  readonly client: TetherClient;

  constructor(readonly opts: RestOptions) {
    // `fetch` is wrapped: the client calls its fetch as a method, which browsers refuse for the bare window.fetch ("Illegal invocation").
    this.client = new TetherClient({ baseUrl: opts.baseUrl || window.location.origin, apiKey: opts.apiKey || undefined, maxRetries: 0, timeoutMs: 15_000, fetch: (input, init) => fetch(input, init) });
  }

  /** Runs a client call, mapping its errors (APIError → ApiError, APIConnectionError → ConnectionError) and honouring `signal`. */
  private async call<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const aborted = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
    if (signal?.aborted) throw aborted();
    try {
      const r = await f();
      if (signal?.aborted) throw aborted();
      return r;
    } catch (err) {
      if (signal?.aborted) throw aborted();
      if (err instanceof APIError) {
        const e = new ApiError(err.status, err.code, err.problem?.detail ?? err.problem?.title ?? err.message, err.requestId);
        this.opts.onError?.(e);
        throw e;
      }
      if (err instanceof APIConnectionError) throw new ConnectionError(`Cannot reach ${this.opts.baseUrl || window.location.origin}: ${err.message}`);
      throw err;
    }
  }

  /** Performs one request with fetch (for routes the client lacks); parses JSON; maps problem+json to ApiError. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let res: Response;
    try {
      res = await fetch(this.opts.baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}) });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ConnectionError(`Cannot reach ${this.opts.baseUrl || window.location.origin}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const err = new ApiError(res.status, parsed?.code ?? `http_${res.status}`, parsed?.detail ?? parsed?.title ?? res.statusText, parsed?.requestId ?? res.headers.get('x-request-id') ?? undefined);
      this.opts.onError?.(err);
      throw err;
    }
    return parsed as T;
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
  listEvents(id: string, o: { after?: number; limit?: number; kind?: string } = {}, signal?: AbortSignal): Promise<EventPage> {
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

  /** `GET /api/query/analytics?from&to&bucketMs` — computed by the service over a time range (ISO 8601, ms). Not in @tether/client yet. */
  analytics(o: { from?: string; to?: string; bucketMs?: number }, signal?: AbortSignal): Promise<Analytics> {
    return this.request('GET', `/api/query/analytics${qs(o)}`, undefined, signal);
  }

  /** `GET /health`. */
  health(signal?: AbortSignal): Promise<{ status: string; version: string }> {
    return this.call(() => this.client.health() as Promise<{ status: string; version: string }>, signal);
  }

  /** `POST /api/ingest` — up to 1,000 events; 207 with per-item results. */
  ingest(events: Array<Record<string, unknown>>): Promise<{ accepted: number; rejected: number }> {
    return this.call(() => this.client.ingest(events as never));
  }
}

/**
 * One session's summary. The API has no light "GET one summary" route (the restore route also returns every action and
 * response), so this asks `GET /api/sessions?q=<id>` (which matches session ids) and picks the exact id, falling back to
 * the restore route's `metadata` when the list does not have it.
 */
export async function getSessionSummary(rest: TetherRest, id: string, signal?: AbortSignal): Promise<SessionSummary> {
  try {
    const page = await rest.listSessions({ q: id, limit: 100 }, signal);
    const hit = page.sessions.find((s) => s.sessionId === id);
    if (hit) return hit;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err;
  }
  return (await rest.restoreSession(id, signal)).metadata;
}
