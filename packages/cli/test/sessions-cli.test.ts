/** `tether sessions list|show|rm` against a real server, human and --json output. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../server/test/helpers.js';

const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const run = promisify(execFile);
const tether = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });

describe('tether sessions', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.req('POST', '/api/v1/sessions', { sessionId: 'parent-1', userId: 'ana', type: 'langgraph' });
    await s.req('POST', '/api/v1/state/parent-1/agents', { type: 'billing', childSessionId: 'child-1' });
    await s.req('POST', '/api/v1/actions/parent-1', { tool: 'Bash', input: { command: 'ls' } });
    await s.req('POST', '/api/v1/sessions', { sessionId: 'other', userId: 'bo' });
  });
  after(async () => {
    await s.stop();
  });

  it('list shows sub-agent sessions under their parents', async () => {
    const { stdout } = await tether('sessions', 'list', '--url', s.url);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^SESSION\s+TYPE\s+STATUS/);
    const parentAt = lines.findIndex((l) => l.startsWith('parent-1'));
    assert.ok(parentAt > 0);
    assert.match(lines[parentAt + 1]!, /^└─ child-1\s+billing/);
  });

  it('list --json filters by user', async () => {
    const { stdout } = await tether('sessions', 'list', '--url', s.url, '--user', 'ana', '--json');
    assert.deepEqual(
      JSON.parse(stdout)
        .map((x: { sessionId: string }) => x.sessionId)
        .sort(),
      ['child-1', 'parent-1'],
    );
  });

  it('show prints the summary, metrics and newest events', async () => {
    const { stdout } = await tether('sessions', 'show', 'parent-1', '--url', s.url);
    assert.match(stdout, /parent-1\s+langgraph\s+active\s+user=ana/);
    assert.match(stdout, /"toolCalls":1/);
    assert.match(stdout, /#3 .* action/);
    const json = JSON.parse((await tether('sessions', 'show', 'parent-1', '--url', s.url, '--json')).stdout);
    assert.equal(json.session.sessionId, 'parent-1');
    assert.equal(json.events.length, 3);
  });

  it('rm deletes; errors are clear and exit non-zero', async () => {
    await tether('sessions', 'rm', 'other', '--url', s.url);
    assert.equal((await s.req('GET', '/api/v1/sessions/other')).status, 404);
    await assert.rejects(
      tether('sessions', 'show', 'other', '--url', s.url),
      (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, /404 session_not_found/);
        return true;
      },
    );
    await assert.rejects(tether('sessions', 'list', '--url', 'http://127.0.0.1:1'), (err: { stderr: string }) =>
      /cannot reach/.test(err.stderr),
    );
  });
});
