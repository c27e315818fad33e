/**
 * Durability: restart persistence, and kill -9 of a real `tether serve` process during a write burst —
 * every acknowledged event must be readable afterwards (the prototype left empty JSON files behind).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startTestServer } from './helpers.js';

const BIN = resolve(import.meta.dirname, '../../cli/dist/bin.js');

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

async function startChild(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--no-dashboard'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Up to 30 s: a loaded CI machine starts Node slowly.
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

describe('durability', () => {
  it('a restarted server has every session, event and state', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-restart-'));
    try {
      let s = await startTestServer({ dataDir });
      await s.req('POST', '/api/v1/sessions', { sessionId: 'r1', userId: 'u' });
      await s.req('POST', '/api/v1/state/r1/goals', { goalId: 'g', description: 'x' });
      for (let i = 0; i < 10; i++) await s.req('POST', '/api/v1/actions/r1', { i });
      const before = (await s.req('GET', '/api/v1/sessions/r1')).body;
      await s.stop();
      s = await startTestServer({ dataDir });
      const after = (await s.req('GET', '/api/v1/sessions/r1')).body;
      assert.deepEqual(after, before);
      const next = await s.req('POST', '/api/v1/actions/r1', { i: 10 });
      assert.equal(next.body.seq, 13, 'seq continues after restart');
      await s.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('kill -9 during a write burst loses no acknowledged event', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-kill-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    try {
      const child = await startChild(dataDir, port);
      const acked: Array<{ sessionId: string; id: string; seq: number }> = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const id = `w${w}-${i}`;
          const sessionId = `kill-${w % 4}`;
          try {
            const r = await fetch(`${base}/api/v1/actions/${sessionId}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': id },
              body: JSON.stringify({ w, i }),
            });
            if (r.status === 201) acked.push({ sessionId, id, seq: ((await r.json()) as { seq: number }).seq });
          } catch {
            return; // the server is gone
          }
        }
      };
      const writers = Array.from({ length: 16 }, (_, w) => writer(w));
      while (acked.length < 1500) await new Promise((r) => setTimeout(r, 20));
      const exited = new Promise((r) => child.once('exit', r)); // listen before the kill: it may exit at once
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await exited;

      const db = new Database(join(dataDir, 'tether.db'));
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();

      const again = await startChild(dataDir, port);
      try {
        for (const sid of ['kill-0', 'kill-1', 'kill-2', 'kill-3']) {
          const { events } = (await (await fetch(`${base}/api/v1/sessions/${sid}/events?limit=10000`)).json()) as {
            events: Array<{ id: string; seq: number }>;
          };
          const stored = new Map(events.map((e) => [e.id, e.seq]));
          assert.deepEqual(
            events.map((e) => e.seq),
            Array.from({ length: events.length }, (_, i) => i + 1),
            'gapless after the crash',
          );
          for (const a of acked.filter((x) => x.sessionId === sid))
            assert.equal(stored.get(a.id), a.seq, `acknowledged ${a.id} is stored at its seq`);
          // Session rows may lag their log at the crash; the summary must still agree with the log exactly.
          const summary = (await (await fetch(`${base}/api/v1/sessions/${sid}/summary`)).json()) as {
            lastSeq: number;
            metadata: { metrics: { actions: number; events: number } };
          };
          assert.equal(summary.lastSeq, events.length);
          assert.equal(summary.metadata.metrics.actions, events.length - 1);
          assert.equal(summary.metadata.metrics.events, events.length);
          const listed = (await (await fetch(`${base}/api/v1/sessions?limit=10`)).json()) as {
            sessions: Array<{ sessionId: string; lastSeq: number }>;
          };
          assert.equal(
            listed.sessions.find((x) => x.sessionId === sid)?.lastSeq,
            events.length,
            'the listed row caught up too',
          );
        }
      } finally {
        again.kill('SIGTERM');
        await new Promise((r) => again.once('exit', r));
      }
      assert.ok(acked.length >= 1500);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('SIGTERM drains in-flight writes: every answered write is stored, and the process exits 0', {
    timeout: 60_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-term-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    try {
      const child = await startChild(dataDir, port);
      const acked: string[] = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const r = await fetch(`${base}/api/v1/actions/term`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': `t${w}-${i}` },
              body: '{}',
            });
            if (r.status === 201) acked.push(`t${w}-${i}`);
          } catch {
            return;
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 10));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      stop = true;
      await Promise.all(writers);
      const again = await startChild(dataDir, port);
      try {
        const { events } = (await (await fetch(`${base}/api/v1/sessions/term/events?limit=10000`)).json()) as {
          events: Array<{ id: string }>;
        };
        const ids = new Set(events.map((e) => e.id));
        for (const id of acked) assert.ok(ids.has(id), `answered write ${id} was stored`);
      } finally {
        again.kill('SIGTERM');
        await new Promise((r) => again.once('exit', r));
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
