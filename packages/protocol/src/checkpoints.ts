import Type, { type Static } from 'typebox';
import { JsonObject } from './events.js';

/**
 * LangGraph checkpoints on Tether (`/api/v1/langgraph/...`). The shapes follow LangGraph's checkpointer interface
 * (`langgraph.checkpoint.base.BaseCheckpointSaver` in Python, `BaseCheckpointSaver` of `@langchain/langgraph-checkpoint`
 * in TypeScript): a thread (`threadId`) has checkpoints per namespace (`checkpointNs`, "" for the root graph), each with
 * a `checkpointId` (LangGraph's UUIDv6, ordered by time), a parent, metadata and pending writes.
 *
 * Serialized values are opaque to Tether: `type` is the serializer's tag (LangGraph's `serde.dumps_typed`, e.g.
 * `msgpack`, `json`, `bytes`, `empty`) and `data` the bytes, base64-encoded (RFC 4648 §4). Channel values travel once
 * per (thread, namespace, channel, version) as blobs, as LangGraph's own SQL savers store them.
 */

const Base64 = Type.String({
  contentEncoding: 'base64',
  maxLength: 67_108_864,
  description: 'Serialized bytes, base64 (RFC 4648 §4)',
});
const Name = (description: string, maxLength = 1024) => Type.String({ minLength: 0, maxLength, description });

/** A value serialized by LangGraph's serializer: its type tag and its bytes. */
export const TypedValueSchema = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "The serializer's type tag (msgpack, json, bytes, empty, …)",
    }),
    data: Base64,
  },
  { additionalProperties: false },
);
export type TypedValue = Static<typeof TypedValueSchema>;

/** One channel value at one version (LangGraph's `checkpoint_blobs` row). */
export const CheckpointBlobSchema = Type.Object(
  {
    channel: Name('Channel name', 512),
    version: Name(
      'Channel version, as a string (LangGraph versions are strings, or numbers sent as their decimal form)',
      256,
    ),
    type: TypedValueSchema.properties.type,
    data: Base64,
  },
  { additionalProperties: false },
);
export type CheckpointBlob = Static<typeof CheckpointBlobSchema>;

/** One pending write of a task (LangGraph's `checkpoint_writes` row). */
export const PendingWriteSchema = Type.Object(
  {
    taskId: Name('Task id', 256),
    idx: Type.Integer({
      description:
        "Index of the write within the task's writes; LangGraph's special channels (errors, interrupts, …) use negative indexes",
    }),
    channel: Name('Channel written', 512),
    type: TypedValueSchema.properties.type,
    data: Base64,
    taskPath: Type.Optional(Name('Task path (LangGraph ≥ 0.2 orders writes by it)', 2048)),
  },
  { additionalProperties: false },
);
export type PendingWrite = Static<typeof PendingWriteSchema>;

/**
 * `POST /api/v1/langgraph/checkpoints`: store one checkpoint (LangGraph's `put`). Durable when answered.
 * `checkpoint` is the checkpoint without `channel_values`, which come as `blobs` (only channels with a new version).
 * `channelVersions` lists the version of every channel of the checkpoint, so the server can join its blobs on read.
 */
export const PutCheckpointBodySchema = Type.Object(
  {
    threadId: Type.String({ minLength: 1, maxLength: 1024, description: "LangGraph's thread_id" }),
    checkpointNs: Type.Optional(Name('Namespace: "" for the root graph, "parent:task|child:task" for subgraphs')),
    checkpointId: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The checkpoint id (UUIDv6 from LangGraph; sorted as text)',
    }),
    parentCheckpointId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()])),
    checkpoint: TypedValueSchema,
    metadata: JsonObject({ description: 'Checkpoint metadata (JSON): source, step, parents, run_id, …; filterable' }),
    channelVersions: Type.Record(Type.String(), Type.String(), {
      description: 'channel → version of every channel in the checkpoint',
    }),
    blobs: Type.Array(CheckpointBlobSchema, {
      maxItems: 10_000,
      description: 'Values of the channels whose version is new in this checkpoint',
    }),
    values: Type.Optional(
      JsonObject({
        description: 'A JSON preview of the new channel values, for the dashboard (display only, cut by the saver)',
      }),
    ),
    parentSessionId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description:
          "The agent's own Tether session: the thread session's parent (used when the thread's session is created)",
      }),
    ),
    writer: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Who writes (the saver instance: host, pid, start time); a change shows in the log as a resume',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PutCheckpointBody = Static<typeof PutCheckpointBodySchema>;

/** Answer of a checkpoint put or a writes put: where the event landed in the thread's session log. */
export const CheckpointAckSchema = Type.Object({
  threadId: Type.String(),
  checkpointNs: Type.String(),
  checkpointId: Type.String(),
  sessionId: Type.String({ description: "The thread's Tether session" }),
  seq: Type.Integer({ description: 'Seq of the event in that session' }),
});
export type CheckpointAck = Static<typeof CheckpointAckSchema>;

/**
 * `POST /api/v1/langgraph/writes`: store pending writes of one task against a checkpoint (LangGraph's `put_writes`).
 * `(taskId, idx)` is unique per checkpoint: repeated writes are ignored, or replace the stored ones with `replace`
 * (LangGraph replaces writes to its special channels, whose indexes are negative).
 */
export const PutWritesBodySchema = Type.Object(
  {
    threadId: PutCheckpointBodySchema.properties.threadId,
    checkpointNs: PutCheckpointBodySchema.properties.checkpointNs,
    checkpointId: PutCheckpointBodySchema.properties.checkpointId,
    writes: Type.Array(PendingWriteSchema, { minItems: 1, maxItems: 10_000 }),
    replace: Type.Optional(
      Type.Boolean({ description: 'Replace writes stored under the same (taskId, idx) instead of keeping the first' }),
    ),
    writer: PutCheckpointBodySchema.properties.writer,
  },
  { additionalProperties: false },
);
export type PutWritesBody = Static<typeof PutWritesBodySchema>;

/** `GET /api/v1/langgraph/checkpoints` query: LangGraph's `list` (and `get_tuple`, with `limit=1`). Newest first. */
export const ListCheckpointsQuerySchema = Type.Object(
  {
    threadId: Type.Optional(PutCheckpointBodySchema.properties.threadId),
    checkpointNs: Type.Optional(Name('Only this namespace (absent: every namespace)')),
    checkpointId: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Only this checkpoint' })),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'Only checkpoints with a smaller id (older)' }),
    ),
    filter: Type.Optional(
      Type.String({
        maxLength: 65_536,
        description:
          'A JSON object: keep checkpoints whose metadata has these top-level values (a missing key equals null, as in LangGraph)',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
export type ListCheckpointsQuery = Static<typeof ListCheckpointsQuerySchema>;

/** A stored checkpoint with what LangGraph's `CheckpointTuple` needs: its channel blobs and its pending writes. */
export const CheckpointTupleSchema = Type.Object({
  threadId: Type.String(),
  checkpointNs: Type.String(),
  checkpointId: Type.String(),
  parentCheckpointId: Type.Union([Type.String(), Type.Null()]),
  checkpoint: TypedValueSchema,
  metadata: JsonObject(),
  channelVersions: Type.Record(Type.String(), Type.String()),
  blobs: Type.Array(CheckpointBlobSchema),
  pendingWrites: Type.Array(PendingWriteSchema),
  sessionId: Type.String(),
  seq: Type.Integer(),
});
export type CheckpointTuple = Static<typeof CheckpointTupleSchema>;

export const CheckpointListSchema = Type.Object({ checkpoints: Type.Array(CheckpointTupleSchema) });

/** `POST /api/v1/langgraph/threads/:threadId/copy`: copy every checkpoint (with its blobs and writes) to another thread. */
export const CopyThreadBodySchema = Type.Object(
  { targetThreadId: PutCheckpointBodySchema.properties.threadId, writer: PutCheckpointBodySchema.properties.writer },
  { additionalProperties: false },
);
export type CopyThreadBody = Static<typeof CopyThreadBodySchema>;

export const CopyThreadAckSchema = Type.Object({
  threadId: Type.String(),
  targetThreadId: Type.String(),
  sessionId: Type.String({ description: "The target thread's session" }),
  copied: Type.Integer({ description: 'Checkpoints copied' }),
});
