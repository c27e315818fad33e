/**
 * The dashboard's live link to Tether (docs/live-feed.md): one WebSocket to `/api/v1/ws` carrying every subscription the open
 * views need — `session` channels resumed with `afterSeq`, and the `list` channel with `updates: true`.
 *
 * It reconnects by itself with backoff (250 ms doubling to 5 s, with jitter) and resumes each session from the last seq
 * it delivered, so no event is lost or shown twice across a drop or a service restart. While the WebSocket is down it
 * polls the REST API (events every 500 ms, sessions every 3 s), so views stay current even where /api/v1/ws is unavailable
 * (e.g. a proxy that drops upgrades). Close code 4001 (key revoked) stops reconnecting.
 */
import type { TetherRest } from './rest';
import { ApiError } from './rest';
import { eventFromMessage, type LiveMessage, type SessionSummary, type TetherEvent } from './types';

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
  lastSeq: number;
  onEvents: (events: TetherEvent[]) => void;
  buffer: TetherEvent[];
}

interface ListWatch {
  onChange: (c: ListChange) => void;
  /** Called after a reconnect: the list channel has no replay, so the view reloads. */
  onResync: () => void;
}

const PING_MS = 10_000;
const STALE_MS = 25_000;
/** Events are handed to views in batches at most this often (ms): fewer renders under load, still far below 1 s. */
const FLUSH_MS = 80;

/** One live link per (server, key). Create with {@link LiveLink.start}; stop with {@link LiveLink.close}. */
export class LiveLink {
  status: LinkStatus = { state: 'connecting', detail: 'Connecting…', attempts: 0 };
  private ws: WebSocket | null = null;
  private closed = false;
  private readonly sessions = new Set<SessionWatch>();
  private readonly lists = new Set<ListWatch>();
  private readonly statusListeners = new Set<(s: LinkStatus) => void>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastMessageAt = 0;
  private listPolledAt = 0;
  private wasLive = false;

  constructor(
    private readonly rest: TetherRest,
    private readonly wsUrl: string,
  ) {}

  /** Builds the `/api/v1/ws` URL for a base URL ('' = this page's origin) and key. */
  static wsUrlFor(baseUrl: string, apiKey: string): string {
    const base = baseUrl || window.location.origin;
    const url = new URL('/api/v1/ws', base.replace(/^http/i, 'ws'));
    if (apiKey) url.searchParams.set('apiKey', apiKey);
    return url.toString();
  }

  /** Opens the link. */
  start(): this {
    this.connect();
    return this;
  }

  /** Closes the WebSocket and stops every timer. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pollTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.flushTimer);
    this.ws?.close(1000);
    this.ws = null;
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
    this.sendSessionSubscribe(w);
    return () => {
      this.sessions.delete(w);
      if (![...this.sessions].some((o) => o.sessionId === sessionId))
        this.send({ op: 'unsubscribe', channel: 'session', sessionId });
    };
  }

  /** Delivers session-level changes (created, finalized, updated, deleted) with the session summary. */
  watchList(onChange: (c: ListChange) => void, onResync: () => void): () => void {
    const w: ListWatch = { onChange, onResync };
    this.lists.add(w);
    if (this.lists.size === 1) this.send({ op: 'subscribe', channel: 'list', updates: true });
    return () => {
      this.lists.delete(w);
      if (this.lists.size === 0) this.send({ op: 'unsubscribe', channel: 'list' });
    };
  }

  private setStatus(state: LinkState, detail: string): void {
    if (this.status.state === state && this.status.detail === detail) return;
    this.status = { state, detail, attempts: this.status.attempts };
    for (const l of this.statusListeners) l(this.status);
  }

  private send(m: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private sendSessionSubscribe(w: SessionWatch): void {
    this.send({ op: 'subscribe', channel: 'session', sessionId: w.sessionId, afterSeq: w.lastSeq });
  }

  private connect(): void {
    if (this.closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.wsUrl);
    } catch (err) {
      this.scheduleReconnect(`WebSocket refused: ${(err as Error).message}`);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastMessageAt = Date.now();
      this.status.attempts = 0;
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      this.setStatus('live', 'Live over WebSocket');
      for (const w of this.sessions) this.sendSessionSubscribe(w);
      if (this.lists.size) this.send({ op: 'subscribe', channel: 'list', updates: true });
      if (this.wasLive) for (const l of this.lists) l.onResync();
      this.wasLive = true;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        if (Date.now() - this.lastMessageAt > STALE_MS) ws.close(4000, 'stale');
        else this.send({ op: 'ping' });
      }, PING_MS);
    };
    ws.onmessage = (ev) => {
      this.lastMessageAt = Date.now();
      let m: LiveMessage;
      try {
        m = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      this.dispatch(m);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      if (this.closed) return;
      if (ev.code === 4001) {
        this.setStatus('offline', 'The API key was revoked or is no longer valid');
        return;
      }
      this.scheduleReconnect(ev.code === 1001 ? 'The service is restarting' : 'Connection lost');
    };
    ws.onerror = () => {
      /* onclose follows and reconnects */
    };
  }

  private scheduleReconnect(reason: string): void {
    this.status.attempts += 1;
    const delay = Math.min(5000, 250 * 2 ** Math.min(5, this.status.attempts - 1)) * (0.75 + Math.random() * 0.5);
    if (this.status.state === 'live' || this.status.state === 'connecting')
      this.setStatus('reconnecting', `${reason}; reconnecting…`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    if (!this.pollTimer) this.pollTimer = setTimeout(() => void this.poll(), 0);
  }

  /** REST fallback while the WebSocket is down: keeps views current and tells "service down" from "no /api/v1/ws". */
  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    if (this.closed || this.ws?.readyState === WebSocket.OPEN) return;
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
      if (this.ws?.readyState !== WebSocket.OPEN)
        this.setStatus('polling', 'Live over HTTP polling (WebSocket unavailable)');
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) this.setStatus('offline', err.detail);
      else if (!(err instanceof ApiError)) this.setStatus('reconnecting', 'The service does not answer; retrying…');
    }
    if (!this.closed && this.ws?.readyState !== WebSocket.OPEN)
      this.pollTimer = setTimeout(() => void this.poll(), 500);
  }

  private dispatch(m: LiveMessage): void {
    if (m.channel === 'list' && m.sessionId) {
      const change: ListChange = { type: m.type, sessionId: m.sessionId, session: m.session ?? null };
      for (const l of this.lists) l.onChange(change);
      return;
    }
    if (m.channel === 'session' && m.sessionId) {
      if (m.type === 'session_deleted') {
        for (const w of this.sessions) if (w.sessionId === m.sessionId) w.lastSeq = 0;
        return;
      }
      const ev = eventFromMessage(m);
      if (!ev) return;
      for (const w of this.sessions) if (w.sessionId === ev.sessionId) this.deliver(w, [ev]);
    }
  }

  private deliver(w: SessionWatch, events: TetherEvent[]): void {
    for (const e of events) {
      if (e.seq <= w.lastSeq) continue;
      if (e.seq !== w.lastSeq + 1 && this.ws?.readyState === WebSocket.OPEN) {
        // A gap should never happen (the server replays on subscribe); resubscribe from what we have to be safe.
        this.sendSessionSubscribe(w);
        break;
      }
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
