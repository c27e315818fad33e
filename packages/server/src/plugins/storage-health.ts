import type { FastifyBaseLogger } from 'fastify';

/** Seconds a client is asked to wait (Retry-After) after a write was refused for a full disk. */
export const STORAGE_FULL_RETRY_AFTER_S = 5;
/** At most one log line per this many ms about writes refused for a full disk (with their count). */
const LOG_INTERVAL_MS = 10_000;

/**
 * Whether the disk (or database) holding the data was found full (issue #12, item 5). Writes refused for it answer
 * 507 `insufficient_storage` with Retry-After; `/ready` answers 503 until a write commits again or Retry-After
 * passed (so that a balancer sends traffic again and the next write finds out). The log gets one line when it
 * starts and one per 10 s while it lasts, with the number of writes refused, instead of one per request.
 */
export class StorageHealth {
  private fullUntil = 0;
  private refused = 0;
  private loggedAt = 0;

  constructor(private readonly log: FastifyBaseLogger) {}

  /** True while writes are expected to fail for a full disk. */
  get full(): boolean {
    return Date.now() < this.fullUntil;
  }

  /** A write was refused for a full disk. */
  refusedWrite(err: unknown): void {
    const now = Date.now();
    const starting = !this.full;
    this.fullUntil = now + STORAGE_FULL_RETRY_AFTER_S * 1000;
    this.refused++;
    if (starting || now - this.loggedAt >= LOG_INTERVAL_MS) {
      this.log.error(
        { refused: this.refused, err: { code: (err as { code?: unknown })?.code, message: (err as Error)?.message } },
        `the disk holding the data is full: ${this.refused} write(s) refused with 507 since the last report; reads keep working`,
      );
      this.loggedAt = now;
      this.refused = 0;
    }
  }

  /** A write committed: there is room again. */
  committed(): void {
    if (this.fullUntil === 0) return;
    if (this.refused)
      this.log.warn(
        { refused: this.refused },
        `writes commit again; ${this.refused} more write(s) were refused for a full disk`,
      );
    else this.log.warn('writes commit again after a full disk');
    this.fullUntil = 0;
    this.refused = 0;
  }
}
