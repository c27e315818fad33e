/**
 * Where the SQLite adapter's writes are executed: {@link InlineWriter} on the calling thread, {@link ThreadWriter} on a
 * writer thread (with the full-text index and WAL checkpoints on threads of their own).
 */
import { MessageChannel, type Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { FtsIndexer } from './fts-indexer.js';
import type { Durability } from './connection.js';
import { eventPositions, TxRunner, type WriteTx } from './transaction.js';
import { spawn, ThreadCalls, type FtsCommand, type WriterCommand } from './threads.js';

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
    if (tx.texts?.length) this.fts.offer(eventPositions(tx), tx.texts);
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
  /** The index thread's newest indexed position (`events.pos`), written by that thread after every slice. */
  private readonly indexed: Float64Array;
  onFailure: (() => void) | undefined;
  /** Called once if the writer thread stops (crash or termination) before `close`. */
  onDeath: ((err: Error) => void) | undefined;

  constructor(file: string, durability: Durability) {
    // The writer offers the index texts of what it committed straight to the index thread (FtsIndexer.offer).
    const { port1: offers, port2: index } = new MessageChannel();
    const progress = new SharedArrayBuffer(8);
    this.indexed = new Float64Array(progress);
    this.fts = new ThreadCalls(
      spawn('fts-worker', { file, durability, offers, progress }, [offers]),
      'the full-text index thread',
    );
    this.writer = new ThreadCalls(
      spawn('writer-worker', { file, durability, index }, [index]),
      'the SQLite writer thread',
      {
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
      },
    );
    this.checkpointer = spawn('checkpoint-worker', { file, durability });
    this.checkpointer.unref();
    // Without the checkpoint thread, the writer checkpoints on its own again (SQLite's default: every 1,000 pages).
    this.checkpointer.on('error', () => void this.writer.call({ t: 'autoCheckpoint' }).catch(() => undefined));
  }

  /**
   * The newest position the full-text index thread has indexed (0 until its first slice), or undefined when that thread
   * has stopped (then nothing waits for it).
   */
  indexedPos(): number | undefined {
    return this.fts.dead ? undefined : this.indexed[0];
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
