/**
 * @tether/protocol — the wire contract of the Tether API: schemas (TypeBox / JSON Schema), event kinds, error codes.
 * Everything exported here is public API. No Node-only imports: this package runs in browsers too.
 */
export { ERROR_CODES, PROBLEM_TYPE_BASE, PROBLEM_CONTENT_TYPE } from './errors.js';
export type { ErrorCode, Problem } from './errors.js';
export { SESSION_ID_PATTERN, EVENT_ID_PATTERN, isValidSessionId } from './ids.js';
export {
  EVENT_KINDS,
  EVENT_KIND_LIST,
  LIVE_MESSAGE_TYPES,
  SessionIdSchema,
  EventIdSchema,
  SessionStatusSchema,
  EventSchema,
  EventInputSchema,
  IngestBodySchema,
  IngestItemResultSchema,
  IngestResponseSchema,
} from './events.js';
export type { EventKind, SessionStatus, TetherEvent, EventInput, IngestItemResult, IngestResponse } from './events.js';
export {
  SessionSummarySchema,
  CreateSessionBodySchema,
  FinalizeBodySchema,
  GoalBodySchema,
  AgentBodySchema,
  ListSessionsQuerySchema,
} from './sessions.js';
export type {
  TokenUsage,
  SessionMetrics,
  SessionMetadata,
  Goal,
  AgentRecord,
  SessionState,
  SessionSummary,
  CreateSessionBody,
  ListSessionsQuery,
} from './sessions.js';
export type { Stats, SearchHit, Analytics } from './queries.js';
export {
  TypedValueSchema,
  CheckpointBlobSchema,
  PendingWriteSchema,
  PutCheckpointBodySchema,
  CheckpointAckSchema,
  PutWritesBodySchema,
  ListCheckpointsQuerySchema,
  CheckpointTupleSchema,
  CheckpointListSchema,
  CopyThreadBodySchema,
  CopyThreadAckSchema,
} from './checkpoints.js';
export type { TypedValue, CheckpointBlob, PendingWrite, PutCheckpointBody, CheckpointAck, PutWritesBody, ListCheckpointsQuery, CheckpointTuple, CopyThreadBody } from './checkpoints.js';
