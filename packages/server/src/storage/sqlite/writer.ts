import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { FtsIndexer } from './fts-indexer.js';

/** `normal`: every acknowledged write survives a crash of the process. `full`: also a power loss (fsync per commit). */
export type Durability = 'normal' | 'full';

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
  /** A session being deleted: the positions of its events are collected first, for the full-text index to forget. */
  forgetSession?: string;
  ops?: Array<[sql: string, params: unknown[] | Record<string, unknown>]>;
}

/** Opens a connection with the adapter's settings (WAL, synchronous per durability, 64 MiB page cache). */
export function openConnection(file: string, durability: Durability = 'normal'): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536'); // 64 MiB of page cache: indexes of large logs stay in memory
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Lowers the calling thread's priority to nice 10 (the checkpoint thread; not the index thread, which every search
 * waits for), so that the threads answering requests (HTTP, writer) win when the cores are busy. On Linux the nice value is per thread: setpriority(2) for pid 0
 * (os.setPriority's default) changes only the calling thread. Not permitted or not supported: it keeps its priority.
 */
export function asBackgroundThread(): void {
  try {
    setPriority(10);
  } catch {
    /* keep the default priority */
  }
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

/**
 * Where the SQLite adapter's writes are executed: on the calling thread, or on a writer thread. Transactions commit in
 * the order `run` was called. When one fails, the writer calls `onFailure` at once (before any later `run` call can
 * happen) and rejects every transaction handed over before it learned of the failure, since those may build on the
 * failed one; transactions handed over after `onFailure` run normally.
 */
export interface Writer {
  /** Commits `tx`; resolves after the commit with the changes of each op, rejects (nothing written) on error. */
  run(tx: WriteTx): Promise<number[]>;
  /** Called synchronously when a transaction failed (see above). */
  onFailure: (() => void) | undefined;
  /** Full-text indexes every event committed so far; resolves with how many were indexed. */
  indexText(): Promise<number>;
  /** Indexes, checkpoints and closes the write connection. */
  close(): Promise<void>;
}

/** Runs writes synchronously on the caller's thread (in-memory databases, which a second thread cannot open). */
export class InlineWriter implements Writer {
  private readonly runner: TxRunner;
  private readonly fts: FtsIndexer;
  onFailure: (() => void) | undefined;
  /** `db` must have the full-text index attached (attachFts). */
  constructor(db: Database.Database) {
    this.fts = new FtsIndexer(db);
    this.runner = new TxRunner(db, () => this.fts.markPending());
  }
  async run(tx: WriteTx): Promise<number[]> {
    let changes: number[];
    try {
      changes = this.runner.run(tx);
    } catch (err) {
      this.onFailure?.();
      throw err;
    }
    this.fts.forget(this.runner.forgotten);
    return changes;
  }
  async indexText(): Promise<number> {
    return this.fts.catchUp();
  }
  async close(): Promise<void> {
    this.fts.stop();
    if (this.runner.db.open) this.fts.catchUp();
    this.runner.close();
  }
}

/** Messages to the writer thread. */
export type WriterCommand = { t: 'tx'; tx: WriteTx } | { t: 'reset' } | { t: 'autoCheckpoint' } | { t: 'close' };
/** A command with its id, as posted to the writer thread. */
export type WriterRequest = WriterCommand & { id: number };
/** Replies from the writer thread. */
export type WriterReply =
  | { id: number; ok: true; value: number | number[]; forgotten?: number[] }
  | { id: number; ok: false; message: string; code?: string; skipped?: boolean };
/** Messages to the full-text index thread (fts-worker.ts); `catchUp` and `close` are answered `{id, ok, value}`. */
export type FtsCommand = { t: 'catchUp' } | { t: 'forget'; positions: number[] } | { t: 'close' };
/** A command with its id, as posted to the index thread (0 for `forget`, which is not answered). */
export type FtsRequest = FtsCommand & { id: number };

/**
 * Runs writes on a worker thread with its own connection (writer-worker.ts), so that inserts, commits, WAL checkpoints
 * and full-text indexing use the second core instead of the thread that serves HTTP. Transactions are executed in the
 * order `run` is called; each promise settles after its commit. If the thread dies, every pending and later write is
 * rejected (the server answers 500; nothing acknowledged is lost).
 *
 * WAL checkpoints (copying committed pages from the WAL back into the database file, with its fsyncs) run on a third
 * thread with its own connection (checkpoint-worker.ts), so that they do not hold up commits either; the writer's
 * automatic checkpoints are off.
 */
export class ThreadWriter implements Writer {
  private readonly writer: ThreadCalls<WriterCommand>;
  private readonly fts: ThreadCalls<FtsCommand>;
  private readonly checkpointer: Worker;
  onFailure: (() => void) | undefined;
  /** Called once if the writer thread stops (crash or termination) before `close`. */
  onDeath: ((err: Error) => void) | undefined;

  constructor(file: string, durability: Durability) {
    this.fts = new ThreadCalls(spawn('fts-worker', { file, durability }), 'the full-text index thread');
    this.writer = new ThreadCalls(spawn('writer-worker', { file, durability }), 'the SQLite writer thread', {
      reply: (m) => {
        // Deleted events leave the full-text index after their deletion committed (the index thread reads committed data).
        if (m.ok && m.forgotten?.length) this.fts.post({ t: 'forget', positions: m.forgotten });
        if (!m.ok && !m.skipped) {
          // The thread skips transactions until it hears `reset`: every one sent before this point was built on the one
          // that failed. The owner forgets its uncommitted state before anything else is sent.
          this.onFailure?.();
          this.writer.post({ t: 'reset' });
        }
      },
      death: (err, hadPending) => {
        this.onDeath?.(err);
        // Like a failed transaction: what was handed over is lost, the owner forgets what it built on it.
        if (hadPending) this.onFailure?.();
      },
    });
    this.checkpointer = spawn('checkpoint-worker', { file, durability });
    this.checkpointer.unref();
    // Without the checkpoint thread, the writer checkpoints on its own again (SQLite's default: every 1,000 pages).
    this.checkpointer.on('error', () => void this.writer.call({ t: 'autoCheckpoint' }).catch(() => undefined));
  }

  /** Why the writer thread stopped, or undefined while it runs. */
  problem(): string | undefined {
    return this.writer.dead?.message;
  }

  /** Tells the index thread to drop the entries of deleted events (for deletions committed elsewhere). */
  forget(positions: number[]): void {
    if (positions.length) this.fts.post({ t: 'forget', positions });
  }

  run(tx: WriteTx): Promise<number[]> {
    return this.writer.call({ t: 'tx', tx });
  }

  /** Asks the full-text index thread to index everything committed; rejects if that thread failed (searches then fail). */
  indexText(): Promise<number> {
    return this.fts.call({ t: 'catchUp' });
  }

  async close(): Promise<void> {
    this.onDeath = undefined;
    await this.checkpointer.terminate();
    if (!this.writer.dead) await this.writer.call({ t: 'close' });
    await this.writer.worker.terminate();
    // After the writer: it indexes what the writer committed last, then checkpoints and closes its file.
    await this.fts.call({ t: 'close' }).catch(() => undefined);
    await this.fts.worker.terminate();
  }
}

/**
 * Request/reply over a worker thread's port: `call` sends a command with a fresh id and settles when the `{id, ok, …}`
 * reply comes; `post` sends one that is not answered. When the thread stops, every pending and later call rejects.
 */
class ThreadCalls<C extends { t: string }> {
  private readonly pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Why the thread stopped, once it has. */
  dead: Error | null = null;

  /**
   * @param name the thread, for the error when it exits
   * @param hooks `reply` sees every answered reply before its call settles; `death` runs once when the thread stops,
   *   before the pending calls reject
   */
  constructor(
    readonly worker: Worker,
    name: string,
    hooks: { reply?: (m: WriterReply) => void; death?: (err: Error, hadPending: boolean) => void } = {},
  ) {
    worker.on('message', (m: WriterReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      hooks.reply?.(m);
      if (m.ok) p.resolve(m.value as never);
      else
        p.reject(
          Object.assign(new Error(m.message), m.code ? { code: m.code } : {}, m.skipped ? { skipped: true } : {}),
        );
    });
    const fail = (err: Error) => {
      if (this.dead) return;
      this.dead = err;
      hooks.death?.(err, this.pending.size > 0);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${name} exited (code ${code})`)));
  }

  call<T>(msg: C): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  post(msg: C): void {
    if (!this.dead) this.worker.postMessage({ ...msg, id: 0 });
  }
}

/**
 * Starts one of this folder's worker entries (`writer-worker`, `fts-worker`, `checkpoint-worker`). Under tsx (the tests run the
 * TypeScript sources) the thread registers tsx's loader before importing its entry; compiled, the .js entry beside
 * this file is started directly.
 */
function spawn(name: string, workerData: Record<string, unknown>): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}${source ? '.ts' : '.js'}`, import.meta.url);
  if (!source) return new Worker(entry, { workerData });
  const loader = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${loader}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`, {
    eval: true,
    workerData,
  });
}
