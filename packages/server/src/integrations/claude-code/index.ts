/**
 * The Claude Code integration: hook mapping (`POST /api/hooks/claude-code`) and transcript mapping
 * (`tether import claude-code`). Everything exported here is re-exported by @tether/server and is public API.
 */
export {
  CLAUDE_CODE_SESSION_TYPE,
  CLAUDE_CODE_HOOK_PATH,
  CLAUDE_CODE_HOOK_EVENTS,
  CLAUDE_CODE_TOOL_EVENTS,
  HOOK_TIME_HEADER,
  SPAWN_TOOLS,
  childSessionId,
  ccEventId,
  type ClaudeCodeHookEvent,
} from './shared.js';
export { mapClaudeHook, hookSessionIds, type HookSessionView, type RunningTool } from './map-hook.js';
export {
  describeTranscript,
  transcriptToEvents,
  promptOf,
  type TranscriptLine,
  type TranscriptInfo,
  type SubagentRef,
  type TranscriptOptions,
  type TranscriptCounts,
  type TranscriptProblem,
} from './transcript.js';
export { claudeCodeHookRoute, HOOK_BODY_LIMIT } from './route.js';
