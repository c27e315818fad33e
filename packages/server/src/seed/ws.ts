import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { WebSocket, WebSocketServer } from 'ws';
import { isValidSessionId, type TetherEvent } from '@tether/protocol';
import type { HubMessage } from '../events/hub.js';
import type { MetadataSet } from '../events/metadata-sets.js';
import type { SessionRecord } from '../events/record.js';
import { authorizeLive, originAllowed, rawBearer, refuseUpgrade as refuse } from '../live/authorize.js';
import { seedAgent, seedGoal } from './shapes.js';

/** The path of Tether's own live feed (docs/live-feed.md); every other upgrade path but `/ws` is refused here. */
export const V1_WS_PATH = '/api/v1/ws';

/** The prototype's PATCH body back from its stored keys: `{"a.b": value}`, increments as `"+N"`. */
function seedMetadataBody(sets: MetadataSet[]): Record<string, unknown> {
  return Object.fromEntries(sets.map((x) => [x.path.join('.'), x.inc !== undefined ? `+${x.inc}` : x.value]));
}

/**
 * The prototype's message for a committed event, as its routes broadcast them (`{type, sessionId, data, timestamp}`),
 * or undefined for events the prototype never announced. `broadcast` messages go to every connection (no sessionId).
 * `rec` is the session after the event; an event another server committed (PostgreSQL cluster feed) may come without
 * it, and then the message is built from the event's data alone.
 */
export function seedMessage(
  ev: TetherEvent,
  rec: SessionRecord | undefined,
): { broadcast: boolean; body: Record<string, unknown> } | undefined {
  const d = ev.data;
  const now = new Date().toISOString();
  const to = (type: string, data: unknown) => ({
    broadcast: false,
    body: { type, sessionId: ev.sessionId, data, timestamp: now },
  });
  switch (ev.kind) {
    case 'session_created':
      return {
        broadcast: true,
        body: {
          type: 'session_created',
          data: { sessionId: ev.sessionId, userId: rec?.userId ?? (typeof d.userId === 'string' ? d.userId : null) },
          timestamp: now,
        },
      };
    case 'action':
      return to('action', d);
    case 'response':
      return to('response', d);
    case 'state_patched':
      return to('state_updated', d.patch);
    case 'goal_added': {
      const g = rec?.state.goals.find((x) => x.goalId === d.goalId);
      return to('goal_added', g ? seedGoal(g) : d);
    }
    case 'goal_updated': {
      const { goalId, ...rest } = d;
      return to('goal_updated', { goalId, ...rest });
    }
    case 'agent_spawned': {
      const a = rec?.state.agents.spawned.find((x) => x.agentId === d.agentId);
      return to('agent_spawned', a ? seedAgent(a) : d);
    }
    case 'agent_completed':
      return to('agent_completed', { agentId: d.agentId });
    case 'metadata_updated':
      // The body as posted: a seed PATCH is stored as its keys (`set`), a merge patch as `patch`.
      return to('metadata_updated', Array.isArray(d.set) ? seedMetadataBody(d.set as MetadataSet[]) : d.patch);
    case 'session_finalized':
      return to('session_finalized', d.final ?? d);
    default:
      return undefined;
  }
}

/**
 * The prototype's WebSocket at `/ws` (session-storage-service/src/websocket/hub.js), message for message:
 * `ws://host/ws[?session=<id>][&user=<label>]`; the server greets with `{type: 'connected', userId, sessionId,
 * timestamp}`, sends a session's messages (`action`, `response`, `state_updated`, `goal_added`, `goal_updated`,
 * `agent_spawned`, `agent_completed`, `metadata_updated`, `session_finalized`: `{type, sessionId, data, timestamp}`)
 * to connections opened with that `session`, and `session_created` / `session_deleted` (`{type, data, timestamp}`)
 * to every connection. Client frames are ignored, as the prototype did. Tether adds: API keys (`read` scope, header
 * or `?apiKey=`), the origin check, id validation, a bounded send queue (TETHER_WS_BUFFER_LIMIT: a slower client is
 * dropped with 4008) and heartbeats. Tether's own protocol (subscribe, replay, resume) is at {@link V1_WS_PATH}.
 */
export const seedWebSocket = fp(
  async function seedWebSocket(app: FastifyInstance): Promise<void> {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      perMessageDeflate: false,
      clientTracking: true,
    });
    const bySession = new Map<string, Set<WebSocket>>();
    /** Open sockets per `user` label, for /health's `websocket.users` (as the prototype's hub counted them). */
    const byUser = new Map<string, number>();
    const count = () => {
      app.hub.seedStats.totalConnections = wss.clients.size;
      app.hub.seedStats.users = byUser.size;
      app.hub.seedStats.sessions = bySession.size;
    };
    const alive = new WeakMap<WebSocket, boolean>();

    const send = (ws: WebSocket, text: string) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > app.config.wsBufferLimit) return void ws.close(4008, 'slow consumer');
      ws.send(text);
    };

    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === V1_WS_PATH) return;
      if (url.pathname !== '/ws')
        return refuse(
          socket,
          url,
          'route_not_found',
          `No WebSocket at ${url.pathname}; use /ws (the prototype's) or ${V1_WS_PATH}`,
        );
      socket.on('error', () => socket.destroy());
      const session = url.searchParams.get('session') ?? undefined;
      const user = url.searchParams.get('user') ?? undefined;
      if (session !== undefined && !isValidSessionId(session))
        return refuse(socket, url, 'invalid_session_id', 'session must be 1–128 characters of A-Za-z0-9._:-');
      if (user !== undefined && user.length > 256)
        return refuse(socket, url, 'validation_failed', 'user must be at most 256 characters');
      if (app.draining) return refuse(socket, url, 'unavailable', 'The server is shutting down; retry shortly');
      if (!originAllowed(req, app.config.corsOrigins))
        return refuse(socket, url, 'forbidden', `Origin ${req.headers.origin} is not allowed (TETHER_CORS_ORIGINS)`);
      void authorizeLive(app.keys, rawBearer(req, url)).then(
        (auth) => {
          if (!auth.ok) return refuse(socket, url, auth.code, auth.detail);
          wss.handleUpgrade(req, socket, head, (ws) => {
            alive.set(ws, true);
            ws.on('pong', () => alive.set(ws, true));
            ws.on('error', () => ws.terminate());
            if (user !== undefined) {
              byUser.set(user, (byUser.get(user) ?? 0) + 1);
              ws.on('close', () => {
                const n = (byUser.get(user) ?? 1) - 1;
                if (n > 0) byUser.set(user, n);
                else byUser.delete(user);
              });
            }
            ws.on('close', () => setImmediate(count));
            if (session !== undefined) {
              let set = bySession.get(session);
              if (!set) bySession.set(session, (set = new Set()));
              set.add(ws);
              ws.on('close', () => {
                set!.delete(ws);
                if (set!.size === 0 && bySession.get(session) === set) bySession.delete(session);
              });
            }
            count();
            send(
              ws,
              JSON.stringify({
                type: 'connected',
                userId: user ?? null,
                sessionId: session ?? null,
                timestamp: new Date().toISOString(),
              }),
            );
          });
        },
        (err) => {
          app.log.error({ err }, 'seed ws: upgrade failed');
          socket.destroy();
        },
      );
    };
    app.server.on('upgrade', onUpgrade);

    const unsubscribe = app.hub.subscribe((m: HubMessage) => {
      if (m.type === 'session_deleted') {
        const text = JSON.stringify({
          type: 'session_deleted',
          data: { sessionId: m.sessionId },
          timestamp: m.timestamp,
        });
        for (const ws of wss.clients) send(ws, text);
        return;
      }
      const subs = bySession.get(m.event.sessionId);
      if (!subs && m.event.kind !== 'session_created') return;
      const out = seedMessage(m.event, m.session);
      if (!out) return;
      const text = JSON.stringify(out.body);
      if (out.broadcast) for (const ws of wss.clients) send(ws, text);
      else for (const ws of subs ?? []) send(ws, text);
    });

    const heartbeat = setInterval(() => {
      for (const ws of wss.clients) {
        if (!alive.get(ws)) {
          ws.terminate();
          continue;
        }
        alive.set(ws, false);
        ws.ping();
      }
    }, app.config.heartbeatMs);
    heartbeat.unref();

    app.addHook('preClose', async () => {
      clearInterval(heartbeat);
      unsubscribe();
      app.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      const deadline = Date.now() + 1000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    });
  },
  { name: 'tether-seed-ws' },
);
