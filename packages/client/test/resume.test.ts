/**
 * Session resume (issue #11): a container agent process is killed with SIGKILL in the middle of its work, a new one
 * resumes the session with `client.resume(sessionId)` and continues it: seq continues, goals and sub-agents intact,
 * the whole log readable through the paged iterator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherClient } from '../src/index.ts';
import { ROOT, kill, until } from './util.ts';

const AGENT = resolve(ROOT, 'packages/client/test/fixtures/resume-agent.mjs');

function agent(mode: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [AGENT], {
    env: { ...process.env, ...env, MODE: mode },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: ROOT,
  });
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, exited };
}

test('kill -9 of the agent process, then resume: seq continues, goals and agents intact, the log pages', async () => {
  const server = await startTestServer();
  try {
    const env = { TETHER_URL: server.url, TETHER_SESSION_ID: 'container-run-7' };
    const first = agent('first', env);
    await until(() => first.lines.filter((l) => l.startsWith('acked ')).length >= 60);
    await kill(first.child, 'SIGKILL');
    const acked = first.lines.filter((l) => l.startsWith('acked ')).map((l) => Number(l.slice(6)));

    const second = agent('resume', env);
    assert.equal(await second.exited, 0);
    const r = JSON.parse(second.lines.at(-1)!);
    // Everything acknowledged before the kill is there, and nothing is missing in between.
    assert.ok(r.lastSeq >= acked.at(-1)!, `lastSeq ${r.lastSeq} < last acked ${acked.at(-1)}`);
    assert.equal(r.count, r.lastSeq);
    assert.equal(r.last, r.lastSeq);
    assert.equal(r.gapless, true);
    assert.equal(r.status, 'active');
    assert.deepEqual(r.initial, { task: 'crunch' });
    assert.deepEqual(r.goals, [['g-parse', 'in_progress']]);
    assert.deepEqual(r.agents, ['worker-1']);
    // The session continues where it left off.
    assert.deepEqual(r.next, [r.lastSeq + 1, r.lastSeq + 2, r.lastSeq + 3]);

    const after = await new TetherClient({ baseUrl: server.url }).resume('container-run-7');
    assert.equal(after.lastSeq, r.lastSeq + 4);
    assert.deepEqual(after.state.agents.completed, ['worker-1']);
    assert.equal(after.state.goals[0]!.goalId, 'g-parse');
  } finally {
    await server.stop();
  }
});
