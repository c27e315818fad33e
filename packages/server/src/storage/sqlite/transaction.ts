/**
 * One write transaction of the SQLite adapter as plain data ({@link WriteTx}: it crosses to the writer thread by
 * structured clone), the statements it may name, and the code that executes it on a connection ({@link TxRunner}).
 */
import type Database from 'better-sqlite3';

/** Statements every write transaction may name (a key of this map), instead of sending SQL text. */
export const WRITE_SQL = {
  insertEvent:
    'INSERT INTO events (pos, session_id, seq, event_id, kind, ts, received_at, data, tool, tool_error, tokens_in, tokens_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  insertSession: `INSERT INTO sessions (session_id, user_id, type, parent_session_id, status, tags, metadata, initial, final, state,
      state_version, created, updated, ended_at, duration_ms, last_seq, actions, responses)
    VALUES (@session_id, @user_id, @type, @parent_session_id, @status, @tags, @metadata, @initial, @final, @state,
      @state_version, @created, @updated, @ended_at, @duration_ms, @last_seq, @actions, @responses)`,
  // Two updates: the common one leaves status alone, so its index is not rewritten on every event.
  updateSession: `UPDATE sessions SET metadata = @metadata, state = @state, state_version = @state_version, updated = @updated,
      last_seq = @last_seq, actions = @actions, responses = @responses WHERE session_id = @session_id`,
  updateSessionStatus: `UPDATE sessions SET status = @status, final = @final, ended_at = @ended_at, duration_ms = @duration_ms
      WHERE session_id = @session_id`,
} as const;

/** Columns per event in {@link WriteTx.events}, in the order of `WRITE_SQL.insertEvent`. */
export const EVENT_COLUMNS = 12;

/**
 * One write transaction: events as a flat array ({@link EVENT_COLUMNS} values per event: pos, session_id, seq,
 * event_id, kind, ts, received_at, data JSON, then the derived columns tool, tool_error, tokens_in, tokens_out of
 * storage/append-decision.ts) inserted first, then `ops` in order, each a {@link WRITE_SQL} key or SQL
 * text with its parameters. Plain data, so it crosses to the writer thread by structured clone.
 */
export interface WriteTx {
  events?: unknown[];
  /**
   * The full-text index text of each event in `events`, in their order (search-text.ts `ftsText` of its stored data),
   * offered to the index after the commit ({@link eventPositions}, FtsIndexer.offer) so that indexing neither reads
   * nor parses the rows again. Optional: events without it are indexed from their rows.
   */
  texts?: string[];
  /** A session being deleted: the positions of its events are collected first, for the full-text index to forget. */
  forgetSession?: string;
  ops?: Array<[sql: string, params: unknown[] | Record<string, unknown>]>;
}

/** The positions (`events.pos`) of the events of `tx`, in order. */
export function eventPositions(tx: WriteTx): number[] {
  const ev = tx.events ?? [];
  const out = new Array<number>(ev.length / EVENT_COLUMNS);
  for (let i = 0, j = 0; i < ev.length; i += EVENT_COLUMNS, j++) out[j] = ev[i] as number;
  return out;
}

/**
 * Executes write transactions on one connection: the code the writer thread, the inline writer and the HTTP thread's
 * direct commits share.
 */
export class TxRunner {
  private readonly stmts = new Map<string, Database.Statement>();
  /** Positions of the events of the sessions the last transaction deleted (`forgetSession`). */
  forgotten: number[] = [];

  /**
   * @param onEvents called after a transaction with events committed (the inline full-text indexer's cue)
   * @param immediate begin with `BEGIN IMMEDIATE`. On a connection with the index file attached that would also take
   *   the index file's write lock (SQLite takes it on every attached database) and wait for the index thread, so the
   *   HTTP thread's connection begins DEFERRED: its first statement is a write to the main file and locks only that.
   */
  constructor(
    readonly db: Database.Database,
    private readonly onEvents?: () => void,
    private readonly immediate = true,
  ) {}

  private prepared(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql in WRITE_SQL ? WRITE_SQL[sql as keyof typeof WRITE_SQL] : sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `tx` in one transaction (see `immediate`); returns the changes of each op. Throws (and rolls back) on error. */
  run(tx: WriteTx): number[] {
    this.forgotten = [];
    const run = this.db.transaction(() => {
      const ev = tx.events;
      if (ev && ev.length) {
        const insert = this.prepared('insertEvent');
        for (let i = 0; i < ev.length; i += EVENT_COLUMNS)
          insert.run(
            ev[i],
            ev[i + 1],
            ev[i + 2],
            ev[i + 3],
            ev[i + 4],
            ev[i + 5],
            ev[i + 6],
            ev[i + 7],
            ev[i + 8],
            ev[i + 9],
            ev[i + 10],
            ev[i + 11],
          );
      }
      if (tx.forgetSession !== undefined)
        this.forgotten = this.prepared('SELECT pos FROM events WHERE session_id = ?')
          .pluck()
          .all(tx.forgetSession) as number[];
      return (tx.ops ?? []).map(
        ([sql, params]) =>
          (Array.isArray(params) ? this.prepared(sql).run(...params) : this.prepared(sql).run(params)).changes,
      );
    });
    const changes = this.immediate ? run.immediate() : run.deferred();
    if (tx.events?.length) this.onEvents?.();
    return changes;
  }

  /** Checkpoints the WAL into the database file and closes the connection. */
  close(): void {
    if (!this.db.open) return;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
