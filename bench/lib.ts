/** Bench helpers: a `tether serve` child process on its own port and data dir, and autocannon runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';

export const BIN = resolve(import.meta.dirname, '../packages/cli/dist/bin.js');

export async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface BenchServer {
  url: string;
  child: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** How {@link startServer} runs `tether serve`. */
export interface StartOptions {
  /** The CLI to run (default: this checkout's packages/cli/dist/bin.js), e.g. another build for an A/B run. */
  bin?: string;
  /** Node flags before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** More `tether serve` flags. */
  args?: string[];
  /** Keep the data directory after `stop()` (to measure what was stored); default false. */
  keepData?: boolean;
}

/** Starts `tether serve` on a free port with a temporary data dir (SQLite), waits for /ready; `stop()` sends SIGTERM. */
export async function startServer(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      opts.bin ?? BIN,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      '--no-dashboard',
      ...(opts.args ?? []),
    ],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Result {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** Runs autocannon for `seconds`; latencies in ms. */
export async function load(opts: autocannon.Options): Promise<Result> {
  const r = await autocannon({ duration: 10, ...opts });
  return {
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  };
}

export function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}
