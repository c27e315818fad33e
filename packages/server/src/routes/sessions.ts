import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  CreateSessionBodySchema,
  EVENT_KIND_LIST,
  FinalizeBodySchema,
  ListSessionsQuerySchema,
  MetadataPatchedSchema,
  RestoredSessionSchema,
  SessionCreatedSchema,
  SessionDeletedSchema,
  SessionFinalizedSchema,
  UserSessionsSchema,
  type EventKind,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { toSummary } from '../events/record.js';
import { toEntry } from './actions.js';
import { appendEvent, deleteSession, idempotencyKey } from './append.js';
import { jsonEntries, sendStreamed, splice } from '../seed/stream.js';
import type { RawEvent } from '../storage/store.js';
import { AnyObject, EventPage, SessionPage, SessionParams, SessionSummaryRef } from './schemas.js';

/** toEntry from the stored JSON text, without parsing it (undefined: use toEntry). */
function toEntryRaw(r: RawEvent): string | undefined {
  return splice(
    r.data,
    ['eventId', 'seq', 'timestamp'],
    '',
    `"eventId":${JSON.stringify(r.id)},"seq":${r.seq},"timestamp":${JSON.stringify(r.timestamp)}`,
  );
}

async function mustGet(app: FastifyInstance, sessionId: string) {
  const rec = await app.store.getSession(sessionId);
  if (!rec) throw new TetherError('session_not_found', `Session ${sessionId} does not exist`);
  return rec;
}

/** Sessions: create, restore, list, metadata, finalize, delete, events, children. */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Create a session (seed route)',
        description: 'sessionId is generated when absent. 409 session_exists when taken.',
        body: CreateSessionBodySchema,
        response: { 201: SessionCreatedSchema, 200: SessionCreatedSchema },
      },
    },
    async (req, reply) => {
      const { sessionId = randomUUID(), timestamp, eventId, ...data } = req.body;
      const id = idempotencyKey(req, { eventId });
      const { event, duplicate, session } = await appendEvent(app, {
        sessionId,
        kind: 'session_created',
        data,
        ...(timestamp ? { timestamp } : {}),
        ...(id ? { id } : {}),
      });
      return reply
        .code(duplicate ? 200 : 201)
        .send({ success: true, sessionId, seq: event.seq, duplicate, session: toSummary(session) });
    },
  );

  r.get(
    '/api/v1/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'List sessions with filters and cursor pagination',
        description:
          'Newest first. q searches event content (full text: FTS5 on SQLite, tsquery on PostgreSQL, read the same way; words are ANDed, "quoted phrases" and prefix* work).',
        querystring: ListSessionsQuerySchema,
        response: { 200: SessionPage },
      },
    },
    async (req) => app.store.listSessions(req.query),
  );

  r.get(
    '/api/v1/sessions/:sessionId',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Restore a session: metadata (the summary), initial, state, actions, responses, final',
        params: SessionParams,
        description:
          'Streamed. actions and responses hold at most TETHER_RESPONSE_MAX_ITEMS entries each (the oldest); page the whole log with GET /api/v1/sessions/:id/events?after=<seq>.',
        response: { 200: RestoredSessionSchema },
      },
    },
    async (req, reply) => {
      const rec = await mustGet(app, req.params.sessionId);
      const max = app.config.responseMaxItems;
      const { actions, responses } = rec.metadata.metrics;
      if (actions > max || responses > max)
        reply.header('link', `</api/v1/sessions/${encodeURIComponent(rec.sessionId)}/events?after=0>; rel="next"`);
      return sendStreamed(reply, [
        `{"sessionId":${JSON.stringify(rec.sessionId)},"metadata":${JSON.stringify(toSummary(rec))},"initial":${JSON.stringify(rec.initial)},"state":${JSON.stringify(rec.state)},"actions":[`,
        jsonEntries(app.store, rec.sessionId, ['action'], 0, max, toEntry, toEntryRaw),
        '],"responses":[',
        jsonEntries(app.store, rec.sessionId, ['response'], 0, max, toEntry, toEntryRaw),
        `],"final":${JSON.stringify(rec.final ?? null)}}`,
      ]);
    },
  );

  r.get(
    '/api/v1/sessions/:sessionId/summary',
    {
      schema: {
        tags: ['sessions'],
        summary: "One session's summary (as listed), without its log: the light alternative to the restore route",
        params: SessionParams,
        response: { 200: SessionSummaryRef },
      },
    },
    async (req) => toSummary(await mustGet(app, req.params.sessionId)),
  );

  r.get(
    '/api/v1/sessions/user/:userId',
    {
      schema: {
        tags: ['sessions'],
        summary: "A user's sessions, newest first (seed route)",
        params: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
        response: { 200: UserSessionsSchema },
      },
    },
    async (req) => {
      const { sessions } = await app.store.listSessions({ userId: req.params.userId, limit: req.query.limit ?? 100 });
      return { userId: req.params.userId, sessions, count: sessions.length };
    },
  );

  r.patch(
    '/api/v1/sessions/:sessionId/metadata',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Merge-patch the metadata (RFC 7396, seed route)',
        description: 'metrics are derived from events and cannot be patched.',
        params: SessionParams,
        body: AnyObject,
        response: { 200: MetadataPatchedSchema },
      },
    },
    async (req) => {
      const id = idempotencyKey(req);
      const { event, session } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'metadata_updated',
        data: { patch: req.body },
        ...(id ? { id } : {}),
      });
      return { success: true, sessionId: session.sessionId, seq: event.seq, metadata: session.metadata };
    },
  );

  r.post(
    '/api/v1/sessions/:sessionId/finalize',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Finalize a session (seed route)',
        description: 'status defaults to completed; final is any JSON (the outcome).',
        params: SessionParams,
        body: Type.Optional(FinalizeBodySchema),
        response: { 200: SessionFinalizedSchema },
      },
    },
    async (req) => {
      const { timestamp, ...data } = req.body ?? {};
      const id = idempotencyKey(req);
      const { event, session } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'session_finalized',
        data,
        ...(timestamp ? { timestamp } : {}),
        ...(id ? { id } : {}),
      });
      return {
        success: true,
        sessionId: session.sessionId,
        status: session.status,
        seq: event.seq,
        session: toSummary(session),
      };
    },
  );

  r.delete(
    '/api/v1/sessions/:sessionId',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['sessions'],
        summary: 'Delete a session and its whole log (seed route; needs admin scope)',
        params: SessionParams,
        response: { 200: SessionDeletedSchema },
      },
    },
    async (req) => {
      if (!(await deleteSession(app, req.params.sessionId)))
        throw new TetherError('session_not_found', `Session ${req.params.sessionId} does not exist`);
      return { success: true, sessionId: req.params.sessionId, deleted: true };
    },
  );

  r.get(
    '/api/v1/sessions/:sessionId/events',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The unified event log, from a seq on',
        params: SessionParams,
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only events with seq > after' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
          kind: Type.Optional(Type.Unsafe<EventKind>({ type: 'string', enum: EVENT_KIND_LIST })),
        }),
        response: { 200: EventPage },
      },
    },
    async (req) => {
      const rec = await mustGet(app, req.params.sessionId);
      const limit = req.query.limit ?? 1000;
      const events = await app.store.listEvents(rec.sessionId, {
        after: req.query.after ?? 0,
        limit,
        ...(req.query.kind ? { kinds: [req.query.kind] } : {}),
      });
      const last = events[events.length - 1];
      return {
        sessionId: rec.sessionId,
        events,
        lastSeq: rec.lastSeq,
        nextAfter: events.length === limit && last ? last.seq : null,
      };
    },
  );

  r.get(
    '/api/v1/sessions/:sessionId/children',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sub-agent sessions (parentSessionId = this session)',
        params: SessionParams,
        response: { 200: Type.Object({ sessionId: Type.String(), sessions: Type.Array(SessionSummaryRef) }) },
      },
    },
    async (req) => {
      await mustGet(app, req.params.sessionId);
      const { sessions } = await app.store.listSessions({ parentSessionId: req.params.sessionId, limit: 500 });
      return { sessionId: req.params.sessionId, sessions };
    },
  );
}
