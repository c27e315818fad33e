import { backoffDelay, sleep, type RetryOptions } from './backoff.js';
import {
  APIConnectionError,
  APIStatusError,
  APITimeoutError,
  RateLimitError,
  isRetryable,
  makeAPIError,
  parseRetryAfter,
} from './errors.js';

/** A `fetch`-compatible function (the global fetch in Node ≥ 18 and browsers, or a test double). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Connection settings shared by every request. */
export interface HttpOptions extends RetryOptions {
  /** Base URL of the Tether service, e.g. `http://localhost:9000` (a trailing slash is ignored). */
  baseUrl: string;
  /** API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string | undefined;
  /** Per-attempt timeout in ms; default 10000. */
  timeoutMs?: number;
  /** fetch implementation; default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** One request. `query` values that are undefined are left out; `body` is JSON-encoded unless it is a string. */
export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Retry this request on retryable failures (default: true for GET/HEAD and for requests with an Idempotency-Key). */
  retry?: boolean;
  signal?: AbortSignal | undefined;
}

/** A response as the SDK sees it: status, lower-cased headers and the parsed JSON (or text) body. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

function headersToRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/**
 * Thin fetch wrapper: base URL, auth, JSON, timeouts, and retries with exponential backoff and jitter on connection errors,
 * timeouts, 408, 429 (honouring Retry-After) and 5xx. Error statuses throw {@link makeAPIError}'s subclass; no answer
 * throws APIConnectionError / APITimeoutError.
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly options: HttpOptions;
  private readonly fetchImpl: FetchLike;

  constructor(options: HttpOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound to globalThis: browsers throw "Illegal invocation" when window.fetch is called as a method of another object.
    const f =
      options.fetch ??
      (typeof globalThis.fetch === 'function'
        ? (((input, init) => globalThis.fetch(input, init)) as FetchLike)
        : undefined);
    if (!f) throw new TypeError('No fetch implementation: pass options.fetch');
    this.fetchImpl = f;
  }

  /** Full URL for a path and query. */
  url(path: string, query?: RequestSpec['query']): string {
    let u = this.baseUrl + path;
    if (query) {
      const qs = Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
      if (qs.length) u += `?${qs.join('&')}`;
    }
    return u;
  }

  /** Headers for a request: auth, accept, plus `extra`. */
  headers(extra?: Record<string, string>): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      ...this.options.headers,
      ...extra,
    };
  }

  /** One attempt, no retries. Throws APIError for status ≥ 400, APIConnectionError / APITimeoutError for no answer. */
  async once<T>(spec: RequestSpec): Promise<HttpResponse<T>> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const ctrl = new AbortController();
    const timer = setTimeout(
      () => ctrl.abort(new APITimeoutError(`No answer within ${timeoutMs} ms: ${spec.method} ${spec.path}`)),
      timeoutMs,
    );
    const onAbort = () => ctrl.abort(spec.signal?.reason);
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    const hasBody = spec.body !== undefined;
    try {
      let res: Response;
      try {
        res = await this.fetchImpl(this.url(spec.path, spec.query), {
          method: spec.method,
          headers: this.headers({ ...(hasBody ? { 'content-type': 'application/json' } : {}), ...spec.headers }),
          ...(hasBody ? { body: typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body) } : {}),
          signal: ctrl.signal,
        });
      } catch (err) {
        throw toConnectionError(err, ctrl.signal, spec);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw toConnectionError(err, ctrl.signal, spec);
      }
      const headers = headersToRecord(res.headers);
      let body: unknown = text;
      if (text && /json/i.test(headers['content-type'] ?? '')) {
        try {
          body = JSON.parse(text);
        } catch {
          /* keep the text */
        }
      }
      if (res.status >= 400) throw makeAPIError(res.status, body, headers);
      return { status: res.status, headers, body: body as T };
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The request with retries (see class doc). */
  async request<T>(spec: RequestSpec): Promise<HttpResponse<T>> {
    const retry =
      spec.retry ?? (spec.method === 'GET' || spec.method === 'HEAD' || !!spec.headers?.['idempotency-key']);
    const maxRetries = retry ? (this.options.maxRetries ?? 2) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(spec);
      } catch (err) {
        if (attempt >= maxRetries || !isRetryable(err) || spec.signal?.aborted) throw err;
        // Retry-After is honoured on 429 and on the 5xx that send it (503 unavailable, 507 insufficient_storage).
        const ra =
          err instanceof RateLimitError
            ? err.retryAfterMs
            : err instanceof APIStatusError && err.status >= 500
              ? parseRetryAfter(err.headers['retry-after'])
              : undefined;
        await sleep(backoffDelay(attempt, this.options, ra), spec.signal);
      }
    }
  }
}

function toConnectionError(err: unknown, signal: AbortSignal, spec: RequestSpec): Error {
  if (signal.aborted && signal.reason instanceof APITimeoutError) return signal.reason;
  if (spec.signal?.aborted)
    return new APIConnectionError(`Aborted: ${spec.method} ${spec.path}`, { cause: spec.signal.reason });
  const cause = (err as { cause?: { code?: string } })?.cause;
  return new APIConnectionError(
    `Connection error: ${spec.method} ${spec.path}${cause?.code ? ` (${cause.code})` : ''}`,
    { cause: err },
  );
}
