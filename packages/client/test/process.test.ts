import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherClient } from '../src/index.ts';
import { actionIndexes, allEvents, freePort, kill, range, spawnServer, until, ROOT } from './util.ts';

const FIX = resolve(ROOT, 'packages/client/test/fixtures');

/** Runs a fixture script; resolves with its stdout, exit code and signal. */
function run(
  script: string,
  env: Record<string, string>,
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void,
) {
  const child = spawn(process.execPath, [join(FIX, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n').filter(Boolean)) onLine?.(line, child);
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise<{ out: string; err: string; code: number | null; signal: string | null }>((res) =>
    child.on('exit', (code, signal) => res({ out, err, code, signal })),
  );
}

function spooledLines(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);
}

test('server killed (SIGKILL) in the middle of batches, restarted on the same data dir: every event exactly once', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-kill-'));
  let server = await spawnServer(port, dataDir);
  const c = new TetherClient({
    baseUrl: `http://127.0.0.1:${port}`,
    flushAt: 200,
    maxBatchSize: 500,
    initialDelayMs: 20,
    maxDelayMs: 200,
    maxQueueSize: 100_000,
    logger: false,
  });
  try {
    const N = 6000;
    const sessions = ['kill-a', 'kill-b', 'kill-c'];
    for (const i of range(N)) void c.session(sessions[i % 3]!).logAction({ i });
    await until(() => c.deliveryStats().delivered >= 1000);
    await kill(server, 'SIGKILL');
    await until(() => c.deliveryStats().retries >= 2);
    server = await spawnServer(port, dataDir);
    assert.equal(await c.flush(), true);
    for (const [k, sid] of sessions.entries()) {
      const events = await allEvents(`http://127.0.0.1:${port}`, sid);
      const { indexes, gapless } = actionIndexes(events);
      assert.deepEqual(
        indexes,
        range(N).filter((i) => i % 3 === k),
        `${sid}: each event once`,
      );
      assert.ok(gapless, `${sid}: seq gapless`);
    }
    const st = c.deliveryStats();
    assert.equal(st.delivered, N);
    assert.equal(st.rejected + st.dropped, 0);
  } finally {
    await c.close(1000);
    await kill(server, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('spool: events logged while the server is down survive an agent SIGKILL and a normal exit, and are sent once on the next start', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spool = mkdtempSync(join(tmpdir(), 'tether-spool-'));
  try {
    // 1. Agent logs 300 events, server down; killed with SIGKILL once they are on disk.
    const killed = run(
      'agent.mjs',
      { MODE: 'spool-log', TETHER_URL: url, TETHER_SESSION_ID: 'spool-1', SPOOL: spool, N: '300' },
      (line, child) => {
        if (line === 'logged') void until(() => spooledLines(spool) >= 300).then(() => child.kill('SIGKILL'));
      },
    );
    assert.equal((await killed).signal, 'SIGKILL');
    assert.equal(spooledLines(spool), 300);
    // 2. Another run exits normally (server still down): the exit hooks keep its events in the spool.
    const exited = await run('agent.mjs', {
      MODE: 'spool-exit',
      TETHER_URL: url,
      TETHER_SESSION_ID: 'spool-1',
      SPOOL: spool,
      N: '50',
      FROM: '300',
    });
    assert.equal(exited.code, 0, exited.err);
    assert.equal(spooledLines(spool), 350);
    // 3. Server up; a restarted agent sends the spool.
    const srv = await startTestServer({ port });
    try {
      const drained = await run('agent.mjs', { MODE: 'spool-drain', TETHER_URL: url, SPOOL: spool });
      assert.equal(drained.code, 0, drained.err);
      const stats = JSON.parse(drained.out.trim()) as { ok: boolean; delivered: number };
      assert.equal(stats.ok, true);
      const { indexes, gapless } = actionIndexes(await allEvents(url, 'spool-1'));
      assert.deepEqual(indexes, range(350));
      assert.ok(gapless);
      assert.equal(spooledLines(spool), 0);
      // 4. Running again sends nothing more.
      const again = await run('agent.mjs', { MODE: 'spool-drain', TETHER_URL: url, SPOOL: spool });
      assert.equal((JSON.parse(again.out.trim()) as { delivered: number }).delivered, 0);
      assert.equal(actionIndexes(await allEvents(url, 'spool-1')).indexes.length, 350);
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(spool, { recursive: true, force: true });
  }
});

test('SIGTERM flushes pending events before the agent ends (Node exit hooks)', async () => {
  const srv = await startTestServer();
  try {
    const r = await run(
      'agent.mjs',
      { MODE: 'sigterm', TETHER_URL: srv.url, TETHER_SESSION_ID: 'term-1', N: '500' },
      (line, child) => {
        if (line === 'logged') child.kill('SIGTERM');
      },
    );
    assert.equal(r.signal, 'SIGTERM', r.err);
    assert.deepEqual(actionIndexes(await allEvents(srv.url, 'term-1')).indexes, range(500));
  } finally {
    await srv.stop();
  }
});

test('seed compatibility: `import hookAgent` as STATUS.md shows, no flush, process just ends — all events arrive', async () => {
  const srv = await startTestServer();
  try {
    const r = await run('seed-import.mjs', { SEED_SESSION: 'seed-1', SEED_URL: srv.url });
    assert.equal(r.code, 0, r.err);
    const { goalId, agentId } = JSON.parse(r.out.trim()) as { goalId: string; agentId: string };
    const kinds = (await allEvents(srv.url, 'seed-1')).map((e) => e.kind);
    assert.deepEqual(kinds, [
      'session_created',
      'action',
      'goal_added',
      'agent_spawned',
      'response',
      'state_patched',
      'goal_updated',
      'agent_completed',
    ]);
    const state = (await srv.req('GET', '/api/v1/state/seed-1')).body;
    assert.equal(state.phase, 'execution');
    assert.equal(state.goals.find((g: { goalId: string }) => g.goalId === goalId).status, 'completed');
    assert.equal(state.agents.spawned.find((a: { agentId: string }) => a.agentId === agentId).status, 'completed');
  } finally {
    await srv.stop();
  }
});

test('seed compatibility: `require()` as the README shows, SESSION_ID / SESSION_SERVICE_URL from the environment, finalize', async () => {
  const srv = await startTestServer();
  try {
    const r = await run('seed-require.cjs', { SESSION_ID: 'seed-2', SESSION_SERVICE_URL: srv.url });
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out.trim().split('\n').pop()!) as { delivered: boolean }).delivered, true);
    const restored = (await srv.req('GET', '/api/v1/sessions/seed-2')).body;
    assert.equal(restored.actions[0].type, 'task_start');
    assert.equal(restored.state.currentStep, 'processing');
    assert.equal(restored.metadata.status, 'completed');
  } finally {
    await srv.stop();
  }
});
