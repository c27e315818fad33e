/**
 * A live-feed subscriber on the WebSocket firehose (docs/live-feed.md): it subscribes to every session's events before
 * the examples start and records each event message it receives, so the harness can check that every stored event
 * arrived exactly once.
 */
import WebSocket from 'ws';

/** An event message of the live feed (the fields the harness uses). */
export interface LiveEvent {
  type: string;
  channel: string;
  sessionId: string;
  seq: number;
  eventId: string;
  pos: number;
  kind: string;
}

export interface LiveSubscriber {
  /** Event messages received, in arrival order. */
  events: LiveEvent[];
  /** Non-event messages other than hello/subscribed/pong (errors, close notices), for the report. */
  other: unknown[];
  /** Resolves when, for every given session, an event with `seq >= lastSeq` has arrived; rejects after `timeoutMs`. */
  waitFor(lastSeqs: Map<string, number>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `ws://…/ws`, sends `{"op":"subscribe","channel":"firehose","id":"e2e"}` and resolves after the `subscribed`
 * reply (so nothing committed afterwards can be missed). Rejects with a readable message when `/ws` is not there
 * (the live feed is not built) or no reply comes within `timeoutMs` (default 10,000 ms).
 */
export async function subscribeFirehose(baseUrl: string, timeoutMs = 10_000): Promise<LiveSubscriber> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/api/v1/ws?user=e2e-harness');
  const events: LiveEvent[] = [];
  const other: unknown[] = [];
  const waiters = new Set<() => void>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`live feed: no "subscribed" reply on ${baseUrl}/api/v1/ws within ${timeoutMs} ms`)),
      timeoutMs,
    );
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(
        new Error(
          `live feed: GET /api/v1/ws answered HTTP ${res.statusCode} instead of a WebSocket upgrade (is the live feed built? see docs/live-feed.md)`,
        ),
      );
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`live feed: ${err.message}`));
    });
    ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', channel: 'firehose', id: 'e2e' })));
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (m.type === 'subscribed' && m.id === 'e2e') {
        clearTimeout(timer);
        resolve();
      } else if (typeof m.seq === 'number' && typeof m.sessionId === 'string') {
        events.push(m as unknown as LiveEvent);
        for (const w of waiters) w();
      } else if (m.type !== 'hello' && m.type !== 'pong') {
        other.push(m);
      }
    });
  });
  return {
    events,
    other,
    waitFor(lastSeqs, ms) {
      const done = () => [...lastSeqs].every(([sid, last]) => events.some((e) => e.sessionId === sid && e.seq >= last));
      if (done()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (done()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`live feed: not every stored event arrived within ${ms} ms`));
        }, ms);
        waiters.add(check);
      });
    },
    close() {
      return new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1000);
      });
    },
  };
}
