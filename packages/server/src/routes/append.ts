import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventInput, TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../events/record.js';
import { TetherError } from '../errors.js';

/** The event id a REST write carries: the `Idempotency-Key` header, else `eventId` in the body. */
export function idempotencyKey(req: FastifyRequest, body?: unknown): string | undefined {
  const h = req.headers['idempotency-key'];
  if (typeof h === 'string' && h.length > 0 && h.length <= 200) return h;
  const b = body as { eventId?: unknown } | undefined;
  return typeof b?.eventId === 'string' && b.eventId.length > 0 && b.eventId.length <= 200 ? b.eventId : undefined;
}

/** Appends one event through the group committer; throws the item's TetherError (404, 409, 412, …). */
export async function appendEvent(app: FastifyInstance, input: EventInput): Promise<{ event: TetherEvent; duplicate: boolean; session: SessionRecord }> {
  const outcome = await app.committer.append({ input, autoCreate: app.config.autoCreate, receivedAt: new Date().toISOString() });
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

/**
 * `If-Match: <version>` (quotes and W/ tolerated; `*` means any) or `expectedVersion` in the body (a whole number).
 * A blank or non-numeric If-Match, or an expectedVersion that is not a whole number (`"3"`), answers 400 naming it.
 */
export function expectedVersion(req: FastifyRequest, body?: Record<string, unknown>): number | undefined {
  const h = req.headers['if-match'];
  if (typeof h === 'string' && h.trim() !== '*') {
    const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(h);
    if (m) return Number(m[1]);
    throw new TetherError('validation_failed', `If-Match must be a state version (a whole number), got "${h}"`, [{ path: 'headers/if-match', message: 'must be a whole number' }]);
  }
  if (body === undefined || !('expectedVersion' in body)) return undefined;
  const v = body.expectedVersion;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new TetherError('validation_failed', 'expectedVersion must be a whole number (the state version)', [{ path: 'body/expectedVersion', message: 'must be a whole number' }]);
}
