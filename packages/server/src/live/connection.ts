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

/** Bytes gathered under cork (one writev) before they are handed to the kernel. */
const CORK_FLUSH_BYTES = 64 * 1024;

/**
 * Coalesces socket flushes across connections: under load at most one flush round per `windowMs` (so a subscriber
 * gets one writev per round, however many events committed meanwhile); when idle, at the next event-loop turn.
 * Syscalls per second, not bytes, are what limits fan-out to many sockets (see docs/benchmarks.md).
 */
class FlushScheduler {
  private pending = new Set<LiveConnection>();
  private scheduled = false;
  private last = 0;
  constructor(readonly windowMs: number) {}

  add(conn: LiveConnection): void {
    this.pending.add(conn);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.last + this.windowMs - Date.now();
    if (wait <= 0) setImmediate(this.run);
    else setTimeout(this.run, wait);
  }

  private readonly run = (): void => {
    round++;
    this.scheduled = false;
    this.last = Date.now();
    const conns = this.pending;
    this.pending = new Set();
    for (const c of conns) c.flush();
  };
}

/**
 * One `{"type":"batch","messages":[…]}` WebSocket frame for a list of messages. Subscribers of the same sessions get the
 * same list in a flush round, so frames are cached for the round by the messages' identities: built once, written to
 * every such socket.
 */
let frameCache = new Map<string, Buffer>();
let frameCacheRound = -1;
let round = 0;
function batchFrame(list: Outgoing[]): Buffer {
  if (frameCacheRound !== round) {
    frameCache = new Map();
    frameCacheRound = round;
  }
  const key = list.map((m) => m.uid).join(',');
  let frame = frameCache.get(key);
  if (!frame) {
    frame = wsTextFrame(Buffer.from(`{"type":"batch","messages":[${list.map((m) => m.text).join(',')}]}`));
    frameCache.set(key, frame);
  }
  return frame;
}

/**
 * Most time, in ms, that flushing waits to gather more events for each socket when the feed is busy. 0 = one flush
 * round per event-loop turn (windows of 10 and 20 ms gave no measurable gain in bench/fanout.ts on 2 cores).
 */
export const FLUSH_WINDOW_MS = 0;
const flusher = new FlushScheduler(FLUSH_WINDOW_MS);

/**
 * Flush window, in ms, of batched connections (`?batch=1`): they asked for throughput, so under load their frames
 * gather up to this long (one frame per window instead of one per event-loop turn). Idle feeds still flush at once.
 * bench/fanout.ts, 1,000 subscribers of one session at 1,000 events/s: p99 3.2 s unbatched, 1.1 s batched with no
 * window, 0.54 s with 20 ms, 0.30 s with 50 ms.
 */
export const BATCH_WINDOW_MS = 25;
const batchFlusher = new FlushScheduler(BATCH_WINDOW_MS);

/** What a live connection writes to: a WebSocket or an SSE response. */
export interface Transport {
  /** Bytes queued for the peer and not yet handed to the kernel. */
  buffered(): number;
  /** Queues one message. */
  write(m: Outgoing): void;
  /** Ends the connection with a close code and a human reason; nothing is written after it. */
  close(code: number, reason: string): void;
  /** Called every heartbeat interval: detect a dead peer (WebSocket ping/pong) or keep the stream warm (SSE comment). */
  heartbeat(): void;
  /** Batches the writes of one event-loop turn into one syscall (optional). */
  cork?(): void;
  uncork?(): void;
  /** Writes already-framed bytes (batched delivery, WebSocket only). */
  writeRaw?(frame: Buffer): void;
}

/** How a connection registers itself and its subscriptions (implemented by LiveRouter). */
export interface ConnectionRegistry {
  detach(conn: LiveConnection): void;
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
  private corked = false;
  private corkedBytes = 0;
  /** Batched delivery (`?batch=1`): messages of one flush round, sent as one `{"type":"batch"}` frame. */
  private batch: Outgoing[] | undefined;
  private batchBytes = 0;

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
    /** Batched delivery: all messages of a flush round go out as one frame (WebSocket `?batch=1`). */
    batched = false,
  ) {
    if (batched && transport.writeRaw) this.batch = [];
  }

  /** Bytes queued for the peer, including a batch not yet framed. */
  private queuedBytes(): number {
    return this.transport.buffered() + this.batchBytes;
  }

  /** Queues a message; false when the connection is (now) closed. */
  send(m: Outgoing): boolean {
    if (this.closed) return false;
    if (this.queuedBytes() + m.bytes + FRAMING > this.limit) {
      this.kill(CLOSE_SLOW_CONSUMER, `slow consumer: more than ${this.limit} bytes queued; reconnect and resume from your last seq/pos`);
      return false;
    }
    if (this.batch) {
      if (this.batch.length === 0) batchFlusher.add(this);
      this.batch.push(m);
      this.batchBytes += m.bytes + 1;
      if (this.batchBytes >= CORK_FLUSH_BYTES) this.flush();
      const queued = this.queuedBytes();
      if (queued > this.peakBuffered) this.peakBuffered = queued;
      return true;
    }
    if (this.transport.cork) {
      if (!this.corked) {
        this.corked = true;
        this.corkedBytes = 0;
        this.transport.cork();
        flusher.add(this);
      } else if (this.corkedBytes >= CORK_FLUSH_BYTES) {
        // Hand what has gathered to the kernel, so `buffered()` measures the peer's real backlog, not our batching.
        this.transport.uncork?.();
        this.transport.cork();
        this.corkedBytes = 0;
      }
      this.corkedBytes += m.bytes;
    }
    this.transport.write(m);
    const queued = this.transport.buffered();
    if (queued > this.peakBuffered) this.peakBuffered = queued;
    return true;
  }

  /** Hands the writes gathered since the last flush to the kernel (one writev, or one batch frame). */
  flush(): void {
    if (this.batch?.length) {
      const frame = batchFrame(this.batch);
      this.batch = [];
      this.batchBytes = 0;
      this.transport.writeRaw!(frame);
    }
    if (!this.corked) return;
    this.corked = false;
    this.transport.uncork?.();
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
