/**
 * What an action is, counted the same way everywhere: the session metrics (`metadata.metrics.toolCalls`, `bashCommands`,
 * `filesModified`, `mcpCalls`, `toolErrors`, folded by the server), the analytics route's tool usage (SQL built by the
 * storage adapters from the lists below: packages/server/src/storage/{sqlite,postgres}/…-queries.ts) and the dashboard.
 *
 * Understands the seed's free-form actions (`{type: 'bash_command'}`, `{type: 'file_write'}`) and tool calls
 * (`{tool: 'Bash'}`, also `toolName` / `tool_name`; Claude Code's tool names; MCP tools named `mcp__<server>__<tool>`).
 * An action is a **tool call** when it names a tool, or its `type` is one of {@link TOOL_CALL_TYPES}, or it names an
 * `mcpServer`. Anything else (`{type: 'task_start'}`, `{type: 'decision'}`) is an action but not a tool call.
 */

/** Tool names that write files. */
export const FILE_TOOLS: readonly string[] = [
  'Write',
  'Edit',
  'MultiEdit',
  'NotebookEdit',
  'str_replace_based_edit_tool',
  'write_file',
  'edit_file',
];
/** Action `type`s that write files. */
export const FILE_TYPES: readonly string[] = ['file_write', 'file_edit', 'file_modified', 'file_create'];
/** Tool names that run shell commands. */
export const BASH_TOOLS: readonly string[] = ['Bash', 'bash', 'shell', 'BashOutput'];
/** Action `type`s that run shell commands. */
export const BASH_TYPES: readonly string[] = ['bash', 'bash_command', 'shell_command', 'command'];
/** Action `type`s that are a generic tool call. */
export const TOOL_TYPES: readonly string[] = ['tool_call', 'tool_use', 'tool'];
/** The action `type` of an MCP call without a tool name. */
export const MCP_TYPE = 'mcp_call';
/** Every `type` that makes an action without a tool name a tool call. */
export const TOOL_CALL_TYPES: readonly string[] = [...TOOL_TYPES, ...BASH_TYPES, ...FILE_TYPES, MCP_TYPE];
/** The fields, in order, that name an action's tool. */
export const TOOL_FIELDS = ['tool', 'toolName', 'tool_name'] as const;

/** How one action counts toward the metrics. */
export interface ActionClass {
  /** The tool the action names (`tool`, `toolName` or `tool_name`; a non-empty string), if any. */
  tool: string | undefined;
  /** True when the action is a tool call (rule in the module comment). */
  toolCall: boolean;
  bash: boolean;
  fileWrite: boolean;
  mcp: boolean;
  /** The action reports a failure ({@link isToolError}). */
  error: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** The tool an action's data names (`tool`, then `toolName`, then `tool_name`), or undefined. */
export function actionTool(data: Record<string, unknown>): string | undefined {
  return str(data.tool) ?? str(data.toolName) ?? str(data.tool_name);
}

/**
 * The tool-call rule of the module comment, given the action's {@link actionTool} and non-empty `type`: shared by
 * {@link classifyAction} and {@link toolCallName} (which runs on every appended action and needs nothing else).
 */
function isToolCall(data: Record<string, unknown>, tool: string | undefined, type: string | undefined): boolean {
  return (
    tool !== undefined || (type !== undefined && TOOL_CALL_TYPES.includes(type)) || str(data.mcpServer) !== undefined
  );
}

/** Classifies an action's `data` (see the module comment). Pure; never throws. */
export function classifyAction(data: Record<string, unknown>): ActionClass {
  const tool = actionTool(data);
  const type = str(data.type);
  const bash = (tool !== undefined && BASH_TOOLS.includes(tool)) || (type !== undefined && BASH_TYPES.includes(type));
  const fileWrite =
    (tool !== undefined && FILE_TOOLS.includes(tool)) || (type !== undefined && FILE_TYPES.includes(type));
  const mcp =
    (tool !== undefined && tool.startsWith('mcp__')) || type === MCP_TYPE || str(data.mcpServer) !== undefined;
  return { tool, toolCall: isToolCall(data, tool, type), bash, fileWrite, mcp, error: isToolError(data) };
}

/** The fields that say "this action failed" when they are `true` (Claude Code and MCP results: `is_error`, `isError`). */
export const ERROR_FLAG_FIELDS = ['isError', 'is_error'] as const;
/** `status` values that say an action failed. */
export const ERROR_STATUSES: readonly string[] = ['error', 'failed'];

/**
 * True when an action reports that it failed: `error` is set (anything but null, false or ""), or `isError` /
 * `is_error` is `true`, or `status` is "error" / "failed", or `success` is `false`. The one rule for the session
 * metrics (`toolErrors`), the analytics route's per-tool `errors` (SQL from the same lists:
 * packages/server/src/storage/tool-sql.ts) and the dashboard's error marks. Pure; never throws.
 */
export function isToolError(data: Record<string, unknown>): boolean {
  const e = data.error;
  if (e !== undefined && e !== null && e !== false && e !== '') return true;
  for (const f of ERROR_FLAG_FIELDS) if (data[f] === true) return true;
  return (typeof data.status === 'string' && ERROR_STATUSES.includes(data.status)) || data.success === false;
}

/**
 * The name a tool call is counted under in tool usage (analytics): its tool, else its `type`, else `(none)`;
 * undefined when the action is not a tool call.
 */
export function toolCallName(data: Record<string, unknown>): string | undefined {
  const tool = actionTool(data);
  const type = str(data.type);
  if (!isToolCall(data, tool, type)) return undefined;
  return tool ?? type ?? '(none)';
}
