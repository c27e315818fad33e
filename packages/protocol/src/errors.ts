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
  /** A session id is not 1–128 characters of `A-Za-z0-9._:-`. */
  invalid_session_id: 400,
  /** Missing or unknown API key. */
  unauthorized: 401,
  /** The API key lacks the scope the route needs. */
  forbidden: 403,
  /** No route matches the method and path. */
  route_not_found: 404,
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
  /** The body is larger than the configured limit (`TETHER_BODY_LIMIT`, bytes). */
  payload_too_large: 413,
  /** The Content-Type is not `application/json` (or `application/merge-patch+json`). */
  unsupported_media_type: 415,
  /** Too many requests; retry after the `Retry-After` header (seconds). */
  rate_limited: 429,
  /** An unexpected server error; details are in the server log, never in the response. */
  internal_error: 500,
  /** The service is starting or shutting down; retry shortly. */
  unavailable: 503,
} as const;

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
