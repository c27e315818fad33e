import { wsTextFrame, type Outgoing } from './messages.js';
import type { Subscription } from './subscription.js';

/** WebSocket close code (and SSE `close` message code) for a consumer that fell behind its outbound buffer limit. */
export const CLOSE_SLOW_CONSUMER = 4008;
/** Close code when the connection's API key is revoked or no longer valid. */
export const CLOSE_UNAUTHORIZED = 4001;
/** Close code on server shutdown (WebSocket "going away"). */
export const CLOSE_GOING_AWAY = 1001;

/** Upper bound of the transport's bytes around a message (WebSocket frame header, SSE `id:`/`data:` lines). */
const FRAMING = 64;

/** Queued bytes at which a connection flushes at once instead of waiting for its flush round. */
const EAGER_FLUSH_BYTES = 64 * 1024;

/**
 * How a connection's queued messages become bytes on the wire:
 * - `ws`: one WebSocket text frame per message (the prototype's protocol), concatenated;
 * - `ws-batch`: one `{"type":"batch","messages":[…]}` WebSocket frame (`/ws?batch=1`);
 * - `sse`: one Server-Sent Event per message, concatenated.
 */
export type Framing = 'ws' | 'ws-batch' | 'sse';

/**
 * The bytes of one flush of queued messages, built once per distinct message list and flush round and then written to
 * every socket that has the same list: subscribers of one session get the same messages in a round, so 1,000 of them
 * cost one encoding and 1,000 `write` calls, not 1,000 × (messages in the round).
 * Lists are matched by the identity of their messages (no string keys to build).
 */
class FrameCache {
  private byFirst = new Map<Outgoing, Array<{ list: Outgoing[]; bytes: Buffer }>>();
  private size = 0;

  /**
   * @param encode the bytes of a list of messages
   * @param single the bytes of one message when the message caches them itself (no entry needed here)
   */
  constructor(private readonly encode: (list: Outgoing[]) => Buffer, private readonly single?: (m: Outgoing) => Buffer) {}

  get(list: Outgoing[]): Buffer {
    const first = list[0]!;
    if (list.length === 1 && this.single) return this.single(first);
    let entries = this.byFirst.get(first);
    if (entries) {
      for (const e of entries) if (sameList(e.list, list)) return e.bytes;
    } else {
      if (this.size >= 1024) this.clear();
      this.byFirst.set(first, (entries = []));
    }
    const bytes = this.encode(list);
    entries.push({ list: list.slice(), bytes }); // a copy: connections reuse their queue arrays
    this.size++;
    return bytes;
  }

  clear(): void {
    if (this.size === 0) return;
    this.byFirst = new Map();
    this.size = 0;
  }
}

function sameList(a: Outgoing[], b: Outgoing[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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
class FlushScheduler {
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
  constructor(readonly windowMs: number, private readonly caches: FrameCache[], private readonly observers: ReadonlySet<FlushRoundObserver>) {}

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
    ws: new FrameCache((list) => Buffer.concat(list.map((m) => m.wsFrame)), (m) => m.wsFrame),
    'ws-batch': new FrameCache((list) => wsTextFrame(Buffer.from(`{"type":"batch","messages":[${list.map((m) => m.text).join(',')}]}`))),
    sse: new FrameCache((list) => Buffer.concat(list.map((m) => m.sse)), (m) => m.sse),
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

/** What a live connection writes to: a WebSocket or an SSE response. */
export interface Transport {
  /** How queued messages are encoded (see Framing). */
  readonly framing: Framing;
  /** Bytes handed to the transport and not yet to the kernel. */
  buffered(): number;
  /** Writes encoded bytes (one flush); ignored once the connection is closing. */
  write(bytes: Buffer): void;
  /** Ends the connection with a close code and a human reason; nothing is written after it. */
  close(code: number, reason: string): void;
  /** Called every heartbeat interval: detect a dead peer (WebSocket ping/pong) or keep the stream warm (SSE comment). */
  heartbeat(): void;
}

/** How a connection registers itself and its subscriptions, and where it writes through (implemented by LiveRouter). */
export interface ConnectionRegistry {
  detach(conn: LiveConnection): void;
  /** The app's live output (flush schedulers and frame caches). */
  readonly output: LiveOutput;
}

/**
 * One live-feed connection (WebSocket or SSE) and its subscriptions. Every outgoing message goes through `send`,
 * which enforces the outbound buffer limit: a message that would take the queue past `limit` bytes closes the
 * connection with code 4008 instead (bounded memory per connection).
 */
export class LiveConnection {
  closed = false;
  /** Subscriptions by key: `session:<id>`, `firehose`, `list`. */
  readonly subs = new Map<string, Subscription>();
  /** Most bytes ever queued for this connection (at most `limit`): the memory bound, observable in tests. */
  peakBuffered = 0;
  /** Messages of the current flush round, not yet encoded. */
  private queue: Outgoing[] = [];
  private queueBytes = 0;
  /** Bytes the transport held after the last flush (an upper bound of what it holds now). */
  private held = 0;
  private readonly scheduler: FlushScheduler;
  private readonly cache: FrameCache;

  /**
   * @param limit outbound buffer limit in bytes (config.wsBufferLimit)
   * @param user  the `user` label of the prototype, counted in /health
   * @param secret the API key the connection authenticated with, re-checked on every heartbeat
   */
  constructor(
    readonly transport: Transport,
    private readonly registry: ConnectionRegistry,
    readonly limit: number,
    readonly user: string | undefined,
    readonly secret: string | undefined,
  ) {
    this.scheduler = transport.framing === 'ws-batch' ? registry.output.batchFlusher : registry.output.flusher;
    this.cache = registry.output.caches[transport.framing];
  }

  /** Bytes queued for the peer: messages of this round plus what the transport holds. */
  private queuedBytes(): number {
    return this.transport.buffered() + this.queueBytes;
  }

  /** Queues a message; false when the connection is (now) closed. */
  send(m: Outgoing): boolean {
    if (this.closed) return false;
    const bytes = m.bytes + FRAMING;
    // `held` (what the transport held at the last flush) only overestimates, since the kernel drains it meanwhile:
    // the exact figure (a chain of getters, measurable at a million messages a second) is read only near the limit.
    if (this.held + this.queueBytes + bytes > this.limit) {
      this.held = this.transport.buffered();
      if (this.held + this.queueBytes + bytes > this.limit) {
        this.kill(CLOSE_SLOW_CONSUMER, `slow consumer: more than ${this.limit} bytes queued; reconnect and resume from your last seq/pos`);
        return false;
      }
    }
    if (this.queue.length === 0) this.scheduler.add(this);
    this.queue.push(m);
    this.queueBytes += bytes;
    const queued = this.held + this.queueBytes;
    if (queued > this.peakBuffered) this.peakBuffered = queued;
    // Hand a large round to the kernel now, so `buffered()` measures the peer's real backlog, not our batching.
    if (this.queueBytes >= EAGER_FLUSH_BYTES) this.flush();
    return true;
  }

  /** Encodes the queued messages (shared with every connection that has the same list) and writes them at once. */
  flush(): void {
    if (this.queue.length === 0) return;
    const bytes = this.cache.get(this.queue);
    // Emptied in place: a fresh array per connection per round was young garbage pointed at from old objects,
    // which lengthened every scavenge.
    this.queue.length = 0;
    this.queueBytes = 0;
    this.transport.write(bytes);
    this.registry.output.writes++;
    this.held = this.transport.buffered();
  }

  /** Resolves once `bytes` more fit under the limit (or the queue is empty), or the connection closed. */
  async room(bytes: number): Promise<void> {
    while (!this.closed && this.queuedBytes() > 0 && this.queuedBytes() + bytes > this.limit / 2) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Closes the connection (idempotent) and removes its subscriptions from the router. */
  kill(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.registry.detach(this);
    this.flush();
    this.transport.close(code, reason);
  }
}
