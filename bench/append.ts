/**
 * Append throughput and latency of the session store (issue: core service benchmarks).
 * Usage: node --import tsx bench/append.ts [--seconds 10]
 * Starts `tether serve` as a child process (its own core) and drives it with autocannon from this process.
 * Prints a Markdown table for docs/benchmarks.md.
 */
import { load, row, startServer } from './lib.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const body = JSON.stringify({ type: 'tool_call', tool: 'Bash', input: { command: 'ls -la' }, durationMs: 12 });
const headers = { 'content-type': 'application/json' };

async function main(): Promise<void> {
  const lines: string[] = [row(['scenario', 'connections', 'req/s (events/s)', 'p50 ms', 'p99 ms', 'errors / non-2xx']), row(['---', '---', '---', '---', '---', '---'])];
  const server = await startServer();
  try {
    for (const connections of [1, 16, 64]) {
      const r = await load({ url: `${server.url}/api/actions/bench-one-${connections}`, method: 'POST', headers, body, connections, duration: seconds });
      lines.push(row(['single-event appends, one session', connections, r.reqPerSec, r.p50, r.p99, `${r.errors} / ${r.non2xx}`]));
      console.error(lines.at(-1));
    }
    for (const connections of [1, 16, 64]) {
      let n = 0;
      const r = await load({
        url: server.url, connections, duration: seconds,
        requests: [{ method: 'POST', headers, body, setupRequest: (req) => ({ ...req, path: `/api/actions/bench-many-${connections}-${n++ % 100}` }) }],
      });
      lines.push(row(['single-event appends, over 100 sessions', connections, r.reqPerSec, r.p50, r.p99, `${r.errors} / ${r.non2xx}`]));
      console.error(lines.at(-1));
    }
    // A session that already holds 50,000 events: is appending still as fast (no re-reading of the log)?
    const big = 'bench-50k';
    for (let i = 0; i < 50; i++) {
      const events = Array.from({ length: 1000 }, (_, j) => ({ sessionId: big, kind: 'action', data: { i: i * 1000 + j, tool: 'Read' } }));
      await fetch(`${server.url}/api/ingest`, { method: 'POST', headers, body: JSON.stringify({ events }) });
    }
    const info = (await (await fetch(`${server.url}/api/sessions/${big}/events?limit=1`)).json()) as { lastSeq: number };
    for (const connections of [1, 64]) {
      const r = await load({ url: `${server.url}/api/actions/${big}`, method: 'POST', headers, body, connections, duration: seconds });
      lines.push(row([`appends into a session holding ${info.lastSeq.toLocaleString('en')}+ events`, connections, r.reqPerSec, r.p50, r.p99, `${r.errors} / ${r.non2xx}`]));
      console.error(lines.at(-1));
    }
    // Batches through /api/ingest: 1,000 events a request.
    for (const connections of [1, 4]) {
      let n = 0;
      const r = await load({
        url: server.url, connections, duration: seconds,
        requests: [{
          method: 'POST', headers,
          setupRequest: (req) => {
            const b = n++;
            const events = Array.from({ length: 1000 }, (_, j) => ({ sessionId: `ingest-${b % 100}`, kind: 'action', data: { tool: 'Bash', j, input: { command: 'ls' } } }));
            return { ...req, path: '/api/ingest', body: JSON.stringify({ events }) };
          },
        }],
      });
      lines.push(row(['/api/ingest, 1,000-event batches', connections, `${r.reqPerSec} req/s = ${(r.reqPerSec * 1000).toLocaleString('en')} events/s`, r.p50, r.p99, `${r.errors} / ${r.non2xx}`]));
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
