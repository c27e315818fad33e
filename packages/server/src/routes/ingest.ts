import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Compile } from 'typebox/compile';
import {
  EventInputSchema,
  IngestBodySchema,
  IngestResponseSchema,
  type EventInput,
  type IngestItemResult,
} from '@tether/protocol';
import type { AppendItem } from '../storage/store.js';

const checkEvent = Compile(EventInputSchema);

/**
 * A batch item with the client event id named `eventId` (the name every REST body, REST answer and the live feed use)
 * turned into the {@link EventInputSchema} shape, which names it `id` (accepted as well: the older spelling the SDKs
 * send). Both given and different: a string saying so (the item's 400). Items without `eventId` are returned as they are.
 */
function eventIdAsId(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('eventId' in raw)) return raw;
  const { eventId, ...rest } = raw as Record<string, unknown>;
  if ('id' in rest && rest.id !== eventId) return '/eventId and /id name two different event ids (send one: eventId)';
  return { ...rest, id: eventId };
}

/**
 * `POST /api/ingest`: up to 1,000 events for any sessions. Each item is validated and appended on its own and answered
 * in `results` at its index (207 Multi-Status, as Langfuse's batch ingestion): 201 stored, 200 duplicate (same event id
 * already stored: the original seq), or an error status with its code. Items for one session keep their order.
 * An item's client event id is `eventId` (as in REST bodies); `id` is accepted for it too ({@link eventIdAsId}).
 */
export async function ingestRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/ingest',
    {
      schema: {
        tags: ['events'],
        summary: 'Append a batch of events (≤ 1,000), each checked on its own; idempotent by event id',
        body: IngestBodySchema,
        response: { 207: IngestResponseSchema },
      },
    },
    async (req, reply) => {
      const receivedAt = new Date().toISOString();
      const results: IngestItemResult[] = new Array(req.body.events.length);
      const items: AppendItem[] = [];
      const at: number[] = [];
      req.body.events.forEach((item, index) => {
        const raw = eventIdAsId(item);
        if (typeof raw === 'string') {
          const r = item as { sessionId?: unknown };
          results[index] = {
            index,
            status: 400,
            code: 'validation_failed',
            detail: raw,
            ...(typeof r.sessionId === 'string' ? { sessionId: r.sessionId } : {}),
          };
        } else if (checkEvent.Check(raw)) {
          items.push({ input: raw as EventInput, autoCreate: app.config.autoCreate, receivedAt });
          at.push(index);
        } else {
          const errs = [...checkEvent.Errors(raw)].slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
          const r = raw as { id?: unknown; sessionId?: unknown };
          results[index] = {
            index,
            status: 400,
            code: 'validation_failed',
            detail: errs.join('; '),
            ...(typeof r?.id === 'string' ? { id: r.id } : {}),
            ...(typeof r?.sessionId === 'string' ? { sessionId: r.sessionId } : {}),
          };
        }
      });
      const outcomes = await app.committer.appendMany(items);
      let accepted = 0;
      outcomes.forEach((o, i) => {
        const index = at[i]!;
        const input = items[i]!.input;
        if (o.ok) {
          accepted++;
          results[index] = {
            index,
            status: o.duplicate ? 200 : 201,
            id: o.event.id,
            sessionId: o.event.sessionId,
            seq: o.event.seq,
            duplicate: o.duplicate,
          };
        } else {
          results[index] = {
            index,
            status: o.error.status,
            code: o.error.code,
            detail: o.error.message,
            sessionId: input.sessionId,
            ...(input.id ? { id: input.id } : {}),
          };
        }
      });
      return reply.code(207).send({ accepted, rejected: results.length - accepted, results });
    },
  );
}
