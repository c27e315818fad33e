/**
 * The live feed over one WebSocket (`/api/v1/ws`, docs/live-feed.md): several subscriptions — `session` channels,
 * the `firehose`, the `list` channel — multiplexed on one connection, reconnected with backoff and resumed from the
 * last seq/pos each subscription delivered. Runs in browsers (global `WebSocket`) and in Node (pass a constructor, e.g.
 * the `ws` package's, as `options.WebSocket`; Node ≥ 22 also has a global one).
 */
import {
  ERROR_CODES,
  isValidSessionId,
  type LiveBatchMessage,
  type LiveClientOp,
  type LiveErrorMessage,
  type LiveEventMessage,
  type LiveListEventMessage,
  type LiveServerMessage,
  type LiveSessionDeletedMessage,
  type LiveSessionUpdatedMessage,
  type LiveSubscribedMessage,
} from '@tether/protocol';
import { backoffDelay } from './backoff.js';
import { APIConnectionError, type APIError, AuthenticationError, TetherError, makeAPIError } from './errors.js';

/**
 * The part of the WHATWG `WebSocket` the SDK uses; the browser's `WebSocket` and the `ws` package's both fit.
 * Handlers are typed loosely (`never` parameters) so that either implementation's event types are accepted.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}

/** A `WebSocket` constructor: `globalThis.WebSocket` in browsers, `WebSocket` from the `ws` package in Node. */
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** WebSocket.OPEN (the same in every implementation). */
const OPEN = 1;

/** Options of {@link LiveSocket} (`client.live(options)` fills `baseUrl` and `apiKey` from the client). */
export interface LiveSocketOptions {
  /** Base URL of the Tether service, e.g. `http://localhost:9000`; `http(s)` becomes `ws(s)`, the path `/api/v1/ws`. */
  baseUrl: string;
  /**
   * API key with the `read` scope. Sent as the `apiKey` query parameter: the WebSocket API cannot set headers
   * (docs/live-feed.md "Authentication").
   */
  apiKey?: string | undefined;
  /** The WebSocket constructor; default `globalThis.WebSocket`. Required in Node 20 (e.g. `import WebSocket from 'ws'`). */
  WebSocket?: WebSocketConstructorLike;
  /** `?user=` label of the connection (counted in `/health`; it neither filters nor authorizes). */
  user?: string;
  /** `?batch=1`: the server sends several messages per frame (docs/live-feed.md "Batched delivery"); default false. */
  batch?: boolean;
  /** Sends `{"op":"ping"}` this often, in ms; default 10000. */
  pingIntervalMs?: number;
  /** A connection with no message (events, pongs) for this long, in ms, is dropped and resumed; default 25000. */
  staleAfterMs?: number;
  /** Reconnect backoff (full jitter, {@link backoffDelay}): first delay in ms, default 250; largest, default 5000. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * `connecting`: the first connection is being opened. `open`: connected (the server's `hello` arrived).
 * `reconnecting`: the connection dropped or could not be opened; another attempt follows after a backoff delay.
 * `closed`: stopped for good — by {@link LiveSocket.close}, or by close code 4001 (key revoked: `error` is an
 * AuthenticationError).
 */
export type LiveSocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The connection status, passed to {@link LiveSocket.onStatus} listeners. */
export interface LiveSocketStatus {
  state: LiveSocketState;
  /** Failed attempts since the last successful connection (0 while open). */
  attempts: number;
  /** Why the last connection ended (close code and reason), when it did. */
  closeCode?: number;
  reason?: string;
  /** The error that stopped the socket (`closed` by code 4001) or that the last attempt ended with. */
  error?: APIError;
}

/** Callbacks common to every subscription. */
export interface LiveHandlers {
  /**
   * The server confirmed the subscription after its replay (`replayed` events, up to `lastSeq`/`lastPos`); called on
   * every (re)connection.
   */
  onSubscribed?: (m: LiveSubscribedMessage) => void;
  /**
   * The server refused the subscription (an `error` reply: a BadRequestError such as validation_failed for more than
   * 1,000 session subscriptions) — the subscription is then closed — or the socket stopped for good (4001).
   * A failed history read (internal_error) is retried after a backoff delay and reported here too.
   */
  onError?: (err: APIError) => void;
}

/** Options of {@link LiveSocket.session}. */
export interface SessionSubscriptionOptions extends LiveHandlers {
  /** Replay events with seq > afterSeq first (0 = the whole log); omit for live events only. */
  afterSeq?: number;
  /** Each event of the session, once, in seq order. */
  onEvent: (m: LiveEventMessage) => void;
  /** The session was deleted; the subscription continues from seq 0 (a new session under the id starts at 1). */
  onDeleted?: (m: LiveSessionDeletedMessage) => void;
}

/** Options of {@link LiveSocket.firehose}. */
export interface FirehoseSubscriptionOptions extends LiveHandlers {
  /** Replay events with pos > afterPos first (0 = everything); omit for live events only. */
  afterPos?: number;
  /** Each event of every session, once, in pos (commit) order. */
  onEvent: (m: LiveEventMessage) => void;
  /** A session was deleted. */
  onDeleted?: (m: LiveSessionDeletedMessage) => void;
}

/** A message of the `list` channel: session created/finalized (with the summary), updated (coalesced), deleted. */
export type LiveListMessage = LiveListEventMessage | LiveSessionUpdatedMessage | LiveSessionDeletedMessage;

/** Options of {@link LiveSocket.list}. */
export interface ListSubscriptionOptions extends LiveHandlers {
  /** Also receive `session_updated` (at most one per session per second); default false. */
  updates?: boolean;
  onMessage: (m: LiveListMessage) => void;
  /**
   * The list channel has no replay: after a reconnect, messages sent while the socket was down are lost and the
   * caller should reload the list (`GET /api/v1/sessions`). Called when the channel is live again after a drop.
   */
  onResync?: () => void;
}

/** One subscription on a {@link LiveSocket}. */
export interface LiveSubscription {
  /**
   * The resume position: the last seq (session) or pos (firehose) delivered, or the one the server reported at the
   * switch to live; undefined before that (and always for `list`).
   */
  readonly position: number | undefined;
  /** True once closed (by `close()`, a refused subscription, or the socket closing). */
  readonly closed: boolean;
  /** Stops the subscription; when it was the last one of its channel, the server is told to unsubscribe. */
  close(): void;
}

type ChannelName = 'session' | 'firehose' | 'list';

interface Sub extends LiveSubscription {
  position: number | undefined;
  closed: boolean;
  readonly updates: boolean;
  readonly handlers: LiveHandlers & {
    onEvent?: (m: LiveEventMessage) => void;
    onDeleted?: (m: LiveSessionDeletedMessage) => void;
    onMessage?: (m: LiveListMessage) => void;
    onResync?: () => void;
  };
}

/** The server-side subscription of one key (`session:<id>`, `firehose`, `list`) shared by the subscriptions on it. */
interface Channel {
  readonly key: string;
  readonly name: ChannelName;
  readonly sessionId: string | undefined;
  readonly subs: Set<Sub>;
  /** The id of the last subscribe sent on the current socket; undefined when none was sent on it yet. */
  reqId: number | undefined;
  /** The `afterSeq`/`afterPos` of that subscribe (undefined = live only). */
  sentAfter: number | undefined;
  /** The `updates` flag of that subscribe (list). */
  sentUpdates: boolean;
  /** The last position seen on this channel (event or `subscribed`); the stream goes on from here. */
  last: number | undefined;
  /** The `subscribed` reply to the last subscribe arrived: the stream is live. */
  ready: boolean;
  /** A resubscribe to fill a gap is in flight (its id). */
  healing: number | undefined;
  /** The channel was subscribed on a connection that dropped (list: call onResync when live again). */
  interrupted: boolean;
  /** Failed history reads in a row (internal_error), for the retry backoff. */
  failures: number;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
}

function keyOf(name: ChannelName, sessionId?: string): string {
  return name === 'session' ? `session:${sessionId}` : name;
}

function checkAfter(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
    throw new TypeError(`${name} must be a whole number >= 0 (got ${String(v)})`);
}

/**
 * One WebSocket to `/api/v1/ws` carrying any number of subscriptions; see docs/live-feed.md for the protocol.
 *
 * - Delivery: each subscription gets its events once and in order (seq per session, pos on the firehose), even across
 *   reconnects: after a drop (network, missed heartbeat, service restart 1001, slow consumer 4008, `staleAfterMs`
 *   without a message) it reconnects with backoff and resubscribes every channel from the lowest position its
 *   subscriptions have reached (`afterSeq`/`afterPos`); what the server replays twice is skipped. A live-only
 *   subscription (no `afterSeq`/`afterPos`) gets its position from the first `subscribed` reply and resumes from it.
 *   A session subscription that sees a seq gap (which the server never sends; a safety net) resubscribes from its
 *   position.
 * - Errors: bad arguments throw a TypeError at once; a refused subscription calls its `onError`; code 4001 (key revoked)
 *   closes the socket for good (`status.error` is an AuthenticationError). A refused upgrade (401/403, bad origin) is
 *   only a failed connection to a WebSocket client, retried with backoff: check the key with a REST call.
 * - Callbacks run synchronously as messages arrive; an exception in one is not caught by the socket.
 *
 * ```ts
 * import WebSocket from 'ws'; // Node 20 only
 * const live = tether.live({ WebSocket });
 * const sub = live.session('run-42', { afterSeq: 0, onEvent: (ev) => console.log(ev.seq, ev.kind) });
 * // …
 * sub.close();
 * live.close();
 * ```
 */
export class LiveSocket {
  /** The `/api/v1/ws` URL connected to (with the `apiKey`, `user` and `batch` query parameters). */
  readonly url: string;
  private readonly opts: LiveSocketOptions;
  private readonly Ctor: WebSocketConstructorLike;
  private ws: WebSocketLike | null = null;
  private statusValue: LiveSocketStatus = { state: 'connecting', attempts: 0 };
  private readonly statusListeners = new Set<(s: LiveSocketStatus) => void>();
  private readonly channels = new Map<string, Channel>();
  private readonly byReqId = new Map<number, Channel>();
  private nextId = 1;
  private started = false;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastMessageAt = 0;

  /** Throws a TypeError for a missing or malformed `baseUrl`, or when no WebSocket constructor is available. */
  constructor(options: LiveSocketOptions) {
    if (!options?.baseUrl) throw new TypeError('LiveSocket: baseUrl is required (e.g. http://localhost:9000)');
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket ?? undefined;
    if (!Ctor)
      throw new TypeError(
        "LiveSocket: no global WebSocket (Node 20): pass options.WebSocket, e.g. `import WebSocket from 'ws'`",
      );
    this.opts = options;
    this.Ctor = Ctor;
    let url: URL;
    try {
      url = new URL('/api/v1/ws', options.baseUrl.replace(/^http/i, 'ws'));
    } catch {
      throw new TypeError(`LiveSocket: baseUrl is not a URL: ${options.baseUrl}`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
      throw new TypeError(`LiveSocket: baseUrl must be http(s) or ws(s), not ${url.protocol}`);
    if (options.apiKey) url.searchParams.set('apiKey', options.apiKey);
    if (options.user !== undefined) url.searchParams.set('user', options.user);
    if (options.batch) url.searchParams.set('batch', '1');
    this.url = url.toString();
  }

  /** The current connection status. */
  get status(): LiveSocketStatus {
    return this.statusValue;
  }

  /** Calls `listener` with every status change; returns the function that removes it. */
  onStatus(listener: (s: LiveSocketStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /** Opens the connection (idempotent; the first subscription also does). Throws after {@link close}. */
  connect(): this {
    if (this.stopped) throw new TetherError('LiveSocket is closed; create a new one');
    if (!this.started) {
      this.started = true;
      this.open();
    }
    return this;
  }

  /** Closes the WebSocket (code 1000) and every subscription; the socket cannot be reopened. */
  close(): void {
    this.stopAll({ state: 'closed', attempts: this.statusValue.attempts });
  }

  private stopAll(status: LiveSocketStatus): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    for (const ch of this.channels.values()) {
      clearTimeout(ch.retryTimer);
      for (const s of ch.subs) s.closed = true;
    }
    this.channels.clear();
    this.byReqId.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000);
      } catch {
        /* already closing */
      }
    }
    this.setStatus(status);
  }

  /**
   * Subscribes to one session's events (channel `session`). Throws a TypeError for an invalid session id
   * (1–128 characters of A-Za-z0-9._:-) or `afterSeq`. A session may be subscribed before it exists.
   */
  session(sessionId: string, options: SessionSubscriptionOptions): LiveSubscription {
    if (!isValidSessionId(sessionId))
      throw new TypeError(`sessionId must be 1–128 characters of A-Za-z0-9._:- (got ${JSON.stringify(sessionId)})`);
    checkAfter('afterSeq', options.afterSeq);
    if (typeof options.onEvent !== 'function') throw new TypeError('onEvent must be a function');
    return this.add('session', sessionId, options.afterSeq, false, options);
  }

  /** Subscribes to every session's events (channel `firehose`). Throws a TypeError for a bad `afterPos`. */
  firehose(options: FirehoseSubscriptionOptions): LiveSubscription {
    checkAfter('afterPos', options.afterPos);
    if (typeof options.onEvent !== 'function') throw new TypeError('onEvent must be a function');
    return this.add('firehose', undefined, options.afterPos, false, options);
  }

  /** Subscribes to session-level changes (channel `list`); no replay, see `onResync`. */
  list(options: ListSubscriptionOptions): LiveSubscription {
    if (typeof options.onMessage !== 'function') throw new TypeError('onMessage must be a function');
    return this.add('list', undefined, undefined, options.updates === true, options);
  }

  private add(
    name: ChannelName,
    sessionId: string | undefined,
    after: number | undefined,
    updates: boolean,
    handlers: Sub['handlers'],
  ): LiveSubscription {
    this.connect();
    const key = keyOf(name, sessionId);
    let ch = this.channels.get(key);
    if (!ch) {
      ch = {
        key,
        name,
        sessionId,
        subs: new Set(),
        reqId: undefined,
        sentAfter: undefined,
        sentUpdates: false,
        last: undefined,
        ready: false,
        healing: undefined,
        interrupted: false,
        failures: 0,
        retryTimer: undefined,
      };
      this.channels.set(key, ch);
    }
    const channel = ch;
    const sub: Sub = {
      position: after,
      closed: false,
      updates,
      handlers,
      close: () => this.remove(channel, sub),
    };
    // A live-only subscription on a channel that is already live starts where the stream is.
    if (name !== 'list' && after === undefined && ch.ready) sub.position = ch.last;
    channel.subs.add(sub);
    // Send (again) when the stream on the wire would not cover this subscription.
    const streamFrom = ch.last ?? ch.sentAfter;
    const needed =
      ch.reqId === undefined ||
      (name === 'list'
        ? updates && !ch.sentUpdates
        : after !== undefined && (streamFrom === undefined || after < streamFrom));
    if (needed) this.sendSubscribe(ch);
    return sub;
  }

  private remove(ch: Channel, sub: Sub): void {
    if (sub.closed) return;
    sub.closed = true;
    ch.subs.delete(sub);
    if (ch.subs.size > 0 || this.channels.get(ch.key) !== ch) return;
    this.channels.delete(ch.key);
    clearTimeout(ch.retryTimer);
    if (ch.reqId !== undefined) {
      this.byReqId.delete(ch.reqId);
      this.send({
        op: 'unsubscribe',
        channel: ch.name,
        ...(ch.sessionId !== undefined ? { sessionId: ch.sessionId } : {}),
      });
    }
  }

  private setStatus(s: LiveSocketStatus): void {
    this.statusValue = s;
    for (const l of [...this.statusListeners]) l(s);
  }

  private send(op: LiveClientOp): boolean {
    if (this.ws?.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(op));
    return true;
  }

  /** Subscribes `ch` on the current socket from the lowest position of its subscriptions (see the class comment). */
  private sendSubscribe(ch: Channel): void {
    if (this.ws?.readyState !== OPEN) return; // sent on open
    let after: number | undefined;
    if (ch.name !== 'list') {
      for (const s of ch.subs)
        if (s.position !== undefined && (after === undefined || s.position < after)) after = s.position;
    }
    const updates = ch.name === 'list' && [...ch.subs].some((s) => s.updates);
    const id = this.nextId++;
    if (ch.reqId !== undefined) this.byReqId.delete(ch.reqId);
    ch.reqId = id;
    ch.ready = false;
    ch.sentAfter = after;
    ch.sentUpdates = updates;
    // The replay restarts at `after`: positions seen before it are behind the stream now.
    if (after !== undefined) ch.last = after;
    this.byReqId.set(id, ch);
    const op: LiveClientOp = { op: 'subscribe', id, channel: ch.name };
    if (ch.sessionId !== undefined) op.sessionId = ch.sessionId;
    if (after !== undefined) {
      if (ch.name === 'session') op.afterSeq = after;
      else op.afterPos = after;
    }
    if (ch.name === 'list') op.updates = updates;
    this.send(op);
  }

  private open(): void {
    if (this.stopped) return;
    let ws: WebSocketLike;
    try {
      ws = new this.Ctor(this.url);
    } catch (err) {
      this.lost(undefined, undefined, new APIConnectionError(`WebSocket refused ${this.url}`, { cause: err }));
      return;
    }
    this.ws = ws;
    const h = ws as unknown as {
      onopen: (() => void) | null;
      onmessage: ((ev: { data: unknown }) => void) | null;
      onclose: ((ev: { code?: number; reason?: string }) => void) | null;
      onerror: (() => void) | null;
    };
    h.onopen = () => {
      this.lastMessageAt = Date.now();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.heartbeat(ws), this.opts.pingIntervalMs ?? 10_000);
      for (const ch of this.channels.values()) {
        ch.reqId = undefined;
        ch.healing = undefined;
        this.sendSubscribe(ch);
      }
    };
    h.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastMessageAt = Date.now();
      let m: LiveServerMessage | LiveBatchMessage;
      try {
        m = JSON.parse(String(ev.data)) as LiveServerMessage | LiveBatchMessage;
      } catch {
        return;
      }
      if (m.type === 'batch') for (const one of (m as LiveBatchMessage).messages) this.dispatch(one);
      else this.dispatch(m as LiveServerMessage);
    };
    h.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.lost(ev.code, ev.reason);
    };
    h.onerror = () => {
      /* onclose follows */
    };
  }

  /** Pings; drops a connection that has been silent for `staleAfterMs` (a dead peer may never send a close). */
  private heartbeat(ws: WebSocketLike): void {
    if (this.ws !== ws) return;
    if (Date.now() - this.lastMessageAt > (this.opts.staleAfterMs ?? 25_000)) {
      detach(ws);
      try {
        ws.close(4000, 'stale');
      } catch {
        /* closing anyway */
      }
      this.lost(4000, 'no message within staleAfterMs');
      return;
    }
    this.send({ op: 'ping' });
  }

  /** The connection ended (or never opened): reconnect with backoff, or stop on 4001. */
  private lost(code: number | undefined, reason: string | undefined, error?: APIError): void {
    this.ws = null;
    clearInterval(this.pingTimer);
    if (this.stopped) return;
    for (const ch of this.channels.values()) {
      if (ch.reqId !== undefined) ch.interrupted = true;
      ch.reqId = undefined;
      ch.ready = false;
      ch.healing = undefined;
      if (ch.retryTimer !== undefined) {
        clearTimeout(ch.retryTimer);
        ch.retryTimer = undefined;
      }
    }
    const why = { ...(code !== undefined ? { closeCode: code } : {}), ...(reason ? { reason } : {}) };
    if (code === 4001) {
      const err = new AuthenticationError(401, `Live feed closed: ${reason || 'API key revoked'}`, {
        code: 'unauthorized',
      });
      const subs = [...this.channels.values()].flatMap((ch) => [...ch.subs]);
      this.stopAll({ state: 'closed', attempts: 0, ...why, error: err });
      for (const s of subs) s.handlers.onError?.(err);
      return;
    }
    const attempts = this.statusValue.attempts + 1;
    const err =
      error ??
      new APIConnectionError(
        `Live feed connection ${code === undefined ? 'failed' : `closed (${code}${reason ? ` ${reason}` : ''})`}`,
      );
    this.setStatus({ state: 'reconnecting', attempts, ...why, error: err });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(
      () => this.open(),
      backoffDelay(attempts - 1, {
        initialDelayMs: this.opts.initialDelayMs ?? 250,
        maxDelayMs: this.opts.maxDelayMs ?? 5000,
      }),
    );
  }

  private dispatch(m: LiveServerMessage): void {
    switch (m.type) {
      case 'hello':
        this.setStatus({ state: 'open', attempts: 0 });
        return;
      case 'pong':
      case 'unsubscribed':
      case 'close':
        return;
      case 'subscribed':
        return this.onSubscribed(m as LiveSubscribedMessage);
      case 'error':
        return this.onErrorReply(m as LiveErrorMessage);
    }
    const msg = m as LiveEventMessage | LiveListMessage;
    if (msg.channel === 'list') {
      const ch = this.channels.get('list');
      if (!ch) return;
      for (const s of [...ch.subs])
        if (!s.closed && (msg.type !== 'session_updated' || s.updates)) s.handlers.onMessage?.(msg);
      return;
    }
    const ch = this.channels.get(keyOf(msg.channel, msg.sessionId));
    if (!ch) return;
    if (msg.type === 'session_deleted') {
      if (ch.name === 'session') {
        ch.last = 0;
        for (const s of ch.subs) s.position = 0;
      }
      for (const s of [...ch.subs]) if (!s.closed) s.handlers.onDeleted?.(msg as LiveSessionDeletedMessage);
      return;
    }
    const ev = msg as LiveEventMessage;
    const at = ch.name === 'session' ? ev.seq : ev.pos;
    if (typeof at !== 'number') return;
    ch.last = ch.last === undefined ? at : Math.max(ch.last, at);
    for (const s of [...ch.subs]) {
      if (s.closed || s.position === undefined || at <= s.position) continue;
      if (ch.name === 'session' && at !== s.position + 1) {
        // A gap (never sent by the server: a safety net): replay from what this subscription has.
        if (ch.healing === undefined) {
          this.sendSubscribe(ch);
          ch.healing = ch.reqId;
        }
        continue;
      }
      s.position = at;
      s.handlers.onEvent?.(ev);
    }
  }

  private onSubscribed(m: LiveSubscribedMessage): void {
    const ch = m.id !== undefined ? this.byReqId.get(Number(m.id)) : undefined;
    if (!ch || ch.reqId !== m.id) return;
    ch.failures = 0;
    ch.ready = true;
    if (ch.healing === m.id) ch.healing = undefined;
    const at = ch.name === 'session' ? m.lastSeq : m.lastPos;
    if (typeof at === 'number') {
      ch.last = at;
      for (const s of ch.subs) if (s.position === undefined) s.position = at;
    }
    const resync = ch.interrupted;
    ch.interrupted = false;
    for (const s of [...ch.subs]) {
      if (s.closed) continue;
      s.handlers.onSubscribed?.(m);
      if (resync) s.handlers.onResync?.();
    }
  }

  private onErrorReply(m: LiveErrorMessage): void {
    const ch = m.id !== undefined ? this.byReqId.get(Number(m.id)) : undefined;
    if (!ch || ch.reqId !== m.id) return;
    const status = (ERROR_CODES as Record<string, number>)[m.code] ?? 400;
    const err = makeAPIError(status, { code: m.code, detail: m.detail });
    const subs = [...ch.subs];
    if (status >= 500) {
      // The history read failed and the server dropped the subscription: subscribe again after a backoff delay.
      ch.reqId = undefined;
      ch.healing = undefined;
      clearTimeout(ch.retryTimer);
      ch.retryTimer = setTimeout(
        () => {
          ch.retryTimer = undefined;
          if (this.channels.get(ch.key) === ch) this.sendSubscribe(ch);
        },
        backoffDelay(ch.failures++, {
          initialDelayMs: this.opts.initialDelayMs ?? 250,
          maxDelayMs: this.opts.maxDelayMs ?? 5000,
        }),
      );
    } else {
      this.byReqId.delete(m.id as number);
      this.channels.delete(ch.key);
      for (const s of subs) s.closed = true;
    }
    for (const s of subs) s.handlers.onError?.(err);
  }
}

function detach(ws: WebSocketLike): void {
  const h = ws as unknown as Record<'onopen' | 'onmessage' | 'onclose' | 'onerror', unknown>;
  h.onopen = h.onmessage = h.onclose = null;
  h.onerror = () => {};
}
