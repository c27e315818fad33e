/**
 * Events per second one TypeScript SDK client sustains against a local server (`tether serve` child process, SQLite,
 * durability normal). Usage: node --import tsx bench/client-throughput.ts [--events 200000]
 * Logs `--events` actions as fast as the queue takes them ('block' policy, so nothing is dropped), across 10 sessions,
 * and times from the first log call until flush() resolves (everything stored). Prints a Markdown table per batch size.
 */
import { TetherClient } from '../packages/client/src/index.ts';
import { startServer } from './lib.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const total = Number(arg('--events')) || 200_000;

async function run(url: string, maxBatchSize: number, tag: string): Promise<string> {
  const c = new TetherClient({
    baseUrl: url,
    flushAt: maxBatchSize,
    maxBatchSize,
    maxQueueSize: 20_000,
    onFull: 'block',
    logger: false,
  });
  const sessions = Array.from({ length: 10 }, (_, i) => c.session(`tp-${tag}-${i}`));
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const p = sessions[i % 10]!.logAction({ type: 'tool_use', tool: 'Bash', input: { command: 'ls -la' }, i });
    if ((i & 1023) === 0) await p;
  }
  const ok = await c.flush();
  const secs = (performance.now() - t0) / 1000;
  const st = c.deliveryStats();
  await c.close();
  return `| ${maxBatchSize} | ${total} | ${(total / secs).toFixed(0)} | ${secs.toFixed(2)} | ${ok && st.delivered === total ? 'all' : `${st.delivered} (MISSING)`} | ${st.retries} |`;
}

async function main(): Promise<void> {
  const lines = ['| batch size | events | events/s | seconds | delivered | retries |', '|---|---|---|---|---|---|'];
  for (const size of [100, 500, 1000]) {
    const server = await startServer();
    try {
      lines.push(await run(server.url, size, String(size)));
    } finally {
      await server.stop();
    }
  }
  console.log(lines.join('\n'));
}

await main();
