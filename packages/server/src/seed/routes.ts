import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  SeedAckSchema,
  SeedAgentSchema,
  SeedCreateBodySchema,
  SeedCreatedSchema,
  SeedEntrySchema,
  SeedMetadataSchema,
  SeedPageQuerySchema,
  SeedStateSchema,
  SeedStatsSchema,
  SeedUserSessionSchema,
  SessionIdSchema,
  type EventKind,
  type SessionStatus,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { metadataSetsFromBody } from '../events/metadata-sets.js';
import type { SessionRecord } from '../events/record.js';
import { appendEvent, deleteSession, idempotencyKey } from '../routes/append.js';
import { AnyObject, SessionParams } from '../routes/schemas.js';
import {
  buildSeedFinal,
  seedAgent,
  seedEntry,
  seedEntryRaw,
  seedFinal,
  seedInitial,
  seedMetadata,
  seedState,
} from './shapes.js';
import { jsonEntries, nextLink, sendStreamed } from './stream.js';

const GoalParams = Type.Object({ sessionId: SessionIdSchema, goalId: Type.String({ minLength: 1, maxLength: 200 }) });
const AgentParams = Type.Object({ sessionId: SessionIdSchema, agentId: Type.String({ minLength: 1, maxLength: 200 }) });
/** The body may be absent (httpx `post(url)`); it is then `{}` before validation, as the prototype's express.json gave. */
const noBodyIsEmpty = async (req: { body: unknown }) => {
  if (req.body === undefined || req.body === null) req.body = {};
};
const tags = ['seed'];
const ack = { 200: SeedAckSchema };

/** The final words a seed finalize may send that end the session as failed or abandoned in Tether's own view. */
const FAILED = new Set(['failed', 'failure', 'error']);

async function mustGet(app: FastifyInstance, sessionId: string): Promise<SessionRecord> {
  const rec = await app.store.getSession(sessionId);
  if (!rec) throw new TetherError('session_not_found', `Session ${sessionId} does not exist`);
  return rec;
}

/**
 * The seed routes: every route of the prototype's API (seed 002 and session-storage-service/src/api/*.js), answering
 * exactly its bodies and status codes (200 for every success). What Tether adds never changes a body: errors are
 * problem+json with the right 4xx where the prototype answered 500, ids are validated (never paths), bodies are
 * size-limited and checked for prototype pollution (app-wide parser), and big arrays are streamed and capped
 * (TETHER_RESPONSE_MAX_ITEMS, with `Link: <…?offset=N>; rel="next"` past the cap). Mapping: docs/api.md.
 */
export async function seedRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const max = app.config.responseMaxItems;

  /** Streams one kind's log as the prototype's JSON array, capped, with a next link past the cap. */
  const streamLog = (
    reply: FastifyReply,
    rec: SessionRecord | undefined,
    kind: EventKind,
    path: string,
    q: { limit?: number; offset?: number },
  ) => {
    const offset = q.offset ?? 0;
    const total = rec ? (kind === 'action' ? rec.metadata.metrics.actions : rec.metadata.metrics.responses) : 0;
    const n = Math.max(0, Math.min(q.limit ?? Infinity, max, total - offset));
    const link = q.limit === undefined || q.limit > max ? nextLink(path, offset, n, total) : undefined;
    if (link) reply.header('link', link);
    if (!rec || n === 0) return reply.send([]);
    return sendStreamed(reply, [
      '[',
      jsonEntries(app.store, rec.sessionId, [kind], offset, n, seedEntry, seedEntryRaw),
      ']',
    ]);
  };

  r.post(
    '/api/sessions',
    {
      schema: {
        tags,
        summary: 'Create a session (prototype shape)',
        description: 'sessionId, userId and initial are required. 409 session_exists when taken.',
        body: SeedCreateBodySchema,
        response: { 200: SeedCreatedSchema },
      },
    },
    async (req) => {
      const { sessionId, userId, initial } = req.body;
      const id = idempotencyKey(req);
      await appendEvent(app, { sessionId, kind: 'session_created', data: { userId, initial }, ...(id ? { id } : {}) });
      return { success: true, sessionId, path: `sessions/${sessionId}` };
    },
  );

  r.get(
    '/api/sessions/:sessionId',
    {
      schema: {
        tags,
        summary: 'Restore a session (prototype shape): {metadata, initial, state, actions, responses, final}',
        params: SessionParams,
        description:
          'Streamed. Each of actions/responses holds at most TETHER_RESPONSE_MAX_ITEMS entries; past that a Link rel="next" header per log points to GET /api/actions/:id[/responses]?offset=N.',
        response: {
          200: Type.Object({
            metadata: SeedMetadataSchema,
            initial: AnyObject,
            state: SeedStateSchema,
            actions: Type.Array(SeedEntrySchema),
            responses: Type.Array(SeedEntrySchema),
            final: Type.Unknown(),
          }),
        },
      },
    },
    async (req, reply) => {
      const rec = await mustGet(app, req.params.sessionId);
      const enc = encodeURIComponent(rec.sessionId);
      const { actions, responses } = rec.metadata.metrics;
      const links = [
        nextLink(`/api/actions/${enc}`, 0, Math.min(actions, max), actions),
        nextLink(`/api/actions/${enc}/responses`, 0, Math.min(responses, max), responses),
      ]
        .filter(Boolean)
        .map((l, i) => `${l}; title="${i === 0 && actions > max ? 'actions' : 'responses'}"`);
      if (links.length) reply.header('link', links.join(', '));
      return sendStreamed(reply, [
        `{"metadata":${JSON.stringify(seedMetadata(rec))},"initial":${JSON.stringify(seedInitial(rec))},"state":${JSON.stringify(seedState(rec.state, rec.created))},"actions":[`,
        jsonEntries(app.store, rec.sessionId, ['action'], 0, max, seedEntry, seedEntryRaw),
        '],"responses":[',
        jsonEntries(app.store, rec.sessionId, ['response'], 0, max, seedEntry, seedEntryRaw),
        `],"final":${JSON.stringify(seedFinal(rec))}}`,
      ]);
    },
  );

  r.get(
    '/api/sessions/user/:userId',
    {
      schema: {
        tags,
        summary: "A user's sessions as the prototype's index: [{sessionId, userId, created}]",
        params: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 200: Type.Array(SeedUserSessionSchema) },
      },
    },
    async (req, reply) => {
      const out: Array<{ sessionId: string; userId: string | null; created: string }> = [];
      let cursor: string | null | undefined = req.query.cursor;
      while (out.length < max) {
        const page = await app.store.listSessions({
          userId: req.params.userId,
          sort: 'created',
          limit: Math.min(500, max - out.length),
          ...(cursor ? { cursor } : {}),
        });
        for (const s of page.sessions) out.push({ sessionId: s.sessionId, userId: s.userId, created: s.created });
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      if (cursor)
        reply.header(
          'link',
          `</api/sessions/user/${encodeURIComponent(req.params.userId)}?cursor=${encodeURIComponent(cursor)}>; rel="next"`,
        );
      return out;
    },
  );

  r.patch(
    '/api/sessions/:sessionId/metadata',
    {
      schema: {
        tags,
        summary:
          'Set metadata.json keys as the prototype did: a dotted key sets a nested value (replacing it), "+N" adds N (metrics are counted from the log and refused)',
        params: SessionParams,
        body: AnyObject,
        response: ack,
      },
    },
    async (req) => {
      const id = idempotencyKey(req);
      // As the prototype's updateMetadata: each key (dotted = a path) replaces its value, a "+N" string adds N.
      const set = metadataSetsFromBody(req.body as Record<string, unknown>);
      await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'metadata_updated',
        data: { set },
        ...(id ? { id } : {}),
      });
      return { success: true };
    },
  );

  r.post(
    '/api/sessions/:sessionId/finalize',
    {
      schema: {
        tags,
        summary:
          'Finalize: writes final.json {status (default success), outcome, goalsAchieved, finalResponse, metrics, subsessions, timestamp}; the session becomes completed with a duration',
        params: SessionParams,
        body: AnyObject,
        response: ack,
      },
      preValidation: noBodyIsEmpty,
    },
    async (req) => {
      const body = req.body;
      if (body.status !== undefined && typeof body.status !== 'string')
        throw new TetherError('validation_failed', 'status must be a string (free text; success is the default)');
      const rec = await mustGet(app, req.params.sessionId);
      const timestamp = new Date().toISOString();
      const word = typeof body.status === 'string' ? body.status.toLowerCase() : '';
      const status: SessionStatus = FAILED.has(word) ? 'failed' : word === 'abandoned' ? 'abandoned' : 'completed';
      const id = idempotencyKey(req);
      await appendEvent(app, {
        sessionId: rec.sessionId,
        kind: 'session_finalized',
        timestamp,
        data: { status, final: buildSeedFinal(rec, body, timestamp) },
        ...(id ? { id } : {}),
      });
      return { success: true };
    },
  );

  r.delete(
    '/api/sessions/:sessionId',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Delete a session and its log (prototype shape; idempotent; needs admin scope)',
        params: SessionParams,
        response: ack,
      },
    },
    async (req) => {
      await deleteSession(app, req.params.sessionId);
      return { success: true };
    },
  );

  for (const [path, kind] of [
    ['/api/actions/:sessionId', 'action'],
    ['/api/actions/:sessionId/responses', 'response'],
  ] as const) {
    r.post(
      path,
      {
        schema: {
          tags,
          summary: `Log ${kind === 'action' ? 'an action' : 'a response'} (prototype shape)`,
          description: 'Any JSON object, stored as sent. Idempotency-Key makes a retry safe.',
          params: SessionParams,
          body: AnyObject,
          response: ack,
        },
      },
      async (req) => {
        const id = idempotencyKey(req);
        await appendEvent(app, { sessionId: req.params.sessionId, kind, data: req.body, ...(id ? { id } : {}) });
        return { success: true };
      },
    );
    r.get(
      path,
      {
        schema: {
          tags,
          summary: `The ${kind}s as a JSON array of {seq, timestamp, ...body}, oldest first (prototype shape; ?limit= keeps the first N)`,
          params: SessionParams,
          querystring: SeedPageQuerySchema,
          response: { 200: Type.Array(SeedEntrySchema) },
        },
      },
      async (req, reply) => {
        const rec = await app.store.getSession(req.params.sessionId);
        return streamLog(
          reply,
          rec,
          kind,
          path.replace(':sessionId', encodeURIComponent(req.params.sessionId)),
          req.query,
        );
      },
    );
  }

  r.get(
    '/api/state/:sessionId',
    {
      schema: {
        tags,
        summary: 'state.json (prototype shape)',
        params: SessionParams,
        response: { 200: SeedStateSchema },
      },
    },
    async (req) => {
      const rec = await mustGet(app, req.params.sessionId);
      return seedState(rec.state, rec.created) as never;
    },
  );

  r.patch(
    '/api/state/:sessionId',
    {
      schema: {
        tags,
        summary: "Deep-merge into state.json (the prototype's merge: objects merge, arrays and null replace)",
        params: SessionParams,
        body: AnyObject,
        response: ack,
      },
    },
    async (req) => {
      const { sessionId: _s, version: _v, goals: _g, agents: _a, $schema: _sc, ...patch } = req.body;
      const id = idempotencyKey(req);
      await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'state_patched',
        data: { patch, merge: 'deep' },
        ...(id ? { id } : {}),
      });
      return { success: true };
    },
  );

  r.post(
    '/api/state/:sessionId/goals',
    {
      schema: {
        tags,
        summary: 'Add a goal; id defaults to goal-<n>, status to pending (prototype shape)',
        params: SessionParams,
        body: AnyObject,
        response: ack,
      },
    },
    async (req) => {
      const { id: given, goalId, ...goal } = req.body;
      const id = idempotencyKey(req);
      const name =
        typeof given === 'string' && given ? given : typeof goalId === 'string' && goalId ? goalId : undefined;
      if (name !== undefined && name.length > 200)
        throw new TetherError('validation_failed', 'id must be at most 200 characters');
      await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'goal_added',
        data: { ...goal, ...(name ? { goalId: name } : {}) },
        ...(id ? { id } : {}),
      });
      return { success: true };
    },
  );

  r.patch(
    '/api/state/:sessionId/goals/:goalId',
    {
      schema: {
        tags,
        summary: 'Update a goal by id; status completed sets completedAt (prototype shape; 404 goal_not_found)',
        params: GoalParams,
        body: AnyObject,
        response: ack,
      },
    },
    async (req) => {
      const { id: _i, goalId: _g, ...update } = req.body;
      const id = idempotencyKey(req);
      await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'goal_updated',
        data: { ...update, goalId: req.params.goalId },
        ...(id ? { id } : {}),
      });
      return { success: true };
    },
  );

  r.post(
    '/api/state/:sessionId/agents',
    {
      schema: {
        tags,
        summary:
          'Spawn an agent; answers the agent record {agentId, type, task, status: spawned, spawnedAt, subsession} (prototype shape)',
        params: SessionParams,
        body: AnyObject,
        response: { 200: SeedAgentSchema },
      },
    },
    async (req) => {
      const body = req.body;
      if (
        body.agentId !== undefined &&
        (typeof body.agentId !== 'string' || body.agentId.length < 1 || body.agentId.length > 200)
      )
        throw new TetherError('validation_failed', 'agentId must be a string of 1–200 characters');
      const id = idempotencyKey(req);
      const data = {
        type: body.type,
        task: body.task,
        subsession: body.subsession ?? null,
        ...(body.agentId ? { agentId: body.agentId } : {}),
      };
      const { event, session } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'agent_spawned',
        data,
        ...(id ? { id } : {}),
      });
      const agent = session.state.agents.spawned.find((a) => a.agentId === event.data.agentId);
      return seedAgent(agent!) as never;
    },
  );

  r.post(
    '/api/state/:sessionId/agents/:agentId/complete',
    {
      schema: {
        tags,
        summary: 'Mark an agent completed (prototype shape; the body may be absent; 404 agent_not_found)',
        params: AgentParams,
        body: AnyObject,
        response: ack,
      },
      preValidation: noBodyIsEmpty,
    },
    async (req) => {
      const id = idempotencyKey(req);
      await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'agent_completed',
        data: { agentId: req.params.agentId },
        ...(id ? { id } : {}),
      });
      return { success: true };
    },
  );

  r.get(
    '/api/query/recent',
    {
      schema: {
        tags,
        summary: 'The 10 newest sessions as metadata.json objects, newest first (prototype shape)',
        response: { 200: Type.Array(SeedMetadataSchema) },
      },
    },
    async () => {
      const { sessions } = await app.store.listSessions({ sort: 'created', limit: 10 });
      const recs = await Promise.all(sessions.map((s) => app.store.getSession(s.sessionId)));
      return recs.filter((x): x is SessionRecord => x !== undefined).map(seedMetadata) as never;
    },
  );

  r.get(
    '/api/query/active',
    {
      schema: {
        tags,
        summary:
          'Active sessions as metadata.json objects, newest first (the seed lists it; the prototype had no handler)',
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 200: Type.Array(SeedMetadataSchema) },
      },
    },
    async (req, reply) => {
      const page = await app.store.listSessions({
        status: 'active',
        sort: 'created',
        limit: Math.min(500, max),
        ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
      });
      if (page.nextCursor)
        reply.header('link', `</api/query/active?cursor=${encodeURIComponent(page.nextCursor)}>; rel="next"`);
      const recs = await Promise.all(page.sessions.map((s) => app.store.getSession(s.sessionId)));
      return recs.filter((x): x is SessionRecord => x !== undefined).map(seedMetadata) as never;
    },
  );

  r.get(
    '/api/query/stats',
    {
      schema: {
        tags,
        summary: '{total, active, completed, activeSessions, completedSessions (10)} (prototype shape)',
        description: 'activeSessions lists at most TETHER_RESPONSE_MAX_ITEMS ids (newest first).',
        response: { 200: SeedStatsSchema },
      },
    },
    async () => {
      const s = await app.store.stats();
      const active: string[] = [];
      let cursor: string | null = null;
      while (active.length < Math.min(max, s.activeSessions)) {
        const page: { sessions: Array<{ sessionId: string }>; nextCursor: string | null } =
          await app.store.listSessions({
            status: 'active',
            sort: 'created',
            limit: Math.min(500, max - active.length),
            ...(cursor ? { cursor } : {}),
          });
        active.push(...page.sessions.map((x) => x.sessionId));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      // Every status but active counts as completed, as in the prototype; its list holds 10.
      const ended = (
        await Promise.all(
          (['completed', 'failed', 'abandoned'] as const).map((status) =>
            app.store.listSessions({ status, sort: 'created', limit: 10 }),
          ),
        )
      )
        .flatMap((p) => p.sessions)
        .sort((a, b) => (a.created < b.created ? 1 : -1))
        .slice(0, 10)
        .map((x) => x.sessionId);
      return {
        total: s.totalSessions,
        active: s.activeSessions,
        completed: s.totalSessions - s.activeSessions,
        activeSessions: active,
        completedSessions: ended,
      };
    },
  );
}
