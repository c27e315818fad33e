import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Compile } from 'typebox/compile';
import { EventInputSchema, IngestBodySchema, IngestResponseSchema, type EventInput, type IngestItemResult } from '@tether/protocol';
import type { AppendItem } from '../storage/store.js';

const checkEvent = Compile(EventInputSchema);

/**
 * `POST /api/ingest`: up to 1,000 events for any sessions. Each item is validated and appended on its own and answered
 * in `results` at its index (207 Multi-Status, as Langfuse's batch ingestion): 201 stored, 200 duplicate (same event id
 * already stored: the original seq), or an error status with its code. Items for one session keep their order.
 */
export async function ingestRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/api/v1/ingest', {
    schema: {
      tags: ['events'], summary: 'Append a batch of events (≤ 1,000), each checked on its own; idempotent by event id',
      body: IngestBodySchema, response: { 207: IngestResponseSchema },
    },
  }, async (req, reply) => {
    const receivedAt = new Date().toISOString();
    const results: IngestItemResult[] = new Array(req.body.events.length);
    const items: AppendItem[] = [];
    const at: number[] = [];
    req.body.events.forEach((raw, index) => {
      if (checkEvent.Check(raw)) {
        items.push({ input: raw as EventInput, autoCreate: app.config.autoCreate, receivedAt });
        at.push(index);
      } else {
        const errs = [...checkEvent.Errors(raw)].slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
        const r = raw as { id?: unknown; sessionId?: unknown };
        results[index] = {
          index, status: 400, code: 'validation_failed', detail: errs.join('; '),
          ...(typeof r?.id === 'string' ? { id: r.id } : {}), ...(typeof r?.sessionId === 'string' ? { sessionId: r.sessionId } : {}),
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
        results[index] = { index, status: o.duplicate ? 200 : 201, id: o.event.id, sessionId: o.event.sessionId, seq: o.event.seq, duplicate: o.duplicate };
      } else {
        results[index] = { index, status: o.error.status, code: o.error.code, detail: o.error.message, sessionId: input.sessionId, ...(input.id ? { id: input.id } : {}) };
      }
    });
    return reply.code(207).send({ accepted, rejected: results.length - accepted, results });
  });
}
