import { FrameCache, type Framing } from './frames.js';
import { wsTextFrame } from './messages.js';
import type { LiveConnection } from './connection.js';

/**
 * Called after every completed flush round with its duration in ms (first write to last, slices and the event-loop
 * turns between them included) and the number of connections written. The metrics plugin observes
 * `tether_live_flush_round_seconds` through it.
 */
export type FlushRoundObserver = (ms: number, connections: number) => void;

/** Most time, in ms, a flush round writes before it lets the event loop run (ingest, commits) and goes on. */
const ROUND_SLICE_MS = 1;

/**
 * Coalesces socket flushes across connections: under load at most one flush round per `windowMs` (so a subscriber
 * gets one write per round, however many events committed meanwhile); when idle, at the next event-loop turn.
 * Syscalls per second, not bytes, are what limits fan-out to many sockets (see docs/benchmarks.md).
 *
 * A round over many sockets runs in slices of ROUND_SLICE_MS with the event loop in between, so appends keep being
 * accepted and committed while a round is under way: 1,000 writes take ~10 ms on 2 busy cores, and appends that
 * waited behind whole rounds were the largest part of delivery latency in bench/fanout.ts.
 */
export class FlushScheduler {
  private pending = new Set<LiveConnection>();
  /** The round under way and how far it got. */
  private round: LiveConnection[] = [];
  private next = 0;
  private scheduled = false;
  private last = 0;
  /**
   * @param windowMs least time between the starts of two rounds under load
   * @param caches the frame caches of the framings this scheduler flushes (emptied after each round)
   */
  constructor(
    readonly windowMs: number,
    private readonly caches: FrameCache[],
    private readonly observers: ReadonlySet<FlushRoundObserver>,
  ) {}

  add(conn: LiveConnection): void {
    this.pending.add(conn);
    if (!this.scheduled) this.schedule();
  }

  private schedule(): void {
    this.scheduled = true;
    const wait = this.last + this.windowMs - Date.now();
    if (wait <= 0) setImmediate(this.run);
    else setTimeout(this.run, wait);
  }

  private readonly run = (): void => {
    if (this.next >= this.round.length) {
      this.last = Date.now();
      this.round = [...this.pending];
      this.next = 0;
      this.pending = new Set();
    }
    const until = performance.now() + ROUND_SLICE_MS;
    const round = this.round;
    while (this.next < round.length) {
      round[this.next++]!.flush();
      if ((this.next & 31) === 0 && performance.now() >= until) break;
    }
    if (this.next < round.length) {
      setImmediate(this.run);
      return;
    }
    if (this.observers.size) {
      const ms = Date.now() - this.last;
      for (const observe of this.observers) observe(ms, round.length);
    }
    this.round = [];
    this.next = 0;
    // The lists of this round will not come again: the next round's lists start with newer messages.
    for (const cache of this.caches) cache.clear();
    this.scheduled = false;
    if (this.pending.size > 0) this.schedule();
  };
}

/**
 * Least time, in ms, between the starts of two flush rounds of unbatched connections when the feed is busy. 0 = the
 * next round starts as soon as the previous one is done, so under load rounds clock themselves: each carries whatever
 * committed while the previous one was being written. bench/fanout.ts (1,000 subscribers of one session, 1,000
 * events/s, 2 cores): windows of 15 and 25 ms used 10–25 % less CPU but gave no better p99 (42–46 vs 38–40 ms).
 */
export const FLUSH_WINDOW_MS = 0;

/**
 * Least time, in ms, between flush rounds of batched connections (`?batch=1`): they asked for throughput, so under
 * load their frames gather up to this long (one frame per window instead of one per round). Idle feeds still flush at
 * once. bench/fanout.ts as above: p99 35–53 ms with no window, 45–46 with 10 ms, 42–48 with 25 ms, the last with
 * ~0.35 core less CPU (server and subscribers) than no window.
 */
export const BATCH_WINDOW_MS = 25;

/**
 * The output side of one app's live feed (one per LiveRouter, so two apps in a process share nothing): the frame
 * caches per framing, the two flush schedulers, the flush-round observers and the count of socket writes.
 */
export class LiveOutput {
  readonly caches: Record<Framing, FrameCache> = {
    ws: new FrameCache(
      (list) => Buffer.concat(list.map((m) => m.wsFrame)),
      (m) => m.wsFrame,
    ),
    'ws-batch': new FrameCache((list) =>
      wsTextFrame(Buffer.from(`{"type":"batch","messages":[${list.map((m) => m.text).join(',')}]}`)),
    ),
    sse: new FrameCache(
      (list) => Buffer.concat(list.map((m) => m.sse)),
      (m) => m.sse,
    ),
  };
  /** Observers of completed flush rounds (see {@link FlushRoundObserver}). */
  readonly roundObservers = new Set<FlushRoundObserver>();
  /** Writes of encoded messages to live-feed transports (rounds, eager flushes, closes) since the app started. */
  writes = 0;
  /** Rounds of unbatched connections (WebSocket, SSE). */
  readonly flusher = new FlushScheduler(FLUSH_WINDOW_MS, [this.caches.ws, this.caches.sse], this.roundObservers);
  /** Rounds of batched connections (`?batch=1`). */
  readonly batchFlusher = new FlushScheduler(BATCH_WINDOW_MS, [this.caches['ws-batch']], this.roundObservers);
}
