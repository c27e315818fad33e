/**
 * One rule, three places: the analytics SQL of both engines (storage/tool-sql.ts) must say what the TypeScript functions
 * of @tether/protocol say — tool call name (`toolCallName`), tool error (`isToolError`), token usage
 * (`usageCounts(eventUsage(data))`) — for every sample below, on SQLite and on a real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { eventUsage, isToolError, toolCallName, usageCounts } from '@tether/protocol';
import { toolErrorSql, toolNameSql, usageSql } from '../src/storage/tool-sql.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';

const SAMPLES: Array<Record<string, unknown>> = [
  {},
  { tool: 'Bash' },
  { toolName: 'Read' },
  { tool_name: 'mcp__x__y' },
  { tool: '' },
  { type: 'bash_command' },
  { type: 'decision' },
  { type: 'tool_call' },
  { mcpServer: 'fs' },
  { tool: 5 },
  { type: 'file_write', tool: 'Write' },
  { error: 'boom' },
  { error: '' },
  { error: null },
  { error: false },
  { error: true },
  { error: 0 },
  { error: { message: 'x' } },
  { error: [] },
  { isError: true },
  { isError: false },
  { isError: 1 },
  { is_error: true },
  { status: 'error' },
  { status: 'failed' },
  { status: 'ok' },
  { status: 7 },
  { success: false },
  { success: true },
  { success: 0 },
  { usage: { input_tokens: 10, output_tokens: 3 } },
  { usage: { input: 2, input_tokens: 5, inputTokens: 1, output: 4 } },
  { usage: null, tokenUsage: { input: 7, output: 8 } },
  { usage: 5, tokenUsage: { input: 7 } },
  { tokenUsage: { outputTokens: 9.5 } },
  { usage: { input: '12', output: true } },
  { usage: [1, 2] },
  { usage: { cache_read_input_tokens: 4 } },
  { tool: 'Edit', isError: true, usage: { input_tokens: 1, output_tokens: 2 } },
];

function expected(d: Record<string, unknown>) {
  const u = usageCounts(eventUsage(d));
  return { tool: toolCallName(d) ?? null, error: isToolError(d), input: u.input, output: u.output };
}

describe('the action and usage rules in SQL agree with @tether/protocol', () => {
  it('on SQLite', () => {
    const db = new Database(':memory:');
    const stmt = db.prepare(
      `SELECT ${toolNameSql('sqlite')} AS tool, ${toolErrorSql('sqlite')} AS error, ${usageSql('sqlite', 'input')} AS input, ${usageSql('sqlite', 'output')} AS output FROM (SELECT ? AS data)`,
    );
    for (const d of SAMPLES) {
      const r = stmt.get(JSON.stringify(d)) as { tool: string | null; error: number; input: number; output: number };
      assert.deepEqual({ ...r, error: r.error === 1 }, expected(d), JSON.stringify(d));
    }
    db.close();
  });

  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  after(() => pool.end());
  it('on PostgreSQL', async () => {
    const sql = `SELECT ${toolNameSql('postgres')} AS tool, ${toolErrorSql('postgres')} AS error, (${usageSql('postgres', 'input')})::float8 AS input, (${usageSql('postgres', 'output')})::float8 AS output FROM (SELECT $1::jsonb AS data) t`;
    for (const d of SAMPLES) {
      const { rows } = await pool.query(sql, [JSON.stringify(d)]);
      assert.deepEqual(rows[0], expected(d), JSON.stringify(d));
    }
  });
});
