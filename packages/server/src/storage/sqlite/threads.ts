/**
 * The adapter's worker threads (writer, full-text index, WAL checkpoints): their messages, request/reply over a
 * thread's port ({@link ThreadCalls}), and starting a thread's entry file ({@link spawn}).
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { WriteTx } from './transaction.js';

/** Messages to the writer thread. */
export type WriterCommand = { t: 'tx'; tx: WriteTx } | { t: 'reset' } | { t: 'autoCheckpoint' } | { t: 'close' };
/** A command with its id, as posted to the writer thread. */
export type WriterRequest = WriterCommand & { id: number };
/** Replies from the writer thread. */
export type WriterReply =
  | { id: number; ok: true; value: number | number[]; forgotten?: number[] }
  | { id: number; ok: false; message: string; code?: string; skipped?: boolean };
/**
 * Messages to the full-text index thread (fts-worker.ts); `catchUp` and `close` are answered `{id, ok, value}`.
 * `offer` comes from the writer thread over a port of its own: the index texts of events it committed.
 */
export type FtsCommand =
  | { t: 'catchUp' }
  | { t: 'forget'; positions: number[] }
  | { t: 'offer'; positions: number[]; texts: string[] }
  | { t: 'close' };
/** A command with its id, as posted to the index thread (0 for `forget`, which is not answered). */
export type FtsRequest = FtsCommand & { id: number };

/**
 * Request/reply over a worker thread's port: `call` sends a command with a fresh id and settles when the `{id, ok, …}`
 * reply comes; `post` sends one that is not answered. When the thread stops, every pending and later call rejects.
 */
export class ThreadCalls<C extends { t: string }> {
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
 * this file is started directly. `transferList`: ports in `workerData` that move to the thread.
 */
export function spawn(
  name: string,
  workerData: Record<string, unknown>,
  transferList: TransferListItem[] = [],
): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}${source ? '.ts' : '.js'}`, import.meta.url);
  if (!source) return new Worker(entry, { workerData, transferList });
  const loader = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${loader}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`, {
    eval: true,
    workerData,
    transferList,
  });
}
