import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TetherBackend } from './backend.js';
import { registerMemoryTools } from './memory-tools.js';
import { registerReadTools } from './read-tools.js';
import { ok, toolError } from './result.js';
import {
  TrackEndArgs,
  TrackEndResult,
  TrackStartArgs,
  TrackStartResult,
  trackSessionEnd,
  trackSessionStart,
} from './session-buddy.js';
import { requireScope, type McpCaller } from './scopes.js';
import { registerWriteTools } from './write-tools.js';

/** The MCP server's name in `initialize` (serverInfo.name). */
export const MCP_SERVER_NAME = 'tether';

export interface TetherMcpOptions extends McpCaller {
  /** serverInfo.version (the service's version). */
  version: string;
  /**
   * The caller whose scopes the tools check, read at every call: a pooled server (one request at a time) gets the
   * next request's scopes by changing this object. Default `{ scopes: options.scopes }`.
   */
  caller?: McpCaller;
}

/**
 * Builds an MCP server (official `@modelcontextprotocol/sdk`, protocol 2025-06-18 and earlier) with every Tether tool:
 * the session-buddy-compatible `track_session_start`, `track_session_end`, `health_check`; the write tools (scope
 * `ingest`) and read tools and resources (scope `read`); `commit_memory`/`recall_memory` when the backend has the memory
 * store. Building one costs a few ms (the SDK compiles its schemas per instance), so the stateless HTTP endpoint keeps
 * a pool and gives each request an idle server with that request's `caller`.
 */
export function createTetherMcpServer(backend: TetherBackend, options: TetherMcpOptions): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, title: 'Tether session store', version: options.version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'Tether keeps agent sessions as append-only event logs with state, goals and sub-agents. Log with log_action/log_response, change state with patch_state and the goal/agent tools, end with finalize_session; read with get_session, list_sessions, list_events, get_state, search. Admin shells use track_session_start/track_session_end (session-buddy compatible).',
    },
  );
  const caller: McpCaller = options.caller ?? { scopes: options.scopes };

  server.registerTool(
    'track_session_start',
    {
      title: 'Track an admin shell start',
      description:
        'session-buddy compatible: records an admin shell\'s start as an admin_shell session. Answers {session_id, status: "tracked"|"error", error}. A repeated event_id answers the same session_id without a second session.',
      inputSchema: TrackStartArgs,
      outputSchema: TrackStartResult,
      annotations: {
        title: 'Track an admin shell start',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (a) => {
      try {
        requireScope(caller, 'ingest');
      } catch (err) {
        return toolError(err);
      }
      return ok(await trackSessionStart(backend, a));
    },
  );

  server.registerTool(
    'track_session_end',
    {
      title: 'Track an admin shell end',
      description:
        'session-buddy compatible: ends the admin_shell session (duration = end − start). Answers {session_id, status: "ended"|"error"|"not_found", error}. Repeating it changes nothing.',
      inputSchema: TrackEndArgs,
      outputSchema: TrackEndResult,
      annotations: {
        title: 'Track an admin shell end',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (a) => {
      try {
        requireScope(caller, 'ingest');
      } catch (err) {
        return toolError(err);
      }
      return ok(await trackSessionEnd(backend, a));
    },
  );

  server.registerTool(
    'health_check',
    {
      title: 'Health check',
      description:
        'Whether the session store is up: {status: "healthy", service, version, storage, timestamp}. Needs a valid key but no particular scope.',
      annotations: {
        title: 'Health check',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async () => {
      try {
        const info = await backend.info();
        return ok({
          status: 'healthy',
          service: 'tether',
          version: info.version,
          storage: info.storage,
          timestamp: new Date().toISOString(),
        });
      } catch (err) {
        return toolError(err);
      }
    },
  );

  registerWriteTools(server, backend, caller);
  registerReadTools(server, backend, caller);
  if (backend.memory) registerMemoryTools(server, backend.memory, caller);
  return server;
}
