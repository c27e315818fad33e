/**
 * How an action counts toward the derived metrics. Understands the seed's free-form actions
 * (`{type: 'bash_command'}`, `{type: 'file_write'}`) and tool calls (`{tool: 'Bash'}`, Claude Code's tool names,
 * MCP tools named `mcp__<server>__<tool>` as Claude Code names them).
 */
export interface ActionClass {
  tool: string | undefined;
  toolCall: boolean;
  bash: boolean;
  fileWrite: boolean;
  mcp: boolean;
  error: boolean;
}

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'str_replace_based_edit_tool', 'write_file', 'edit_file']);
const FILE_TYPES = new Set(['file_write', 'file_edit', 'file_modified', 'file_create']);
const BASH_TOOLS = new Set(['Bash', 'bash', 'shell', 'BashOutput']);
const BASH_TYPES = new Set(['bash', 'bash_command', 'shell_command', 'command']);
const TOOL_TYPES = new Set(['tool_call', 'tool_use', 'tool']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function classifyAction(data: Record<string, unknown>): ActionClass {
  const tool = str(data.tool) ?? str(data.toolName) ?? str(data.tool_name);
  const type = str(data.type);
  const bash = (tool !== undefined && BASH_TOOLS.has(tool)) || (type !== undefined && BASH_TYPES.has(type));
  const fileWrite = (tool !== undefined && FILE_TOOLS.has(tool)) || (type !== undefined && FILE_TYPES.has(type));
  const mcp = (tool !== undefined && tool.startsWith('mcp__')) || type === 'mcp_call' || str(data.mcpServer) !== undefined;
  const toolCall = tool !== undefined || (type !== undefined && TOOL_TYPES.has(type)) || bash || fileWrite || mcp;
  const error = (data.error !== undefined && data.error !== null && data.error !== false) || data.isError === true || data.is_error === true;
  return { tool, toolCall, bash, fileWrite, mcp, error };
}
