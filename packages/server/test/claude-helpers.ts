/**
 * Helpers of the Claude Code integration tests: run the real `tether` CLI (from source, through tsx) as a child
 * process, and read transcripts. Shared by packages/server/test/claude-*.test.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'packages/cli/src/bin.ts');
export const HOOK_MAIN = join(ROOT, 'packages/cli/src/claude/hook-main.ts');
/** The shared transcripts (real Claude Code sessions, see its README). */
export const TRANSCRIPTS = process.env.TETHER_CC_TRANSCRIPTS ?? resolve(ROOT, '../shared/data/claude-code-transcripts');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node --import tsx <script> ...args` with `input` on stdin; resolves when it exits (killed after `killAfterMs`). */
export function runNode(script: string, args: string[], opts: { input?: string; env?: Record<string, string>; killAfterMs?: number } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'],
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
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
