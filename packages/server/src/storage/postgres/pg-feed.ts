import pg from 'pg';
import type { SessionRecord } from '../../events/record.js';
import type { AppendOutcome, FeedOptions, FeedSink, ListenerState, PositionedEvent, SharedFeed } from '../store.js';

export type { FeedOptions, FeedSink, ListenerState } from '../store.js';
import { quoteIdent } from './migrations.js';
import type { PostgresStore } from './pg-store.js';

/** What a wake-up notification says: `e` events committed, `d` a session deleted, `k` API keys changed. */
export type WakeKind = 'e' | 'd' | 'k';

/** `<kind>:<origin>[:<session id>]` — at most ~140 bytes, far below NOTIFY's 8,000-byte payload limit. */
export function wakePayload(kind: WakeKind, origin: string, sessionId?: string): string {
  return sessionId === undefined ? `${kind}:${origin}` : `${kind}:${origin}:${sessionId}`;
}

/** Events read per query. */
const PAGE = 1000;

/**
 * One server's share of the cross-server live feed on PostgreSQL.
 *
 * The log is the truth, notifications only wake: every append transaction queues `NOTIFY <channel>` (delivered at
 * commit), and a dedicated connection of each server LISTENs on the channel. On a wake-up — or on a commit of this
 * server, or every `pollMs` — the feed reads `events WHERE pos > cursor ORDER BY pos` and hands each event to the
 * sink, advancing `cursor`. Because appends take the commit-order lock (PostgresStore `orderedCommits`, the default),
 * pos order is commit order and a reader that has seen pos N can never later find a committed event below N: a lost,
 * coalesced or late notification delays delivery, it cannot lose or reorder an event. Payloads carry no event data,
 * so NOTIFY's 8,000-byte limit never applies.
 *
 * When the listener connection drops, the state becomes `down` (the server reports not ready), the log is still read
 * every `pollMs` through the pool, and the listener reconnects with backoff; once it LISTENs again it catches up: it
 * reads the log from the cursor, tells the sink that keys may have changed, and reports sessions that watched
 * subscribers have seen but that no longer exist as deleted.
 */
export class PgFeed implements SharedFeed {
  state: ListenerState = 'starting';
  /** The pos of the last event handed to the sink. */
  cursor = 0;
  /** How many times the listener connection was re-established. */
  reconnects = 0;
  /** When the listener went down (ms since epoch), or undefined while it listens. */
  downSince: number | undefined;
  private client: pg.Client | undefined;
  private readonly local = new Map<number, SessionRecord>();
  private deletions: string[] = [];
  private reading = false;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoff: number;

  constructor(
    private readonly store: PostgresStore,
    private readonly sink: FeedSink,
    private readonly opts: FeedOptions = {},
  ) {
    this.backoff = opts.reconnectMs ?? 100;
  }

  /** Starts at the log's current end (earlier events are replayed by subscribers themselves) and connects the listener. */
  async start(): Promise<void> {
    this.cursor = await this.store.lastPos();
    this.poll = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.poll.unref();
    await this.connect(false);
  }

  /** Records the session records of this server's commits (saves reading them back) and reads the log now. */
  committed(outcomes: AppendOutcome[]): void {
    for (const o of outcomes) {
      if (!o.ok) continue;
      for (const ev of o.committed) if (ev.pos !== undefined && ev.pos > this.cursor) this.local.set(ev.pos, o.session);
    }
    this.kick();
  }

  /** Reads the log from the cursor now (coalesced: one reader at a time, a kick while reading reads once more). */
  kick(): void {
    if (this.isClosed()) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.read().finally(() => {
      this.reading = false;
    });
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Stops listening and reading (idempotent). */
  async close(): Promise<void> {
    if (this.isClosed()) return;
    this.state = 'closed';
    clearInterval(this.poll);
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async read(): Promise<void> {
    try {
      do {
        this.again = false;
        const needs = this.sink.needs();
        if (needs === 'nothing') {
          // Nobody listens: skip to the end. A subscriber that connects later replays from the database and takes
          // live events only above the position it read there, which is at or above this one.
          const end = await this.store.lastPos();
          // A connection that arrived during that query may already have read its start position: then the end read
          // here could be past events it needs, so read them instead of skipping.
          if (this.sink.needs() !== 'nothing') {
            this.again = true;
            continue;
          }
          this.cursor = Math.max(this.cursor, end);
          this.local.clear();
        }
        for (; needs !== 'nothing'; ) {
          const page = (await this.store.listAllEvents(this.cursor, PAGE)) as PositionedEvent[];
          if (!page.length || this.isClosed()) break;
          const missing =
            needs === 'sessions'
              ? [...new Set(page.filter((ev) => !this.local.has(ev.pos)).map((ev) => ev.sessionId))]
              : [];
          const rows = missing.length ? await this.store.getSessions(missing) : new Map<string, SessionRecord>();
          for (const ev of page) {
            if (ev.pos <= this.cursor) continue;
            const rec = this.local.get(ev.pos) ?? rows.get(ev.sessionId);
            this.local.delete(ev.pos);
            this.cursor = ev.pos;
            // A session deleted between the two reads: its deletion notice follows; replay would not show it either.
            if (rec || needs === 'events') this.sink.event(ev, rec);
          }
          if (page.length < PAGE) break;
        }
        for (const pos of this.local.keys()) if (pos <= this.cursor) this.local.delete(pos);
        // Deletion notices wait for the read that follows them: the deleted events are gone from the log by then, so
        // a subscriber gets the session's remaining events first and the notice after them.
        const deleted = this.deletions;
        this.deletions = [];
        for (const id of deleted) this.sink.deleted(id);
      } while (this.again && !this.isClosed());
    } catch (err) {
      // The database is unreachable or the pool is closing: the next kick or poll reads again from the same cursor.
      if (!this.isClosed()) this.sink.log('warn', 'live feed: reading the event log failed; retrying', err);
    }
  }

  private async connect(isRetry: boolean): Promise<void> {
    if (this.isClosed()) return;
    const c = new pg.Client(this.store.connection);
    c.on('notification', (n) => this.onNotify(n.payload ?? ''));
    c.on('error', (err) => this.lost(c, err));
    c.on('end', () => this.lost(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdent(this.store.channel)}`);
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
      if (this.isClosed()) return;
      this.state = 'down';
      this.downSince ??= Date.now();
      this.sink.log('warn', 'live feed: cannot LISTEN; retrying', err);
      this.scheduleReconnect();
      return;
    }
    if (this.isClosed()) {
      await c.end().catch(() => undefined);
      return;
    }
    this.client = c;
    this.state = 'listening';
    this.downSince = undefined;
    this.backoff = this.opts.reconnectMs ?? 100;
    if (isRetry) {
      this.reconnects++;
      this.sink.log('info', 'live feed: listener reconnected; catching up from the log');
      this.sink.keysChanged();
      await this.reportMissedDeletions();
    }
    this.kick();
  }

  private lost(c: pg.Client, err?: Error): void {
    if (this.client !== c || this.isClosed()) return;
    this.client = undefined;
    this.state = 'down';
    this.downSince = Date.now();
    this.sink.log('warn', 'live feed: listener connection lost; reconnecting (events are still read every poll)', err);
    c.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(true), this.backoff);
    this.retry.unref();
    this.backoff = Math.min(this.backoff * 2, 5000);
  }

  private onNotify(payload: string): void {
    const [kind, origin] = payload.split(':', 2);
    if (kind === 'e') {
      if (origin !== this.store.origin) this.kick();
    } else if (kind === 'd') {
      this.deletions.push(payload.slice(kind.length + 1 + (origin?.length ?? 0) + 1));
      this.kick();
    } else if (kind === 'k') this.sink.keysChanged();
  }

  private async reportMissedDeletions(): Promise<void> {
    const watched = this.sink.watched();
    if (!watched.length) return;
    try {
      const present = await this.store.getSessions(watched);
      for (const id of watched) if (!present.has(id)) this.deletions.push(id);
      this.kick();
    } catch (err) {
      this.sink.log('warn', 'live feed: checking watched sessions after reconnect failed', err);
    }
  }
}
