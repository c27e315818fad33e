import type { IngestResponse } from '@tether/protocol';
import { backoffDelay, sleep } from './backoff.js';
import { PayloadTooLargeError, RateLimitedError, TetherClientError, isRetryable, makeAPIError } from './errors.js';
import type { HttpClient } from './http.js';
import { Deque } from './queue.js';
import type { QueuedEvent, Spool } from './spool.js';

/** Where background log output goes. `console` fits; pass `false` in {@link DeliveryOptions.logger} for silence. */
export interface Logger {
  debug?(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

/** What a background failure was about. `willRetry` false means the events are given up (rejected, dropped or lost). */
export interface DeliveryErrorContext {
  /** ingest (a batch failed), rejected (the server refused items), dropped (queue full), lost (not delivered at close), spool. */
  phase: 'ingest' | 'rejected' | 'dropped' | 'lost' | 'spool' | 'serialize';
  willRetry: boolean;
  /** Number of events concerned. */
  count: number;
  /** Their ids and session, when known (rejected items: one each). */
  eventIds?: string[];
  sessionId?: string;
}

/**
 * Settings of background delivery (`POST /api/ingest` batches). Defaults in brackets.
 * - Queue full (`maxQueueSize` events waiting in memory) with `onFull`:
 *   `'drop_oldest'` [default] drops the oldest queued event, counts it in `stats().dropped` and reports it (phase `dropped`);
 *   `'block'` keeps the new event waiting and the log call's promise settles only when it entered the queue, so an agent
 *   that awaits its log calls is paced by delivery (nothing is dropped; an agent that does not await holds the waiting events in memory).
 *   With a spool, a full queue first moves to disk instead (bounded by the spool), and only then the policy applies.
 */
export interface DeliveryOptions {
  /** Send a batch when this many events are queued [100]. */
  flushAt?: number;
  /** …or this many ms after the first queued event [1000]. */
  flushIntervalMs?: number;
  /** Most events per request [500; the server takes ≤ 1000]. */
  maxBatchSize?: number;
  /** Most bytes (UTF-16 code units of JSON, ≈ bytes) per request [524288]; keep under the server's TETHER_BODY_LIMIT. */
  maxBatchBytes?: number;
  /** Most events waiting in memory [10000]. */
  maxQueueSize?: number;
  /** Queue-full policy: 'drop_oldest' [default] or 'block' (see above). */
  onFull?: 'drop_oldest' | 'block';
  /** Retry backoff of failed batches, in ms: full jitter between initialDelayMs [250] doubling up to maxDelayMs [30000]. Retries never stop before close(). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Durable store for undelivered batches (Node: `FileSpool` from `@tether/client/node`). */
  spool?: Spool;
  /** Called for every background failure; never throws into the agent (exceptions in it are swallowed). */
  onError?: (error: Error, context: DeliveryErrorContext) => void;
  /** Log sink [console]; `false` silences it. */
  logger?: Logger | false;
}

/** Counters of a client's background delivery since it started. */
export interface DeliveryStats {
  /** Events accepted by log calls. */
  queued: number;
  /** Events the server stored (201) or already had (200 duplicate). */
  delivered: number;
  duplicates: number;
  /** Events the server refused with a 4xx (reported, not retried). */
  rejected: number;
  /** Events dropped because the queue was full (drop_oldest) or the client was closed. */
  dropped: number;
  /** Failed ingest attempts that were retried. */
  retries: number;
  /** Events in memory, on disk (spool) or in flight, not yet delivered. */
  pending: number;
}

interface Batch {
  events?: QueuedEvent[] | undefined;
  ref?: string | undefined;
  count: number;
  writing?: Promise<void>;
}

/**
 * The background sender: a bounded in-memory queue, batches of `POST /api/ingest` one at a time (so each session's events
 * stay in order), per-item results (201/200 done, 429/5xx retried, other 4xx reported), retries with backoff and jitter
 * honouring Retry-After, and an optional spool. Never throws into callers; failures go to `onError` and the logger.
 */
export class Batcher {
  private readonly queue = new Deque<QueuedEvent>();
  private readonly waiters: Array<{ ev: QueuedEvent; resolve: () => void }> = [];
  private readonly backlog: Batch[] = [];
  private current: Batch | undefined;
  private pumping = false;
  private scheduled = false;
  private forced = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stop = new AbortController();
  private idle: Array<() => void> = [];
  private readonly ready: Promise<void>;
  private failing = false;
  private closed = false;
  private readonly s = { queued: 0, delivered: 0, duplicates: 0, rejected: 0, dropped: 0, retries: 0 };
  private readonly flushAt: number;
  private readonly maxQueue: number;
  private readonly log: Logger | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly o: DeliveryOptions = {},
  ) {
    this.flushAt = Math.max(1, o.flushAt ?? 100);
    this.maxQueue = Math.max(1, o.maxQueueSize ?? 10_000);
    this.log = o.logger === false ? undefined : (o.logger ?? console);
    this.ready = o.spool
      ? o.spool.list().then(
          (refs) => {
            for (const ref of refs.reverse()) this.backlog.unshift({ ref, count: 0 });
            if (refs.length) this.kick(true);
          },
          (err) => this.report(err, { phase: 'spool', willRetry: false, count: 0 }),
        )
      : Promise.resolve();
  }

  /** Queues one event. Returns undefined when queued, or a promise when it waits for room ('block'). Never throws. */
  enqueue(ev: QueuedEvent): Promise<void> | undefined {
    if (this.closed) {
      this.s.dropped++;
      this.report(new TetherClientError('The client is closed; event not sent'), {
        phase: 'dropped',
        willRetry: false,
        count: 1,
        eventIds: [ev.id],
        sessionId: ev.sessionId,
      });
      return undefined;
    }
    this.s.queued++;
    if (this.queue.length >= this.maxQueue) {
      if (this.o.spool) this.spill();
      if (this.queue.length >= this.maxQueue) {
        if (this.o.onFull === 'block') {
          this.kick(true);
          return new Promise((resolve) => this.waiters.push({ ev, resolve }));
        }
        const old = this.queue.shift()!;
        this.s.dropped++;
        this.report(new TetherClientError(`Queue full (${this.maxQueue} events): dropped the oldest`), {
          phase: 'dropped',
          willRetry: false,
          count: 1,
          eventIds: [old.id],
          sessionId: old.sessionId,
        });
      }
    }
    this.queue.push(ev);
    if (this.queue.length >= this.flushAt) this.kick(false);
    else if (!this.timer) this.arm();
    return undefined;
  }

  /** True after close(): new events are refused (and reported). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Reports an event that could not be serialized (counted as dropped). */
  reportSerialization(err: Error, eventId: string, sessionId: string): void {
    this.s.dropped++;
    this.report(err, { phase: 'serialize', willRetry: false, count: 1, eventIds: [eventId], sessionId });
  }

  /** Counters; see {@link DeliveryStats}. */
  stats(): DeliveryStats {
    const backlog = this.backlog.reduce((n, b) => n + b.count, 0);
    return {
      ...this.s,
      pending:
        this.queue.length +
        this.waiters.length +
        backlog +
        (this.current && !this.backlog.includes(this.current) ? this.current.count : 0),
    };
  }

  /** Resolves true when every event queued so far is delivered (or rejected), false when `timeoutMs` passed first. */
  async flush(timeoutMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    await this.ready;
    while (!this.drained()) {
      if (this.stop.signal.aborted) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const done = new Promise<void>((r) => this.idle.push(r));
      this.kick(true);
      let t: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        done.then(() => false),
        Number.isFinite(left)
          ? new Promise<boolean>((r) => {
              t = setTimeout(() => r(true), left);
            })
          : new Promise<boolean>(() => {}),
      ]);
      clearTimeout(t);
      if (timedOut) return this.drained();
    }
    return true;
  }

  /**
   * Stops accepting events, flushes for up to `timeoutMs`, then stops retrying. Undelivered events stay in the spool
   * (when there is one) for the next start, else they are reported as lost. Resolves true when everything was delivered.
   */
  async close(timeoutMs = 10_000): Promise<boolean> {
    this.closed = true;
    const ok = await this.flush(timeoutMs);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stop.abort();
    while (this.pumping) await new Promise<void>((r) => this.idle.push(r));
    if (!ok) {
      const left = [...this.waiters.map((w) => w.ev), ...this.queue.drain()];
      for (const w of this.waiters.splice(0)) w.resolve();
      if (this.o.spool && left.length) {
        try {
          await this.o.spool.write(left);
        } catch (err) {
          this.report(err, { phase: 'spool', willRetry: false, count: left.length });
        }
      }
      const pending = this.stats().pending + (this.o.spool ? 0 : left.length);
      const lost = this.o.spool ? this.backlog.filter((b) => !b.ref).reduce((n, b) => n + b.count, 0) : pending;
      if (lost)
        this.report(new TetherClientError(`${lost} events were not delivered before close`), {
          phase: 'lost',
          willRetry: false,
          count: lost,
        });
      else if (this.o.spool)
        this.log?.warn(`[tether] ${pending} undelivered events kept in the spool for the next start`);
    }
    return ok;
  }

  /**
   * Synchronously writes every event still only in memory to the spool (for `process.on('exit')`). Without a spool,
   * reports them as lost. Returns the number of events saved.
   */
  saveSync(): number {
    const mem: QueuedEvent[] = [];
    for (const b of this.backlog) if (!b.ref && b.events) mem.push(...b.events);
    if (this.current && !this.current.ref && this.current.events && !this.backlog.includes(this.current))
      mem.push(...this.current.events);
    mem.push(...this.waiters.map((w) => w.ev), ...this.queue.drain());
    this.waiters.length = 0;
    if (!mem.length) return 0;
    if (!this.o.spool) {
      this.report(new TetherClientError(`${mem.length} events were not delivered at exit`), {
        phase: 'lost',
        willRetry: false,
        count: mem.length,
      });
      return 0;
    }
    try {
      this.o.spool.writeSync(mem);
      return mem.length;
    } catch (err) {
      this.report(err, { phase: 'spool', willRetry: false, count: mem.length });
      return 0;
    }
  }

  private drained(): boolean {
    return this.queue.length === 0 && this.waiters.length === 0 && this.backlog.length === 0 && !this.pumping;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick(true);
    }, this.o.flushIntervalMs ?? 1000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Starts the sender soon (in a microtask, so a burst of log calls is batched). `force` sends a partial batch. */
  private kick(force: boolean): void {
    if (force) this.forced = true;
    if (this.pumping) {
      if (this.o.spool && (force || this.queue.length >= this.flushAt)) this.spill();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private cut(): QueuedEvent[] {
    const maxBytes = this.o.maxBatchBytes ?? 512 * 1024;
    let bytes = 16;
    const events = this.queue.take(
      Math.min(this.o.maxBatchSize ?? 500, 1000),
      (e) => (bytes += e.json.length + 1) <= maxBytes,
    );
    while (this.waiters.length && this.queue.length < this.maxQueue) {
      const w = this.waiters.shift()!;
      this.queue.push(w.ev);
      w.resolve();
    }
    return events;
  }

  /** Moves queued events to the spool while the sender is busy (so a crash loses at most one flush interval). */
  private spill(): void {
    const spool = this.o.spool!;
    while (this.queue.length) {
      const events = this.cut();
      const b: Batch = { events, count: events.length };
      b.writing = spool.write(events).then(
        (ref) => {
          b.ref = ref;
          if (b !== this.current) b.events = undefined;
        },
        (err) => this.report(err, { phase: 'spool', willRetry: true, count: events.length }),
      );
      this.backlog.push(b);
    }
  }

  private async next(): Promise<Batch | undefined> {
    const b = this.backlog[0];
    if (b) {
      await b.writing;
      if (!b.events) {
        b.events = b.ref ? await this.o.spool!.read(b.ref).catch(() => []) : [];
        b.count = b.events.length;
      }
      return b;
    }
    if (this.queue.length === 0 || (this.queue.length < this.flushAt && !this.forced)) {
      if (this.queue.length === 0) this.forced = false;
      return undefined;
    }
    const events = this.cut();
    const batch: Batch = { events, count: events.length };
    if (this.o.spool) {
      try {
        batch.ref = await this.o.spool.write(events);
      } catch (err) {
        this.report(err, { phase: 'spool', willRetry: true, count: events.length });
      }
    }
    return batch;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await this.ready;
      while (!this.stop.signal.aborted) {
        const batch = await this.next();
        if (!batch) break;
        this.current = batch;
        const done = await this.deliver(batch.events ?? [], batch);
        if (!done) break;
        if (batch.ref)
          await this.o
            .spool!.remove(batch.ref)
            .catch((err) => this.report(err, { phase: 'spool', willRetry: false, count: 0 }));
        if (this.backlog[0] === batch) this.backlog.shift();
        this.current = undefined;
      }
    } catch (err) {
      this.report(err, { phase: 'ingest', willRetry: false, count: 0 });
    } finally {
      this.pumping = false;
      if (!this.stop.signal.aborted && this.queue.length && !this.timer) this.arm();
      for (const r of this.idle.splice(0)) r();
    }
  }

  /** Sends `events` until each is stored or refused. Returns false when stopped by close() first. */
  private async deliver(events: QueuedEvent[], batch?: Batch): Promise<boolean> {
    let items = events;
    for (let attempt = 0; items.length; attempt++) {
      if (this.stop.signal.aborted) return false;
      let retry: QueuedEvent[] = [];
      let failure: unknown;
      try {
        const res = await this.http.once<IngestResponse>({
          method: 'POST',
          path: '/api/v1/ingest',
          body: `{"events":[${items.map((e) => e.json).join(',')}]}`,
          signal: this.stop.signal,
        });
        const seen = new Set<number>();
        for (const r of res.body.results ?? []) {
          const ev = items[r.index];
          if (!ev || seen.has(r.index)) continue;
          seen.add(r.index);
          if (r.status === 200 || r.status === 201) {
            this.s.delivered++;
            if (r.duplicate) this.s.duplicates++;
          } else if (r.status === 408 || r.status === 429 || r.status >= 500) {
            retry.push(ev);
            failure = makeAPIError(r.status, { code: r.code, detail: r.detail });
          } else {
            this.s.rejected++;
            this.report(makeAPIError(r.status, { code: r.code, detail: r.detail }, res.headers), {
              phase: 'rejected',
              willRetry: false,
              count: 1,
              eventIds: [ev.id],
              sessionId: ev.sessionId,
            });
          }
        }
        items.forEach((ev, i) => {
          if (!seen.has(i)) retry.push(ev);
        });
      } catch (err) {
        if (this.stop.signal.aborted) return false;
        if (err instanceof PayloadTooLargeError && items.length > 1) {
          const half = Math.ceil(items.length / 2);
          return (await this.deliver(items.slice(0, half))) && this.deliver(items.slice(half));
        }
        if (isRetryable(err)) {
          retry = items;
          failure = err;
        } else {
          this.s.rejected += items.length;
          this.report(err, {
            phase: 'rejected',
            willRetry: false,
            count: items.length,
            eventIds: items.map((e) => e.id),
          });
        }
      }
      if (!retry.length) break;
      if (retry.length !== items.length && batch?.ref) await this.o.spool!.rewrite(batch.ref, retry).catch(() => {});
      items = retry;
      if (batch) batch.count = items.length;
      this.s.retries++;
      this.report(failure instanceof Error ? failure : new TetherClientError(String(failure)), {
        phase: 'ingest',
        willRetry: true,
        count: items.length,
      });
      const ra = failure instanceof RateLimitedError ? failure.retryAfterMs : undefined;
      await sleep(backoffDelay(attempt, this.o, ra), this.stop.signal, true);
    }
    if (this.failing) {
      this.failing = false;
      this.log?.warn('[tether] delivery resumed');
    }
    return true;
  }

  private report(err: unknown, ctx: DeliveryErrorContext): void {
    const error = err instanceof Error ? err : new TetherClientError(String(err));
    try {
      this.o.onError?.(error, ctx);
    } catch {
      /* never into the agent */
    }
    if (!this.log) return;
    if (ctx.willRetry) {
      if (!this.failing) this.log.warn(`[tether] delivery failed, retrying in the background: ${error.message}`);
      else this.log.debug?.(`[tether] retry: ${error.message}`);
      this.failing = true;
    } else if (ctx.phase !== 'dropped' || this.s.dropped === 1 || this.s.dropped % 1000 === 0) {
      this.log.error(
        `[tether] ${ctx.phase}: ${error.message}${ctx.phase === 'dropped' ? ` (${this.s.dropped} dropped so far)` : ''}`,
      );
    }
  }
}
