import type { SessionRecord } from '../../events/record.js';

/**
 * The SQLite adapter's parsed session records, committed state only, at most `size` of them (default 10,000): when
 * full, the record cached first is dropped (a dropped record is loaded again from its row and the log after it).
 * Replacing a cached record keeps its place.
 */
export class RecordCache {
  private readonly records = new Map<string, SessionRecord>();

  constructor(private readonly size = 10_000) {}

  get(sessionId: string): SessionRecord | undefined {
    return this.records.get(sessionId);
  }

  /** Caches `rec` under its session id, dropping the oldest entry when the cache is full. */
  remember(rec: SessionRecord): void {
    if (!this.records.has(rec.sessionId) && this.records.size >= this.size) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    this.records.set(rec.sessionId, rec);
  }

  delete(sessionId: string): void {
    this.records.delete(sessionId);
  }

  /** Drops every cached record (tests use it to make the next read load from the database). */
  clear(): void {
    this.records.clear();
  }
}
