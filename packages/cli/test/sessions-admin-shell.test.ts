/** `tether sessions list --type admin_shell` and `show` for sessions tracked over MCP (seed 004's list-sessions / show-session). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../../server/test/helpers.js';
import { formatDuration, parseSince } from '../src/commands/sessions.js';

const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const run = promisify(execFile);
const tether = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });

describe('tether sessions for admin shells', () => {
  let s: TestServer;
  let sid: string;
  before(async () => {
    s = await startTestServer();
    const client = new Client({ name: 'cli-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', s.url)));
    const start = await client.callTool({
      name: 'track_session_start',
      arguments: {
        event_version: '1.0',
        event_id: randomUUID(),
        event_type: 'session_start',
        component_name: 'mahavishnu',
        shell_type: 'MahavishnuShell',
        timestamp: new Date(Date.now() - 95_000).toISOString(),
        pid: 123,
        user: { username: 'les', home: '/home/les' },
        hostname: 'box',
        environment: { python_version: '3.13', platform: 'Linux', cwd: '/srv' },
        metadata: { component: 'mahavishnu', command_tree_size: 17 },
      },
    });
    sid = (start.structuredContent as { session_id: string }).session_id;
    await client.callTool({
      name: 'track_session_end',
      arguments: { session_id: sid, timestamp: new Date().toISOString() },
    });
    await client.close();
    await s.req('POST', '/api/v1/sessions', { sessionId: 'not-a-shell', userId: 'les', type: 'agent' });
  });
  after(async () => s.stop());

  it('list --type admin_shell shows only shells, with start and duration; --status/--user/--tag/--since filter', async () => {
    const { stdout } = await tether('sessions', 'list', '--url', s.url, '--type', 'admin_shell');
    assert.match(stdout, /^SESSION\s+TYPE\s+STATUS\s+USER\s+EVENTS\s+TOOLS\s+STARTED\s+DURATION/);
    assert.ok(stdout.includes(sid));
    assert.ok(!stdout.includes('not-a-shell'));
    assert.match(stdout, /admin_shell\s+completed\s+les\s+3\s+0\s+\S+\s+1m3[45]s/);
    const ids = async (...f: string[]) =>
      JSON.parse((await tether('sessions', 'list', '--url', s.url, '--json', ...f)).stdout).map(
        (x: { sessionId: string }) => x.sessionId,
      );
    assert.deepEqual(
      await ids(
        '--type',
        'admin_shell',
        '--status',
        'completed',
        '--user',
        'les',
        '--tag',
        'mahavishnu',
        '--since',
        '1h',
      ),
      [sid],
    );
    assert.deepEqual(await ids('--type', 'admin_shell', '--status', 'active'), []);
    assert.deepEqual(await ids('--type', 'admin_shell', '--since', new Date(Date.now() + 60_000).toISOString()), []);
  });

  it('show prints start, end, duration and the metadata', async () => {
    const { stdout } = await tether('sessions', 'show', sid, '--url', s.url);
    assert.match(stdout, /^start\s+\d{4}-\d\d-\d\dT/m);
    assert.match(stdout, /^end\s+\d{4}-\d\d-\d\dT/m);
    assert.match(stdout, /^duration 1m3[45]s \(9\d{4} ms\)/m);
    assert.match(stdout, /^metadata$/m);
    assert.match(stdout, /"command_tree_size": 17/);
    assert.match(stdout, /"shell_type": "MahavishnuShell"/);
  });

  it('formats durations and --since spans', () => {
    assert.equal(formatDuration(6_700), '6.7s');
    assert.equal(formatDuration(245_000), '4m05s');
    assert.equal(formatDuration(3_723_000), '1h02m03s');
    assert.equal(parseSince('2h', Date.parse('2026-01-01T12:00:00Z')), '2026-01-01T10:00:00.000Z');
    assert.throws(() => parseSince('yesterday'), /--since/);
  });
});
