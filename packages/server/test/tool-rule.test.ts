/**
 * One rule for "tool call": the analytics route's tool usage (SQL in each storage adapter) counts exactly the actions
 * the session metrics count as tool calls (`classifyAction` / `toolCallName` of @tether/protocol), on SQLite and on the
 * real PostgreSQL. Before, analytics counted every action type (`task_start`, `decision`…) as a tool.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { toolCallName } from '@tether/protocol';
import { startTestServer, type TestServer } from './helpers.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';

/** Actions of every shape the rule distinguishes: named tools, tool-ish types, plain steps, odd values. */
const ACTIONS: Array<Record<string, unknown>> = [
  { tool: 'Bash', input: { command: 'ls' } },
  { tool: 'Bash', input: { command: 'false' }, error: 'exit 1' },
  { toolName: 'Read' },
  { tool_name: 'mcp__memory__get' },
  { type: 'bash_command', details: { command: 'make' } },
  { type: 'file_write', details: { path: 'a.txt' } },
  { type: 'tool_call', name: 'search' },
  { type: 'mcp_call' },
  { mcpServer: 'swarm', type: 'dispatch' },
  { type: 'task_start', details: { task: 'x' } },
  { type: 'decision', details: { choice: 'b' } },
  { type: 'llm_call' },
  { tool: '', type: 'task_end' },
  { tool: 42, type: 'progress' },
  { details: 'no type at all' },
];

function expectedTools(): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of ACTIONS) {
    const name = toolCallName(a);
    if (name !== undefined) m.set(name, (m.get(name) ?? 0) + 1);
  }
  return m;
}

async function check(s: TestServer): Promise<void> {
  const sid = `tools-${Date.now().toString(36)}`;
  assert.equal((await s.req('POST', '/api/v1/sessions', { sessionId: sid })).status, 201);
  const r = await s.req('POST', '/api/v1/ingest', {
    events: ACTIONS.map((data) => ({ sessionId: sid, kind: 'action', data })),
  });
  assert.equal(r.body.rejected, 0, JSON.stringify(r.body));
  const metrics = (await s.req('GET', `/api/v1/sessions/${sid}`)).body.metadata.metadata.metrics;
  const a = (await s.req('GET', '/api/v1/query/analytics')).body;
  const got = new Map<string, number>(a.tools.map((t: { tool: string; calls: number }) => [t.tool, t.calls]));
  assert.deepEqual(
    Object.fromEntries(got),
    Object.fromEntries(expectedTools()),
    'analytics groups tool calls by the shared rule',
  );
  assert.equal(a.toolCalls, metrics.toolCalls, 'analytics and session metrics agree on the number of tool calls');
  assert.equal(metrics.toolCalls, 9);
  assert.equal(metrics.actions, ACTIONS.length);
  assert.ok(!got.has('task_start') && !got.has('decision') && !got.has('(none)'), 'plain steps are not tools');
}

describe('tool usage: one rule for analytics and session metrics', () => {
  it('SQLite', async () => {
    const s = await startTestServer();
    try {
      await check(s);
    } finally {
      await s.stop();
    }
  });

  const schema = `tether_t${process.pid}_tools_${Date.now().toString(36)}`;
  after(async () => {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
  it('PostgreSQL', async () => {
    const u = new URL(DATABASE_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    const s = await startTestServer({ storage: 'postgres', databaseUrl: u.toString() });
    try {
      await check(s);
    } finally {
      await s.stop();
    }
  });
});
