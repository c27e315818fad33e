/** Storage-only cost of appends at batch sizes 1/16/64 (no HTTP). Usage: node --import tsx bench/store-micro.ts */
import { SqliteStore } from '../packages/server/src/index.js';
import { rmSync } from 'node:fs';
rmSync('/tmp/micro', { recursive: true, force: true });
const s = new SqliteStore({ file: '/tmp/micro/t.db' });
const data = { type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 };
for (const batch of [1, 16, 64]) {
  const n = 20000;
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const items = Array.from({ length: batch }, () => ({ input: { sessionId: 'm' + batch, kind: 'action' as const, data }, autoCreate: true, receivedAt: new Date().toISOString() }));
    await s.append(items);
  }
  const ms = performance.now() - t0;
  console.log(`batch ${batch}: ${(ms * 1000 / n).toFixed(1)} µs/event, ${Math.round(n / ms * 1000)} events/s`);
}
