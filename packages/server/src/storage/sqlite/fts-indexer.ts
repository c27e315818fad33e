import type Database from 'better-sqlite3';
import { ftsText } from './fts-text.js';

/** Events indexed for full-text search per background transaction. */
const SLICE = 500;
/** How often, in ms, the background indexer looks for new events. */
const INTERVAL_MS = 250;

interface PendingRow {
  pos: number;
  kind: string;
  data: string;
}

/**
 * Full-text indexing of committed events into the FTS5 table `events_fts`, after commit and in batches: FTS5 writes a
 * segment per transaction, so indexing each small group commit would cost more than the append itself. In the
 * background it runs every 250 ms in slices of 500 events, yielding to the event loop between slices so that
 * requests are not held up; searches call {@link catchUp} first, so a search always sees every committed event.
 * A crash loses nothing: `meta.fts_pos` records the last indexed position, in the same transaction as the index rows.
 */
export class FtsIndexer {
  private pending = true;
  private running = false;
  private readonly timer: NodeJS.Timeout;
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare('INSERT INTO events_fts (rowid, body) VALUES (?, ?)'),
      pendingRows: db.prepare<[number, number], PendingRow>('SELECT pos, kind, data FROM events WHERE pos > ? ORDER BY pos LIMIT ?'),
      position: db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'fts_pos'"),
      setPosition: db.prepare("UPDATE meta SET value = ? WHERE key = 'fts_pos'"),
    };
    this.timer = setInterval(() => this.inBackground(), INTERVAL_MS);
    this.timer.unref();
  }

  /** Notes that events were appended (cheap; called once per inserted event). */
  markPending(): void {
    this.pending = true;
  }

  /** Indexes up to `limit` events in one transaction; returns how many. */
  private slice(limit: number): number {
    if (!this.pending || !this.db.open) return 0;
    const n = this.db.transaction(() => {
      const from = this.stmt.position.get()?.value ?? 0;
      const rows = this.stmt.pendingRows.all(from, limit);
      for (const r of rows) this.stmt.insert.run(r.pos, ftsText(r.kind, JSON.parse(r.data)));
      if (rows.length) this.stmt.setPosition.run(rows[rows.length - 1]!.pos);
      return rows.length;
    }).immediate();
    if (n < limit) this.pending = false;
    return n;
  }

  private inBackground(): void {
    if (this.running) return;
    this.running = true;
    const step = (): void => {
      let more = false;
      try {
        more = this.slice(SLICE) === SLICE;
      } catch {
        /* retried on the next tick; searches surface persistent errors */
      }
      if (more) setImmediate(step);
      else this.running = false;
    };
    step();
  }

  /** Indexes everything committed so far, now (before a search or a deletion). Returns how many events were indexed. */
  catchUp(): number {
    let total = 0;
    for (let n = SLICE * 5; n === SLICE * 5;) {
      n = this.slice(SLICE * 5);
      total += n;
    }
    return total;
  }

  /** Stops the background timer (call before closing the database). */
  stop(): void {
    clearInterval(this.timer);
  }
}
