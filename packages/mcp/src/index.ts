/**
 * @tether/mcp — Tether over the Model Context Protocol (official `@modelcontextprotocol/sdk` 1.x).
 * Everything exported here is public API: the server factory, the backends it runs on, stdio serving, and the
 * session-buddy-compatible tracking functions.
 */
export { createTetherMcpServer, MCP_SERVER_NAME, type TetherMcpOptions } from './server.js';
export { BackendError, type TetherBackend, type AppendResult, type EventPageResult } from './backend.js';
export { ClientBackend } from './client-backend.js';
export { registerMemoryTools, type MemoryBackend, type MemoryItemView } from './memory-tools.js';
export { serveStdio } from './stdio.js';
export { requireScope, type McpCaller, type ToolScope } from './scopes.js';
export {
  ADMIN_SHELL_SESSION_TYPE,
  MAX_PID,
  shellSessionId,
  parseTimestamp,
  checkStart,
  trackSessionStart,
  trackSessionEnd,
  type TrackStartInput,
  type TrackEndInput,
  type TrackStartOutput,
  type TrackEndOutput,
} from './session-buddy.js';
