/**
 * Storage alone (no HTTP): µs per appended event in transactions of 1, 16 and 64 events into one session, and of
 * 1,000 events into 1 and 100 sessions (the shape of /api/ingest batches). One transaction at a time (each awaited),
 * full-text indexing included; with the writer thread (the default) and with `writerThread: false` (all on this thread).
 * Usage: node --import tsx bench/store-micro.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../packages/server/src/index.js';

const data = { type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 };

async function run(label: string, batch: number, sessions: number, n: number, writerThread: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-micro-'));
  const s = new SqliteStore({ file: join(dir, 'tether.db'), writerThread });
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i += batch) {
      const receivedAt = new Date().toISOString();
      await s.append(
        Array.from({ length: batch }, (_, j) => ({
          input: { sessionId: `m-${(i + j) % sessions}`, kind: 'action' as const, data },
          autoCreate: true,
          receivedAt,
        })),
      );
    }
    await s.indexText(); // full-text indexing is part of the cost of an event
    const ms = performance.now() - t0;
    console.log(
      `| ${label} | ${writerThread ? 'writer thread' : 'this thread'} | ${((ms * 1000) / n).toFixed(1)} | ${Math.round((n / ms) * 1000).toLocaleString('en')} |`,
    );
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('| transactions | writes on | µs per event | events/s |\n|---|---|---|---|');
for (const writerThread of [true, false]) {
  await run('1 event, 1 session', 1, 1, 5_000, writerThread);
  await run('16 events, 1 session', 16, 1, 20_000, writerThread);
  await run('64 events, 1 session', 64, 1, 50_000, writerThread);
  await run('1,000 events, 1 session', 1000, 1, 100_000, writerThread);
  await run('1,000 events, 100 sessions', 1000, 100, 100_000, writerThread);
}
