/**
 * The Claude Code command hook (`tether hook claude-code` and its fast entry claude/hook-main.ts) as a real child
 * process: exit 0 and spool while the service is down or hangs, drain the spool in order once it is up, with the
 * original hook times kept. No timed assertions: durations are printed for information only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './helpers.ts';
import { HOOK_MAIN, runNode, tether } from './claude-helpers.ts';

/** A URL where nothing listens: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const spooled = (dir: string) => {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json')).length;
  } catch {
    return 0;
  }
};

describe('tether hook claude-code', () => {
  let server: TestServer;
  let spool: string;
  const sid = 'cli-hook-session';
  const base = { session_id: sid, transcript_path: '/tmp/t.jsonl', cwd: '/tmp', permission_mode: 'default' };

  before(async () => {
    server = await startTestServer();
    spool = mkdtempSync(join(tmpdir(), 'tether-spool-'));
  });
  after(async () => {
    await server?.stop();
    rmSync(spool, { recursive: true, force: true });
  });

  test('with the service down: exit 0, nothing on stdout, payloads spooled', async (t) => {
    const url = await deadUrl();
    const payloads = [
      { ...base, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-sonnet-4-6' },
      { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'run the tests' },
      {
        ...base,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'npm test' },
        tool_use_id: 'toolu_CLI1',
      },
    ];
    for (const [i, p] of payloads.entries()) {
      // The documented command for the first, the fast entry for the others.
      const r =
        i === 0
          ? await tether(['hook', 'claude-code', '--url', url], {
              input: JSON.stringify(p),
              env: { TETHER_SPOOL_DIR: spool },
            })
          : await runNode(HOOK_MAIN, ['--url', url], { input: JSON.stringify(p), env: { TETHER_SPOOL_DIR: spool } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      t.diagnostic(`hook with the service down took ${r.ms} ms (tsx start included)`);
    }
    assert.equal(spooled(spool), 3);
  });

  test('a service that accepts but never answers: gives up within its budget, exit 0, spooled', async (t) => {
    const sockets: Array<import('node:net').Socket> = [];
    const hang: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const dir = mkdtempSync(join(tmpdir(), 'tether-spool-hang-'));
    try {
      const url = `http://127.0.0.1:${(hang.address() as { port: number }).port}`;
      const r = await runNode(HOOK_MAIN, ['--url', url, '--budget-ms', '600'], {
        input: JSON.stringify({ ...base, hook_event_name: 'Stop' }),
        env: { TETHER_SPOOL_DIR: dir },
        killAfterMs: 30_000,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(spooled(dir), 1);
      t.diagnostic(`hook against a hanging service took ${r.ms} ms with a 600 ms budget (tsx start included)`);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with the service up: the spool drains in order, times kept, then the new payload', async () => {
    const post = {
      ...base,
      hook_event_name: 'PostToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'npm test' },
      tool_use_id: 'toolu_CLI1',
      tool_response: { stdout: 'pass' },
    };
    const upAt = Date.now();
    const r = await tether(['hook', 'claude-code', '--url', server.url, '--verbose'], {
      input: JSON.stringify(post),
      env: { TETHER_SPOOL_DIR: spool },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /sent 4, spooled 0, dropped 0, waiting 0/);
    assert.equal(spooled(spool), 0);
    const s = (await server.req('GET', `/api/v1/sessions/${sid}`)).body;
    assert.equal(s.metadata.type, 'claude-code');
    assert.equal(s.metadata.metadata.model, 'claude-sonnet-4-6');
    assert.equal(s.responses.length, 1);
    assert.equal(s.responses[0].content, 'run the tests');
    assert.equal(s.actions.length, 1);
    const a = s.actions[0];
    // The PreToolUse time is the moment the spooled hook ran, not when it was sent: the duration spans the outage.
    assert.ok(Date.parse(a.startedAt) < upAt, 'startedAt is the spooled PreToolUse time');
    assert.ok(Date.parse(a.timestamp) >= upAt - 5, 'the PostToolUse ran now');
    assert.equal(a.durationMs, Date.parse(a.timestamp) - Date.parse(a.startedAt));
    assert.ok(Date.parse(s.responses[0].timestamp) < Date.parse(a.timestamp), 'the prompt kept its earlier time');
    // Sending the same payloads again (e.g. two hook processes raced) stores nothing new.
    const seq = s.metadata.lastSeq;
    const again = await runNode(HOOK_MAIN, ['--url', server.url], {
      input: JSON.stringify(post),
      env: { TETHER_SPOOL_DIR: spool },
    });
    assert.equal(again.code, 0);
    assert.equal((await server.req('GET', `/api/v1/sessions/${sid}`)).body.metadata.lastSeq, seq);
  });

  test('empty or non-JSON stdin: exit 0, nothing sent or spooled', async () => {
    for (const input of ['', 'not json', '[1,2]']) {
      const r = await runNode(HOOK_MAIN, ['--url', server.url], { input, env: { TETHER_SPOOL_DIR: spool } });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
    }
    assert.equal(spooled(spool), 0);
  });
});
