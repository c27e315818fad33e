import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { SessionIdSchema, type LiveCloseMessage } from '@tether/protocol';
import { bearer } from '../plugins/auth.js';
import { TetherError } from '../errors.js';
import { LiveConnection, type Transport } from './connection.js';
import type { LiveRouter } from './router.js';
import { Subscription } from './subscription.js';

/** How long an ended stream may take to flush before its socket is destroyed, in ms. */
const END_GRACE_MS = 5000;

const StreamQuery = Type.Object({
  after: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Replay events after this position (seq for a session stream, pos for the firehose), then live',
    }),
  ),
  tail: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 100_000, description: 'Replay the last N events first (firehose: at most N)' }),
  ),
  user: Type.Optional(Type.String({ maxLength: 256, description: 'Label of the connecting user, counted in /health' })),
  apiKey: Type.Optional(Type.String({ description: 'API key, for EventSource (which cannot send headers)' })),
});
type StreamQueryT = { after?: number; tail?: number; user?: string; apiKey?: string };

/** `Last-Event-ID` as a position; absent → undefined; malformed → 400 validation_failed. */
function lastEventId(req: FastifyRequest): number | undefined {
  const h = req.headers['last-event-id'];
  if (typeof h !== 'string' || h.trim() === '') return undefined;
  const n = Number(h.trim());
  if (!Number.isSafeInteger(n) || n < 0)
    throw new TetherError('validation_failed', `Last-Event-ID must be a whole number >= 0 (a seq or pos), got "${h}"`);
  return n;
}

const DESCRIPTION =
  'Server-Sent Events (docs/live-feed.md): replays events after `Last-Event-ID` (or `?after=`, or the last `?tail=` events) from storage, ' +
  'then streams live ones with no gap and no duplicate at the switch. Each event is `id: <position>` + `data: <JSON message>`; ' +
  'a `subscribed` message (no id) marks the switch; `: ping` comments every heartbeat; a reader that falls behind the buffer limit ' +
  'gets `{"type":"close","code":4008}` and the stream ends (EventSource reconnects and resumes). ' +
  'Message schemas (components.schemas): LiveEventMessage, LiveSessionDeletedMessage, LiveSubscribedMessage, LiveCloseMessage.';

/**
 * The SSE transport: `GET /api/sessions/:sessionId/stream` (id = seq) and `GET /api/stream` (firehose, id = pos).
 * Auth is the usual `read` scope of GET /api routes (the auth hook; `?apiKey=` works for EventSource).
 */
export async function sseRoutes(app: FastifyInstance, opts: { router: LiveRouter }): Promise<void> {
  const { router } = opts;

  const open = (
    req: FastifyRequest,
    reply: FastifyReply,
    channel: 'session' | 'firehose',
    sessionId: string | undefined,
    start: number | undefined,
    user: string | undefined,
  ): void => {
    if (app.draining) throw new TetherError('unavailable', 'The server is shutting down; retry shortly');
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 1000\n\n');
    let conn: LiveConnection;
    const transport: Transport = {
      framing: 'sse',
      buffered: () => raw.writableLength,
      write: (bytes) => {
        if (!raw.writableEnded) raw.write(bytes);
      },
      close: (code, reason) => {
        if (raw.writableEnded) return;
        raw.end(`data: ${JSON.stringify({ type: 'close', code, reason } satisfies LiveCloseMessage)}\n\n`);
        setTimeout(() => {
          if (!raw.writableFinished) raw.destroy();
        }, END_GRACE_MS).unref();
      },
      heartbeat: () => {
        const ping = `: ping ${new Date().toISOString()}\n\n`;
        if (raw.writableLength + ping.length > conn.limit)
          return conn.kill(
            4008,
            `slow consumer: more than ${conn.limit} bytes queued; reconnect and resume from your last seq/pos`,
          );
        raw.write(ping);
      },
    };
    conn = new LiveConnection(transport, router, app.config.wsBufferLimit, user, bearer(req));
    router.attach(conn);
    raw.on('close', () => {
      conn.closed = true;
      router.detach(conn);
    });
    const sub = new Subscription(conn, channel, sessionId, start);
    router.add(sub).catch((err) => {
      req.log.error({ err }, 'live: SSE replay failed');
      conn.kill(1011, 'replay failed; the server log has the details');
    });
  };

  app.get<{ Params: { sessionId: string }; Querystring: StreamQueryT }>(
    '/api/v1/sessions/:sessionId/stream',
    {
      schema: {
        tags: ['live'],
        summary: 'Live events of one session (Server-Sent Events; id = seq)',
        description: DESCRIPTION,
        produces: ['text/event-stream'],
        params: Type.Object({ sessionId: SessionIdSchema }),
        querystring: StreamQuery,
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({
              description: 'Resume after this seq (EventSource sends it on reconnect); wins over after/tail',
            }),
          ),
        }),
      },
    },
    async (req, reply) => {
      const { sessionId } = req.params;
      let start = lastEventId(req) ?? req.query.after;
      if (start === undefined && req.query.tail !== undefined) {
        start = Math.max(0, ((await app.store.getSession(sessionId))?.lastSeq ?? 0) - req.query.tail);
      }
      open(req, reply, 'session', sessionId, start, req.query.user);
    },
  );

  app.get<{ Querystring: StreamQueryT }>(
    '/api/v1/stream',
    {
      schema: {
        tags: ['live'],
        summary: 'Live events of every session (firehose, Server-Sent Events; id = pos)',
        description: DESCRIPTION,
        produces: ['text/event-stream'],
        querystring: StreamQuery,
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({
              description: 'Resume after this pos (EventSource sends it on reconnect); wins over after/tail',
            }),
          ),
        }),
      },
    },
    async (req, reply) => {
      let start = lastEventId(req) ?? req.query.after;
      if (start === undefined && req.query.tail !== undefined)
        start = Math.max(0, (await app.store.lastPos()) - req.query.tail);
      open(req, reply, 'firehose', undefined, start, req.query.user);
    },
  );
}
