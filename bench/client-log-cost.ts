/**
 * Cost of one log call inside the agent's process (TypeScript SDK, issue #4): `session.logAction(...)` with the
 * background batcher delivering to a real local server (`tether serve` child process).
 * Usage: node --import tsx bench/client-log-cost.ts [--calls 200000]
 * Times blocks of 100 calls with process.hrtime and divides (timer overhead amortized); between blocks the event loop
 * runs, so background delivery happens but is not counted. Prints median / p90 / p99 of the per-call cost in µs.
 */
import { TetherClient } from '../packages/client/src/index.ts';
import { startServer } from './lib.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const calls = Number(arg('--calls')) || 200_000;
const BLOCK = 100;

async function measure(label: string, client: TetherClient, payload: () => Record<string, unknown>): Promise<string> {
  const s = client.session(`bench-cost-${label.replace(/\W+/g, '-')}`);
  const perCall: number[] = [];
  for (let b = 0; b < calls / BLOCK; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BLOCK; i++) void s.logAction(payload());
    perCall.push(Number(process.hrtime.bigint() - t0) / 1000 / BLOCK);
    if (b % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  await client.flush();
  const warm = perCall.slice(Math.floor(perCall.length / 10)).sort((a, b) => a - b);
  const q = (p: number) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))]!.toFixed(2);
  const st = client.deliveryStats();
  return `| ${label} | ${calls} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | ${st.delivered} | ${st.dropped} |`;
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const lines = [
      '| payload | calls | median µs/call | p90 | p99 | delivered | dropped |',
      '|---|---|---|---|---|---|---|',
    ];
    const small = () => ({ type: 'tool_use', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 });
    const big = () => ({
      type: 'tool_use',
      tool: 'Read',
      input: { path: '/src/app.ts' },
      output: 'x'.repeat(2000),
      usage: { input: 1200, output: 300 },
    });
    for (const [label, payload] of [
      ['small action (~90 B)', small],
      ['action with 2 KB output', big],
    ] as const) {
      const c = new TetherClient({ baseUrl: server.url, maxQueueSize: calls + 1, logger: false });
      lines.push(await measure(label, c, payload));
      await c.close();
    }
    console.log(lines.join('\n'));
  } finally {
    await server.stop();
  }
}

await main();
