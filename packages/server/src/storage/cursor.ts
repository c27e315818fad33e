import { TetherError } from '../errors.js';

/**
 * The opaque pagination cursor of session lists, the same on every engine: base64url of the JSON `[sortValue,
 * sessionId]` of the last row of a page (sortValue: its `created` or `updated`, ISO 8601).
 */
export function encodeCursor(sortValue: string, sessionId: string): string {
  return Buffer.from(JSON.stringify([sortValue, sessionId])).toString('base64url');
}

/** The `[sortValue, sessionId]` of a cursor from {@link encodeCursor}; 400 `validation_failed` for anything else. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new TetherError('validation_failed', 'cursor is not a cursor this server issued');
}
