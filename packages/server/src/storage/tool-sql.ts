/**
 * The tool-usage rule of @tether/protocol (`toolCallName`, packages/protocol/src/actions.ts) as SQL, built from the same
 * lists, so the analytics route's `tools` / `toolCalls` count exactly the actions the session metrics count as tool
 * calls. `toolNameSql(dialect)` is an expression over an events row's `data`: the tool call's name, or NULL when the
 * action is not a tool call (filter on `IS NOT NULL`).
 */
import { TOOL_CALL_TYPES, TOOL_FIELDS } from '@tether/protocol';

/** A string literal for SQL (the lists are constants of ours, but quote them properly anyway). */
function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A non-empty JSON string field of `data` as SQL text, else NULL. */
function text(dialect: 'sqlite' | 'postgres', field: string): string {
  return dialect === 'sqlite'
    ? `(CASE WHEN json_type(data, '$.${field}') = 'text' THEN nullif(json_extract(data, '$.${field}'), '') END)`
    : `(CASE WHEN jsonb_typeof(data->'${field}') = 'string' THEN nullif(data->>'${field}', '') END)`;
}

/** SQL: the name an action counts under in tool usage, or NULL when it is not a tool call. */
export function toolNameSql(dialect: 'sqlite' | 'postgres'): string {
  const tool = `coalesce(${TOOL_FIELDS.map((f) => text(dialect, f)).join(', ')})`;
  const type = text(dialect, 'type');
  const isToolCall = `(${tool} IS NOT NULL OR ${type} IN (${TOOL_CALL_TYPES.map(lit).join(', ')}) OR ${text(dialect, 'mcpServer')} IS NOT NULL)`;
  return `(CASE WHEN ${isToolCall} THEN coalesce(${tool}, ${type}, '(none)') END)`;
}
