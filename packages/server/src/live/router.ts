import type { HubMessage, LiveHub } from '../events/hub.js';
import { toSummary, type SessionRecord } from '../events/record.js';
import type { Store } from '../storage/store.js';
import { LiveOutput, type ConnectionRegistry, type LiveConnection } from './connection.js';
import {
  deletedMessage,
  eventMessage,
  listEventMessage,
  listUpdateMessage,
  Outgoing,
  type LiveEvent,
} from './messages.js';
import type { Subscription } from './subscription.js';

/** How often coalesced `session_updated` list messages go out, in ms. */
export const LIST_UPDATE_INTERVAL_MS = 1000;

/**
 * Routes committed events from the hub to subscriptions: by session, firehose, list. Each message is serialized once
 * per channel however many subscribers get it. Keeps `hub.stats` (connections, distinct users, distinct subscribed
 * sessions) current for /health and /metrics.
 */
export class LiveRouter implements ConnectionRegistry {
  private readonly bySession = new Map<string, Set<Subscription>>();
  private readonly firehose = new Set<Subscription>();
  private readonly list = new Set<Subscription>();
  readonly connections = new Set<LiveConnection>();
  /** This app's flush schedulers, frame caches and write counters (nothing is shared between apps in a process). */
  readonly output = new LiveOutput();
  private readonly users = new Map<string, number>();
  private readonly dirty = new Map<string, SessionRecord>();
  private updateSubs = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly hub: LiveHub,
    private readonly store: Store,
  ) {
    this.unsubscribe = hub.subscribe((m) => this.onHub(m));
    this.timer = setInterval(() => this.flushUpdates(), LIST_UPDATE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Registers a new connection (counted in stats). */
  attach(conn: LiveConnection): void {
    this.connections.add(conn);
    if (conn.user !== undefined) this.users.set(conn.user, (this.users.get(conn.user) ?? 0) + 1);
    this.updateStats();
  }

  /** Removes a connection and all its subscriptions (idempotent). */
  detach(conn: LiveConnection): void {
    if (!this.connections.delete(conn)) return;
    for (const sub of [...conn.subs.values()]) this.remove(sub);
    if (conn.user !== undefined) {
      const n = (this.users.get(conn.user) ?? 1) - 1;
      if (n <= 0) this.users.delete(conn.user);
      else this.users.set(conn.user, n);
    }
    this.updateStats();
  }

  /**
   * Adds a subscription (replacing the connection's subscription with the same key) and runs its replay-then-live
   * switch. Registration happens before the replay reads storage: see Subscription.
   */
  async add(sub: Subscription): Promise<void> {
    const old = sub.conn.subs.get(sub.key);
    if (old) this.remove(old);
    sub.conn.subs.set(sub.key, sub);
    if (sub.channel === 'session') {
      let set = this.bySession.get(sub.sessionId!);
      if (!set) this.bySession.set(sub.sessionId!, (set = new Set()));
      set.add(sub);
    } else if (sub.channel === 'firehose') this.firehose.add(sub);
    else {
      this.list.add(sub);
      if (sub.updates) this.updateSubs++;
    }
    this.updateStats();
    await sub.run(this.store);
  }

  /** Ends a subscription; pending replay stops at its next step. */
  remove(sub: Subscription): void {
    sub.active = false;
    if (sub.conn.subs.get(sub.key) === sub) sub.conn.subs.delete(sub.key);
    if (sub.channel === 'session') {
      const set = this.bySession.get(sub.sessionId!);
      set?.delete(sub);
      if (set && set.size === 0) this.bySession.delete(sub.sessionId!);
    } else if (sub.channel === 'firehose') this.firehose.delete(sub);
    else if (this.list.delete(sub) && sub.updates) this.updateSubs--;
    this.updateStats();
  }

  /**
   * What a feed must deliver now: `nothing` without connections, `sessions` (events with their session records)
   * while a list subscriber exists, else `events`.
   */
  needs(): 'nothing' | 'events' | 'sessions' {
    if (this.connections.size === 0) return 'nothing';
    return this.list.size ? 'sessions' : 'events';
  }

  /** Sessions with a live subscription that has seen at least one event (for deletions missed by a cluster listener). */
  watchedSessions(): string[] {
    return [...this.bySession].filter(([, subs]) => [...subs].some((s) => s.last > 0)).map(([id]) => id);
  }

  /** Stops listening to the hub and the update timer (on app close). */
  close(): void {
    this.unsubscribe();
    clearInterval(this.timer);
  }

  private updateStats(): void {
    const s = this.hub.stats;
    s.totalConnections = this.connections.size;
    s.users = this.users.size;
    s.sessions = this.bySession.size;
  }

  private onHub(m: HubMessage): void {
    if (m.type === 'session_deleted') {
      this.dirty.delete(m.sessionId);
      const subs = this.bySession.get(m.sessionId);
      if (subs) {
        const out = new Outgoing(deletedMessage(m.sessionId, m.timestamp, 'session'));
        for (const sub of subs) sub.offer(undefined, out);
      }
      if (this.firehose.size) {
        const out = new Outgoing(deletedMessage(m.sessionId, m.timestamp, 'firehose'));
        for (const sub of this.firehose) sub.offer(undefined, out);
      }
      if (this.list.size) {
        const out = new Outgoing(deletedMessage(m.sessionId, m.timestamp, 'list'));
        for (const sub of this.list) sub.offer(undefined, out);
      }
      return;
    }
    const ev: LiveEvent = m.event;
    const subs = this.bySession.get(ev.sessionId);
    if (subs) {
      const out = new Outgoing(eventMessage(ev, 'session'), ev.seq);
      for (const sub of subs) sub.offer(ev.seq, out);
    }
    if (this.firehose.size) {
      const out = new Outgoing(eventMessage(ev, 'firehose'), ev.pos);
      for (const sub of this.firehose) sub.offer(ev.pos, out);
    }
    if (this.list.size && m.session) {
      if (ev.kind === 'session_created' || ev.kind === 'session_finalized') {
        const out = new Outgoing(listEventMessage(ev, toSummary(m.session)));
        for (const sub of this.list) sub.offer(undefined, out);
      } else if (this.updateSubs > 0) this.dirty.set(ev.sessionId, m.session);
    }
  }

  private flushUpdates(): void {
    if (this.dirty.size === 0) return;
    const records = [...this.dirty.values()];
    this.dirty.clear();
    if (this.updateSubs === 0) return;
    for (const rec of records) {
      const out = new Outgoing(listUpdateMessage(toSummary(rec)));
      for (const sub of this.list) if (sub.updates) sub.offer(undefined, out);
    }
  }
}
