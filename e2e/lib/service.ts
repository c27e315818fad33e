/**
 * Starts a fresh `tether serve` as a child process (the real CLI, as a user runs it) on an ephemeral port with an empty
 * data directory, and stops it. Its log (pino JSON lines) goes to a file kept as an artifact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Service {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  dataDir: string;
  logFile: string;
  child: ChildProcess;
  /** SIGTERM, then waits for exit (SIGKILL after `graceMs`, default 10,000 ms); removes the data directory unless `keep`. */
  stop(keep?: boolean, graceMs?: number): Promise<void>;
}

/**
 * Spawns `node packages/cli/dist/bin.js serve --port 0 --data-dir <fresh temp dir>` in `root` and resolves once its log
 * says where it listens. Rejects if the CLI is not built, the process exits first, or no URL is logged within `timeoutMs`
 * (default 30,000 ms).
 */
export async function startService(
  root: string,
  logFile: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<Service> {
  const bin = join(root, 'packages/cli/dist/bin.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npm run build, or bash scripts/setup.sh)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-e2e-'));
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
    cwd: root,
    env: { ...process.env, TETHER_LOG_REQUESTS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error(`tether serve logged no URL within ${timeoutMs} ms (log: ${logFile})`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const m = /Tether listening on (http:\/\/[^\s"]+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tether serve exited with code ${code} before listening (log: ${logFile})`));
    });
  });
  return {
    url,
    dataDir,
    logFile,
    child,
    async stop(keep = false, graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(kill);
      }
      log.end();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
