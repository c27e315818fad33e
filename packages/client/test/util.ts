/** Shared helpers of the client tests: free ports, a CLI server child process, waiting, reading a session's log. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = resolve(ROOT, 'packages/cli/dist/bin.js');

/** A port that was free a moment ago (listen on 0, read, close). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Polls `cond` every 10 ms until true (no timing assertion: the test runner's timeout is the bound). */
export async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
}

/** Starts `tether serve` as a child process on a port and data dir; resolves once /health answers. */
export async function spawnServer(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--no-dashboard'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    } catch {
      return false;
    }
  });
  return child;
}

/** Kills a child with a signal and waits for it to be gone. */
export async function kill(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(sig);
  await gone;
}

/** Every event of a session via the REST API (all pages). */
export async function allEvents(
  baseUrl: string,
  sessionId: string,
): Promise<Array<{ id: string; seq: number; kind: string; data: Record<string, unknown> }>> {
  const out: Array<{ id: string; seq: number; kind: string; data: Record<string, unknown> }> = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${baseUrl}/api/v1/sessions/${sessionId}/events?after=${after}&limit=10000`);
    if (res.status === 404) return out;
    const page = (await res.json()) as { events: typeof out; nextAfter: number | null };
    out.push(...page.events);
    if (page.nextAfter === null) return out;
    after = page.nextAfter;
  }
}

/** Asserts-friendly summary: the `i` values of a session's action events, sorted, and whether seqs are 1..n. */
export function actionIndexes(events: Array<{ seq: number; kind: string; data: Record<string, unknown> }>): {
  indexes: number[];
  gapless: boolean;
} {
  const gapless = events.every((e, k) => e.seq === k + 1);
  return {
    indexes: events
      .filter((e) => e.kind === 'action')
      .map((e) => e.data.i as number)
      .sort((a, b) => a - b),
    gapless,
  };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
