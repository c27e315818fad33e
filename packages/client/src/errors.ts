import type { Problem } from '@tether/protocol';

/**
 * The error tree of the SDK (the shape of openai-python's `_exceptions.py`):
 *
 * ```
 * TetherClientError                      anything the SDK raises on purpose
 * ├── APIError                            the server answered with an error status (problem+json)
 * │   ├── BadRequestError          400    validation_failed, invalid_json, invalid_session_id
 * │   ├── AuthenticationError      401    unauthorized
 * │   ├── PermissionDeniedError    403    forbidden
 * │   ├── NotFoundError            404    session_not_found, goal_not_found, agent_not_found, route_not_found
 * │   ├── ConflictError            409    session_exists, duplicate_id
 * │   ├── PreconditionFailedError  412    version_mismatch
 * │   ├── PayloadTooLargeError     413    payload_too_large
 * │   ├── UnsupportedMediaTypeError 415
 * │   ├── RateLimitedError         429    rate_limited (retryAfterMs from Retry-After)
 * │   └── InternalServerError      5xx    internal_error, unavailable
 * ├── APIConnectionError                  no answer: refused, reset, DNS, aborted
 * │   └── APITimeoutError                 no answer within `timeoutMs`
 * └── SerializationError                  an event's data cannot be turned into JSON (cycles, BigInt)
 * ```
 *
 * Server errors carry `status`, the stable `code` (packages/protocol errors.ts), `requestId` (the `x-request-id` header or
 * the problem's `requestId`) and the whole `problem` document.
 */
export class TetherClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered with an error status. `status` is the HTTP status; `code` the stable API code ('unknown' if none). */
export class APIError extends TetherClientError {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly problem: Partial<Problem> | undefined;
  /** The response headers (lower-case names), when the error came from an HTTP response. */
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, init: { code?: string; requestId?: string; problem?: Partial<Problem>; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = init.code ?? 'unknown';
    this.requestId = init.requestId;
    this.problem = init.problem;
    this.headers = init.headers ?? {};
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class PreconditionFailedError extends APIError {}
export class PayloadTooLargeError extends APIError {}
export class UnsupportedMediaTypeError extends APIError {}
/** 429: `retryAfterMs` is the server's Retry-After in ms (undefined when absent). */
export class RateLimitedError extends APIError {
  get retryAfterMs(): number | undefined {
    return parseRetryAfter(this.headers['retry-after']);
  }
}
/** Any 5xx. */
export class InternalServerError extends APIError {}

/** The request got no HTTP answer (connection refused or reset, DNS failure, aborted). `cause` is the underlying error. */
export class APIConnectionError extends TetherClientError {
  constructor(message = 'Connection error', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No answer within the request timeout (`timeoutMs`). */
export class APITimeoutError extends APIConnectionError {
  constructor(message = 'Request timed out', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An event could not be serialized to JSON (a cycle, a BigInt); it is not queued. */
export class SerializationError extends TetherClientError {}

const BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError, 409: ConflictError,
  412: PreconditionFailedError, 413: PayloadTooLargeError, 415: UnsupportedMediaTypeError, 429: RateLimitedError,
};

/**
 * Builds the APIError subclass for `status` from a response body (problem+json, other JSON or text) and headers.
 * Also used for per-item failures of `POST /api/ingest` (status and code from the item result).
 */
export function makeAPIError(status: number, body: unknown, headers: Record<string, string> = {}): APIError {
  const problem = body && typeof body === 'object' ? (body as Partial<Problem>) : undefined;
  const code = typeof problem?.code === 'string' ? problem.code : undefined;
  const requestId = headers['x-request-id'] ?? (typeof problem?.requestId === 'string' ? problem.requestId : undefined);
  const detail = typeof problem?.detail === 'string' ? problem.detail : typeof body === 'string' && body ? body.slice(0, 500) : undefined;
  const message = `${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}${requestId ? ` (request ${requestId})` : ''}`;
  const Ctor = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
  return new Ctor(status, message, { ...(code ? { code } : {}), ...(requestId ? { requestId } : {}), ...(problem ? { problem } : {}), headers });
}

/** True for errors worth retrying: connection errors, timeouts, 408, 429 and 5xx. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof APIConnectionError) return true;
  if (err instanceof APIError) return err.status === 408 || err.status === 429 || err.status >= 500;
  return false;
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delta-seconds or an HTTP date. Returns ms (≥ 0), or undefined when
 * absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null || value === '') return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
