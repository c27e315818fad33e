import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidEventId, type EventInput, type TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../events/record.js';
import { TetherError } from '../errors.js';

/**
 * The event id a REST write carries: the `Idempotency-Key` header, else `eventId` in the body. Both follow the one
 * event-id rule of @tether/protocol (`isValidEventId`: 1–200 printable ASCII characters, no spaces), as batch items
 * of `/api/v1/ingest` do: a key that breaks it answers 400 `validation_failed` naming it (before, a header of over 200
 * characters was silently ignored, and the write lost its idempotency). A non-string `eventId` is not a key (ignored).
 */
export function idempotencyKey(req: FastifyRequest, body?: unknown): string | undefined {
  const h = req.headers['idempotency-key'];
  if (typeof h === 'string') {
    if (isValidEventId(h)) return h;
    throw new TetherError(
      'validation_failed',
      'Idempotency-Key must be an event id: 1–200 printable ASCII characters, no spaces',
      [{ path: 'headers/idempotency-key', message: 'must match ^[\\x21-\\x7e]{1,200}$' }],
    );
  }
  const b = body as { eventId?: unknown } | undefined;
  if (typeof b?.eventId !== 'string') return undefined;
  if (isValidEventId(b.eventId)) return b.eventId;
  throw new TetherError(
    'validation_failed',
    'eventId must be an event id: 1–200 printable ASCII characters, no spaces',
    [{ path: 'body/eventId', message: 'must match ^[\\x21-\\x7e]{1,200}$' }],
  );
}

/** Appends one event through the group committer; throws the item's TetherError (404, 409, 412, …). */
export async function appendEvent(
  app: FastifyInstance,
  input: EventInput,
): Promise<{ event: TetherEvent; duplicate: boolean; session: SessionRecord }> {
  const outcome = await app.committer.append({
    input,
    autoCreate: app.config.autoCreate,
    receivedAt: new Date().toISOString(),
  });
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

/**
 * Deletes a session with its log and LangGraph checkpoint rows: after every write queued so far has committed (a
 * deletion never races an append still in the group committer), then tells this server's live subscribers, unless a
 * shared feed (several servers on one PostgreSQL, `app.cluster`) tells every server's subscribers itself, this one's
 * included. Returns false when the session did not exist. Every route that deletes a session goes through here.
 */
export async function deleteSession(app: FastifyInstance, sessionId: string): Promise<boolean> {
  await app.committer.drain();
  const deleted = await app.store.deleteSession(sessionId);
  if (deleted && !app.cluster) app.hub.sessionDeleted(sessionId);
  return deleted;
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
    throw new TetherError('validation_failed', `If-Match must be a state version (a whole number), got "${h}"`, [
      { path: 'headers/if-match', message: 'must be a whole number' },
    ]);
  }
  if (body === undefined || !('expectedVersion' in body)) return undefined;
  const v = body.expectedVersion;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new TetherError('validation_failed', 'expectedVersion must be a whole number (the state version)', [
    { path: 'body/expectedVersion', message: 'must be a whole number' },
  ]);
}
