/** Every route of the seed prototype's API reference (shared/seeds/002), with the seed's bodies and shapes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Compile } from 'typebox/compile';
import { SessionSummarySchema } from '@tether/protocol';
import { startTestServer, type TestServer } from './helpers.js';

const isSummary = Compile(SessionSummarySchema);

describe('seed API routes', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('GET /health answers the seed shape', async () => {
    const r = await s.req('GET', '/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.equal(typeof r.body.uptime, 'number');
    assert.deepEqual(Object.keys(r.body.websocket).sort(), ['sessions', 'totalConnections', 'users']);
    assert.ok(r.headers.get('x-request-id'));
  });

  it('walks a session through every seed route', async () => {
    const c = await s.req('POST', '/api/v1/sessions', {
      sessionId: 'test-123',
      userId: 'user-alice',
      initial: { task: 'example' },
    });
    assert.equal(c.status, 201);
    assert.equal(c.body.success, true);
    assert.equal(c.body.sessionId, 'test-123');
    assert.ok(isSummary.Check(c.body.session), 'session summary matches the schema');

    const g = await s.req('POST', '/api/v1/state/test-123/goals', { description: 'Process data', priority: 'high' });
    assert.equal(g.status, 201);
    const goalId = g.body.goal.goalId;
    assert.match(goalId, /^goal-/);
    assert.equal(g.body.goal.status, 'pending');

    const a = await s.req('POST', '/api/v1/state/test-123/agents', {
      type: 'backend-dev',
      task: 'Implement authentication',
    });
    assert.equal(a.status, 201);
    const agentId = a.body.agent.agentId;
    assert.equal(a.body.agent.status, 'active');

    const act = await s.req('POST', '/api/v1/actions/test-123', {
      type: 'task_start',
      timestamp: '2026-02-13T10:00:00Z',
      details: { task: 'process_data' },
    });
    assert.equal(act.status, 201);
    assert.equal(act.body.success, true);
    assert.equal(typeof act.body.seq, 'number');
    const resp = await s.req('POST', '/api/v1/actions/test-123/responses', { content: 'done', role: 'assistant' });
    assert.equal(resp.status, 201);

    const st = await s.req('PATCH', '/api/v1/state/test-123', {
      phase: 'execution',
      currentStep: 'processing',
      workspace: { cwd: '/app' },
    });
    assert.equal(st.status, 200);
    assert.equal(st.body.state.phase, 'execution');

    const gu = await s.req('PATCH', `/api/v1/state/test-123/goals/${goalId}`, { status: 'completed' });
    assert.equal(gu.status, 200);
    assert.equal(gu.body.goal.status, 'completed');
    assert.ok(gu.body.goal.completedAt);

    const ac = await s.req('POST', `/api/v1/state/test-123/agents/${agentId}/complete`, { result: 'ok' });
    assert.equal(ac.status, 200);
    assert.equal(ac.body.agent.status, 'completed');

    const md = await s.req('PATCH', '/api/v1/sessions/test-123/metadata', {
      model: 'claude-sonnet-4-5',
      tokenUsage: { input: 10, output: 5, total: 15 },
      project: 'demo',
    });
    assert.equal(md.status, 200);
    assert.equal(md.body.metadata.model, 'claude-sonnet-4-5');
    assert.equal(md.body.metadata.project, 'demo');

    const state = await s.req('GET', '/api/v1/state/test-123');
    assert.equal(state.status, 200);
    for (const key of [
      'sessionId',
      'version',
      'phase',
      'currentStep',
      'goals',
      'priorities',
      'agents',
      'workspace',
      'errors',
    ])
      assert.ok(key in state.body, `state has ${key}`);
    assert.deepEqual(state.body.workspace, { cwd: '/app' });
    assert.deepEqual(state.body.agents.completed, [agentId]);

    const actions = await s.req('GET', '/api/v1/actions/test-123?limit=10');
    assert.equal(actions.status, 200);
    assert.equal(actions.body.count, 1);
    assert.equal(actions.body.actions[0].type, 'task_start');
    assert.deepEqual(actions.body.actions[0].details, { task: 'process_data' });
    assert.equal(actions.body.actions[0].timestamp, '2026-02-13T10:00:00.000Z');
    const responses = await s.req('GET', '/api/v1/actions/test-123/responses');
    assert.equal(responses.body.responses[0].content, 'done');

    const fin = await s.req('POST', '/api/v1/sessions/test-123/finalize', {
      status: 'completed',
      final: { summary: 'all good' },
    });
    assert.equal(fin.status, 200);
    assert.equal(fin.body.status, 'completed');

    const restore = await s.req('GET', '/api/v1/sessions/test-123');
    assert.equal(restore.status, 200);
    assert.deepEqual(Object.keys(restore.body).sort(), [
      'actions',
      'final',
      'initial',
      'metadata',
      'responses',
      'sessionId',
      'state',
    ]);
    assert.deepEqual(restore.body.initial, { task: 'example' });
    assert.equal(restore.body.metadata.status, 'completed');
    assert.ok(restore.body.metadata.endedAt);
    assert.equal(typeof restore.body.metadata.durationMs, 'number');
    assert.deepEqual(restore.body.final, { summary: 'all good' });
    assert.equal(restore.body.actions.length, 1);
    assert.equal(restore.body.responses.length, 1);
    assert.equal(restore.body.metadata.metadata.metrics.agentsSpawned, 1);
    assert.deepEqual(restore.body.metadata.metadata.tokenUsage, { input: 10, output: 5, total: 15 });

    const byUser = await s.req('GET', '/api/v1/sessions/user/user-alice');
    assert.deepEqual(
      byUser.body.sessions.map((x: { sessionId: string }) => x.sessionId),
      ['test-123'],
    );

    await s.req('POST', '/api/v1/actions/live-1', { type: 'ping' });
    const recent = await s.req('GET', '/api/v1/query/recent');
    assert.deepEqual(
      recent.body.sessions.map((x: { sessionId: string }) => x.sessionId),
      ['live-1', 'test-123'],
    );
    const active = await s.req('GET', '/api/v1/query/active');
    assert.deepEqual(
      active.body.sessions.map((x: { sessionId: string }) => x.sessionId),
      ['live-1'],
    );
    const stats = await s.req('GET', '/api/v1/query/stats');
    assert.equal(stats.body.totalSessions, 2);
    assert.equal(stats.body.completedSessions, 1);
    assert.equal(stats.body.activeSessions, 1);
    assert.equal(stats.body.totalActions, 2);

    const del = await s.req('DELETE', '/api/v1/sessions/test-123');
    assert.equal(del.status, 200);
    assert.equal(del.body.deleted, true);
    assert.equal((await s.req('GET', '/api/v1/sessions/test-123')).status, 404);
    assert.equal((await s.req('GET', '/api/v1/state/test-123')).status, 404);
  });

  it('derives metric counters from actions', async () => {
    const id = 'metrics-1';
    for (const body of [
      { tool: 'Bash', input: { command: 'ls' } },
      { type: 'bash_command', command: 'pwd' },
      { tool: 'Write', input: {} },
      { type: 'file_write', path: 'a' },
      { tool: 'mcp__github__create_issue' },
      { tool: 'Read', error: 'ENOENT' },
      { type: 'task_start' },
    ]) {
      await s.req('POST', `/api/v1/actions/${id}`, body);
    }
    const m = (await s.req('GET', `/api/v1/sessions/${id}`)).body.metadata.metadata.metrics;
    assert.deepEqual(
      {
        actions: m.actions,
        toolCalls: m.toolCalls,
        bashCommands: m.bashCommands,
        filesModified: m.filesModified,
        mcpCalls: m.mcpCalls,
        toolErrors: m.toolErrors,
      },
      { actions: 7, toolCalls: 6, bashCommands: 2, filesModified: 2, mcpCalls: 1, toolErrors: 1 },
    );
  });
});
