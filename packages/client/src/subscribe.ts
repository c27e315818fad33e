import type { LiveEventMessage, LiveSessionDeletedMessage } from '@tether/protocol';
import { backoffDelay, sleep } from './backoff.js';
import { APIConnectionError, AuthenticationError, isRetryable, makeAPIError } from './errors.js';
import type { HttpClient } from './http.js';
import { parseSse } from './sse.js';

/**
 * An event as the live feed delivers it (docs/live-feed.md "Event messages"; schema LiveEventMessageSchema in
 * @tether/protocol). `type` is the prototype's name of the kind (`state_updated` for `state_patched`); `seq` is the
 * position in the session, `pos` the global commit position (always on the firehose; on a session stream for live
 * events, not for replayed ones).
 */
export type LiveEvent = LiveEventMessage;

/** A session was deleted (no seq, no pos: deletion is not an event of the log); schema LiveSessionDeletedMessageSchema. */
export type LiveSessionDeleted = LiveSessionDeletedMessage;

/** What a subscription yields. */
export type LiveMessage = LiveEvent | LiveSessionDeleted;

/** Options of {@link TetherClient.subscribe}. */
export interface SubscribeOptions {
  /** Subscribe to this session; omit for every session (the firehose). */
  sessionId?: string;
  /** Session: replay events with seq > afterSeq first (0 = the whole log). Firehose: replay events with pos > afterPos. */
  afterSeq?: number;
  afterPos?: number;
  /** Replay the last N events first (when no after position is given). */
  tail?: number;
  /** Stops the subscription: the iterator ends without error. */
  signal?: AbortSignal;
  /** A connection with no bytes (events or pings) for this long in ms is dropped and resumed; default 75000 (2.5 × the server's 30 s heartbeat). */
  idleTimeoutMs?: number;
  /** Reconnect backoff; defaults 250 ms doubling to 10 s, with jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called when the connection drops and is being resumed (for logs/UI). */
  onReconnect?: (error: unknown, attempt: number) => void;
  /**
   * Called on each (re)connection's `subscribed` message (docs/live-feed.md): how many events the server replays
   * first, and the session's `lastSeq` or the firehose's `lastPos` at that moment.
   */
  onSubscribed?: (info: { replayed: number; lastSeq?: number; lastPos?: number }) => void;
}

/** A live subscription: an async iterator of messages that resumes after reconnects, plus `close()`. */
export interface Subscription extends AsyncIterable<LiveMessage> {
  /** Stops the subscription; a pending `next()` resolves with done. */
  close(): void;
  /** The resume position: last seq seen (session) or last pos seen (firehose); undefined before the first event. */
  readonly position: number | undefined;
}

/**
 * Subscribes over Server-Sent Events read with fetch streaming (works in Node ≥ 18 and browsers, no dependency, and can
 * send `Authorization`, which `EventSource` cannot). After a drop (network, server restart, `close` 1001/4008, idle
 * timeout) it reconnects with backoff and resumes with `Last-Event-ID` = the last seq (session) or pos (firehose), and
 * skips anything at or before that position, so each event is yielded once and in order.
 * Ends with AuthenticationError / PermissionDeniedError on 401/403 (or close code 4001), and with other non-retryable
 * API errors (e.g. 400 for a bad session id); connection problems are retried forever until `close()`/`signal`.
 */
export function subscribeSse(http: HttpClient, fetchImpl: typeof fetch, opts: SubscribeOptions = {}): Subscription {
  const ctrl = new AbortController();
  if (opts.signal) {
    if (opts.signal.aborted) ctrl.abort();
    else opts.signal.addEventListener('abort', () => ctrl.abort(), { once: true });
  }
  const isSession = opts.sessionId !== undefined;
  let position: number | undefined = isSession ? opts.afterSeq : opts.afterPos;
  const path = isSession ? `/api/v1/sessions/${encodeURIComponent(opts.sessionId!)}/stream` : '/api/v1/stream';
  const idleMs = opts.idleTimeoutMs ?? 75_000;

  async function* run(): AsyncGenerator<LiveMessage> {
    let attempt = 0;
    let useTail = position === undefined ? opts.tail : undefined;
    while (!ctrl.signal.aborted) {
      const conn = new AbortController();
      const onStop = () => conn.abort();
      ctrl.signal.addEventListener('abort', onStop, { once: true });
      let idle: ReturnType<typeof setTimeout> | undefined;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => conn.abort(new APIConnectionError(`No data for ${idleMs} ms`)), idleMs);
      };
      let failure: unknown;
      try {
        touch();
        const headers = http.headers({
          accept: 'text/event-stream',
          ...(position !== undefined ? { 'last-event-id': String(position) } : {}),
        });
        const query = position === undefined && useTail ? { tail: useTail } : undefined;
        let res: Response;
        try {
          res = await fetchImpl(http.url(path, query), { headers, signal: conn.signal });
        } catch (err) {
          throw new APIConnectionError(`Live feed connection failed: ${path}`, { cause: err });
        }
        if (!res.ok || !res.body) {
          const text = await res.text().catch(() => '');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* text */
          }
          const h: Record<string, string> = {};
          res.headers.forEach((v, k) => {
            h[k] = v;
          });
          throw makeAPIError(res.status, body, h);
        }
        useTail = undefined;
        for await (const msg of parseSse(res.body, touch)) {
          let m: Record<string, unknown>;
          try {
            m = JSON.parse(msg.data) as Record<string, unknown>;
          } catch {
            continue;
          }
          attempt = 0;
          if (m.type === 'close') {
            if (m.code === 4001)
              throw new AuthenticationError(401, `Live feed closed: ${String(m.reason ?? 'API key revoked')}`, {
                code: 'unauthorized',
              });
            break;
          }
          if (m.type === 'subscribed') {
            opts.onSubscribed?.({
              replayed: typeof m.replayed === 'number' ? m.replayed : 0,
              ...(typeof m.lastSeq === 'number' ? { lastSeq: m.lastSeq } : {}),
              ...(typeof m.lastPos === 'number' ? { lastPos: m.lastPos } : {}),
            });
            continue;
          }
          if (m.type === 'hello' || m.type === 'pong') continue;
          if (m.type === 'session_deleted') {
            if (isSession) position = 0;
            yield m as unknown as LiveSessionDeleted;
            continue;
          }
          const at = isSession ? m.seq : m.pos;
          if (typeof at !== 'number') continue;
          if (position !== undefined && at <= position) continue;
          position = at;
          yield m as unknown as LiveEvent;
        }
      } catch (err) {
        if (ctrl.signal.aborted) return;
        if (!isRetryable(err) && !(conn.signal.aborted && conn.signal.reason instanceof APIConnectionError)) throw err;
        failure = err;
      } finally {
        clearTimeout(idle);
        ctrl.signal.removeEventListener('abort', onStop);
        conn.abort();
      }
      if (ctrl.signal.aborted) return;
      opts.onReconnect?.(failure ?? new APIConnectionError('Live feed ended'), attempt);
      await sleep(
        backoffDelay(attempt++, { initialDelayMs: opts.initialDelayMs ?? 250, maxDelayMs: opts.maxDelayMs ?? 10_000 }),
        ctrl.signal,
      );
    }
  }

  const gen = run();
  return {
    [Symbol.asyncIterator]: () => gen,
    close() {
      ctrl.abort();
      void gen.return(undefined);
    },
    get position() {
      return position;
    },
  };
}
