/**
 * @tether/protocol — the wire contract of the Tether API: schemas (TypeBox / JSON Schema), event kinds, error codes.
 * Everything exported here is public API. No Node-only imports: this package runs in browsers too.
 */
export {
  ERROR_CODES,
  MAX_JSON_DEPTH,
  PROBLEM_TYPE_BASE,
  PROBLEM_CONTENT_TYPE,
  SDK_ERROR_CLASSES,
  SDK_ERROR_BASES,
} from './errors.js';
export type { ErrorCode, Problem } from './errors.js';
export { SESSION_ID_PATTERN, EVENT_ID_PATTERN, isValidSessionId, isValidEventId } from './ids.js';
export {
  EVENT_KINDS,
  EVENT_KIND_LIST,
  LIVE_MESSAGE_TYPES,
  SessionIdSchema,
  EventIdSchema,
  JsonObject,
  SessionStatusSchema,
  EventSchema,
  EventInputSchema,
  IngestBodySchema,
  IngestItemResultSchema,
  IngestResponseSchema,
  STATE_KINDS,
} from './events.js';
export type { EventKind, SessionStatus, TetherEvent, EventInput, IngestItemResult, IngestResponse } from './events.js';
export {
  SessionSummarySchema,
  CreateSessionBodySchema,
  FinalizeBodySchema,
  GoalBodySchema,
  AgentBodySchema,
  ListSessionsQuerySchema,
  GoalSchema,
  AgentRecordSchema,
  SessionStateSchema,
  SessionCreatedSchema,
  LogEntrySchema,
  RestoredSessionSchema,
  UserSessionsSchema,
  MetadataPatchedSchema,
  SessionFinalizedSchema,
  SessionDeletedSchema,
  ActionListSchema,
  ResponseListSchema,
  StatePatchedSchema,
  GoalAckSchema,
  AgentAckSchema,
} from './sessions.js';
export type {
  TokenUsage,
  SessionMetrics,
  SeedMetrics,
  SessionMetadata,
  Goal,
  AgentRecord,
  SessionState,
  SessionSummary,
  CreateSessionBody,
  ListSessionsQuery,
} from './sessions.js';
export { StatsSchema, SearchHitSchema, SearchResultSchema, AnalyticsSchema } from './queries.js';
export type { Stats, SearchHit, SearchResult, Analytics } from './queries.js';
export { HealthSchema, ReadySchema } from './service.js';
export {
  LiveEventMessageSchema,
  LiveListEventMessageSchema,
  LiveSessionUpdatedMessageSchema,
  LiveSessionDeletedMessageSchema,
  LiveHelloMessageSchema,
  LiveSubscribedMessageSchema,
  LiveUnsubscribedMessageSchema,
  LiveErrorMessageSchema,
  LivePongMessageSchema,
  LiveCloseMessageSchema,
  LiveBatchMessageSchema,
  LiveClientOpSchema,
  LIVE_SCHEMAS,
} from './live.js';
export type {
  LiveEventMessage,
  LiveListEventMessage,
  LiveSessionUpdatedMessage,
  LiveSessionDeletedMessage,
  LiveHelloMessage,
  LiveSubscribedMessage,
  LiveUnsubscribedMessage,
  LiveErrorMessage,
  LivePongMessage,
  LiveCloseMessage,
  LiveServerMessage,
  LiveBatchMessage,
  LiveClientOp,
} from './live.js';
export {
  FILE_TOOLS,
  FILE_TYPES,
  BASH_TOOLS,
  BASH_TYPES,
  TOOL_TYPES,
  MCP_TYPE,
  TOOL_CALL_TYPES,
  TOOL_FIELDS,
  ERROR_FLAG_FIELDS,
  ERROR_STATUSES,
  actionTool,
  classifyAction,
  toolCallName,
  isToolError,
} from './actions.js';
export type { ActionClass } from './actions.js';
export {
  INPUT_TOKEN_FIELDS,
  OUTPUT_TOKEN_FIELDS,
  CACHE_READ_TOKEN_FIELDS,
  CACHE_CREATION_TOKEN_FIELDS,
  USAGE_KINDS,
  usageCounts,
  eventUsage,
} from './usage.js';
export type { UsageCounts } from './usage.js';
export {
  SeedAckSchema,
  SeedCreateBodySchema,
  SeedCreatedSchema,
  SeedMetadataSchema,
  SeedStateSchema,
  SeedEntrySchema,
  SeedAgentSchema,
  SeedStatsSchema,
  SeedUserSessionSchema,
  SeedPageQuerySchema,
} from './seed.js';
export {
  NamespaceSchema,
  NamespaceMatchSchema,
  StoreKeySchema,
  StoreFilterSchema,
  PutStoreItemBodySchema,
  GetStoreItemQuerySchema,
  DeleteStoreItemBodySchema,
  SearchStoreItemsBodySchema,
  ListNamespacesBodySchema,
  StoreItemSchema,
  SearchStoreItemSchema,
  SearchStoreItemsResponseSchema,
  ListNamespacesResponseSchema,
} from './memory.js';
export type {
  PutStoreItemBody,
  SearchStoreItemsBody,
  ListNamespacesBody,
  StoreItem,
  SearchStoreItem,
} from './memory.js';
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
export type {
  TypedValue,
  CheckpointBlob,
  PendingWrite,
  PutCheckpointBody,
  CheckpointAck,
  PutWritesBody,
  ListCheckpointsQuery,
  CheckpointTuple,
  CopyThreadBody,
} from './checkpoints.js';
export { MCP_PATH, McpRequestSchema, McpResponseSchema } from './mcp.js';
