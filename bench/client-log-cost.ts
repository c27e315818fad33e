/**
 * Cost of one log call inside the agent's process (TypeScript SDK, issues #4 and #18): `session.logAction(...)` with
 * the background batcher delivering to a real local server (`tether serve` child process).
 * Usage: node --import tsx bench/client-log-cost.ts [--calls 200000] [--only realistic]
 *
 * Every call is timed on its own (process.hrtime.bigint before and after; the timer's own cost is printed and
 * included). The agent is modelled as turns of 100 calls with `await setImmediate` between them: Node runs the sender
 * (joining the queued JSON strings into a body, the request, parsing the answer and its per-item results) only in
 * those gaps, so "while the sender is busy" shows as the length of the gap, not inside a call. The gap is printed as
 * p50 / p99 / max per turn, and as the sender's main-thread time per event (sum of gaps / calls, minus an idle gap).
 * The first 10 % of calls warm up and are not counted.
 */
import { TetherClient } from '../packages/client/src/index.ts';
import { startServer } from './lib.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const calls = Number(arg('--calls')) || 200_000;
const only = arg('--only');
const TURN = 100;

const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const f = (x: number, d = 2) => x.toFixed(d);

function timerCost(): number {
  const ns: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const t0 = process.hrtime.bigint();
    ns.push(Number(process.hrtime.bigint() - t0));
  }
  return ns.sort((a, b) => a - b)[ns.length >> 1]! / 1000;
}

async function idleGap(): Promise<number> {
  const gaps: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setImmediate(r));
    gaps.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return gaps.sort((a, b) => a - b)[gaps.length >> 1]!;
}

async function measure(
  label: string,
  client: TetherClient,
  payload: () => Record<string, unknown>,
  idle: number,
): Promise<string> {
  const s = client.session(`bench-cost-${label.replace(/\W+/g, '-')}-${Date.now()}`);
  const perCall = new Float64Array(calls);
  const gaps: number[] = [];
  const warm = Math.floor(calls / 10);
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    void s.logAction(payload());
    perCall[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (i % TURN === TURN - 1) {
      const g0 = process.hrtime.bigint();
      await new Promise((r) => setImmediate(r));
      if (i >= warm) gaps.push(Number(process.hrtime.bigint() - g0) / 1000);
    }
  }
  await client.flush();
  const c = Array.from(perCall.subarray(warm)).sort((a, b) => a - b);
  const sumGaps = gaps.reduce((a, b) => a + b, 0);
  gaps.sort((a, b) => a - b);
  const senderPerEvent = (sumGaps - gaps.length * idle) / (calls - warm);
  const st = client.deliveryStats();
  return (
    `| ${label} | ${calls} | ${f(q(c, 0.5))} | ${f(q(c, 0.9))} | ${f(q(c, 0.99))} | ${f(q(c, 0.999), 1)} | ` +
    `${f(c[c.length - 1]!, 0)} | ${f(q(gaps, 0.5), 0)} / ${f(q(gaps, 0.99), 0)} / ${f(gaps[gaps.length - 1]!, 0)} | ` +
    `${f(senderPerEvent)} | ${st.delivered} | ${st.dropped} |`
  );
}

/** A realistic tool call (issue #18; the same as bench/python_log_cost.py's REALISTIC): ~400 bytes of JSON. */
const REALISTIC = {
  type: 'tool_call',
  tool: 'Bash',
  input: { command: 'ls -la /home/dev/project/src/module7', cwd: '/home/dev/project', timeoutMs: 120000 },
  output: 'total 48\ndrwxr-xr-x  5 dev dev 4096 Mar  3 10:12 .\n-rw-r--r--  1 dev dev  812 package.json\n'
    .repeat(3)
    .slice(0, 200),
  startedAt: '2026-03-03T10:00:00.000Z',
  endedAt: '2026-03-03T10:00:00.012Z',
};

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const idle = await idleGap();
    const lines = [
      `timer cost (included below): ${f(timerCost())} µs per timed call; an idle turn gap: ${f(idle)} µs`,
      '',
      '| payload | calls | median µs/call | p90 | p99 | p99.9 | max | turn gap µs p50 / p99 / max | sender µs/event | delivered | dropped |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    const small = () => ({ type: 'tool_use', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 });
    const big = () => ({
      type: 'tool_use',
      tool: 'Read',
      input: { path: '/src/app.ts' },
      output: 'x'.repeat(2000),
      usage: { input: 1200, output: 300 },
    });
    const cases: [string, () => Record<string, unknown>, number | undefined][] = [
      ['small action (~90 B)', small, undefined],
      ['action with 2 KB output', big, undefined],
      ['realistic tool call (~400 B), 1,000-event batches', () => REALISTIC, 1000],
    ];
    for (const [label, payload, batch] of only === 'realistic' ? cases.slice(2) : cases) {
      const c = new TetherClient({
        baseUrl: server.url,
        maxQueueSize: calls + 1,
        logger: false,
        ...(batch ? { flushAt: batch, maxBatchSize: batch } : {}),
      });
      lines.push(await measure(label, c, payload, idle));
      await c.close();
    }
    console.log(lines.join('\n'));
  } finally {
    await server.stop();
  }
}

await main();
