/**
 * Prototype fidelity (issue #11): the prototype's Node hook agent (axios), its dashboard page (fetch, from another
 * origin) and its WebSocket clients against a real `tether serve`, reading the answers the way they read them.
 * The Python hook agent's calls (httpx, `post(url)` without a body) are in python/tests/test_prototype_compat.py,
 * the dashboard's flows in Chromium in packages/server/test/compat/prototype.browser.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { dashboard, nodeAgent } from './compat/prototype-clients.ts';
import { serve, type Served } from './compat/serve.ts';

const ORIGIN = 'http://127.0.0.1:9';
const METADATA_KEYS = [
  '$schema',
  'created',
  'metrics',
  'model',
  'parentSession',
  'sandboxId',
  'sessionId',
  'status',
  'subsessions',
  'tags',
  'tokenUsage',
  'updated',
  'userId',
  'yoloMode',
];
const STATE_KEYS = [
  '$schema',
  'agents',
  'currentStep',
  'errors',
  'expectedOutcome',
  'goals',
  'mcp',
  'phase',
  'priorities',
  'timestamp',
  'version',
  'workspace',
];
const FINAL_KEYS = [
  '$schema',
  'finalResponse',
  'goalsAchieved',
  'metrics',
  'outcome',
  'status',
  'subsessions',
  'timestamp',
];
const keys = (o: object) => Object.keys(o).sort();

/** Opens a prototype WebSocket and collects its messages. */
async function openWs(
  url: string,
): Promise<{ ws: WebSocket; messages: any[]; waitFor(type: string, n?: number): Promise<any> }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'));
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((res, rej) => ws.once('open', res).once('error', rej));
  const waitFor = async (type: string, n = 1) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = messages.filter((m) => m.type === type);
      if (found.length >= n) return found[n - 1];
      if (Date.now() > deadline) throw new Error(`no ${type} message; got ${messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { ws, messages, waitFor };
}

describe('the prototype clients against tether serve', () => {
  let srv: Served;
  before(async () => {
    srv = await serve({ TETHER_CORS_ORIGINS: ORIGIN });
  });
  after(async () => srv.stop());

  it('Node hook agent (axios defaults): every call answers what the prototype answered', async () => {
    const sid = 'node-agent-1';
    const page = dashboard(srv.url);
    const created = await page.createTestSession(sid);
    assert.equal(created.response.status, 200);
    assert.deepEqual(created.json, { success: true, sessionId: sid, path: `sessions/${sid}` });

    const live = await openWs(`${srv.url}/ws?session=${sid}&user=alice`);
    assert.deepEqual(keys(await live.waitFor('connected')), ['sessionId', 'timestamp', 'type', 'userId']);
    assert.equal(live.messages[0].sessionId, sid);
    const ws = ((await (await fetch(`${srv.url}/health`)).json()) as any).websocket;
    assert.deepEqual(
      ws,
      { totalConnections: 1, users: 1, sessions: 1 },
      "the prototype's /health counts its WebSocket clients",
    );

    const agent = nodeAgent(srv.url, sid);
    assert.equal(await agent.testConnection(), true);
    assert.deepEqual(await agent.logAction({ type: 'tool_call', tool: 'Bash', input: { command: 'ls' } }), {
      success: true,
    });
    assert.deepEqual(await agent.logAction({ type: 'bash_exec', command: 'ls' }), { success: true });
    assert.deepEqual(await agent.logAction({ type: 'file_write', path: 'a.txt' }), { success: true });
    assert.deepEqual(await agent.logResponse({ type: 'text', content: 'done' }), { success: true });
    assert.deepEqual(
      await agent.updateState({ phase: 'execution', currentStep: 'processing', workspace: { cwd: '/app' } }),
      { success: true },
    );
    assert.deepEqual(await agent.addGoal({ description: 'Process data', priority: 'high' }), { success: true });
    assert.deepEqual(await agent.addGoal({ description: 'Report' }), { success: true });
    assert.deepEqual(await agent.updateGoal('goal-1', { status: 'completed' }), { success: true });
    const spawned = await agent.spawnAgent({ type: 'processor', task: 'crunch' });
    assert.deepEqual(keys(spawned), ['agentId', 'spawnedAt', 'status', 'subsession', 'task', 'type']);
    assert.match(spawned.agentId, /^agent-processor-[0-9a-z]+$/);
    assert.equal(spawned.status, 'spawned');
    assert.equal(spawned.subsession, null);
    assert.deepEqual(await agent.completeAgent(spawned.agentId), { success: true });

    // Live messages as the prototype's hub sent them: {type, sessionId, data, timestamp}.
    const action = await live.waitFor('action');
    assert.deepEqual(keys(action), ['data', 'sessionId', 'timestamp', 'type']);
    assert.deepEqual(action.data, { type: 'tool_call', tool: 'Bash', input: { command: 'ls' } });
    assert.deepEqual((await live.waitFor('response')).data, { type: 'text', content: 'done' });
    assert.deepEqual((await live.waitFor('state_updated')).data, {
      phase: 'execution',
      currentStep: 'processing',
      workspace: { cwd: '/app' },
    });
    const goalAdded = await live.waitFor('goal_added');
    assert.deepEqual(goalAdded.data, {
      description: 'Process data',
      priority: 'high',
      id: 'goal-1',
      status: 'pending',
    });
    assert.deepEqual((await live.waitFor('goal_updated')).data, { goalId: 'goal-1', status: 'completed' });
    assert.deepEqual((await live.waitFor('agent_spawned')).data, spawned);
    assert.deepEqual((await live.waitFor('agent_completed')).data, { agentId: spawned.agentId });

    const state = (await page.loadSessionState(sid)).json;
    assert.deepEqual(keys(state), STATE_KEYS);
    assert.equal(state.$schema, 'session-state-v1');
    assert.deepEqual(state.priorities, { current: null, queue: [], blocked: [] });
    assert.deepEqual(state.workspace, { cwd: '/app', filesCreated: [], filesModified: [], gitStatus: {} });
    assert.deepEqual(state.mcp, { swarm: {}, memory: { keys: [] } });
    assert.deepEqual(state.expectedOutcome, {});
    assert.equal(state.phase, 'execution');
    assert.deepEqual(
      state.goals.map((g: any) => [g.id, g.status, g.priority || 'normal', g.description]),
      [
        ['goal-1', 'completed', 'high', 'Process data'],
        ['goal-2', 'pending', 'normal', 'Report'],
      ],
    );
    assert.deepEqual(keys(state.goals[1]), ['description', 'id', 'status']);
    assert.ok(state.goals[0].completedAt);
    assert.deepEqual(state.agents.active, []);
    assert.deepEqual(state.agents.completed, [spawned.agentId]);
    assert.equal(state.agents.spawned[0].status, 'completed');
    assert.equal(state.version, 7);

    // finalizeSession({status: 'success', outcome}): free-text status, final.json, the session completed with a duration.
    assert.deepEqual(await agent.finalizeSession({ status: 'success', outcome: 'all good', response: 'bye' }), {
      success: true,
    });
    const finalized = await live.waitFor('session_finalized');
    assert.equal(finalized.data.status, 'success');

    const restore = (await (await fetch(`${srv.url}/api/sessions/${sid}`)).json()) as any;
    assert.deepEqual(keys(restore), ['actions', 'final', 'initial', 'metadata', 'responses', 'state']);
    assert.deepEqual(keys(restore.metadata), [...METADATA_KEYS, 'duration'].sort());
    assert.equal(restore.metadata.status, 'completed');
    assert.equal(typeof restore.metadata.duration, 'number');
    assert.equal(restore.metadata.model, 'claude-sonnet-4.5');
    assert.equal(restore.metadata.yoloMode, true);
    assert.deepEqual(restore.metadata.tokenUsage, { input: 0, output: 0, total: 0 });
    assert.deepEqual(restore.metadata.metrics, {
      agentsSpawned: 1,
      toolCalls: 1,
      mcpCalls: 0,
      filesModified: 1,
      bashCommands: 1,
    });
    assert.deepEqual(keys(restore.initial), ['$schema', 'config', 'input', 'source', 'timestamp']);
    assert.deepEqual(restore.state, { ...state, version: state.version });
    assert.deepEqual(
      restore.actions.map((a: any) => [a.seq, a.type]),
      [
        [1, 'tool_call'],
        [2, 'bash_exec'],
        [3, 'file_write'],
      ],
    );
    assert.deepEqual(keys(restore.actions[0]), ['input', 'seq', 'timestamp', 'tool', 'type']);
    assert.deepEqual(restore.responses, [
      { seq: 1, timestamp: restore.responses[0].timestamp, type: 'text', content: 'done' },
    ]);
    assert.deepEqual(keys(restore.final), FINAL_KEYS);
    assert.equal(restore.final.status, 'success');
    assert.equal(restore.final.outcome, 'all good');
    assert.equal(restore.final.finalResponse, 'bye');
    assert.deepEqual(
      restore.final.goalsAchieved.map((g: any) => g.id),
      ['goal-1'],
    );
    assert.deepEqual(restore.final.metrics, restore.metadata.metrics);
    live.ws.close();
  });

  it('dashboard page (fetch from another origin): arrays, field names, data.total', async () => {
    const page = dashboard(srv.url, ORIGIN);
    const broadcast = await openWs(`${srv.url}/ws`);
    await broadcast.waitFor('connected');
    const created = await page.createTestSession('dash-1');
    assert.equal(created.response.headers.get('access-control-allow-origin'), ORIGIN);
    const sc = await broadcast.waitFor('session_created');
    assert.deepEqual(sc, {
      type: 'session_created',
      data: { sessionId: 'dash-1', userId: 'test-user' },
      timestamp: sc.timestamp,
    });
    await nodeAgent(srv.url, 'dash-1').logAction({ type: 'tool_call', tool: 'Read' });

    const stats = await page.loadStats();
    assert.equal(stats.response.headers.get('access-control-allow-origin'), ORIGIN);
    assert.deepEqual(keys(stats.json), ['active', 'activeSessions', 'completed', 'completedSessions', 'total']);
    assert.equal(stats.json.total, 2);
    assert.equal(stats.json.active, 1);
    assert.equal(stats.json.completed, 1);
    assert.deepEqual(stats.json.activeSessions, ['dash-1']);
    assert.deepEqual(stats.json.completedSessions, ['node-agent-1']);

    const recent = (await page.loadRecentSessions()).json;
    assert.ok(Array.isArray(recent));
    assert.deepEqual(
      recent.map((s: any) => [s.sessionId, s.userId, s.status]),
      [
        ['dash-1', 'test-user', 'active'],
        ['node-agent-1', 'test-user', 'completed'],
      ],
    );
    assert.deepEqual(keys(recent[0]), METADATA_KEYS);
    assert.ok(!Number.isNaN(new Date(recent[0].created).getTime()));

    const actions = (await page.loadSessionActions('dash-1')).json;
    assert.deepEqual(
      actions.map((a: any) => [a.seq, a.type, a.tool]),
      [[1, 'tool_call', 'Read']],
    );
    assert.deepEqual((await page.loadSessionResponses('dash-1')).json, []);
    const st = (await page.loadSessionState('dash-1')).json;
    assert.deepEqual([st.goals, st.agents.spawned], [[], []]);

    const users = (await (await fetch(`${srv.url}/api/sessions/user/test-user`)).json()) as any[];
    assert.deepEqual(
      users.map((u) => keys(u)),
      [
        ['created', 'sessionId', 'userId'],
        ['created', 'sessionId', 'userId'],
      ],
    );
    const active = (await (await fetch(`${srv.url}/api/query/active`)).json()) as any[];
    assert.deepEqual(
      active.map((s) => s.sessionId),
      ['dash-1'],
    );
    broadcast.ws.close();
  });

  it('Tether keeps its own shapes on /api/v1, and the old unversioned Tether paths still answer', async () => {
    const v1 = (await (await fetch(`${srv.url}/api/v1/sessions/node-agent-1`)).json()) as any;
    assert.equal(v1.sessionId, 'node-agent-1');
    assert.equal(v1.metadata.metadata.metrics.actions, 3);
    assert.equal(v1.state.goals[0].goalId, 'goal-1');
    const list = (await (await fetch(`${srv.url}/api/sessions?limit=1`)).json()) as any;
    assert.ok(Array.isArray(list.sessions) && 'nextCursor' in list);
    const stats = (await (await fetch(`${srv.url}/api/v1/query/stats`)).json()) as any;
    assert.equal(stats.totalSessions, 2);
  });

  it('PATCH metadata as the prototype\'s updateMetadata: dotted keys set (replace), "+N" adds, live message is the body', async () => {
    const sid = 'meta-keys-1';
    const json = (r: Response) => r.json() as Promise<any>;
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${srv.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal(
      (await call('POST', '/api/sessions', { sessionId: sid, userId: 'u', initial: { source: 't' } })).status,
      200,
    );
    const live = await openWs(`${srv.url}/ws?session=${sid}`);
    await live.waitFor('connected');
    const patch = async (body: unknown) => {
      const r = await call('PATCH', `/api/sessions/${sid}/metadata`, body);
      assert.equal(r.status, 200, JSON.stringify(await r.clone().json()));
      assert.deepEqual(await json(r), { success: true });
    };
    await patch({ 'tokenUsage.input': '+5', 'custom.deep': { a: 1, keep: true }, project: 'x' });
    await patch({ 'tokenUsage.input': '+7', 'tokenUsage.output': 3, 'custom.deep': { b: 2 } });
    const md = (await json(await call('GET', `/api/sessions/${sid}`))).metadata;
    assert.equal(md.tokenUsage.input, 12);
    assert.equal(md.tokenUsage.output, 3);
    assert.deepEqual(
      md.custom,
      { deep: { b: 2 } },
      'a dotted key replaces the value at its path, as the prototype did',
    );
    assert.equal(md.project, 'x');
    const msg = await live.waitFor('metadata_updated', 2);
    assert.deepEqual(
      live.messages.filter((m) => m.type === 'metadata_updated').map((m) => m.data),
      [
        { 'tokenUsage.input': '+5', 'custom.deep': { a: 1, keep: true }, project: 'x' },
        { 'tokenUsage.input': '+7', 'tokenUsage.output': 3, 'custom.deep': { b: 2 } },
      ],
    );
    assert.ok(msg);
    live.ws.close();
    for (const bad of [
      { 'metrics.toolCalls': '+1' },
      { '__proto__.x': 1 },
      { 'project.sub': 1 },
      { 'a..b': 1 },
      { 'custom.deep.b': '+1', x: 1, 'custom.deep.b.c': 1 },
    ]) {
      const r = await call('PATCH', `/api/sessions/${sid}/metadata`, bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal((await json(r)).code, 'validation_failed');
    }
    assert.equal(
      (await json(await call('GET', `/api/sessions/${sid}`))).metadata.tokenUsage.input,
      12,
      'a refused body changes nothing',
    );
  });

  it('bad input: ids never become paths, bodies are checked, errors are problem+json with the right 4xx', async () => {
    const post = (
      path: string,
      body: string,
      headers: Record<string, string> = { 'content-type': 'application/json' },
    ) => fetch(`${srv.url}${path}`, { method: 'POST', headers, body });
    const problem = async (r: Response, status: number, code: string) => {
      assert.equal(r.status, status);
      assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(((await r.json()) as any).code, code);
    };
    await problem(await post('/api/actions/..%2F..%2Fetc', '{}'), 400, 'invalid_session_id');
    await problem(
      await post('/api/sessions', JSON.stringify({ sessionId: '../x', userId: 'u', initial: {} })),
      400,
      'validation_failed',
    );
    await problem(await post('/api/sessions', JSON.stringify({ sessionId: 'x' })), 400, 'validation_failed');
    await problem(await post('/api/actions/p1', '{"__proto__":{"polluted":true}}'), 400, 'invalid_json');
    await problem(await post('/api/state/p1/goals', '{"constructor":{"prototype":{"x":1}}}'), 400, 'invalid_json');
    await problem(
      await post('/api/actions/p1', JSON.stringify({ big: 'x'.repeat(2 * 1024 * 1024) })),
      413,
      'payload_too_large',
    );
    await problem(await fetch(`${srv.url}/api/state/nope`), 404, 'session_not_found');
    await problem(await fetch(`${srv.url}/api/sessions/nope`), 404, 'session_not_found');
    await problem(await post('/api/sessions/nope/finalize', '{}'), 404, 'session_not_found');
    await problem(await post('/api/sessions/node-agent-1/finalize', '{"status":5}'), 400, 'validation_failed');
    await problem(await post('/api/state/node-agent-1/agents/ghost/complete', ''), 404, 'agent_not_found');
    await problem(await post('/api/state/node-agent-1/agents/ghost/complete', '[1]'), 400, 'validation_failed');
    assert.equal(Object.hasOwn({}, 'polluted'), false);
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws?session=../etc`);
    const [status, body] = await new Promise<[number, string]>((res) =>
      ws
        .once('unexpected-response', (_req, r) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c)).on('end', () => res([r.statusCode ?? 0, text]));
        })
        .once('open', () => res([101, ''])),
    );
    assert.equal(status, 400);
    const p = JSON.parse(body);
    assert.equal(p.code, 'invalid_session_id');
    assert.equal(p.instance, '/ws');
  });
});

describe('big arrays are capped and paged (TETHER_RESPONSE_MAX_ITEMS)', () => {
  let srv: Served;
  before(async () => {
    srv = await serve({ TETHER_RESPONSE_MAX_ITEMS: '5' });
  });
  after(async () => srv.stop());

  it('the array keeps its shape, Link rel="next" pages on, restore links to both logs', async () => {
    const agent = nodeAgent(srv.url, 'paged');
    for (let i = 0; i < 12; i++) await agent.logAction({ type: 'tool_call', n: i });
    for (let i = 0; i < 3; i++) await agent.logResponse({ type: 'text', n: i });
    const first = await fetch(`${srv.url}/api/actions/paged`);
    const page1 = (await first.json()) as any[];
    assert.deepEqual(
      page1.map((a) => a.seq),
      [1, 2, 3, 4, 5],
    );
    const link = first.headers.get('link')!;
    assert.equal(link, '</api/actions/paged?offset=5>; rel="next"');
    const second = await fetch(srv.url + /<([^>]+)>/.exec(link)![1]!);
    assert.deepEqual(
      ((await second.json()) as any[]).map((a) => [a.seq, a.n]),
      [
        [6, 5],
        [7, 6],
        [8, 7],
        [9, 8],
        [10, 9],
      ],
    );
    const third = await fetch(srv.url + /<([^>]+)>/.exec(second.headers.get('link')!)![1]!);
    assert.deepEqual(
      ((await third.json()) as any[]).map((a) => a.seq),
      [11, 12],
    );
    assert.equal(third.headers.get('link'), null);
    const limited = await fetch(`${srv.url}/api/actions/paged?limit=2`);
    assert.deepEqual(
      ((await limited.json()) as any[]).map((a) => a.seq),
      [1, 2],
    );
    const restore = await fetch(`${srv.url}/api/sessions/paged`);
    const body = (await restore.json()) as any;
    assert.equal(body.actions.length, 5);
    assert.equal(body.responses.length, 3);
    assert.equal(restore.headers.get('link'), '</api/actions/paged?offset=5>; rel="next"; title="actions"');
  });
});
