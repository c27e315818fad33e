import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { isValidSessionId, type LiveServerMessage } from '@tether/protocol';
import { TetherError } from '../errors.js';
import { VERSION } from '../version.js';
import { authorizeLive, originAllowed, rawBearer, refuseUpgrade as refuse } from './authorize.js';
import { LiveConnection, type Transport } from './connection.js';
import { Outgoing } from './messages.js';
import { parseOp } from './ops.js';
import type { LiveRouter } from './router.js';
import { Subscription } from './subscription.js';

/** Largest client frame in bytes; larger ones close the socket with 1009. */
export const MAX_CLIENT_FRAME = 64 * 1024;
/** Most session subscriptions one connection may hold. */
export const MAX_SESSION_SUBS = 1000;
/** How long a closed socket may take to finish the close handshake before it is dropped, in ms. */
const CLOSE_GRACE_MS = 5000;

/** Parses the prototype's connect parameters; throws a TetherError when they are malformed. */
function connectParams(url: URL): { session?: string; after?: number; user?: string; batch?: boolean } {
  const session = url.searchParams.get('session') ?? undefined;
  const afterRaw = url.searchParams.get('after');
  const user = url.searchParams.get('user') ?? undefined;
  if (session !== undefined && !isValidSessionId(session))
    throw new TetherError('invalid_session_id', 'session must be 1–128 characters of A-Za-z0-9._:-');
  let after: number | undefined;
  if (afterRaw !== null) {
    after = Number(afterRaw);
    if (!Number.isSafeInteger(after) || after < 0)
      throw new TetherError('validation_failed', 'after must be a whole number >= 0');
  }
  if (user !== undefined && user.length > 256)
    throw new TetherError('validation_failed', 'user must be at most 256 characters');
  const batchRaw = url.searchParams.get('batch');
  if (batchRaw !== null && batchRaw !== '0' && batchRaw !== '1')
    throw new TetherError('validation_failed', 'batch must be 0 or 1');
  return {
    ...(session !== undefined ? { session } : {}),
    ...(after !== undefined ? { after } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(batchRaw === '1' ? { batch: true } : {}),
  };
}

/**
 * The WebSocket transport at `/ws` (protocol: docs/live-feed.md). Handles the HTTP upgrade itself (so it checks the API
 * key, the origin and the parameters before any WebSocket exists), then speaks the subscribe/unsubscribe protocol.
 * Returns a function that closes every socket (1001) and waits up to `graceMs` for them to go.
 */
export function attachWebSocket(
  app: FastifyInstance,
  router: LiveRouter,
): { closeAll(graceMs: number): Promise<void> } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME,
    perMessageDeflate: false,
    clientTracking: true,
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v1/ws') {
      // Leave other paths to other upgrade handlers; when there are none, answer 404.
      if (app.server.listenerCount('upgrade') === 1)
        refuse(socket, url, 'route_not_found', `No WebSocket at ${url.pathname}; use /ws`);
      return;
    }
    socket.on('error', () => socket.destroy());
    void (async () => {
      let params: ReturnType<typeof connectParams>;
      try {
        params = connectParams(url);
      } catch (err) {
        return refuse(socket, url, (err as TetherError).code, (err as TetherError).message);
      }
      if (app.draining) return refuse(socket, url, 'unavailable', 'The server is shutting down; retry shortly');
      if (!originAllowed(req, app.config.corsOrigins))
        return refuse(socket, url, 'forbidden', `Origin ${req.headers.origin} is not allowed (TETHER_CORS_ORIGINS)`);
      const secret = rawBearer(req, url);
      const auth = await authorizeLive(app.keys, secret);
      if (!auth.ok) return refuse(socket, url, auth.code, auth.detail);
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, params, secret));
    })().catch((err) => {
      app.log.error({ err }, 'live: WebSocket upgrade failed');
      socket.destroy();
    });
  };
  app.server.on('upgrade', onUpgrade);

  const onConnection = (ws: WebSocket, params: ReturnType<typeof connectParams>, secret: string | undefined): void => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    const transport: Transport = {
      framing: params.batch === true ? 'ws-batch' : 'ws',
      // Our frames go straight to the socket, so its write queue is the backlog (ws.bufferedAmount adds only control
      // frames, and its getter chain was ~1.5 % of the main thread when read after each of 80,000 writes a second).
      buffered: () => socket.writableLength,
      // Pre-built frames go straight to the socket (one shared Buffer for all subscribers, no per-socket framing);
      // control frames (ping, close) still go through `ws`, and nothing is written once a close has begun.
      write: (bytes) => {
        if (ws.readyState === WebSocket.OPEN) socket.write(bytes);
      },
      close: (code, reason) => {
        ws.close(code, reason);
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      },
      heartbeat: () => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      },
    };
    const conn = new LiveConnection(transport, router, app.config.wsBufferLimit, params.user, secret);
    router.attach(conn);
    ws.on('close', () => {
      conn.closed = true;
      router.detach(conn);
    });
    ws.on('error', () => ws.terminate());
    const reply = (body: LiveServerMessage) => conn.send(new Outgoing(body));
    reply({
      type: 'hello',
      protocol: 1,
      version: VERSION,
      heartbeatMs: app.config.heartbeatMs,
      bufferLimit: app.config.wsBufferLimit,
    });

    const subscribe = (sub: Subscription) => {
      router.add(sub).catch((err) => {
        app.log.error({ err }, 'live: replay failed');
        router.remove(sub);
        reply({
          type: 'error',
          ...(sub.requestId !== undefined ? { id: sub.requestId } : {}),
          code: 'internal_error',
          detail: 'Replay failed; the server log has the details',
        });
      });
    };
    if (params.session !== undefined) subscribe(new Subscription(conn, 'session', params.session, params.after));

    ws.on('message', (data, isBinary) => {
      if (conn.closed) return;
      const op = parseOp(isBinary ? null : data.toString());
      const id = op.id !== undefined ? { id: op.id } : {};
      if (op.kind === 'error') return void reply({ type: 'error', ...id, code: op.code, detail: op.detail });
      if (op.kind === 'ping') return void reply({ type: 'pong', ...id });
      if (op.kind === 'unsubscribe') {
        const sub = conn.subs.get(op.key);
        if (sub) router.remove(sub);
        return void reply({
          type: 'unsubscribed',
          ...id,
          channel: op.channel,
          ...(op.sessionId !== undefined ? { sessionId: op.sessionId } : {}),
        });
      }
      if (op.channel === 'session' && !conn.subs.has(op.key) && sessionSubs(conn) >= MAX_SESSION_SUBS) {
        return void reply({
          type: 'error',
          ...id,
          code: 'validation_failed',
          detail: `At most ${MAX_SESSION_SUBS} session subscriptions per connection`,
        });
      }
      subscribe(new Subscription(conn, op.channel, op.sessionId, op.after, op.updates, op.id));
    });
  };

  return {
    async closeAll(graceMs: number) {
      app.server.off('upgrade', onUpgrade);
      const deadline = Date.now() + graceMs;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function sessionSubs(conn: LiveConnection): number {
  let n = 0;
  for (const s of conn.subs.values()) if (s.channel === 'session') n++;
  return n;
}
