/**
 * `tether tail` against a real server: --json output, readable lines for --all, and resuming after the server
 * restarts (same port and data) with no lost and no repeated event.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer } from './helpers.ts';
import { appendActions, range, until } from './live-helpers.ts';

// The built CLI starts in a third of the time; the sources (through tsx) when it is not built.
const DIST = resolve(import.meta.dirname, '../../cli/dist/bin.js');
const CLI = existsSync(DIST) ? [DIST] : ['--import', 'tsx', resolve(import.meta.dirname, '../../cli/src/bin.ts')];

class Tail {
  stdout = '';
  stderr = '';
  readonly proc: ChildProcess;
  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [...CLI, 'tail', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d) => (this.stdout += d));
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
  }
  lines(): string[] {
    return this.stdout.split('\n').filter(Boolean);
  }
  stop(): Promise<void> {
    return new Promise((r) => {
      if (this.proc.exitCode !== null) return r();
      this.proc.once('exit', () => r());
      this.proc.kill('SIGINT');
    });
  }
}

describe('tether tail', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('prints JSON lines and resumes from its last seq after the server restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-tail-'));
    dirs.push(dataDir);
    let s = await startTestServer({ dataDir });
    const port = s.port;
    await s.req('POST', '/api/v1/sessions', { sessionId: 'tailed' });
    const t = new Tail(['tailed', '--json', '--after', '0', '--url', s.url]);
    try {
      await appendActions(s, 'tailed', 20);
      await until(() => t.lines().length === 21, 'the first 21 events', 30_000);
      await s.stop();
      await until(() => /retrying|reconnecting/.test(t.stderr), 'tail to notice the drop', 30_000);
      s = await startTestServer({ dataDir, port });
      await appendActions(s, 'tailed', 30, { from: 20 });
      await until(() => t.lines().length >= 51, 'the events written while it was away', 30_000);
      const seqs = t.lines().map((l) => JSON.parse(l).seq);
      assert.deepEqual(seqs, range(1, 51), 'no event lost or printed twice across the restart');
      const last = JSON.parse(t.lines().at(-1)!);
      assert.equal(last.type, 'action');
      assert.equal(last.sessionId, 'tailed');
      assert.equal(last.data.i, 49);
    } finally {
      await t.stop();
      await s.stop();
    }
  });

  it('prints readable lines for --all, without colors when not a terminal', async () => {
    const s = await startTestServer();
    const t = new Tail(['--all', '--url', s.url]);
    try {
      await until(() => /live from pos/.test(t.stderr), 'tail to go live', 30_000);
      await s.req('POST', '/api/v1/actions/readable', { tool: 'Bash', input: { command: 'ls -la' } });
      await s.req('POST', '/api/v1/sessions/readable/finalize', { status: 'completed' });
      await until(() => t.lines().length === 3, 'three lines', 30_000);
      const [created, action, finalized] = t.lines();
      assert.match(created!, /^\d\d:\d\d:\d\d\.\d{3}\s+readable#1\s+session_created/);
      assert.match(action!, /readable#2\s+action\s+Bash\s+\{"command":"ls -la"\}$/);
      assert.match(finalized!, /readable#3\s+session_finalized\s+completed$/);
      assert.doesNotMatch(t.stdout, /\x1b\[/);
    } finally {
      await t.stop();
      await s.stop();
    }
  });

  it('fails clearly without a session id or with a bad key', async () => {
    const s = await startTestServer({}, { TETHER_API_KEYS: 'k:read' });
    try {
      const none = new Tail(['--url', s.url]);
      await new Promise((r) => none.proc.once('exit', r));
      assert.equal(none.proc.exitCode, 1);
      assert.match(none.stderr, /give a session id, or --all/);
      const bad = new Tail(['x', '--url', s.url, '--api-key', 'nope']);
      await new Promise((r) => bad.proc.once('exit', r));
      assert.equal(bad.proc.exitCode, 1);
      assert.match(bad.stderr, /401 unauthorized/);
    } finally {
      await s.stop();
    }
  });
});
