import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  CheckpointAckSchema,
  CheckpointListSchema,
  CopyThreadAckSchema,
  CopyThreadBodySchema,
  ListCheckpointsQuerySchema,
  PutCheckpointBodySchema,
  PutWritesBodySchema,
  type CheckpointTuple,
  type EventInput,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { isPlainObject } from '../util/merge-patch.js';
import { threadSessionId, type CheckpointRows, type StoredCheckpoint } from '../storage/checkpoints.js';
import { deleteSession } from './append.js';

/** The largest `values` preview (JSON characters) a checkpoint event keeps; a larger one is replaced by a note. */
const MAX_PREVIEW_CHARS = 16_384;

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

function toTuple(c: StoredCheckpoint): CheckpointTuple {
  return {
    threadId: c.threadId,
    checkpointNs: c.ns,
    checkpointId: c.checkpointId,
    parentCheckpointId: c.parentId,
    checkpoint: { type: c.type, data: c.data.toString('base64') },
    metadata: c.metadata,
    channelVersions: c.channelVersions,
    blobs: c.blobs.map((b) => ({
      channel: b.channel,
      version: b.version,
      type: b.type,
      data: Buffer.from(b.data).toString('base64'),
    })),
    pendingWrites: c.writes.map((w) => ({
      taskId: w.taskId,
      idx: w.idx,
      channel: w.channel,
      type: w.type,
      data: Buffer.from(w.data).toString('base64'),
      taskPath: w.taskPath,
    })),
    sessionId: c.sessionId,
    seq: c.seq,
  };
}

/**
 * LangGraph checkpoints (issue 14), the server half of `TetherSaver` (Python `tether.langgraph`, TypeScript
 * `@tether/langgraph`). A thread is a Tether session (type `langgraph`, id from {@link threadSessionId}); every put is an
 * event in its log, appended through the group committer with its checkpoint rows in the same transaction, so a put
 * is durable when it is answered. Semantics follow LangGraph's `BaseCheckpointSaver`.
 */
export async function langgraphRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /** Creates the thread's session (type langgraph) when it does not exist yet. */
  async function ensureThread(threadId: string, sessionId: string, receivedAt: string, parentSessionId?: string) {
    if (!(await app.store.getSession(sessionId))) {
      // A fixed event id: two first puts racing create the session once (the second is a duplicate).
      const created = await app.committer.append({
        input: {
          sessionId,
          kind: 'session_created',
          id: 'langgraph:thread',
          data: {
            type: 'langgraph',
            ...(parentSessionId ? { parentSessionId } : {}),
            metadata: { langgraph: { threadId } },
            initial: { threadId },
          },
        },
        autoCreate: true,
        receivedAt,
      });
      if (!created.ok && created.error.code !== 'session_exists') throw created.error;
    }
  }

  /** Appends one checkpoint event with its rows, creating the thread's session first when it does not exist. */
  async function appendCheckpoint(
    threadId: string,
    input: Omit<EventInput, 'sessionId'>,
    rows: CheckpointRows,
    parentSessionId?: string,
  ) {
    const sessionId = threadSessionId(threadId);
    const receivedAt = new Date().toISOString();
    await ensureThread(threadId, sessionId, receivedAt, parentSessionId);
    const out = await app.committer.append({
      input: { ...input, sessionId },
      autoCreate: false,
      receivedAt,
      checkpoint: rows,
    });
    if (!out.ok) throw out.error;
    return out.event;
  }

  r.post(
    '/api/v1/langgraph/checkpoints',
    {
      schema: {
        tags: ['langgraph'],
        summary: 'Store a LangGraph checkpoint (BaseCheckpointSaver.put); durable when answered',
        description:
          "Appends a `checkpoint` event to the thread's session (created on first use, type langgraph, parentSessionId linked) and stores the checkpoint and the blobs of its new channel versions beside it in the same transaction. A checkpoint id already stored for the thread and namespace is replaced; a blob already stored for (thread, ns, channel, version) is kept.",
        body: PutCheckpointBodySchema,
        response: { 201: CheckpointAckSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const ns = b.checkpointNs ?? '';
      let values = b.values;
      if (values && JSON.stringify(values).length > MAX_PREVIEW_CHARS)
        values = { _preview: `omitted: more than ${MAX_PREVIEW_CHARS} characters` };
      const md = b.metadata;
      const ev = await appendCheckpoint(
        b.threadId,
        {
          kind: 'checkpoint',
          data: {
            threadId: b.threadId,
            checkpointNs: ns,
            checkpointId: b.checkpointId,
            parentCheckpointId: b.parentCheckpointId ?? null,
            step: md.step ?? null,
            source: md.source ?? null,
            ...(typeof md.run_id === 'string' ? { runId: md.run_id } : {}),
            channels: b.blobs.map((x) => x.channel),
            bytes: b.checkpoint.data.length + b.blobs.reduce((n, x) => n + x.data.length, 0),
            ...(values ? { values } : {}),
            ...(b.writer ? { writer: b.writer } : {}),
          },
        },
        {
          threadId: b.threadId,
          ns,
          checkpoint: {
            checkpointId: b.checkpointId,
            parentId: b.parentCheckpointId ?? null,
            type: b.checkpoint.type,
            data: b64(b.checkpoint.data),
            metadata: md,
            channelVersions: b.channelVersions,
          },
          blobs: b.blobs.map((x) => ({ channel: x.channel, version: x.version, type: x.type, data: b64(x.data) })),
        },
        b.parentSessionId,
      );
      return reply.code(201).send({
        threadId: b.threadId,
        checkpointNs: ns,
        checkpointId: b.checkpointId,
        sessionId: ev.sessionId,
        seq: ev.seq,
      });
    },
  );

  r.post(
    '/api/v1/langgraph/writes',
    {
      schema: {
        tags: ['langgraph'],
        summary:
          "Store a task's pending writes against a checkpoint (BaseCheckpointSaver.put_writes); durable when answered",
        description:
          'Appends a `checkpoint_writes` event and the writes in the same transaction. (taskId, idx) is unique per checkpoint: a repeated write is ignored, or replaces the stored one with replace=true.',
        body: PutWritesBodySchema,
        response: { 201: CheckpointAckSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const ns = b.checkpointNs ?? '';
      const ev = await appendCheckpoint(
        b.threadId,
        {
          kind: 'checkpoint_writes',
          data: {
            threadId: b.threadId,
            checkpointNs: ns,
            checkpointId: b.checkpointId,
            taskId: b.writes[0]!.taskId,
            ...(b.writes[0]!.taskPath ? { taskPath: b.writes[0]!.taskPath } : {}),
            channels: b.writes.map((w) => w.channel),
            ...(b.writer ? { writer: b.writer } : {}),
          },
        },
        {
          threadId: b.threadId,
          ns,
          writes: {
            checkpointId: b.checkpointId,
            replace: b.replace === true,
            items: b.writes.map((w) => ({
              taskId: w.taskId,
              idx: w.idx,
              channel: w.channel,
              type: w.type,
              data: b64(w.data),
              taskPath: w.taskPath ?? '',
            })),
          },
        },
      );
      return reply.code(201).send({
        threadId: b.threadId,
        checkpointNs: ns,
        checkpointId: b.checkpointId,
        sessionId: ev.sessionId,
        seq: ev.seq,
      });
    },
  );

  r.get(
    '/api/v1/langgraph/checkpoints',
    {
      schema: {
        tags: ['langgraph'],
        summary: 'List LangGraph checkpoints, newest first (BaseCheckpointSaver.list; get_tuple is limit=1)',
        description:
          'Each checkpoint comes with the blobs of its channel versions and its pending writes. filter is a JSON object matched against top-level metadata values (a missing key equals null). 400 validation_failed when filter is not a JSON object.',
        querystring: ListCheckpointsQuerySchema,
        response: { 200: CheckpointListSchema },
      },
    },
    async (req) => {
      const q = req.query;
      let filter: Record<string, unknown> | undefined;
      if (q.filter !== undefined) {
        try {
          filter = JSON.parse(q.filter) as Record<string, unknown>;
        } catch {
          filter = undefined;
        }
        if (!isPlainObject(filter))
          throw new TetherError('validation_failed', 'filter must be a JSON object of metadata values');
      }
      const found = await app.store.listCheckpoints({
        ...(q.threadId !== undefined ? { threadId: q.threadId } : {}),
        ...(q.checkpointNs !== undefined ? { ns: q.checkpointNs } : {}),
        ...(q.checkpointId !== undefined ? { checkpointId: q.checkpointId } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        ...(filter ? { filter } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
      return { checkpoints: found.map(toTuple) };
    },
  );

  r.post(
    '/api/v1/langgraph/threads/:threadId/copy',
    {
      schema: {
        tags: ['langgraph'],
        summary:
          'Copy a thread (BaseCheckpointSaver.copy_thread): every checkpoint, blob and pending write, into another thread',
        description:
          "Appends one `checkpoint` event per copied checkpoint (oldest first, with `copiedFrom`) to the target thread's session, all in one transaction. A source without checkpoints copies nothing.",
        params: Type.Object({ threadId: PutCheckpointBodySchema.properties.threadId }),
        body: CopyThreadBodySchema,
        response: { 200: CopyThreadAckSchema },
      },
    },
    async (req) => {
      const source = req.params.threadId;
      const target = req.body.targetThreadId;
      const sessionId = threadSessionId(target);
      const found = (await app.store.listCheckpoints({ threadId: source })).reverse();
      if (found.length) {
        const receivedAt = new Date().toISOString();
        await ensureThread(target, sessionId, receivedAt);
        const outs = await app.committer.appendMany(
          found.map((c) => ({
            input: {
              sessionId,
              kind: 'checkpoint' as const,
              data: {
                threadId: target,
                checkpointNs: c.ns,
                checkpointId: c.checkpointId,
                parentCheckpointId: c.parentId,
                step: c.metadata.step ?? null,
                source: c.metadata.source ?? null,
                channels: c.blobs.map((b) => b.channel),
                copiedFrom: { threadId: source, sessionId: c.sessionId, seq: c.seq },
                ...(req.body.writer ? { writer: req.body.writer } : {}),
              },
            },
            autoCreate: false,
            receivedAt,
            checkpoint: {
              threadId: target,
              ns: c.ns,
              checkpoint: {
                checkpointId: c.checkpointId,
                parentId: c.parentId,
                type: c.type,
                data: c.data,
                metadata: c.metadata,
                channelVersions: c.channelVersions,
              },
              blobs: c.blobs,
              ...(c.writes.length ? { writes: { checkpointId: c.checkpointId, replace: false, items: c.writes } } : {}),
            },
          })),
        );
        for (const o of outs) if (!o.ok) throw o.error;
      }
      return { threadId: source, targetThreadId: target, sessionId, copied: found.length };
    },
  );

  r.delete(
    '/api/v1/langgraph/threads/:threadId',
    {
      schema: {
        tags: ['langgraph'],
        summary: 'Delete a thread (BaseCheckpointSaver.delete_thread): its session, log, checkpoints, blobs and writes',
        description: 'Idempotent: a thread that does not exist answers 204 too.',
        params: Type.Object({ threadId: PutCheckpointBodySchema.properties.threadId }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const sessionId = threadSessionId(req.params.threadId);
      await deleteSession(app, sessionId);
      return reply.code(204).send(null);
    },
  );
}
