import { TetherError } from '../errors.js';

/**
 * Thrown by an adapter's batch planning when one item failed after it had begun to change the batch's working copies
 * (an unexpected error inside `applyEvent`). The adapter then plans the batch again without that item, whose outcome
 * is {@link itemError} of `cause`; nothing of it reaches the transaction.
 */
export class PoisonedItem extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`item ${index} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/**
 * The outcome error of one item whose checks or serialisation threw: a TetherError as it is; a RangeError from deep
 * recursion (`JSON.stringify` of very deep values) `too_deep`; one from an over-long string `payload_too_large`;
 * anything else `internal_error` (a bug: the original error is kept as `cause` for the log). Only that item fails,
 * never the others in its transaction (issue #12: group-commit poisoning).
 */
export function itemError(err: unknown): TetherError {
  if (err instanceof TetherError) return err;
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof RangeError && /call stack/i.test(message))
    return new TetherError('too_deep', 'The event is nested too deeply to be stored');
  if (err instanceof RangeError && /string length/i.test(message))
    return new TetherError('payload_too_large', 'The event is too large to be stored');
  const e = new TetherError(
    'internal_error',
    'This event could not be stored; the server log has the details under this request id',
  );
  (e as { cause?: unknown }).cause = err;
  return e;
}

/**
 * True for errors that mean the disk (or database) holding the data is full: SQLite's `SQLITE_FULL` (and I/O errors
 * caused by ENOSPC), PostgreSQL's `53100 disk_full`, Node's `ENOSPC`/`EDQUOT`. Such failures are not an item's fault.
 */
export function isStorageFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC' || code === 'EDQUOT') return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /database or disk is full|no space left on device|disk quota exceeded|could not extend file/i.test(message);
}
