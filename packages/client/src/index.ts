/**
 * @tether/client — the TypeScript SDK of Tether. Runs in Node ≥ 20 and in browsers; Node-only parts (file spool, exit
 * hooks) are in `@tether/client/node`. Everything exported here is public API; named exports only, except the default
 * export, which is the seed prototype's hook-agent object (`import hookAgent from '@tether/client'`).
 */
export { TetherClient } from './client.js';
export type { TetherClientOptions, SessionsResource } from './client.js';
export { StoreResource } from './store.js';
export type { StoreItem, PutItemOptions, SearchItemsOptions, ListNamespacesOptions } from './store.js';
export { SessionLogger } from './session-logger.js';
export type { LogReceipt, LogOptions } from './session-logger.js';
export type { DeliveryOptions, DeliveryStats, DeliveryErrorContext, Logger } from './batcher.js';
export type { Spool, QueuedEvent } from './spool.js';
export type { HttpOptions, FetchLike } from './http.js';
export type { SubscribeOptions, Subscription, LiveEvent, LiveSessionDeleted, LiveMessage } from './subscribe.js';
export { LiveSocket } from './live-socket.js';
export type {
  LiveSocketOptions,
  LiveSocketState,
  LiveSocketStatus,
  LiveSubscription,
  LiveHandlers,
  LiveListMessage,
  SessionSubscriptionOptions,
  FirehoseSubscriptionOptions,
  ListSubscriptionOptions,
  WebSocketLike,
  WebSocketConstructorLike,
} from './live-socket.js';
export {
  TetherError,
  TetherClientError,
  APIError,
  APIStatusError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  PreconditionFailedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  RateLimitError,
  RateLimitedError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  SerializationError,
  isRetryable,
  parseRetryAfter,
} from './errors.js';
export type {
  CreateSessionParams,
  CreateSessionResult,
  RestoredSession,
  ResumedSession,
  ListSessionsParams,
  SessionPage,
  ListEventsParams,
  EventPage,
  FinalizeParams,
  FinalizeResult,
  SearchHit,
  SearchResult,
  Stats,
  Health,
  AppendAck,
  EventInput,
  EventKind,
  Goal,
  AgentRecord,
  IngestItemResult,
  IngestResponse,
  SessionMetadata,
  SessionState,
  SessionStatus,
  SessionSummary,
  TetherEvent,
} from './types.js';
export { configFromEnv } from './config.js';
export type { Env } from './config.js';
export {
  logAction,
  logResponse,
  updateState,
  addGoal,
  updateGoal,
  spawnAgent,
  completeAgent,
  finalizeSession,
  testConnection,
  configure,
  getDefaultClient,
  setDefaultClientFactory,
  hookAgent,
} from './compat.js';
import { hookAgent } from './compat.js';
/** The seed prototype's hook-agent object (the one default export, for `import hookAgent from '@tether/client'`). */
export default hookAgent;
