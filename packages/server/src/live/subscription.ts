import type { Store } from '../storage/store.js';
import { CLOSE_SLOW_CONSUMER, type LiveConnection } from './connection.js';
import { eventMessage, Outgoing, type Channel, type LiveEvent } from './messages.js';

/** Events read from storage per page during a replay. */
const PAGE = 500;

/** The key of a subscription in its connection: one per session, one firehose, one list. */
export function subKey(channel: Channel, sessionId?: string): string {
  return channel === 'session' ? `session:${sessionId}` : channel;
}

/**
 * One subscription of a connection, with the replay-then-live switch.
 *
 * The router registers it BEFORE the replay starts, so every event committed from then on is offered to it; while
 * `replaying`, offered messages are buffered in `pending` (bounded by the connection's limit, else close 4008). The
 * replay reads storage after registration, so together they cover every event; at the switch, pending messages at or
 * below the last replayed position are dropped (no duplicates) and the rest are sent in order (no gap).
 * `last` is the position (seq for `session`, pos for `firehose`) of the last event sent.
 */
export class Subscription {
  last = 0;
  replaying = true;
  active = true;
  private pending: Array<{ key: number | undefined; m: Outgoing }> = [];
  private pendingBytes = 0;

  /**
   * @param start replay events after this position; undefined = live from the current position
   * @param updates (list channel) also receive coalesced `session_updated`
   * @param requestId the client's `id` of the subscribe operation, echoed in `subscribed`
   */
  constructor(
    readonly conn: LiveConnection,
    readonly channel: Channel,
    readonly sessionId: string | undefined,
    readonly start: number | undefined,
    readonly updates = false,
    readonly requestId?: string | number,
  ) {
    if (channel === 'list') this.replaying = false;
  }

  get key(): string {
    return subKey(this.channel, this.sessionId);
  }

  /** A live message for this subscription; `key` is its seq/pos (undefined for `session_deleted`). */
  offer(key: number | undefined, m: Outgoing): void {
    if (!this.active) return;
    if (this.replaying) {
      this.pending.push({ key, m });
      this.pendingBytes += m.bytes;
      if (this.pendingBytes > this.conn.limit) {
        this.conn.kill(
          CLOSE_SLOW_CONSUMER,
          `slow consumer: more than ${this.conn.limit} bytes of live events queued during replay; resume from your last seq/pos`,
        );
      }
      return;
    }
    if (key === undefined) {
      // session_deleted: a session subscription starts over at seq 0 (a new session under that id starts at 1).
      if (this.channel === 'session') this.last = 0;
    } else {
      if (key <= this.last) return;
      this.last = key;
    }
    this.conn.send(m);
  }

  /**
   * Replays from storage, then switches to live. Sends `subscribed` (with `replayed` and `lastSeq`/`lastPos`) at the
   * switch. Returns when live, or early when the subscription or connection ended.
   */
  async run(store: Store): Promise<void> {
    if (this.channel === 'list') {
      this.conn.send(
        new Outgoing({
          type: 'subscribed',
          ...(this.requestId !== undefined ? { id: this.requestId } : {}),
          channel: 'list',
          updates: this.updates,
        }),
      );
      return;
    }
    const session = this.channel === 'session';
    let after =
      this.start ?? (session ? ((await store.getSession(this.sessionId!))?.lastSeq ?? 0) : await store.lastPos());
    let replayed = 0;
    if (this.start !== undefined) {
      for (;;) {
        const page = session
          ? await store.listEvents(this.sessionId!, { after, limit: PAGE })
          : await store.listAllEvents(after, PAGE);
        for (const ev of page) {
          if (!this.active || this.conn.closed) return;
          const key = session ? ev.seq : (ev as LiveEvent).pos!;
          const m = new Outgoing(eventMessage(ev, this.channel as 'session' | 'firehose'), key);
          await this.conn.room(m.bytes);
          if (!this.active || !this.conn.send(m)) return;
          after = key;
          replayed++;
        }
        if (page.length < PAGE) break;
        // Let the rest of the server run between pages (a long replay must not hold the event loop); writes that
        // commit meanwhile reach `pending` and the next page alike, and the switch drops the doubles.
        await new Promise((r) => setImmediate(r));
      }
    }
    if (!this.active || this.conn.closed) return;
    // The switch: synchronous from here on, so no live event can slip in between.
    this.last = after;
    this.conn.send(
      new Outgoing({
        type: 'subscribed',
        ...(this.requestId !== undefined ? { id: this.requestId } : {}),
        channel: this.channel,
        ...(session ? { sessionId: this.sessionId } : {}),
        replayed,
        [session ? 'lastSeq' : 'lastPos']: after,
      }),
    );
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.replaying = false;
    for (const p of pending) this.offer(p.key, p.m);
  }
}
