/**
 * One live-feed connection (WebSocket or SSE): its outbound queue with the buffer limit, its subscriptions, and how it
 * writes through the app's flush rounds (flush.ts) and shared frames (frames.ts).
 */
import type { FrameCache, Framing } from './frames.js';
import type { FlushScheduler, LiveOutput } from './flush.js';
import type { Outgoing } from './messages.js';
import type { Subscription } from './subscription.js';

export type { Framing } from './frames.js';
export { LiveOutput, FLUSH_WINDOW_MS, BATCH_WINDOW_MS, type FlushRoundObserver } from './flush.js';

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
        this.kill(
          CLOSE_SLOW_CONSUMER,
          `slow consumer: more than ${this.limit} bytes queued; reconnect and resume from your last seq/pos`,
        );
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
