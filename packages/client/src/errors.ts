import { SDK_ERROR_CLASSES, type Problem } from '@tether/protocol';

/**
 * The error tree of the SDK, the same names as the Python SDK's (`tether._exceptions`), both from the table
 * `SDK_ERROR_CLASSES` of `@tether/protocol` (the shape of openai-python's `_exceptions.py`):
 *
 * ```
 * TetherError                            anything the SDK raises on purpose
 * ├── APIError                           the API call failed; `status` undefined when no answer came
 * │   ├── APIStatusError                 the server answered with an error status (problem+json)
 * │   │   ├── BadRequestError      400   validation_failed, invalid_json, invalid_session_id, too_deep
 * │   │   ├── AuthenticationError  401   unauthorized
 * │   │   ├── PermissionDeniedError 403  forbidden
 * │   │   ├── NotFoundError        404   session_not_found, goal_not_found, agent_not_found, route_not_found, …
 * │   │   ├── ConflictError        409   session_exists, duplicate_id
 * │   │   ├── PreconditionFailedError 412 version_mismatch
 * │   │   ├── PayloadTooLargeError 413   payload_too_large
 * │   │   ├── UnsupportedMediaTypeError 415 unsupported_media_type
 * │   │   ├── UnprocessableEntityError 422
 * │   │   ├── RateLimitError       429   rate_limited (retryAfterMs from Retry-After)
 * │   │   └── InternalServerError  5xx   internal_error, unavailable, insufficient_storage
 * │   └── APIConnectionError             no answer: refused, reset, DNS, aborted
 * │       └── APITimeoutError            no answer within `timeoutMs`
 * └── SerializationError                 an event's data cannot be turned into JSON (cycles, BigInt)
 * ```
 *
 * Status errors carry `status`, the stable `code` (packages/protocol errors.ts), `requestId` (the `x-request-id` header
 * or the problem's `requestId`), the whole `problem` document and the response `headers`.
 * `TetherClientError` and `RateLimitedError` are the earlier names of `TetherError` and `RateLimitError` (same classes).
 */
export class TetherError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * An API call failed. For {@link APIStatusError} `status` is the HTTP status and `code` the stable API code ('unknown'
 * if the body had none); for {@link APIConnectionError} `status` is undefined and `code` is 'connection_error'.
 */
export class APIError extends TetherError {
  readonly status: number | undefined;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly problem: Partial<Problem> | undefined;
  /** The response headers (lower-case names), when the error came from an HTTP response. */
  readonly headers: Record<string, string>;
  constructor(
    status: number | undefined,
    message: string,
    init: {
      code?: string;
      requestId?: string;
      problem?: Partial<Problem>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.status = status;
    this.code = init.code ?? 'unknown';
    this.requestId = init.requestId;
    this.problem = init.problem;
    this.headers = init.headers ?? {};
  }
}

/** The server answered with an error status (`status` ≥ 400). */
export class APIStatusError extends APIError {
  declare readonly status: number;
  constructor(
    status: number,
    message: string,
    init: { code?: string; requestId?: string; problem?: Partial<Problem>; headers?: Record<string, string> } = {},
  ) {
    super(status, message, init);
  }
}

export class BadRequestError extends APIStatusError {}
export class AuthenticationError extends APIStatusError {}
export class PermissionDeniedError extends APIStatusError {}
export class NotFoundError extends APIStatusError {}
export class ConflictError extends APIStatusError {}
export class PreconditionFailedError extends APIStatusError {}
export class PayloadTooLargeError extends APIStatusError {}
export class UnsupportedMediaTypeError extends APIStatusError {}
export class UnprocessableEntityError extends APIStatusError {}
/** 429: `retryAfterMs` is the server's Retry-After in ms (undefined when absent). */
export class RateLimitError extends APIStatusError {
  get retryAfterMs(): number | undefined {
    return parseRetryAfter(this.headers['retry-after']);
  }
}
/** Any 5xx. */
export class InternalServerError extends APIStatusError {}

/** The request got no HTTP answer (connection refused or reset, DNS failure, aborted). `cause` is the underlying error. */
export class APIConnectionError extends APIError {
  constructor(message = 'Connection error', options?: { cause?: unknown }) {
    super(undefined, message, {
      code: 'connection_error',
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
    });
  }
}

/** No answer within the request timeout (`timeoutMs`). */
export class APITimeoutError extends APIConnectionError {
  constructor(message = 'Request timed out', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An event could not be serialized to JSON (a cycle, a BigInt); it is not queued. */
export class SerializationError extends TetherError {}

/** Earlier name of {@link TetherError} (the same class). */
export const TetherClientError = TetherError;
export type TetherClientError = TetherError;
/** Earlier name of {@link RateLimitError} (the same class). */
export const RateLimitedError = RateLimitError;
export type RateLimitedError = RateLimitError;

/** The classes by name, for {@link SDK_ERROR_CLASSES}. */
const CLASSES: Record<(typeof SDK_ERROR_CLASSES)[keyof typeof SDK_ERROR_CLASSES], typeof APIStatusError> = {
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  PreconditionFailedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  RateLimitError,
};

const BY_STATUS: Record<number, typeof APIStatusError> = Object.fromEntries(
  Object.entries(SDK_ERROR_CLASSES).map(([status, name]) => [Number(status), CLASSES[name]]),
);

/**
 * Builds the APIStatusError subclass for `status` from a response body (problem+json, other JSON or text) and headers.
 * Also used for per-item failures of `POST /api/ingest` (status and code from the item result).
 */
export function makeAPIError(status: number, body: unknown, headers: Record<string, string> = {}): APIStatusError {
  const problem = body && typeof body === 'object' ? (body as Partial<Problem>) : undefined;
  const code = typeof problem?.code === 'string' ? problem.code : undefined;
  const requestId = headers['x-request-id'] ?? (typeof problem?.requestId === 'string' ? problem.requestId : undefined);
  const detail =
    typeof problem?.detail === 'string'
      ? problem.detail
      : typeof body === 'string' && body
        ? body.slice(0, 500)
        : undefined;
  const message = `${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}${requestId ? ` (request ${requestId})` : ''}`;
  const Ctor = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIStatusError);
  return new Ctor(status, message, {
    ...(code ? { code } : {}),
    ...(requestId ? { requestId } : {}),
    ...(problem ? { problem } : {}),
    headers,
  });
}

/** True for errors worth retrying: connection errors, timeouts, 408, 429 and 5xx. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof APIConnectionError) return true;
  if (err instanceof APIStatusError) return err.status === 408 || err.status === 429 || err.status >= 500;
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
