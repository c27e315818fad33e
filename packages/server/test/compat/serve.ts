/**
 * A real `tether serve` process (packages/cli/dist/bin.js) on a free port with a temporary data directory, for the
 * prototype-compatibility suite: the prototype's clients talk to the command a user runs, not to an in-process app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../../cli/dist/bin.js');

export async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface Served {
  url: string;
  port: number;
  child: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts `tether serve` and resolves once `/ready` answers 200 (up to 60 s on a busy machine). */
export async function serve(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'tether-compat-')),
): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--no-dashboard'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tether serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline) throw new Error('tether serve did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
