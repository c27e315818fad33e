import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  AgentAckSchema,
  AgentBodySchema,
  GoalAckSchema,
  GoalBodySchema,
  SessionStateSchema,
  StatePatchedSchema,
  type EventInput,
  type TetherEvent,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { applyEvent } from '../events/reduce.js';
import type { SessionRecord } from '../events/record.js';
import { appendEvent, expectedVersion, idempotencyKey } from './append.js';
import { AnyObject, SessionParams } from './schemas.js';

const GoalParams = Type.Object({
  sessionId: SessionParams.properties.sessionId,
  goalId: Type.String({ minLength: 1, maxLength: 200 }),
});
const AgentParams = Type.Object({
  sessionId: SessionParams.properties.sessionId,
  agentId: Type.String({ minLength: 1, maxLength: 200 }),
});

/** State: read (current or replayed to a seq), merge-patch, goals and sub-agents (seed routes). */
export async function stateRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/state/:sessionId',
    {
      schema: {
        tags: ['state'],
        summary: 'The state (seed route); with atSeq, the state replayed from the log up to that seq',
        params: SessionParams,
        querystring: Type.Object({
          atSeq: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Replay the log up to and including this seq' }),
          ),
        }),
        response: { 200: SessionStateSchema },
      },
    },
    async (req, reply) => {
      const rec = await app.store.getSession(req.params.sessionId);
      if (!rec) throw new TetherError('session_not_found', `Session ${req.params.sessionId} does not exist`);
      const atSeq = req.query.atSeq;
      if (atSeq === undefined || atSeq >= rec.lastSeq) {
        reply.header('etag', `"${rec.state.version}"`);
        return rec.state;
      }
      let replayed: SessionRecord | undefined;
      for (const ev of await app.store.listEvents(rec.sessionId, { upTo: atSeq })) replayed = applyEvent(replayed, ev);
      return { ...replayed!.state, atSeq };
    },
  );

  r.patch(
    '/api/v1/state/:sessionId',
    {
      schema: {
        tags: ['state'],
        summary: 'Merge-patch the state (RFC 7396, seed route)',
        description:
          'Send If-Match: <version> (or expectedVersion in the body) for optimistic concurrency: a mismatch answers 412 and changes nothing. sessionId and version cannot be patched.',
        params: SessionParams,
        body: AnyObject,
        response: { 200: StatePatchedSchema },
      },
    },
    async (req) => {
      const { expectedVersion: _ev, eventId: _id, ...patch } = req.body;
      const ver = expectedVersion(req, req.body);
      const id = idempotencyKey(req, req.body);
      const { event, session } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'state_patched',
        data: { patch },
        ...(ver !== undefined ? { expectedVersion: ver } : {}),
        ...(id ? { id } : {}),
      });
      return { success: true, sessionId: session.sessionId, seq: event.seq, state: session.state };
    },
  );

  r.post(
    '/api/v1/state/:sessionId/goals',
    {
      schema: {
        tags: ['state'],
        summary: 'Add a goal (seed route)',
        description: 'goalId is generated when absent; status defaults to pending, priority to medium.',
        params: SessionParams,
        body: GoalBodySchema,
        response: { 201: GoalAckSchema, 200: GoalAckSchema },
      },
    },
    async (req, reply) => {
      const id = idempotencyKey(req);
      const ver = expectedVersion(req);
      const { event, session, duplicate } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'goal_added',
        data: { ...req.body },
        ...(id ? { id } : {}),
        ...(ver !== undefined ? { expectedVersion: ver } : {}),
      });
      const goalId = event.data.goalId;
      return reply.code(duplicate ? 200 : 201).send({
        success: true,
        sessionId: session.sessionId,
        seq: event.seq,
        goal: session.state.goals.find((g) => g.goalId === goalId),
      });
    },
  );

  r.patch(
    '/api/v1/state/:sessionId/goals/:goalId',
    {
      schema: {
        tags: ['state'],
        summary: 'Update a goal (seed route)',
        description: 'status completed sets completedAt. 404 goal_not_found.',
        params: GoalParams,
        body: AnyObject,
        response: { 200: GoalAckSchema },
      },
    },
    async (req) => {
      const id = idempotencyKey(req);
      const ver = expectedVersion(req);
      const { event, session } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'goal_updated',
        data: { ...req.body, goalId: req.params.goalId },
        ...(id ? { id } : {}),
        ...(ver !== undefined ? { expectedVersion: ver } : {}),
      });
      return {
        success: true,
        sessionId: session.sessionId,
        seq: event.seq,
        goal: session.state.goals.find((g) => g.goalId === req.params.goalId),
      };
    },
  );

  r.post(
    '/api/v1/state/:sessionId/agents',
    {
      schema: {
        tags: ['state'],
        summary: 'Record a spawned sub-agent (seed route)',
        description:
          'agentId is generated when absent. With childSessionId, the child session is created (parentSessionId = this session) unless it exists.',
        params: SessionParams,
        body: AgentBodySchema,
        response: { 201: AgentAckSchema, 200: AgentAckSchema },
      },
    },
    async (req, reply) => {
      const id = idempotencyKey(req);
      const spawn: EventInput = {
        sessionId: req.params.sessionId,
        kind: 'agent_spawned',
        data: { ...req.body },
        ...(id ? { id } : {}),
      };
      const child = req.body.childSessionId;
      // The spawn and its child session commit in one transaction: no child without its spawn, no spawn without it.
      const [spawned, created] = await app.committer.appendMany([
        { input: spawn, autoCreate: app.config.autoCreate, receivedAt: new Date().toISOString() },
        ...(child
          ? [
              {
                input: { sessionId: child, kind: 'session_created' as const },
                autoCreate: true,
                receivedAt: new Date().toISOString(),
                withPrevious: (ev: TetherEvent, parent: SessionRecord): EventInput => ({
                  sessionId: child,
                  kind: 'session_created',
                  id: `spawned-by:${parent.sessionId}:${String(ev.data.agentId)}`,
                  timestamp: ev.timestamp,
                  data: {
                    parentSessionId: parent.sessionId,
                    type: req.body.type ?? 'agent',
                    userId: parent.userId,
                    initial: { task: req.body.task ?? null, agentId: ev.data.agentId },
                  },
                }),
              },
            ]
          : []),
      ]);
      if (!spawned!.ok) throw spawned!.error;
      if (created && !created.ok && created.error.code !== 'session_exists') throw created.error;
      const { event, session, duplicate } = spawned!;
      const agentId = String(event.data.agentId);
      return reply.code(duplicate ? 200 : 201).send({
        success: true,
        sessionId: session.sessionId,
        seq: event.seq,
        agent: session.state.agents.spawned.find((a) => a.agentId === agentId),
      });
    },
  );

  r.post(
    '/api/v1/state/:sessionId/agents/:agentId/complete',
    {
      schema: {
        tags: ['state'],
        summary: 'Mark a sub-agent completed (seed route)',
        description: 'status defaults to completed. 404 agent_not_found.',
        params: AgentParams,
        body: Type.Optional(AnyObject),
        response: { 200: AgentAckSchema },
      },
    },
    async (req) => {
      const id = idempotencyKey(req);
      const { event, session } = await appendEvent(app, {
        sessionId: req.params.sessionId,
        kind: 'agent_completed',
        data: { ...(req.body ?? {}), agentId: req.params.agentId },
        ...(id ? { id } : {}),
      });
      return {
        success: true,
        sessionId: session.sessionId,
        seq: event.seq,
        agent: session.state.agents.spawned.find((a) => a.agentId === req.params.agentId),
      };
    },
  );
}
