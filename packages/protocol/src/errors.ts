/**
 * Stable error codes of the Tether API, each with its HTTP status.
 *
 * Every error leaves the server as `application/problem+json` (RFC 9457) with these fields plus `code`.
 * Clients switch on `code`, never on `title` or `detail`, which may change wording.
 */
export const ERROR_CODES = {
  /** The body is not valid JSON. */
  invalid_json: 400,
  /** The body, query or path parameters do not match the schema. */
  validation_failed: 400,
  /** JSON nested deeper than the limit (`MAX_JSON_DEPTH`, 64 levels of objects and arrays); refused before it is parsed. */
  too_deep: 400,
  /** A session id is not 1–128 characters of `A-Za-z0-9._:-`. */
  invalid_session_id: 400,
  /** Missing or unknown API key. */
  unauthorized: 401,
  /** The API key lacks the scope the route needs. */
  forbidden: 403,
  /** No route matches the method and path. */
  route_not_found: 404,
  /** The path exists, but not with this method; the `Allow` header lists the methods it has. */
  method_not_allowed: 405,
  /** The session does not exist (or auto-creation is off). */
  session_not_found: 404,
  /** The goal id is not in the session's state. */
  goal_not_found: 404,
  /** The agent id is not in the session's state. */
  agent_not_found: 404,
  /** The API key id does not exist. */
  key_not_found: 404,
  /** No memory store item with that namespace and key (or it expired). */
  store_item_not_found: 404,
  /** A session with that id already exists. */
  session_exists: 409,
  /** A goal or agent with that id already exists in the session. */
  duplicate_id: 409,
  /** `If-Match` / `expectedVersion` does not equal the state's current version; nothing was changed. */
  version_mismatch: 412,
  /** The request (headers and body) did not arrive within `TETHER_REQUEST_TIMEOUT_MS` / `TETHER_HEADERS_TIMEOUT_MS`. */
  request_timeout: 408,
  /** The body is larger than the configured limit (`TETHER_BODY_LIMIT`, bytes). */
  payload_too_large: 413,
  /** The Content-Type is not `application/json` (or `application/merge-patch+json`). */
  unsupported_media_type: 415,
  /** The request's headers are larger than Node's limit (16 KiB by default). */
  headers_too_large: 431,
  /** Too many requests; retry after the `Retry-After` header (seconds). */
  rate_limited: 429,
  /** An unexpected server error; details are in the server log, never in the response. */
  internal_error: 500,
  /** The service is starting or shutting down; retry shortly. */
  unavailable: 503,
  /** The disk (or database) holding the data is full: nothing was written; retry after the `Retry-After` header (seconds). Reads keep working. */
  insufficient_storage: 507,
} as const;

/**
 * The deepest nesting of objects and arrays a JSON body may have (a body `{"a":[1]}` has depth 2). Deeper bodies are
 * refused with `too_deep` before they are parsed: deep values cost stack in every later step (serialising, SQLite's
 * JSON functions, which stop at 1,000 levels).
 */
export const MAX_JSON_DEPTH = 64;

/** One of the stable error codes in {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Base URI for the `type` member of problem documents: `${PROBLEM_TYPE_BASE}${code}`. */
export const PROBLEM_TYPE_BASE = 'https://tether.dev/problems/';

/** Media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem document (RFC 9457) plus Tether's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: ErrorCode;
  /** Request id, also sent as the `x-request-id` response header. */
  requestId?: string;
  /** Validation failures: JSON pointer of the offending value and what is wrong. */
  errors?: Array<{ path: string; message: string }>;
}

/**
 * The SDKs' error classes per HTTP status: the TypeScript SDK (`@tether/client` errors.ts) and the Python SDK
 * (`tether._exceptions`) both build their trees from this table, with these names (checked by
 * python/tests/test_error_tree.py). A status not listed maps to `InternalServerError` when ≥ 500, else to
 * `APIStatusError`. The tree (openai-python's shape, which both SDKs follow):
 *
 * ```
 * TetherError                       everything an SDK raises on purpose
 * ├── APIError                      the API call failed (status, or no answer)
 * │   ├── APIStatusError            an error status with a problem+json body: status, code, requestId
 * │   │   └── (one class per status below)
 * │   └── APIConnectionError        no answer: refused, reset, DNS, aborted
 * │       └── APITimeoutError       no answer within the client's timeout
 * └── (SDK-specific: SerializationError in TS, DeliveryError in Python)
 * ```
 */
export const SDK_ERROR_CLASSES = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  412: 'PreconditionFailedError',
  413: 'PayloadTooLargeError',
  415: 'UnsupportedMediaTypeError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError',
} as const;

/** The class names every SDK's tree has besides {@link SDK_ERROR_CLASSES}, in the tree's order. */
export const SDK_ERROR_BASES = [
  'TetherError',
  'APIError',
  'APIStatusError',
  'InternalServerError',
  'APIConnectionError',
  'APITimeoutError',
] as const;
