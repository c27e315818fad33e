import type { AppendItem, AppendOutcome, Store } from './store.js';

/** A caller's items (one for a REST write, up to 1,000 for an ingest batch); never split across transactions. */
interface Pending {
  items: AppendItem[];
  resolve: (o: AppendOutcome[]) => void;
  reject: (e: unknown) => void;
}

/** Called after each committed transaction with the outcomes, in commit order. */
export type CommitListener = (outcomes: AppendOutcome[]) => void;

/**
 * Group commit: appends that arrive while the event loop is busy (from any number of concurrent requests) are
 * written in one transaction at the next `setImmediate`, up to `maxBatch` items a transaction. Each caller's promise
 * settles only after its transaction committed, so an acknowledged event is durable (per the store's durability).
 * A failed transaction rejects every caller in it; nothing of it is visible.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private readonly listeners: CommitListener[] = [];
  /** Sizes of the transactions written, for the metrics endpoint. */
  onBatch: ((size: number, ms: number) => void) | undefined;

  constructor(private readonly store: Store, private readonly maxBatch = 2000) {}

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
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.flush().finally(() => {
        this.running = null;
        if (this.queue.length) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      // Whole callers up to maxBatch items (a single caller larger than that still goes in one transaction).
      let take = 0;
      let size = 0;
      while (take < this.queue.length && (take === 0 || size + this.queue[take]!.items.length <= this.maxBatch)) size += this.queue[take++]!.items.length;
      const batch = this.queue.splice(0, take);
      const items = batch.length === 1 ? batch[0]!.items : batch.flatMap((p) => p.items);
      const started = performance.now();
      let outcomes: AppendOutcome[];
      try {
        outcomes = await this.store.append(items);
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      this.onBatch?.(items.length, performance.now() - started);
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
  }

  /** Resolves when everything queued so far is committed (used by graceful shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length || this.running || this.scheduled) {
      if (this.running) await this.running;
      else await new Promise((r) => setImmediate(r));
    }
  }
}
