/**
 * MCP session tracking latency (issue #13; seed 004 asks for "< 100 ms for session events").
 * Usage: node --import tsx bench/mcp.ts [--calls 400] [--concurrency 16] [--shells 10] [--shell-timeout 10] [--shell-only]
 *
 * Starts `tether serve` (SQLite) and measures, with the official TypeScript MCP client over Streamable HTTP:
 * - `track_session_start` round trips (one HTTP POST each, the client already initialized): sequential, and
 *   `--concurrency` clients at once (each its own MCP client and connection);
 * - a whole start as an admin shell does it: connect (initialize + initialized), `health_check`, `track_session_start`;
 * - beside them, plain REST writes with fetch: `POST /api/sessions` (create) and `POST /api/actions/:id` (append).
 * Then the admin shell's added start-up time in Python (`.venv/bin/python`): importing `tether.session_tracking`
 * (with `mcp`) and `emit_session_start_sync()` against the service, and against a closed port (service down).
 * Prints Markdown tables; latencies in ms.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, row, startServer } from './lib.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const calls = Number(arg('--calls')) || 400;
const concurrency = Number(arg('--concurrency')) || 16;
const shells = Number(arg('--shells')) || 10;
const skipHttp = process.argv.includes('--shell-only');

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
const ms = (x: number) => x.toFixed(2);

function startArgs(): Record<string, unknown> {
  return {
    event_version: '1.0',
    event_id: randomUUID(),
    event_type: 'session_start',
    component_name: 'bench',
    shell_type: 'BenchShell',
    timestamp: new Date().toISOString(),
    pid: process.pid,
    user: { username: 'bench', home: '/home/bench' },
    hostname: 'bench',
    environment: { python_version: '3.11', platform: 'Linux', cwd: '/tmp' },
    metadata: { component: 'bench', command_tree_size: 3 },
  };
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL('/mcp', url)));
  return c;
}

/** Runs `op` `n` times in each of `clients` loops at once; returns every latency (ms) and the wall time (ms). */
async function measure(
  clients: number,
  n: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<{ lat: number[]; wallMs: number }> {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, w) => {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await op(w, i);
        lat.push(performance.now() - t);
      }
    }),
  );
  return { lat, wallMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const server = await startServer();
  // startServer gives up waiting after 10 s; on a loaded machine the service may need longer.
  for (
    let i = 0;
    i < 600 &&
    !(await fetch(`${server.url}/ready`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 100));
  const lines = [
    row(['operation', 'clients', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'calls/s']),
    row(['---', '---', '---', '---', '---', '---', '---']),
  ];
  const report = (name: string, clients: number, r: { lat: number[]; wallMs: number }) => {
    lines.push(
      row([
        name,
        clients,
        r.lat.length,
        ms(pct(r.lat, 50)),
        ms(pct(r.lat, 99)),
        ms(Math.max(...r.lat)),
        Math.round(r.lat.length / (r.wallMs / 1000)),
      ]),
    );
    console.error(lines.at(-1));
  };
  try {
    if (!skipHttp) await httpBench(server.url, lines, report);
    else lines.length = 0;
    console.log(lines.join('\n'));
    await shellBench(server.url);
  } finally {
    await server.stop();
  }
}

async function httpBench(
  url: string,
  lines: string[],
  report: (name: string, clients: number, r: { lat: number[]; wallMs: number }) => void,
): Promise<void> {
  const server = { url };
  {
    const perClient = Math.ceil(calls / concurrency);
    const mcpClients = await Promise.all(Array.from({ length: concurrency }, () => connect(server.url)));
    const track = async (w: number) => {
      const r = await mcpClients[w]!.callTool({ name: 'track_session_start', arguments: startArgs() });
      if ((r.structuredContent as { status?: string })?.status !== 'tracked')
        throw new Error(JSON.stringify(r.content));
    };
    const rest = (path: (i: number) => string, body: (i: number) => unknown) => async (_w: number, i: number) => {
      const res = await fetch(server.url + path(i), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(i)),
      });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`REST ${res.status}`);
    };
    const create = rest(
      () => '/api/v1/sessions',
      () => ({
        sessionId: `rest-${randomUUID()}`,
        userId: 'bench',
        type: 'admin_shell',
        metadata: { component: 'bench' },
      }),
    );
    const append = rest(
      (i) => `/api/v1/actions/rest-append-${i % 50}`,
      () => ({ type: 'tool_call', tool: 'Bash', input: { command: 'ls' } }),
    );
    // Warm-up: compile the hot paths first.
    await measure(1, 50, track);
    await measure(1, 50, create);
    await measure(1, 50, append);

    report('MCP `track_session_start` (initialized client)', 1, await measure(1, calls, track));
    report('REST `POST /api/sessions` (create)', 1, await measure(1, calls, create));
    report('REST `POST /api/actions/:id` (append)', 1, await measure(1, calls, append));
    report(
      'MCP `track_session_start` (initialized clients)',
      concurrency,
      await measure(concurrency, perClient, track),
    );
    report('REST `POST /api/sessions` (create)', concurrency, await measure(concurrency, perClient, create));
    report('REST `POST /api/actions/:id` (append)', concurrency, await measure(concurrency, perClient, append));
    report(
      'MCP whole shell start: connect + `health_check` + `track_session_start`',
      1,
      await measure(1, Math.min(calls, 200), async () => {
        const c = await connect(server.url);
        await c.callTool({ name: 'health_check', arguments: {} });
        await c.callTool({ name: 'track_session_start', arguments: startArgs() });
        await c.close();
      }),
    );
    await Promise.all(mcpClients.map((c) => c.close()));
  }
}

async function shellBench(url: string): Promise<void> {
  const server = { url };
  {
    const py = resolve(import.meta.dirname, '../.venv/bin/python');
    if (!existsSync(py)) {
      console.log('\n(no .venv/bin/python: shell start-up not measured; run scripts/test.d/30-python.sh first)');
      return;
    }
    const down = `http://127.0.0.1:${await freePort()}/mcp`;
    const script = `
import sys, time, json
t0 = time.perf_counter()
from tether.session_tracking import SessionEventEmitter
import httpx, mcp, mcp.client.streamable_http  # what the first emit imports
t1 = time.perf_counter()
e = SessionEventEmitter("bench", sys.argv[1], timeout=float(sys.argv[2]))
sid = e.emit_session_start_sync("BenchShell", {"component": "bench"})
t2 = time.perf_counter()
ok = e.emit_session_end_sync(sid) if sid else False
t3 = time.perf_counter()
print(json.dumps({"import": (t1 - t0) * 1000, "start": (t2 - t1) * 1000, "end": (t3 - t2) * 1000, "tracked": sid is not None, "ended": ok}))
`;
    const run = (url: string) => {
      const out = spawnSync(py, ['-c', script, url, arg('--shell-timeout') ?? '10'], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(out.stderr);
      return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as {
        import: number;
        start: number;
        end: number;
        tracked: boolean;
        ended: boolean;
      };
    };
    const up = Array.from({ length: shells }, () => run(`${server.url}/mcp`));
    const off = Array.from({ length: shells }, () => run(down));
    const tracked = up.filter((r) => r.tracked && r.ended).length;
    const med = (xs: number[]) => ms(pct(xs, 50));
    const shellLines = [
      row(['Python admin shell start-up (added by tracking)', 'runs', 'median ms', 'max ms']),
      row(['---', '---', '---', '---']),
      row([
        'import `tether.session_tracking`, `mcp`, `httpx`',
        shells,
        med(up.map((r) => r.import)),
        ms(Math.max(...up.map((r) => r.import))),
      ]),
      row([
        '`emit_session_start_sync()`, service up (connect, initialize, health_check, track_session_start)',
        shells,
        med(up.map((r) => r.start)),
        ms(Math.max(...up.map((r) => r.start))),
      ]),
      row([
        '`emit_session_end_sync()`, service up',
        shells,
        med(up.map((r) => r.end)),
        ms(Math.max(...up.map((r) => r.end))),
      ]),
      row([
        '`emit_session_start_sync()`, service down (connection refused)',
        shells,
        med(off.map((r) => r.start)),
        ms(Math.max(...off.map((r) => r.start))),
      ]),
    ];
    shellLines.push(
      '',
      `${tracked}/${shells} runs tracked and ended with the service up; ${off.filter((r) => !r.tracked).length}/${shells} started untracked with it down.`,
    );
    console.log('\n' + shellLines.join('\n'));
  }
}

await main();
