/**
 * Helpers of the Claude Code integration tests: run the real `tether` CLI (from source, through tsx) as a child
 * process, and read transcripts. Shared by packages/server/test/claude-*.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The CLI's built JavaScript when it is at least as new as its sources (CI builds before testing; it starts in a
 * fraction of the time), else the sources through tsx.
 */
const cliDir = join(ROOT, 'packages/cli');
export const USE_DIST =
  existsSync(join(cliDir, 'dist/bin.js')) &&
  existsSync(join(cliDir, 'dist/claude/hook-main.js')) &&
  newest(join(cliDir, 'dist'), '.js') >= newest(join(cliDir, 'src'), '.ts');
export const CLI = join(cliDir, USE_DIST ? 'dist/bin.js' : 'src/bin.ts');
export const HOOK_MAIN = join(cliDir, USE_DIST ? 'dist/claude/hook-main.js' : 'src/claude/hook-main.ts');
/** The vendored transcripts (real Claude Code sessions, MIT, see fixtures/claude-code-transcripts/README.md). */
export const TRANSCRIPTS = process.env.TETHER_CC_TRANSCRIPTS ?? resolve(ROOT, 'fixtures/claude-code-transcripts');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node [--import tsx] <script> ...args` (tsx for .ts) with `input` on stdin; resolves when it exits (killed after `killAfterMs`). */
export function runNode(
  script: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; killAfterMs?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the `tether` CLI. */
export function tether(args: string[], opts: Parameters<typeof runNode>[2] = {}): Promise<RunResult> {
  return runNode(CLI, args, opts);
}

/** The JSON objects of a JSONL file (every line must parse). */
export function jsonl(file: string): Array<Record<string, any>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}
