import { createHash } from 'node:crypto';

/**
 * Conventions shared by the Claude Code hook mapping (server route, `tether hook claude-code`) and the transcript
 * importer (`tether import claude-code`), so that both write the same session ids and the same event ids for the
 * same tool call or sub-agent (a tool call recorded by a hook and later imported from the transcript is stored once).
 */

/** Session `type` of every session this integration creates. */
export const CLAUDE_CODE_SESSION_TYPE = 'claude-code';

/** Path of the hook endpoint (`POST`, the JSON Claude Code posts for an `http` hook). */
export const CLAUDE_CODE_HOOK_PATH = '/api/v1/hooks/claude-code';

/**
 * Header a forwarder (the `tether hook claude-code` command, its spool) sets to the ISO 8601 time the hook fired,
 * so that an event sent late keeps its time. Without it the server's receive time is used.
 */
export const HOOK_TIME_HEADER = 'x-tether-hook-time';

/** The hook events Tether maps (and `tether setup claude-code` configures). Other events are stored as state notes. */
export const CLAUDE_CODE_HOOK_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'SubagentStart',
  'SubagentStop',
  'Stop',
  'PreCompact',
  'Notification',
  'SessionEnd',
] as const;
export type ClaudeCodeHookEvent = (typeof CLAUDE_CODE_HOOK_EVENTS)[number];

/** Hook events that take a tool-name `matcher` in Claude Code's settings. */
export const CLAUDE_CODE_TOOL_EVENTS: ReadonlySet<string> = new Set([
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
]);

/** Claude Code tools that spawn a sub-agent (`Task`, renamed `Agent` in later versions). */
export const SPAWN_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);

/** Longest string kept in stored event data (characters); longer strings are cut and marked. */
export const MAX_STRING = 64 * 1024;

/** Makes a string usable inside an event id or session id: `A-Za-z0-9._-` only, at most `max` characters. */
export function idPart(s: string, max = 80): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, max) || '_';
}

/**
 * Session id of a Claude Code sub-agent: `<parent session id>:agent-<agent id>` (Claude Code's transcripts name the
 * file `agent-<agent id>.jsonl`). At most 128 characters, the session id limit.
 */
export function childSessionId(sessionId: string, agentId: string): string {
  const tail = `:agent-${idPart(agentId, 60)}`;
  return sessionId.slice(0, 128 - tail.length) + tail;
}

/** Event ids of the integration. Ids need only be unique within a session. */
export const ccEventId = {
  /** The `session_created` event of a session this integration created. */
  session: 'cc:session',
  /** The one `action` of a tool call. */
  tool: (toolUseId: string) => `cc:tool:${idPart(toolUseId, 120)}`,
  /** The state note that a tool call started (hooks only). */
  toolStart: (toolUseId: string) => `cc:tool:${idPart(toolUseId, 120)}:start`,
  /** The state note that a tool call ended (hooks only). */
  toolEnd: (toolUseId: string) => `cc:tool:${idPart(toolUseId, 120)}:end`,
  /** `agent_spawned` of a sub-agent, in the parent session. */
  agent: (agentId: string) => `cc:agent:${idPart(agentId, 120)}`,
  /** `agent_completed` of a sub-agent, in the parent session. */
  agentDone: (agentId: string) => `cc:agent:${idPart(agentId, 120)}:done`,
};

/** First 16 hex characters of the SHA-256 of a value's JSON: a stable key for payloads that carry no id. */
export function shortHash(v: unknown): string {
  return createHash('sha256')
    .update(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A copy of `v` in which every string longer than `max` characters is cut to `max` and marked
 * `…[cut N chars]`. Arrays and objects are walked (to depth 20); other values are kept.
 */
export function capStrings(v: unknown, max = MAX_STRING, depth = 0): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}…[cut ${v.length - max} chars]` : v;
  if (depth > 20 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => capStrings(x, max, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = capStrings(x, max, depth + 1);
  return out;
}

/** A string value or undefined (empty strings count as missing). */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** True for a non-null, non-array object. */
export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Token usage as Tether's metrics read it (`usage: {input, output, cacheRead, cacheCreation}`, see events/reduce.ts)
 * from an Anthropic API `usage` object (`input_tokens`, `output_tokens`, `cache_read_input_tokens`,
 * `cache_creation_input_tokens`). Undefined when there is no usage.
 */
export function toUsage(
  u: unknown,
): { input: number; output: number; cacheRead: number; cacheCreation: number } | undefined {
  if (!isObj(u)) return undefined;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return {
    input: n(u.input_tokens),
    output: n(u.output_tokens),
    cacheRead: n(u.cache_read_input_tokens),
    cacheCreation: n(u.cache_creation_input_tokens),
  };
}

/** The text of a tool result's `content` (a string, or blocks of which text blocks are joined; images become `[image]`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((b) =>
      isObj(b)
        ? b.type === 'text'
          ? String(b.text ?? '')
          : b.type === 'image'
            ? '[image]'
            : JSON.stringify(b)
        : String(b),
    )
    .join('\n');
}
