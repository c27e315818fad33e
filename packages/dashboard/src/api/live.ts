/**
 * The dashboard's live link to Tether (docs/live-feed.md): a thin layer over the SDK's `LiveSocket` (@tether/client) —
 * one WebSocket to `/api/v1/ws` carrying every subscription the open views need: `session` channels resumed from the
 * last seq, and the `list` channel with `updates: true`. The SDK reconnects with backoff and resumes each subscription,
 * so no event is lost or shown twice across a drop or a service restart; close code 4001 (key revoked) stops it.
 *
 * What this layer adds for React views: events handed over in batches (about every 80 ms), the link status the badge
 * shows, and a REST fallback: while the WebSocket is down it polls (events every 500 ms, sessions every 3 s), so views
 * stay current even where /api/v1/ws is unavailable (e.g. a proxy that drops upgrades).
 */
import { APIStatusError, type LiveSocket, type LiveSocketStatus, type LiveSubscription } from '@tether/client';
import { problemDetail, type TetherRest } from './rest';
import { eventFromMessage, type SessionSummary, type TetherEvent } from './types';

/** `connecting` (first attempt), `live` (WebSocket open), `polling` (WebSocket down, REST answers), `reconnecting` (nothing answers), `offline` (stopped: key refused or revoked). */
export type LinkState = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'offline';

export interface LinkStatus {
  state: LinkState;
  /** Human-readable reason for the current state. */
  detail: string;
  /** Reconnect attempts since the last successful connection. */
  attempts: number;
}

/** A list-channel message: created/finalized/updated carry the session summary; deleted has `session: null`. */
export interface ListChange {
  type: string;
  sessionId: string;
  session: SessionSummary | null;
}

interface SessionWatch {
  sessionId: string;
  /** The last seq handed to the view (live or polled): nothing at or before it is handed over again. */
  lastSeq: number;
  onEvents: (events: TetherEvent[]) => void;
  buffer: TetherEvent[];
  /** Its subscription on the current socket (none while the link is stopped). */
  sub?: LiveSubscription | undefined;
}

interface ListWatch {
  onChange: (c: ListChange) => void;
  onResync: () => void;
  sub?: LiveSubscription | undefined;
}

/** Events are handed to views in batches at most this often (ms): fewer renders under load, still far below 1 s. */
const FLUSH_MS = 80;

/**
 * One live link per (server, key). Create, then {@link LiveLink.start}; stop with {@link LiveLink.close}. Watches may be
 * added while it is stopped, and it may be started again (React's StrictMode runs effects twice): each start opens a
 * new socket and subscribes every watch from where it is.
 */
export class LiveLink {
  status: LinkStatus = { state: 'connecting', detail: 'Connecting…', attempts: 0 };
  private socket: LiveSocket | null = null;
  private closed = true;
  private readonly sessions = new Set<SessionWatch>();
  private readonly lists = new Set<ListWatch>();
  private readonly statusListeners = new Set<(s: LinkStatus) => void>();
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private listPolledAt = 0;

  constructor(private readonly rest: TetherRest) {}

  /** Opens the link (a no-op when open). */
  start(): this {
    if (this.socket) return this;
    this.closed = false;
    // The REST client's base URL (the page's origin when none is set) and key; the browser's global WebSocket.
    const socket = this.rest.client.live();
    this.socket = socket;
    socket.onStatus((s) => {
      if (this.socket === socket) this.onSocketStatus(s);
    });
    socket.connect();
    for (const w of this.sessions) this.subscribeSession(w);
    for (const w of this.lists) this.subscribeList(w);
    return this;
  }

  /** Closes the WebSocket and stops every timer; the watches stay, for a later {@link start}. */
  close(): void {
    this.closed = true;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const socket = this.socket;
    this.socket = null;
    for (const w of this.sessions) w.sub = undefined;
    for (const w of this.lists) w.sub = undefined;
    socket?.close();
  }

  /** Calls `cb` with every status change; returns the unsubscribe function. */
  onStatus(cb: (s: LinkStatus) => void): () => void {
    this.statusListeners.add(cb);
    return () => this.statusListeners.delete(cb);
  }

  /**
   * Delivers the events of `sessionId` with seq > `afterSeq`, in order, without duplicates, in batches (about every 80 ms).
   * Resumes after reconnects from the last seq delivered. Returns the function that stops watching.
   */
  watchSession(sessionId: string, afterSeq: number, onEvents: (events: TetherEvent[]) => void): () => void {
    const w: SessionWatch = { sessionId, lastSeq: afterSeq, onEvents, buffer: [] };
    this.sessions.add(w);
    this.subscribeSession(w);
    return () => {
      this.sessions.delete(w);
      w.sub?.close();
    };
  }

  /**
   * Delivers session-level changes (created, finalized, updated, deleted) with the session summary; `onResync` after a
   * reconnect (the list channel has no replay, so the view reloads).
   */
  watchList(onChange: (c: ListChange) => void, onResync: () => void): () => void {
    const w: ListWatch = { onChange, onResync };
    this.lists.add(w);
    this.subscribeList(w);
    return () => {
      this.lists.delete(w);
      w.sub?.close();
    };
  }

  private subscribeSession(w: SessionWatch): void {
    w.sub = this.socket?.session(w.sessionId, {
      afterSeq: w.lastSeq,
      onEvent: (m) => this.deliver(w, [eventFromMessage(m)]),
      onDeleted: () => {
        w.lastSeq = 0;
      },
    });
  }

  private subscribeList(w: ListWatch): void {
    w.sub = this.socket?.list({
      updates: true,
      onMessage: (m) => w.onChange({ type: m.type, sessionId: m.sessionId, session: m.session ?? null }),
      onResync: w.onResync,
    });
  }

  private setStatus(state: LinkState, detail: string, attempts = this.status.attempts): void {
    if (this.status.state === state && this.status.detail === detail && this.status.attempts === attempts) return;
    this.status = { state, detail, attempts };
    for (const l of this.statusListeners) l(this.status);
  }

  private onSocketStatus(s: LiveSocketStatus): void {
    if (this.closed) return;
    if (s.state === 'open') {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      this.setStatus('live', 'Live over WebSocket', 0);
    } else if (s.state === 'closed') {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      this.setStatus('offline', 'The API key was revoked or is no longer valid', s.attempts);
    } else if (s.state === 'reconnecting') {
      const reason = s.closeCode === 1001 ? 'The service is restarting' : 'Connection lost';
      // The badge keeps what polling found out ("polling", "offline") until the WebSocket is back.
      if (this.status.state === 'live' || this.status.state === 'connecting')
        this.setStatus('reconnecting', `${reason}; reconnecting…`, s.attempts);
      else this.setStatus(this.status.state, this.status.detail, s.attempts);
      if (!this.pollTimer) this.pollTimer = setTimeout(() => void this.poll(), 0);
    }
  }

  private wsOpen(): boolean {
    return this.socket?.status.state === 'open';
  }

  /** REST fallback while the WebSocket is down: keeps views current and tells "service down" from "no /api/v1/ws". */
  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    if (this.closed || this.wsOpen()) return;
    try {
      // The probe is an /api read (stats), not the public /health: /health answers even when every /api request is
      // refused (401/403), and the badge must not say "Live (polling)" while nothing can be read.
      if (this.sessions.size === 0 && (this.lists.size === 0 || Date.now() - this.listPolledAt < 3000))
        await this.rest.stats();
      for (const w of [...this.sessions]) {
        const page = await this.rest.listEvents(w.sessionId, { after: w.lastSeq, limit: 1000 });
        this.deliver(w, page.events);
      }
      if (this.lists.size && Date.now() - this.listPolledAt >= 3000) {
        this.listPolledAt = Date.now();
        const { sessions } = await this.rest.listSessions({ sort: 'updated', limit: 50 });
        for (const s of sessions)
          for (const l of this.lists) l.onChange({ type: 'session_updated', sessionId: s.sessionId, session: s });
      }
      if (!this.wsOpen()) this.setStatus('polling', 'Live over HTTP polling (WebSocket unavailable)');
    } catch (err) {
      if (err instanceof APIStatusError && (err.status === 401 || err.status === 403))
        this.setStatus('offline', problemDetail(err));
      else if (!(err instanceof APIStatusError))
        this.setStatus('reconnecting', 'The service does not answer; retrying…');
    }
    if (!this.closed && this.socket && !this.wsOpen() && this.socket.status.state !== 'closed')
      this.pollTimer = setTimeout(() => void this.poll(), 500);
  }

  /** Hands events after the watch's last seq to its buffer (the SDK and the poller may both bring the same ones). */
  private deliver(w: SessionWatch, events: TetherEvent[]): void {
    if (!this.sessions.has(w)) return;
    for (const e of events) {
      if (e.seq <= w.lastSeq) continue;
      w.lastSeq = e.seq;
      w.buffer.push(e);
    }
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const w of this.sessions) {
      if (!w.buffer.length) continue;
      const batch = w.buffer;
      w.buffer = [];
      w.onEvents(batch);
    }
  }
}
