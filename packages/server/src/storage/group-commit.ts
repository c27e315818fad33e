import { isStorageFull } from './item-errors.js';
import type { AppendItem, AppendOutcome, Store } from './store.js';

/** A caller's items (one for a REST write, up to 1,000 for an ingest batch); never split across transactions. */
interface Pending {
  items: AppendItem[];
  resolve: (o: AppendOutcome[]) => void;
  reject: (e: unknown) => void;
  /** Retried in a transaction of its own after a shared one failed: it is not batched with others again. */
  alone?: boolean;
  /** How often it was retried (at most 3 times). */
  retries?: number;
}

/** Called after each committed transaction with the outcomes, in commit order. */
export type CommitListener = (outcomes: AppendOutcome[]) => void;

/**
 * Group commit: appends that arrive while the event loop is busy (from any number of concurrent requests) are
 * written in one transaction at the next `setImmediate`, up to `maxBatch` items a transaction. Each caller's promise
 * settles only after its transaction committed, so an acknowledged event is durable (per the store's durability).
 * A failed transaction is invisible. When it held several callers, each of them is retried in a transaction of its
 * own, so that one caller's failure (an engine error that the store could not pin on one item) stays that caller's
 * and the others commit (issue #12, group-commit poisoning); a caller whose own transaction fails is rejected. A full
 * disk ({@link isStorageFull}) rejects every caller at once: retrying one by one would only fail again.
 *
 * Up to `store.maxInFlight` transactions (default 1) are handed to the store before the first of them committed: the
 * SQLite adapter takes 2, so that the next batch is built on this thread while its writer thread commits the last one.
 * Transactions commit, and callers and listeners hear of them, in the order they were handed over.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly listeners: CommitListener[] = [];
  private idle: Array<() => void> = [];
  /** Sizes of the transactions written, for the metrics endpoint. */
  onBatch: ((size: number, ms: number) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 2000,
  ) {
    this.maxInFlight = Math.max(1, store.maxInFlight ?? 1);
  }

  /** Appends one event; resolves after commit. */
  async append(item: AppendItem): Promise<AppendOutcome> {
    return (await this.appendMany([item]))[0]!;
  }

  /** Appends several events in one transaction, in order; resolves with one outcome per item after commit. */
  appendMany(items: AppendItem[]): Promise<AppendOutcome[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.schedule();
    });
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Hands batches to the store while fewer than `maxInFlight` are uncommitted. */
  private flush(): void {
    while (this.queue.length && this.inFlight < this.maxInFlight) {
      // Whole callers up to maxBatch items (a single caller larger than that still goes in one transaction).
      let take = 0;
      let size = 0;
      // A caller retried after a shared failure goes alone.
      while (
        take < this.queue.length &&
        (take === 0 ||
          (!this.queue[0]!.alone && !this.queue[take]!.alone && size + this.queue[take]!.items.length <= this.maxBatch))
      )
        size += this.queue[take++]!.items.length;
      const batch = this.queue.splice(0, take);
      const items = batch.length === 1 ? batch[0]!.items : batch.flatMap((p) => p.items);
      const started = performance.now();
      this.inFlight++;
      let written: Promise<AppendOutcome[]>;
      try {
        written = this.store.append(items);
      } catch (err) {
        written = Promise.reject(err);
      }
      written
        .then(
          (outcomes) => this.committed(batch, items.length, outcomes, started),
          (err) => this.failed(batch, err),
        )
        .finally(() => {
          this.inFlight--;
          if (this.inFlight === 0 && !this.queue.length) for (const done of this.idle.splice(0)) done();
          this.schedule();
        });
    }
  }

  /**
   * A transaction failed: its callers are retried one per transaction (ahead of what is queued), unless it held only
   * one caller, or the disk is full. A transaction the SQLite writer skipped because one before it
   * failed (`skipped`) is retried even with one caller: it was not at fault.
   */
  private failed(batch: Pending[], err: unknown): void {
    const skipped = (err as { skipped?: unknown } | undefined)?.skipped === true;
    if (isStorageFull(err) || (batch.length === 1 && !skipped) || batch.some((p) => (p.retries ?? 0) >= 3)) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const p of batch) {
      p.alone = true;
      p.retries = (p.retries ?? 0) + 1;
    }
    this.queue.unshift(...batch);
  }

  private committed(batch: Pending[], size: number, outcomes: AppendOutcome[], started: number): void {
    this.onBatch?.(size, performance.now() - started);
    for (const l of this.listeners) {
      try {
        l(outcomes);
      } catch {
        /* a listener must never break the write path */
      }
    }
    let at = 0;
    for (const p of batch) {
      p.resolve(batch.length === 1 ? outcomes : outcomes.slice(at, at + p.items.length));
      at += p.items.length;
    }
  }

  /** Resolves when everything queued so far is committed (used by graceful shutdown). */
  drain(): Promise<void> {
    if (this.inFlight === 0 && !this.queue.length && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
