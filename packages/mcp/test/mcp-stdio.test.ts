/**
 * `tether mcp` (stdio) driven by the official TypeScript MCP client's stdio transport, against a real running service
 * with API keys; and `--mcp-port` (TETHER_MCP_PORT), the session-buddy drop-in port that serves only /mcp.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../../server/test/helpers.ts';

const BIN = resolve(import.meta.dirname, '../../cli/dist/bin.js');

async function stdioClient(url: string, key: string): Promise<Client> {
  const client = new Client({ name: 'tether-stdio-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--url', url, '--api-key', key],
      stderr: 'pipe',
    }),
  );
  return client;
}
const data = (r: any) => {
  assert.ok(!r.isError, JSON.stringify(r.content));
  return r.structuredContent;
};

describe('tether mcp over stdio, and --mcp-port', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ mcpPort: 0 }, { TETHER_API_KEYS: 'rw:ingest+read,ro:read' });
  });
  after(async () => server.stop());

  it('tracks a shell, logs, reads, through the REST API of the running service', async () => {
    const client = await stdioClient(server.url, 'rw');
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('track_session_start') && names.includes('list_events'));
      assert.equal(data(await client.callTool({ name: 'health_check', arguments: {} })).status, 'healthy');
      const start = data(
        await client.callTool({
          name: 'track_session_start',
          arguments: {
            event_version: '1.0',
            event_id: randomUUID(),
            event_type: 'session_start',
            component_name: 'unknown',
            shell_type: 'AdminShell',
            timestamp: '2026-02-06T10:00:00.000001+00:00',
            pid: 77,
            user: { username: 'ops', home: '/home/ops' },
            hostname: 'h',
            environment: { python_version: '3.11.2', platform: 'Linux', cwd: '/tmp' },
            metadata: null,
          },
        }),
      );
      assert.equal(start.status, 'tracked');
      const end = data(
        await client.callTool({
          name: 'track_session_end',
          arguments: {
            session_id: start.session_id,
            timestamp: '2026-02-06T10:00:05.000001+00:00',
            event_type: 'session_end',
            metadata: null,
          },
        }),
      );
      assert.equal(end.status, 'ended');
      const summary = (
        await server.req('GET', `/api/v1/sessions/${start.session_id}/summary`, undefined, {
          authorization: 'Bearer rw',
        })
      ).body;
      assert.equal(summary.type, 'admin_shell');
      assert.equal(summary.durationMs, 5000);
      const a = data(
        await client.callTool({
          name: 'log_action',
          arguments: { session_id: start.session_id, action: { type: 'command', input: 'ps()' } },
        }),
      );
      assert.equal(a.seq, 4);
      const ev = data(await client.callTool({ name: 'list_events', arguments: { session_id: start.session_id } }));
      assert.deepEqual(
        ev.events.map((e: any) => e.kind),
        ['session_created', 'metadata_updated', 'session_finalized', 'action'],
      );
      const unknown = data(
        await client.callTool({
          name: 'track_session_end',
          arguments: { session_id: 'nope-1', timestamp: '2026-02-06T10:00:05Z' },
        }),
      );
      assert.equal(unknown.status, 'not_found');
      assert.deepEqual(
        data(
          await client.callTool({
            name: 'commit_memory',
            arguments: { namespace: ['ops', 'notes'], key: 'k1', value: { text: 'rotate the logs weekly' } },
          }),
        ).stored,
        true,
      );
      assert.deepEqual(
        data(
          await client.callTool({ name: 'recall_memory', arguments: { namespace_prefix: ['ops'], query: 'rotate' } }),
        ).items.map((i: any) => i.key),
        ['k1'],
      );
      const bad = await client.callTool({ name: 'log_action', arguments: { session_id: 'x', action: 5 } });
      assert.equal(bad.isError, true);
      assert.match((bad.content as any)[0].text, /action/);
    } finally {
      await client.close();
    }
  });

  it("the service checks the stdio key's scopes", async () => {
    const client = await stdioClient(server.url, 'ro');
    try {
      const r = await client.callTool({ name: 'log_action', arguments: { session_id: 'ro-1', action: { type: 'x' } } });
      assert.equal(r.isError, true);
      assert.match((r.content as any)[0].text, /forbidden/);
      assert.equal(data(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions.length >= 1, true);
    } finally {
      await client.close();
    }
  });

  it('--mcp-port serves /mcp with the same keys, and nothing else', async () => {
    assert.ok(server.mcpPort && server.mcpPort !== server.port);
    const client = new Client({ name: 'port-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.mcpPort}/mcp`), {
        requestInit: { headers: { authorization: 'Bearer rw' } },
      }),
    );
    try {
      assert.equal(data(await client.callTool({ name: 'health_check', arguments: {} })).status, 'healthy');
    } finally {
      await client.close();
    }
    assert.equal((await fetch(`http://127.0.0.1:${server.mcpPort}/api/sessions`)).status, 404);
    const noKey = await fetch(`http://127.0.0.1:${server.mcpPort}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(noKey.status, 401);
  });
});
