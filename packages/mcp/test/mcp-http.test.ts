/**
 * The MCP endpoint of a real Tether server, driven by the official TypeScript MCP client over Streamable HTTP:
 * every tool, the resources, annotations, API keys and scopes, bad arguments. MCP writes must be ordinary events
 * (REST API and live feed see them).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../../server/test/helpers.ts';

async function connect(url: string, key?: string): Promise<Client> {
  const client = new Client({ name: 'tether-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(
    new URL('/mcp', url),
    key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : {},
  );
  await client.connect(transport);
  return client;
}

type Result = Awaited<ReturnType<Client['callTool']>>;
function structured(r: Result): any {
  assert.ok(!r.isError, `tool error: ${JSON.stringify(r.content)}`);
  const text = (r.content as Array<{ type: string; text: string }>)[0]!.text;
  assert.deepEqual(JSON.parse(text), r.structuredContent, 'JSON text content equals structuredContent');
  return r.structuredContent;
}
function errorText(r: Result): string {
  assert.equal(r.isError, true, `expected a tool error, got ${JSON.stringify(r.structuredContent ?? r.content)}`);
  return (r.content as Array<{ text: string }>)[0]!.text;
}

function startArgs(over: Record<string, unknown> = {}) {
  return {
    event_version: '1.0',
    event_id: randomUUID(),
    event_type: 'session_start',
    component_name: 'mahavishnu',
    shell_type: 'MahavishnuShell',
    timestamp: new Date().toISOString().replace('Z', '123+00:00'),
    pid: 4242,
    user: { username: 'les', home: '/home/les' },
    hostname: 'box',
    environment: { python_version: '3.13.1', platform: 'Linux-6.5.0-x86_64', cwd: '/home/les/mahavishnu' },
    metadata: {
      component: 'mahavishnu',
      version: '0.5.0',
      adapters: ['prefect'],
      cli_preprocessing_enabled: true,
      tab_completion_enabled: true,
      command_tree_size: 42,
    },
    ...over,
  };
}

describe('MCP over Streamable HTTP, keys off', () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    server = await startTestServer();
    client = await connect(server.url);
  });
  after(async () => {
    await client.close();
    await server.stop();
  });

  it('lists every tool with truthful annotations and the session resources', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const n of [
      'track_session_start',
      'track_session_end',
      'health_check',
      'create_session',
      'log_action',
      'log_response',
      'patch_state',
      'add_goal',
      'update_goal',
      'spawn_agent',
      'complete_agent',
      'finalize_session',
      'get_session',
      'list_sessions',
      'list_events',
      'get_state',
      'search',
      'get_stats',
    ]) {
      assert.ok(byName.has(n), `tool ${n}`);
    }
    for (const n of ['health_check', 'get_session', 'list_sessions', 'list_events', 'get_state', 'search', 'get_stats'])
      assert.equal(byName.get(n)!.annotations?.readOnlyHint, true, n);
    for (const n of ['log_action', 'patch_state', 'finalize_session', 'track_session_start']) {
      assert.equal(byName.get(n)!.annotations?.readOnlyHint, false, n);
      assert.equal(byName.get(n)!.annotations?.destructiveHint, false, n);
    }
    assert.equal(byName.get('log_action')!.annotations?.idempotentHint, false);
    assert.equal(byName.get('track_session_start')!.annotations?.idempotentHint, true);
    const start = byName.get('track_session_start')!;
    assert.deepEqual(Object.keys(start.inputSchema.properties ?? {}).sort(), [
      'component_name',
      'environment',
      'event_id',
      'event_type',
      'event_version',
      'hostname',
      'metadata',
      'pid',
      'shell_type',
      'timestamp',
      'token',
      'user',
    ]);
    assert.deepEqual([...(start.inputSchema.required ?? [])].sort(), [
      'component_name',
      'environment',
      'event_id',
      'event_type',
      'event_version',
      'hostname',
      'pid',
      'shell_type',
      'timestamp',
      'user',
    ]);
    assert.ok(start.outputSchema, 'track_session_start declares an output schema');
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), [
      'tether://sessions/{session_id}',
      'tether://sessions/{session_id}/events',
    ]);
  });

  it('health_check answers healthy', async () => {
    const h = structured(await client.callTool({ name: 'health_check', arguments: {} }));
    assert.equal(h.status, 'healthy');
    assert.equal(h.storage, 'sqlite');
  });

  it('tracks an admin shell: start, repeated start, end, duration from the stored times, metadata kept', async () => {
    const args = startArgs({ timestamp: '2026-02-06T12:00:00.123456+00:00' });
    const s = structured(await client.callTool({ name: 'track_session_start', arguments: args }));
    assert.equal(s.status, 'tracked');
    assert.equal(s.error, null);
    assert.match(s.session_id, /^mahavishnu-/);
    const again = structured(await client.callTool({ name: 'track_session_start', arguments: args }));
    assert.deepEqual(again, s, 'a repeated event_id is acknowledged with the same session');
    const other = structured(
      await client.callTool({ name: 'track_session_start', arguments: { ...args, event_id: randomUUID() } }),
    );
    assert.notEqual(other.session_id, s.session_id, 'two shells started in the same second get two sessions');

    const e = structured(
      await client.callTool({
        name: 'track_session_end',
        arguments: {
          session_id: s.session_id,
          timestamp: '2026-02-06T12:01:30.623456+00:00',
          event_type: 'session_end',
          metadata: { exit_reason: 'user_exit' },
        },
      }),
    );
    assert.deepEqual(e, { session_id: s.session_id, status: 'ended', error: null });
    const e2 = structured(
      await client.callTool({
        name: 'track_session_end',
        arguments: { session_id: s.session_id, timestamp: '2026-02-06T12:09:00+00:00' },
      }),
    );
    assert.equal(e2.status, 'ended', 'a repeated end is acknowledged');

    const rest = await server.req('GET', `/api/v1/sessions/${s.session_id}/summary`);
    assert.equal(rest.status, 200);
    assert.equal(rest.body.type, 'admin_shell');
    assert.equal(rest.body.status, 'completed');
    assert.equal(rest.body.userId, 'les');
    assert.equal(rest.body.created, '2026-02-06T12:00:00.123Z');
    assert.equal(rest.body.endedAt, '2026-02-06T12:01:30.623Z');
    assert.equal(
      rest.body.durationMs,
      90_500,
      'duration = stored end − stored start (the repeated end changed nothing)',
    );
    assert.equal(rest.body.lastSeq, 3, 'start, end metadata, finalize: the repeated start and end stored nothing');
    assert.equal(rest.body.metadata.command_tree_size, 42);
    assert.equal(rest.body.metadata.admin_shell.shell_type, 'MahavishnuShell');
    assert.equal(rest.body.metadata.admin_shell.pid, 4242);
    assert.equal(rest.body.metadata.admin_shell.hostname, 'box');
    assert.deepEqual(rest.body.metadata.admin_shell.environment, args.environment);
    assert.deepEqual(rest.body.metadata.admin_shell.end_metadata, { exit_reason: 'user_exit' });
    const list = await server.req('GET', '/api/v1/sessions?type=admin_shell');
    assert.equal(list.body.sessions.filter((x: any) => x.sessionId === s.session_id).length, 1, 'no duplicate session');
  });

  it('track_session_end of an unknown session is not_found', async () => {
    const r = structured(
      await client.callTool({
        name: 'track_session_end',
        arguments: { session_id: 'mahavishnu-nope', timestamp: new Date().toISOString() },
      }),
    );
    assert.equal(r.status, 'not_found');
    assert.equal(r.session_id, 'mahavishnu-nope');
  });

  it('validates as session-buddy does: value errors are status "error" naming the field, type errors are tool errors', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ event_version: '2.0' }, /event_version/],
      [{ event_id: 'not-a-uuid' }, /event_id/],
      [{ event_type: 'session_end' }, /event_type/],
      [{ component_name: 'bad name!' }, /component_name/],
      [{ timestamp: '2026-02-06 12:00:00' }, /timestamp/],
      [{ timestamp: '2026-02-06T12:00:00' }, /timestamp/],
      [{ pid: 0 }, /pid/],
      [{ pid: 4_194_305 }, /pid/],
      [{ user: { username: 'x'.repeat(101), home: '/h' } }, /user\.username/],
      [{ user: { username: 'les', home: '/'.repeat(501) } }, /user\.home/],
      [{ environment: { python_version: '3', platform: 'p', cwd: 'c'.repeat(501) } }, /environment\.cwd/],
    ];
    for (const [over, field] of cases) {
      const r = structured(await client.callTool({ name: 'track_session_start', arguments: startArgs(over) }));
      assert.equal(r.status, 'error', JSON.stringify(over));
      assert.equal(r.session_id, null);
      assert.match(r.error, field);
    }
    const z = structured(
      await client.callTool({
        name: 'track_session_start',
        arguments: startArgs({ timestamp: '2026-02-06T12:00:00Z', pid: 4_194_304 }),
      }),
    );
    assert.equal(z.status, 'tracked', 'Z and the largest pid are accepted');
    assert.match(
      errorText(await client.callTool({ name: 'track_session_start', arguments: startArgs({ pid: '42' }) })),
      /pid/,
    );
    const { hostname: _h, ...noHost } = startArgs();
    assert.match(errorText(await client.callTool({ name: 'track_session_start', arguments: noHost })), /hostname/);
    assert.match(
      errorText(
        await client.callTool({ name: 'track_session_end', arguments: { timestamp: new Date().toISOString() } }),
      ),
      /session_id/,
    );
  });

  it('the Tether write tools append ordinary events, seen by REST and the live feed', async () => {
    const sid = `mcp-${randomUUID().slice(0, 8)}`;
    const feed = await fetch(`${server.url}/api/v1/sessions/${sid}/stream`, {
      headers: { accept: 'text/event-stream' },
    }).catch(() => undefined);
    const c = structured(
      await client.callTool({
        name: 'create_session',
        arguments: { session_id: sid, user_id: 'alice', type: 'agent', tags: ['mcp'], metadata: { model: 'm' } },
      }),
    );
    assert.equal(c.seq, 1);
    const a = structured(
      await client.callTool({
        name: 'log_action',
        arguments: {
          session_id: sid,
          action: { type: 'tool_call', tool: 'Bash', input: { command: 'ls' } },
          event_id: 'act-1',
        },
      }),
    );
    assert.equal(a.seq, 2);
    const dup = structured(
      await client.callTool({
        name: 'log_action',
        arguments: { session_id: sid, action: { type: 'tool_call', tool: 'Bash' }, event_id: 'act-1' },
      }),
    );
    assert.equal(dup.duplicate, true);
    assert.equal(dup.seq, 2);
    structured(
      await client.callTool({
        name: 'log_response',
        arguments: { session_id: sid, response: { content: 'zebra-unique-word done' } },
      }),
    );
    const p = structured(
      await client.callTool({
        name: 'patch_state',
        arguments: { session_id: sid, patch: { phase: 'execution' }, expected_version: 1 },
      }),
    );
    assert.equal(p.state_version, 2);
    assert.match(
      errorText(
        await client.callTool({
          name: 'patch_state',
          arguments: { session_id: sid, patch: { phase: 'x' }, expected_version: 1 },
        }),
      ),
      /version_mismatch/,
    );
    structured(
      await client.callTool({
        name: 'add_goal',
        arguments: { session_id: sid, goal_id: 'g1', description: 'answer', priority: 'high' },
      }),
    );
    structured(
      await client.callTool({
        name: 'update_goal',
        arguments: { session_id: sid, goal_id: 'g1', status: 'completed' },
      }),
    );
    assert.match(
      errorText(
        await client.callTool({
          name: 'update_goal',
          arguments: { session_id: sid, goal_id: 'nope', status: 'completed' },
        }),
      ),
      /goal_not_found/,
    );
    structured(
      await client.callTool({
        name: 'spawn_agent',
        arguments: {
          session_id: sid,
          agent_type: 'researcher',
          agent_id: 'a1',
          task: 'dig',
          child_session_id: `${sid}-child`,
        },
      }),
    );
    structured(
      await client.callTool({
        name: 'complete_agent',
        arguments: { session_id: sid, agent_id: 'a1', result: { ok: true } },
      }),
    );
    const f = structured(
      await client.callTool({
        name: 'finalize_session',
        arguments: { session_id: sid, status: 'completed', final: { answer: 42 } },
      }),
    );
    assert.equal(f.status, 'completed');

    const state = (await server.req('GET', `/api/v1/state/${sid}`)).body;
    assert.equal(state.phase, 'execution');
    assert.equal(state.goals[0].status, 'completed');
    assert.equal(state.agents.spawned[0].status, 'completed');
    const child = await server.req('GET', `/api/v1/sessions/${sid}-child/summary`);
    assert.equal(child.body.parentSessionId, sid);
    const events = (await server.req('GET', `/api/v1/sessions/${sid}/events`)).body.events;
    assert.deepEqual(
      events.map((e: any) => e.kind),
      [
        'session_created',
        'action',
        'response',
        'state_patched',
        'goal_added',
        'goal_updated',
        'agent_spawned',
        'agent_completed',
        'session_finalized',
      ],
    );

    // The live feed got them as well (the SSE stream replays from seq 0 and then follows).
    if (feed?.body) {
      const reader = feed.body.getReader();
      let text = '';
      while (!text.includes('session_finalized')) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      assert.match(text, /tool_call/);
    }

    const g = structured(await client.callTool({ name: 'get_session', arguments: { session_id: sid } }));
    assert.equal(g.session.status, 'completed');
    assert.equal(g.state.phase, 'execution');
    const l = structured(
      await client.callTool({
        name: 'list_sessions',
        arguments: { user_id: 'alice', tag: 'mcp', type: 'agent', status: 'completed', since: '2000-01-01T00:00:00Z' },
      }),
    );
    assert.deepEqual(
      l.sessions.map((s: any) => s.sessionId),
      [sid],
    );
    const none = structured(
      await client.callTool({ name: 'list_sessions', arguments: { user_id: 'alice', until: '2000-01-01T00:00:00Z' } }),
    );
    assert.equal(none.sessions.length, 0);
    const ev = structured(
      await client.callTool({ name: 'list_events', arguments: { session_id: sid, after: 2, limit: 2 } }),
    );
    assert.deepEqual(
      ev.events.map((e: any) => e.seq),
      [3, 4],
    );
    assert.equal(ev.next_after, 4);
    const st = structured(await client.callTool({ name: 'get_state', arguments: { session_id: sid, at_seq: 3 } }));
    assert.equal(st.state.phase, 'initialization', 'the state replayed before the patch');
    const stats = structured(await client.callTool({ name: 'get_stats', arguments: {} }));
    assert.ok(stats.totalSessions >= 2);
    let hits: any[] = [];
    for (let i = 0; i < 50 && !hits.length; i++) {
      hits = structured(await client.callTool({ name: 'search', arguments: { query: 'zebra' } })).results;
      if (!hits.length) await new Promise((r) => setTimeout(r, 100)); // the full-text index catches up on its own thread
    }
    assert.equal(hits[0]?.sessionId, sid);
    const lq = structured(await client.callTool({ name: 'list_sessions', arguments: { q: 'zebra' } }));
    assert.ok(lq.sessions.some((s: any) => s.sessionId === sid));

    const res = await client.readResource({ uri: `tether://sessions/${sid}` });
    assert.equal(JSON.parse((res.contents[0] as { text: string }).text).session.sessionId, sid);
    const evr = await client.readResource({ uri: `tether://sessions/${sid}/events` });
    assert.equal(JSON.parse((evr.contents[0] as { text: string }).text).events.length, 9);
    const listed = await client.listResources();
    assert.ok(listed.resources.some((r) => r.uri === `tether://sessions/${sid}`));
  });

  it('commit_memory and recall_memory go through the memory store (issue #14)', async () => {
    const ns = ['users', `u-${randomUUID().slice(0, 6)}`, 'facts'];
    const put = structured(
      await client.callTool({
        name: 'commit_memory',
        arguments: { namespace: ns, key: 'coffee', value: { text: 'prefers flat white', strength: 3 } },
      }),
    );
    assert.deepEqual(put, { namespace: ns, key: 'coffee', stored: true });
    structured(
      await client.callTool({
        name: 'commit_memory',
        arguments: { namespace: ns, key: 'tea', value: { text: 'dislikes earl grey', strength: 1 } },
      }),
    );
    const rest = await server.req('GET', `/api/v1/store/items?namespace=${ns.join('.')}&key=coffee`);
    assert.equal(rest.body.value.text, 'prefers flat white', 'the REST store API sees the MCP write');
    const byQuery = structured(
      await client.callTool({
        name: 'recall_memory',
        arguments: { namespace_prefix: ns.slice(0, 2), query: 'flat white' },
      }),
    );
    assert.deepEqual(
      byQuery.items.map((i: any) => i.key),
      ['coffee'],
    );
    const byFilter = structured(
      await client.callTool({
        name: 'recall_memory',
        arguments: { namespace_prefix: ns, filter: { strength: { $lt: 2 } } },
      }),
    );
    assert.deepEqual(
      byFilter.items.map((i: any) => i.key),
      ['tea'],
    );
    assert.match(
      errorText(
        await client.callTool({ name: 'commit_memory', arguments: { namespace: ['a.b'], key: 'k', value: {} } }),
      ),
      /namespace/,
    );
    assert.match(
      errorText(
        await client.callTool({
          name: 'recall_memory',
          arguments: { namespace_prefix: ns, filter: { strength: { $regex: 'x' } } },
        }),
      ),
      /\$regex/,
    );
    const tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));
    assert.equal(tools.get('commit_memory')!.annotations?.destructiveHint, true, 'a put replaces the old value');
    assert.equal(tools.get('recall_memory')!.annotations?.readOnlyHint, true);
  });

  it('the memory tools run in-process: ttl_minutes, index and paging reach the store, no /api/v1/store request is made', async () => {
    const ns = ['agents', `a-${randomUUID().slice(0, 6)}`];
    structured(
      await client.callTool({
        name: 'commit_memory',
        arguments: { namespace: ns, key: 'short', value: { text: 'ephemeral note' }, ttl_minutes: 5 },
      }),
    );
    structured(
      await client.callTool({
        name: 'commit_memory',
        arguments: { namespace: ns, key: 'hidden', value: { text: 'ephemeral secret' }, index: false },
      }),
    );
    structured(
      await client.callTool({
        name: 'commit_memory',
        arguments: {
          namespace: ns,
          key: 'titled',
          value: { text: 'plain', title: 'ephemeral title' },
          index: ['title'],
        },
      }),
    );
    const all = structured(await client.callTool({ name: 'recall_memory', arguments: { namespace_prefix: ns } }));
    assert.equal(all.items.length, 3);
    const short = all.items.find((i: any) => i.key === 'short');
    const left = Date.parse(short.expiresAt) - Date.now();
    assert.ok(left > 4 * 60_000 && left <= 5 * 60_000, `expiresAt is 5 minutes ahead: ${short.expiresAt}`);
    assert.equal(all.items.find((i: any) => i.key === 'hidden').expiresAt, undefined, 'no TTL, no expiresAt');
    const hits = structured(
      await client.callTool({ name: 'recall_memory', arguments: { namespace_prefix: ns, query: 'ephemeral' } }),
    );
    assert.deepEqual(
      hits.items.map((i: any) => i.key).sort(),
      ['short', 'titled'],
      'index: false is not searched; index: [title] is',
    );
    assert.equal(typeof hits.items[0].score, 'number');
    const page = structured(
      await client.callTool({ name: 'recall_memory', arguments: { namespace_prefix: ns, limit: 2, offset: 2 } }),
    );
    assert.equal(page.items.length, 1);
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    assert.doesNotMatch(
      metrics,
      /tether_http_requests_total\{method="(PUT|POST)",route="\/api\/v1\/store\/items/,
      'no in-process HTTP request to the store routes',
    );
  });

  it('bad arguments are tool errors that name the field', async () => {
    assert.match(
      errorText(
        await client.callTool({ name: 'log_action', arguments: { session_id: 'ok', action: 'not an object' } }),
      ),
      /action/,
    );
    assert.match(
      errorText(await client.callTool({ name: 'log_action', arguments: { session_id: 'bad id!', action: {} } })),
      /session_id/,
    );
    assert.match(
      errorText(
        await client.callTool({ name: 'patch_state', arguments: { session_id: 'x', patch: {}, expected_version: -1 } }),
      ),
      /expected_version/,
    );
    assert.match(
      errorText(await client.callTool({ name: 'list_events', arguments: { session_id: 'x', limit: 0 } })),
      /limit/,
    );
    assert.match(
      errorText(await client.callTool({ name: 'list_sessions', arguments: { status: 'running' } })),
      /status/,
    );
    assert.match(
      errorText(await client.callTool({ name: 'finalize_session', arguments: { session_id: 'x', status: 'done' } })),
      /status/,
    );
    assert.match(
      errorText(await client.callTool({ name: 'get_session', arguments: { session_id: 'does-not-exist' } })),
      /session_not_found/,
    );
  });

  it('refuses a foreign Host or Origin (DNS rebinding protection)', async () => {
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
        const r = request(
          new URL('/mcp', server.url),
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        r.on('error', reject);
        r.end(body);
      });
    assert.equal(await post({ host: 'evil.example:80' }), 403);
    assert.equal(await post({ origin: 'http://evil.example' }), 403);
    assert.equal(await post({ host: `localhost:${server.port}` }), 200);
    assert.equal(await post({ origin: server.url }), 200);
  });

  it('GET /mcp answers 405 (stateless, no server stream)', async () => {
    const r = await server.req('GET', '/mcp');
    assert.equal(r.status, 405);
  });
});

describe('MCP API keys and scopes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, { TETHER_API_KEYS: 'rk:read,ik:ingest,both:ingest+read' });
  });
  after(async () => server.stop());

  it('no key or an unknown key: 401 before MCP', async () => {
    await assert.rejects(connect(server.url), /401|nauthorized/);
    await assert.rejects(connect(server.url, 'wrong'), /401|nauthorized/);
    const r = await server.req(
      'POST',
      '/mcp',
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { accept: 'application/json, text/event-stream' },
    );
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'unauthorized');
  });

  it('read tools need read, write tools need ingest', async () => {
    const reader = await connect(server.url, 'rk');
    const writer = await connect(server.url, 'ik');
    const both = await connect(server.url, 'both');
    try {
      assert.match(
        errorText(
          await reader.callTool({ name: 'log_action', arguments: { session_id: 'sc-1', action: { type: 'x' } } }),
        ),
        /forbidden.*ingest/,
      );
      assert.match(
        errorText(await reader.callTool({ name: 'track_session_start', arguments: startArgs() })),
        /forbidden.*ingest/,
      );
      const w = structured(
        await writer.callTool({ name: 'log_action', arguments: { session_id: 'sc-1', action: { type: 'x' } } }),
      );
      assert.equal(w.seq, 2);
      const shell = structured(await writer.callTool({ name: 'track_session_start', arguments: startArgs() }));
      assert.equal(shell.status, 'tracked');
      assert.equal(
        structured(await writer.callTool({ name: 'health_check', arguments: {} })).status,
        'healthy',
        'health_check needs no particular scope',
      );
      assert.match(
        errorText(await writer.callTool({ name: 'get_session', arguments: { session_id: 'sc-1' } })),
        /forbidden.*read/,
      );
      await assert.rejects(writer.readResource({ uri: 'tether://sessions/sc-1' }), /read/);
      const g = structured(await reader.callTool({ name: 'get_session', arguments: { session_id: 'sc-1' } }));
      assert.equal(g.session.lastSeq, 2);
      structured(await both.callTool({ name: 'finalize_session', arguments: { session_id: 'sc-1' } }));
      structured(await both.callTool({ name: 'list_sessions', arguments: {} }));
      assert.match(
        errorText(
          await reader.callTool({ name: 'commit_memory', arguments: { namespace: ['n'], key: 'k', value: {} } }),
        ),
        /forbidden.*ingest/,
      );
      structured(
        await writer.callTool({ name: 'commit_memory', arguments: { namespace: ['n'], key: 'k', value: { v: 1 } } }),
      );
      assert.match(
        errorText(await writer.callTool({ name: 'recall_memory', arguments: { namespace_prefix: ['n'] } })),
        /forbidden.*read/,
      );
      assert.equal(
        structured(await reader.callTool({ name: 'recall_memory', arguments: { namespace_prefix: ['n'] } })).items
          .length,
        1,
      );
      // Pooled servers serve one request at a time: concurrent callers with different keys never see each other's scopes.
      const mixed = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (i % 2 ? reader : writer).callTool({
            name: 'log_action',
            arguments: { session_id: 'sc-mixed', action: { i } },
          }),
        ),
      );
      for (const [i, r] of mixed.entries()) assert.equal(r.isError === true, i % 2 === 1, `call ${i}`);
    } finally {
      await Promise.all([reader.close(), writer.close(), both.close()]);
    }
  });
});
