import type Database from 'better-sqlite3';
import { ftsText } from '../search-text.js';

/**
 * Events indexed for full-text search per background transaction. FTS5 writes a segment per transaction and merges
 * segments as they pile up: for ~400-byte tool calls 500 a transaction cost 11.3–12.2 µs of CPU per event, 2,500 with
 * {@link AUTOMERGE} 8 cost 6.9 µs (issue #18; one run, 100,000 events).
 */
const SLICE = 2500;
/** FTS5's `automerge` (default 4): how many segments of one level wait before they are merged into one. */
const AUTOMERGE = 8;
/** How often, in ms, the background indexer looks for new events. */
const INTERVAL_MS = 250;
/**
 * Most texts {@link FtsIndexer.offer} keeps waiting for their events to be indexed (~400 bytes each for a tool call:
 * ~40 MB at most). Past it, offers are dropped and those events' texts are built from their rows instead.
 */
const MAX_OFFERED = 100_000;

interface PendingRow {
  pos: number;
  kind: string;
  data: string;
}

/**
 * The full-text index's own database file beside the main one (`data/tether.db` → `data/tether-fts.db`), or a second
 * in-memory database for `:memory:`.
 */
export function ftsFileFor(file: string): string {
  return file === ':memory:' ? ':memory:' : file.replace(/(\.db)?$/, '-fts.db');
}

/**
 * Attaches the full-text index's database as schema `fts` to a connection of the main database (creating its tables
 * when new): queries join `fts.events_fts` with `events`. The file has its own write lock, so indexing never holds up
 * appends. If the index claims positions past the newest event (the main file was replaced), it is emptied.
 */
export function attachFts(db: Database.Database, ftsFile: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): void {
  db.prepare('ATTACH DATABASE ? AS fts').run(ftsFile);
  if (ftsFile !== ':memory:') db.pragma('fts.journal_mode = WAL');
  db.pragma(`fts.synchronous = ${synchronous}`);
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS fts.events_fts USING fts5(body, content='', contentless_delete=1);
CREATE TABLE IF NOT EXISTS fts.meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
INSERT OR IGNORE INTO fts.meta (key, value) VALUES ('fts_pos', 0);`);
  const indexed = (db.prepare("SELECT value FROM fts.meta WHERE key = 'fts_pos'").get() as { value: number }).value;
  const newest = (db.prepare('SELECT coalesce(max(pos), 0) AS p FROM main.events').get() as { p: number }).p;
  if (indexed > newest) db.exec("DELETE FROM fts.events_fts; UPDATE fts.meta SET value = 0 WHERE key = 'fts_pos';");
}

/**
 * Full-text indexing of committed events into the FTS5 table `fts.events_fts`, after commit and in batches: FTS5 writes a
 * segment per transaction, so indexing each small group commit would cost more than the append itself. In the
 * background it runs every 250 ms in slices of 2,500 events, yielding to the event loop between slices so that
 * requests are not held up; searches call {@link catchUp} first, so a search always sees every committed event.
 * A crash loses nothing: `fts.meta.fts_pos` records the last indexed position, in the same transaction as the index rows.
 * The connection must have the index attached (see {@link attachFts}).
 */
export class FtsIndexer {
  private pending = true;
  /** Texts offered for committed events not yet indexed, by position, in commit order ({@link offer}). */
  private readonly offered = new Map<number, string>();
  /** The newest position indexed, as of the last slice (offers at or before it come too late and are dropped). */
  private indexed = 0;
  private running = false;
  private readonly timer: NodeJS.Timeout;
  /** Called after every slice with the newest indexed position (the index thread publishes it, see ThreadWriter). */
  onIndexed: ((pos: number) => void) | undefined;
  private readonly stmt;

  /**
   * @param poll look for new events on every tick and catch-up, not only after {@link markPending} (the index thread,
   *   which does not see the writes, polls; the cost is one indexed lookup)
   */
  constructor(
    private readonly db: Database.Database,
    private readonly poll = false,
  ) {
    // Stored in the index's own config table; setting it again is a no-op.
    db.exec(`INSERT INTO fts.events_fts (events_fts, rank) VALUES ('automerge', ${AUTOMERGE})`);
    this.stmt = {
      insert: db.prepare('INSERT INTO fts.events_fts (rowid, body) VALUES (?, ?)'),
      forget: db.prepare('DELETE FROM fts.events_fts WHERE rowid = ?'),
      pendingRows: db.prepare<[number, number], PendingRow>(
        'SELECT pos, kind, data FROM main.events WHERE pos > ? ORDER BY pos LIMIT ?',
      ),
      pendingPositions: db
        .prepare<[number, number], number>('SELECT pos FROM main.events WHERE pos > ? ORDER BY pos LIMIT ?')
        .pluck(),
      row: db.prepare<[number], PendingRow>('SELECT pos, kind, data FROM main.events WHERE pos = ?'),
      position: db.prepare<[], { value: number }>("SELECT value FROM fts.meta WHERE key = 'fts_pos'"),
      setPosition: db.prepare("UPDATE fts.meta SET value = ? WHERE key = 'fts_pos'"),
    };
    this.timer = setInterval(() => this.inBackground(), INTERVAL_MS);
    this.timer.unref();
  }

  /** The newest position in the index (`fts.meta.fts_pos`; 0 for an empty index). */
  position(): number {
    return this.stmt.position.get()?.value ?? 0;
  }

  /** Notes that events were appended (cheap; called once per inserted event). */
  markPending(): void {
    this.pending = true;
  }

  /**
   * Takes the index texts ({@link ftsText}) of events that have committed at `positions`, built by whoever planned
   * them from the data in hand, so that indexing them reads no row and parses no JSON: reading the row, `JSON.parse`
   * and `ftsText` are ~3 µs per ~560-byte tool call beside ~7.5 µs of FTS5 insert (bench/ingest-steps.ts, issue #18).
   * An offer is only a shortcut: an event is indexed only while its row exists (a session deleted before indexing
   * leaves its offers unused), and an event without an offer (committed by another connection, or offered past
   * {@link MAX_OFFERED}) is read from its row as before.
   */
  offer(positions: readonly number[], texts: readonly string[]): void {
    if (this.offered.size + positions.length > MAX_OFFERED) return;
    for (let i = 0; i < positions.length; i++)
      if (positions[i]! > this.indexed) this.offered.set(positions[i]!, texts[i]!);
    this.pending = true;
    // A full slice waiting: index it now rather than at the next tick, so that the backlog a search has to catch up
    // on stays near one slice instead of growing with the ingest rate for up to INTERVAL_MS (issue #18: searches
    // waited 0.2–2.9 s at 50,000 events/s). Slices stay SLICE events long, so indexing costs no more per event.
    if (this.offered.size >= SLICE && !this.running) setImmediate(() => this.inBackground());
  }

  /** The text of the event at `pos`: its offer, else from its row (undefined: the row is gone). */
  private textAt(pos: number): string | undefined {
    const offered = this.offered.get(pos);
    if (offered !== undefined) return offered;
    const r = this.stmt.row.get(pos);
    return r && ftsText(r.kind, JSON.parse(r.data));
  }

  /** Drops the offers of positions up to `last` (indexed, or deleted before indexing). */
  private dropOffers(last: number): void {
    for (const pos of this.offered.keys()) {
      if (pos > last) break; // offers arrive in commit order, i.e. by position
      this.offered.delete(pos);
    }
  }

  /** Indexes up to `limit` events in one transaction; returns how many. */
  private slice(limit: number): number {
    if ((!this.pending && !this.poll) || !this.db.open) return 0;
    const n = this.db
      .transaction(() => {
        const from = this.position();
        if (!this.offered.size) {
          const rows = this.stmt.pendingRows.all(from, limit);
          for (const r of rows) this.stmt.insert.run(r.pos, ftsText(r.kind, JSON.parse(r.data)));
          if (rows.length) this.stmt.setPosition.run(rows[rows.length - 1]!.pos);
          return rows.length;
        }
        const positions = this.stmt.pendingPositions.all(from, limit);
        for (const pos of positions) {
          const text = this.textAt(pos);
          if (text !== undefined) this.stmt.insert.run(pos, text);
        }
        if (positions.length) this.stmt.setPosition.run(positions[positions.length - 1]!);
        return positions.length;
      })
      .deferred(); // not IMMEDIATE: that would also take the write lock of every attached file, the main one included
    this.indexed = this.position();
    this.onIndexed?.(this.indexed);
    if (this.offered.size) this.dropOffers(this.indexed);
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
    for (let n = SLICE * 5; n === SLICE * 5; ) {
      n = this.slice(SLICE * 5);
      total += n;
    }
    return total;
  }

  /** Removes the index entries of deleted events (by position); entries of events never indexed are no-ops. */
  forget(positions: number[]): void {
    for (const p of positions) this.offered.delete(p);
    if (!positions.length || !this.db.open) return;
    this.db
      .transaction(() => {
        for (const p of positions) this.stmt.forget.run(p);
      })
      .deferred();
  }

  /** Stops the background timer (call before closing the database). */
  stop(): void {
    clearInterval(this.timer);
  }
}
