/**
 * One rule, three places: the analytics SQL of both engines (storage/tool-sql.ts) must say what the TypeScript functions
 * of @tether/protocol say — tool call name (`toolCallName`), tool error (`isToolError`), token usage
 * (`usageCounts(eventUsage(data))`) — for every sample below, on SQLite and on a real PostgreSQL; and the derived
 * columns stored at append time equal the ones the migrations fill from that SQL for rows stored before them.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { eventUsage, isToolError, toolCallName, usageCounts } from '@tether/protocol';
import { toolErrorSql, toolNameSql, usageSql } from '../src/storage/tool-sql.js';
import { derivedColumns } from '../src/storage/append-decision.js';
import { PostgresStore, SqliteStore, type AppendItem } from '../src/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Every sample as an action and as a response of one session, in one batch. */
const sampleItems = (): AppendItem[] =>
  SAMPLES.flatMap((data, i) =>
    (['action', 'response'] as const).map((kind) => ({
      input: { sessionId: 'derived', kind, data, id: `${kind}-${i}` },
      autoCreate: true,
      receivedAt: new Date().toISOString(),
    })),
  );

const COLUMNS = 'SELECT event_id, kind, tool, tool_error, tokens_in, tokens_out FROM events ORDER BY seq';
type ColumnRow = {
  event_id: string;
  kind: string;
  tool: unknown;
  tool_error: unknown;
  tokens_in: unknown;
  tokens_out: unknown;
};
/** The derived columns as derivedColumns (storage/append-decision.ts) states them, per stored row (SQLite's 0/1 and
 * PostgreSQL's boolean tool_error both as 0/1). */
const asDerived = (rows: ColumnRow[]) =>
  rows.map((r) => ({
    id: r.event_id,
    tool: r.tool,
    toolError: r.tool_error === null ? null : r.tool_error ? 1 : 0,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
  }));
const expectedDerived = (rows: ColumnRow[]) =>
  rows.map((r) => {
    const m = /^(action|response)-(\d+)$/.exec(r.event_id);
    return { id: r.event_id, ...derivedColumns(r.kind, m ? SAMPLES[Number(m[2])]! : { autoCreated: true }) };
  });

describe('derived columns: appended rows and rows filled by the migration agree', () => {
  it('on SQLite (migration 7)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-derived-'));
    const file = join(dir, 'tether.db');
    try {
      let store = new SqliteStore({ file, writerThread: false });
      await store.append(sampleItems());
      await store.close();
      const db = new Database(file);
      const rows = db.prepare(COLUMNS).all() as ColumnRow[];
      const appended = asDerived(rows);
      assert.deepEqual(appended, expectedDerived(rows), 'append time');
      // Back to a database of before migration 7: the columns do not exist yet.
      for (const c of ['tool', 'tool_error', 'tokens_in', 'tokens_out']) db.exec(`ALTER TABLE events DROP COLUMN ${c}`);
      db.pragma('user_version = 6');
      db.close();
      store = new SqliteStore({ file, writerThread: false });
      await store.close();
      const again = new Database(file, { readonly: true });
      const filled = asDerived(again.prepare(COLUMNS).all() as ColumnRow[]);
      again.close();
      assert.deepEqual(filled, appended, 'filled by the migration');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL (migration 9)', async () => {
    const schema = `tether_derived_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      let store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 2 });
      await store.append(sampleItems());
      await store.close();
      const read = async () => (await admin.query<ColumnRow>(`${COLUMNS.replace('events', `${schema}.events`)}`)).rows;
      const rows = await read();
      const appended = asDerived(rows);
      assert.deepEqual(appended, expectedDerived(rows), 'append time');
      await admin.query(
        `ALTER TABLE ${schema}.events DROP COLUMN tool, DROP COLUMN tool_error, DROP COLUMN tokens_in, DROP COLUMN tokens_out`,
      );
      await admin.query(`DELETE FROM ${schema}.tether_migrations WHERE version = 9`);
      store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, poolSize: 2 });
      await store.close();
      assert.deepEqual(asDerived(await read()), appended, 'filled by the migration');
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});
