import { ERROR_CODES, type ErrorCode } from '@tether/protocol';

/**
 * An error with a stable API code (see ERROR_CODES in @tether/protocol). Thrown anywhere in the server;
 * the problem+json plugin turns it into an RFC 9457 response with the code's HTTP status.
 */
export class TetherError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: Array<{ path: string; message: string }>;
  constructor(code: ErrorCode, detail: string, errors?: Array<{ path: string; message: string }>) {
    super(detail);
    this.name = 'TetherError';
    this.code = code;
    this.status = ERROR_CODES[code];
    if (errors) this.errors = errors;
  }
}

/** Human title per code, for the problem document's `title`. */
export function titleFor(code: ErrorCode): string {
  return code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
