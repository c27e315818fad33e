/**
 * Append throughput and latency of the session store (issue: core service benchmarks).
 * Usage: node --import tsx bench/append.ts [--seconds 10] [--generator wrk|autocannon]
 * Starts `tether serve` as a child process and drives it from a load generator on the same machine: wrk (Debian
 * package `wrk`, C, one thread) when installed, else autocannon (Node, in this process). Prints a Markdown table.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { load, row, startServer, type Result } from './lib.js';
import { hasWrk, luaPost, wrk } from './wrk.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seconds = Number(arg('--seconds')) || 10;
const generator = arg('--generator') ?? (hasWrk() ? 'wrk' : 'autocannon');
const body = JSON.stringify({ type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 });
const headers = { 'content-type': 'application/json' };

/** POSTs `payload` to `path` (+ `n % rotate` when rotating over sessions) for `seconds` with the chosen generator. */
async function post(base: string, path: string, payload: string, connections: number, rotate = 0): Promise<Result> {
  if (generator === 'wrk')
    return wrk(base + (rotate ? path + '0' : path), luaPost(path, payload, rotate), connections, seconds);
  let n = 0;
  return load({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers,
        body: payload,
        setupRequest: (req) => ({ ...req, path: rotate ? `${path}${n++ % rotate}` : path }),
      },
    ],
  });
}

async function main(): Promise<void> {
  console.error(`generator: ${generator}, ${seconds} s per run`);
  const lines: string[] = [
    row(['scenario', 'connections', 'req/s (events/s)', 'p50 ms', 'p99 ms', 'errors / non-2xx']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  // Calibration first: the same load against a bare Fastify route that answers {} (no storage, no hooks).
  const bare = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bare-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bareUrl = await new Promise<string>((resolve) =>
    bare.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  try {
    const r = await post(bareUrl, '/api/actions/bare-', body, 64, 100);
    lines.push(
      row([
        'calibration: bare Fastify route answering {} (no storage)',
        64,
        r.reqPerSec,
        r.p50,
        r.p99,
        `${r.errors} / ${r.non2xx}`,
      ]),
    );
    console.error(lines.at(-1));
  } finally {
    bare.kill();
  }
  const server = await startServer();
  try {
    for (const connections of [1, 16, 64]) {
      const r = await post(server.url, `/api/actions/bench-one-${connections}`, body, connections);
      lines.push(
        row(['single-event appends, one session', connections, r.reqPerSec, r.p50, r.p99, `${r.errors} / ${r.non2xx}`]),
      );
      console.error(lines.at(-1));
    }
    for (const connections of [1, 16, 64]) {
      const r = await post(server.url, `/api/actions/bench-many-${connections}-`, body, connections, 100);
      lines.push(
        row([
          'single-event appends, over 100 sessions',
          connections,
          r.reqPerSec,
          r.p50,
          r.p99,
          `${r.errors} / ${r.non2xx}`,
        ]),
      );
      console.error(lines.at(-1));
    }
    // A session that already holds 50,000 events: is appending still as fast (no re-reading of the log)?
    const big = 'bench-50k';
    for (let i = 0; i < 50; i++) {
      const events = Array.from({ length: 1000 }, (_, j) => ({
        sessionId: big,
        kind: 'action',
        data: { i: i * 1000 + j, tool: 'Read' },
      }));
      await fetch(`${server.url}/api/ingest`, { method: 'POST', headers, body: JSON.stringify({ events }) });
    }
    const info = (await (await fetch(`${server.url}/api/sessions/${big}/events?limit=1`)).json()) as {
      lastSeq: number;
    };
    for (const connections of [1, 64]) {
      const r = await post(server.url, `/api/actions/${big}`, body, connections);
      lines.push(
        row([
          `appends into a session holding ${info.lastSeq.toLocaleString('en')}+ events`,
          connections,
          r.reqPerSec,
          r.p50,
          r.p99,
          `${r.errors} / ${r.non2xx}`,
        ]),
      );
      console.error(lines.at(-1));
    }
    // Batches through /api/ingest: 1,000 events a request.
    for (const connections of [1, 4]) {
      const events = Array.from({ length: 1000 }, (_, j) => ({
        sessionId: `ingest-${j % 100}`,
        kind: 'action',
        data: { tool: 'Bash', j, input: { command: 'ls' } },
      }));
      const r = await post(server.url, '/api/ingest', JSON.stringify({ events }), connections);
      lines.push(
        row([
          '/api/ingest, 1,000-event batches',
          connections,
          `${r.reqPerSec} req/s = ${(r.reqPerSec * 1000).toLocaleString('en')} events/s`,
          r.p50,
          r.p99,
          `${r.errors} / ${r.non2xx}`,
        ]),
      );
      console.error(lines.at(-1));
    }
  } finally {
    await server.stop();
  }
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
