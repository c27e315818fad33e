import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { ActionListSchema, ResponseListSchema, type TetherEvent } from '@tether/protocol';
import { appendEvent, idempotencyKey } from './append.js';
import { AnyObject, AppendAck, LimitQuery, SessionParams } from './schemas.js';
import { TetherError } from '../errors.js';

/** An action or response as the seed served it: the posted object plus its event id, seq and timestamp. */
export function toEntry(ev: TetherEvent): Record<string, unknown> {
  return { ...ev.data, eventId: ev.id, seq: ev.seq, timestamp: ev.timestamp };
}

/** `POST|GET /api/actions/:sessionId` and `/api/v1/actions/:sessionId/responses` (seed prototype routes). */
export async function actionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const [path, kind, listKey] of [
    ['/api/v1/actions/:sessionId', 'action', 'actions'],
    ['/api/v1/actions/:sessionId/responses', 'response', 'responses'],
  ] as const) {
    r.post(
      path,
      {
        schema: {
          tags: ['actions'],
          summary: `Log ${kind === 'action' ? 'an action' : 'a response'} (seed route)`,
          description:
            'Any JSON object. Send Idempotency-Key (or eventId in the body) so that a retry is not stored twice. An unknown session is created unless TETHER_AUTO_CREATE=false.',
          params: SessionParams,
          body: AnyObject,
          response: { 201: AppendAck, 200: AppendAck },
        },
      },
      async (req, reply) => {
        const { eventId, ...data } = req.body as Record<string, unknown>;
        const id = idempotencyKey(req, { eventId });
        const { event, duplicate } = await appendEvent(app, {
          sessionId: req.params.sessionId,
          kind,
          data,
          ...(id ? { id } : {}),
        });
        return reply
          .code(duplicate ? 200 : 201)
          .send({ success: true, sessionId: event.sessionId, seq: event.seq, eventId: event.id, duplicate });
      },
    );
    r.get(
      path,
      {
        schema: {
          tags: ['actions'],
          summary: `The newest ${listKey} of a session, oldest first (seed route)`,
          params: SessionParams,
          querystring: LimitQuery,
          response: { 200: kind === 'action' ? ActionListSchema : ResponseListSchema },
        },
      },
      async (req) => {
        const { sessionId } = req.params;
        if (!(await app.store.getSession(sessionId)))
          throw new TetherError('session_not_found', `Session ${sessionId} does not exist`);
        // At most TETHER_RESPONSE_MAX_ITEMS (the newest); page the whole log with /api/v1/sessions/:id/events.
        const events = await app.store.listEvents(sessionId, {
          kinds: [kind],
          limit: Math.min(req.query.limit ?? Infinity, app.config.responseMaxItems),
          tail: true,
        });
        // The list's key is `actions` or `responses` (listKey); the computed key is not narrowed by TypeScript.
        return { sessionId, [listKey]: events.map(toEntry), count: events.length } as Static<typeof ActionListSchema> &
          Static<typeof ResponseListSchema>;
      },
    );
  }
}
