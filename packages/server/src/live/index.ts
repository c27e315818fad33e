import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TetherError } from '../errors.js';
import { authorizeLive } from './authorize.js';
import { CLOSE_GOING_AWAY, CLOSE_UNAUTHORIZED } from './connection.js';
import { LiveRouter } from './router.js';
import { sseRoutes } from './sse.js';
import { attachWebSocket } from './ws.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live feed's router: open connections and their subscriptions (for stats and tests). */
    live: LiveRouter;
  }
}

/** How long shutdown waits for WebSocket close handshakes before dropping the sockets, in ms. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * Live transports (protocol: docs/live-feed.md): WebSocket `/ws` and Server-Sent Events
 * (`GET /api/sessions/:sessionId/stream`, `GET /api/stream`). Registered by buildApp after the core routes; they read
 * committed events from `app.hub` and history from `app.store`. Every `config.heartbeatMs` each connection is pinged
 * (WebSocket; a peer that missed the previous ping is dropped) or sent an SSE comment, and its API key is checked again
 * (a revoked key closes it with 4001). On shutdown every connection is closed with 1001.
 */
export const liveRoutes = fp(
  async function liveRoutes(app: FastifyInstance): Promise<void> {
    const router = new LiveRouter(app.hub, app.store);
    app.decorate('live', router);
    const ws = attachWebSocket(app, router);
    await app.register(sseRoutes, { router });

    app.get(
      '/api/v1/ws',
      {
        schema: {
          tags: ['live'],
          summary: 'The WebSocket live feed (needs an Upgrade: websocket request; see docs/live-feed.md)',
          description:
            'Client frames: LiveClientOp. Server frames (components.schemas): LiveHelloMessage, LiveEventMessage, LiveListEventMessage, ' +
            'LiveSessionUpdatedMessage, LiveSessionDeletedMessage, LiveSubscribedMessage, LiveUnsubscribedMessage, LiveErrorMessage, LivePongMessage; ' +
            'with ?batch=1, LiveBatchMessage frames. Without an upgrade: 400.',
        },
      },
      async () => {
        throw new TetherError(
          'validation_failed',
          'GET /api/v1/ws needs a WebSocket upgrade (Upgrade: websocket); for plain HTTP use the SSE routes /api/stream or /api/sessions/:sessionId/stream',
        );
      },
    );

    const heartbeat = setInterval(() => {
      for (const conn of router.connections) {
        conn.transport.heartbeat();
        authorizeLive(app.keys, conn.secret).then(
          (a) => {
            if (!a.ok) conn.kill(CLOSE_UNAUTHORIZED, `${a.code}: ${a.detail}`.slice(0, 120));
          },
          (err) => app.log.warn({ err }, 'live: key check failed'),
        );
      }
    }, app.config.heartbeatMs);
    heartbeat.unref();

    app.addHook('preClose', async () => {
      clearInterval(heartbeat);
      for (const conn of [...router.connections])
        conn.kill(CLOSE_GOING_AWAY, 'server shutting down; reconnect and resume');
      await ws.closeAll(SHUTDOWN_GRACE_MS);
      router.close();
    });
  },
  { name: 'tether-live' },
);
