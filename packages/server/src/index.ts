/**
 * @tether/server — the Tether session store service. Everything exported here is public API;
 * the CLI (`tether serve`) and tests use it.
 */
export { buildApp, type AppDeps } from './app.js';
export { loadConfig, parseApiKeys, isLoopback, SCOPES, type TetherConfig, type Scope } from './config.js';
export { TetherError } from './errors.js';
export { LiveHub, type HubMessage, type HubListener } from './events/hub.js';
export { applyEvent, resolveEvent } from './events/reduce.js';
export type { SessionRecord } from './events/record.js';
export { mergePatch } from './util/merge-patch.js';
export { hashKey } from './plugins/auth.js';
export { SqliteStore, type SqliteStoreOptions, type Durability } from './storage/sqlite/sqlite-store.js';
export { PostgresStore, type PostgresStoreOptions } from './storage/postgres/pg-store.js';
export { GroupCommitter } from './storage/group-commit.js';
export type { Store, AppendItem, AppendOutcome, ApiKeyRecord, Stats, SearchHit } from './storage/store.js';
export { startServer, openStore, type RunningServer } from './serve.js';
export { VERSION } from './version.js';
export {
  CLAUDE_CODE_SESSION_TYPE,
  CLAUDE_CODE_HOOK_PATH,
  CLAUDE_CODE_HOOK_EVENTS,
  CLAUDE_CODE_TOOL_EVENTS,
  HOOK_TIME_HEADER,
  childSessionId,
  ccEventId,
  mapClaudeHook,
  hookSessionIds,
  describeTranscript,
  transcriptToEvents,
  promptOf,
  type ClaudeCodeHookEvent,
  type TranscriptLine,
  type TranscriptInfo,
  type SubagentRef,
  type TranscriptCounts,
  type TranscriptProblem,
} from './integrations/claude-code/index.js';
