/**
 * The action and usage rules of @tether/protocol as SQL over an events row's `data`, built from the same lists. Since
 * the derived columns (storage/append-decision.ts `derivedColumns`, computed in TypeScript at append time), this SQL
 * only fills those columns for rows stored before them, in the migrations of both engines (SQLite 7, PostgreSQL 9);
 * test/rules-sql.test.ts evaluates it on both engines against the TypeScript functions, so old and new rows agree:
 * - {@link toolNameSql}: `toolCallName` (actions.ts) — the tool call's name, or NULL when the action is not a tool call;
 * - {@link toolErrorSql}: `isToolError` (actions.ts) — true when the action reports a failure;
 * - {@link usageSql}: `usageCounts(eventUsage(data))` (usage.ts) — input or output tokens, 0 when none.
 */
import {
  ERROR_FLAG_FIELDS,
  ERROR_STATUSES,
  INPUT_TOKEN_FIELDS,
  OUTPUT_TOKEN_FIELDS,
  TOOL_CALL_TYPES,
  TOOL_FIELDS,
  USAGE_KINDS,
} from '@tether/protocol';

type Dialect = 'sqlite' | 'postgres';

/** A string literal for SQL (the lists are constants of ours, but quote them properly anyway). */
function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A non-empty JSON string field of `data` as SQL text, else NULL. */
function text(dialect: Dialect, field: string): string {
  return dialect === 'sqlite'
    ? `(CASE WHEN json_type(data, '$.${field}') = 'text' THEN nullif(json_extract(data, '$.${field}'), '') END)`
    : `(CASE WHEN jsonb_typeof(data->'${field}') = 'string' THEN nullif(data->>'${field}', '') END)`;
}

/** SQL: the name an action counts under in tool usage, or NULL when it is not a tool call. */
export function toolNameSql(dialect: Dialect): string {
  const tool = `coalesce(${TOOL_FIELDS.map((f) => text(dialect, f)).join(', ')})`;
  const type = text(dialect, 'type');
  const isToolCall = `(${tool} IS NOT NULL OR ${type} IN (${TOOL_CALL_TYPES.map(lit).join(', ')}) OR ${text(dialect, 'mcpServer')} IS NOT NULL)`;
  return `(CASE WHEN ${isToolCall} THEN coalesce(${tool}, ${type}, '(none)') END)`;
}

/** JSON type of `data.<path>` as SQL text ('null', 'true', 'false', 'text'/'string', 'integer'/'real'/'number', …), NULL when absent. */
function jtype(dialect: Dialect, path: string[]): string {
  return dialect === 'sqlite'
    ? `json_type(data, '$.${path.join('.')}')`
    : `jsonb_typeof(data #> '{${path.join(',')}}')`;
}

/** SQL: true when the action reports a failure, by `isToolError` of @tether/protocol. */
export function toolErrorSql(dialect: Dialect): string {
  if (dialect === 'sqlite') {
    const t = (f: string) => `json_type(data, '$.${f}')`;
    const error = `(${t('error')} NOT IN ('null', 'false') AND NOT (${t('error')} = 'text' AND json_extract(data, '$.error') = ''))`;
    const flags = ERROR_FLAG_FIELDS.map((f) => `${t(f)} = 'true'`);
    const status = `(${t('status')} = 'text' AND json_extract(data, '$.status') IN (${ERROR_STATUSES.map(lit).join(', ')}))`;
    return `(coalesce(${[error, ...flags, status, `${t('success')} = 'false'`].join(' OR ')}, false))`;
  }
  const v = (f: string) => `data->'${f}'`;
  const error = `(${v('error')} NOT IN ('null'::jsonb, 'false'::jsonb, '""'::jsonb))`;
  const flags = ERROR_FLAG_FIELDS.map((f) => `${v(f)} = 'true'::jsonb`);
  const status = `(${v('status')} IN (${ERROR_STATUSES.map((x) => `${lit(JSON.stringify(x))}::jsonb`).join(', ')}))`;
  return `(coalesce(${[error, ...flags, status, `${v('success')} = 'false'::jsonb`].join(' OR ')}, false))`;
}

/** SQL: the input or output tokens an event's data carries, by `usageCounts(eventUsage(data))` of @tether/protocol. */
export function usageSql(dialect: Dialect, which: 'input' | 'output'): string {
  const fields = which === 'input' ? INPUT_TOKEN_FIELDS : OUTPUT_TOKEN_FIELDS;
  const numeric = dialect === 'sqlite' ? "IN ('integer', 'real')" : "= 'number'";
  const value = (path: string[]) =>
    dialect === 'sqlite' ? `json_extract(data, '$.${path.join('.')}')` : `(data #>> '{${path.join(',')}}')::float8`;
  const sum = (obj: string) =>
    fields
      .map((f) => `(CASE WHEN ${jtype(dialect, [obj, f])} ${numeric} THEN ${value([obj, f])} ELSE 0 END)`)
      .join(' + ');
  return `(CASE WHEN coalesce(${jtype(dialect, ['usage'])}, 'null') <> 'null' THEN (CASE WHEN ${jtype(dialect, ['usage'])} = 'object' THEN ${sum('usage')} ELSE 0 END)
    WHEN ${jtype(dialect, ['tokenUsage'])} = 'object' THEN ${sum('tokenUsage')} ELSE 0 END)`;
}

/** SQL: the list of event kinds that may carry usage (`USAGE_KINDS`), for `kind IN (…)`. */
export function usageKindsSql(): string {
  return USAGE_KINDS.map(lit).join(', ');
}
