/**
 * Runs the example agents (examples/*) as child processes against a Tether URL and collects the JSON report each one
 * writes (`--report`). Python comes from `$TETHER_PYTHON`, else `<root>/.venv/bin/python`, else `python3`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExampleReport } from './checks.js';

/** One example run: which example, its session id and the arguments beyond `--url/--session-id/--report`. */
export interface ExampleSpec {
  name: 'customer-comm' | 'email-solver' | 'claude-code';
  sessionId: string;
  extraArgs?: string[];
}

export interface ExampleRun {
  spec: ExampleSpec;
  exitCode: number | null;
  /** The parsed report, or null when the example wrote none (it failed). */
  report: ExampleReport | null;
  logFile: string;
  durationMs: number;
}

/** The Python interpreter the examples run under. */
export function pythonFor(root: string): string {
  if (process.env.TETHER_PYTHON) return process.env.TETHER_PYTHON;
  const venv = join(root, '.venv/bin/python');
  return existsSync(venv) ? venv : 'python3';
}

function command(root: string, spec: ExampleSpec, url: string, reportFile: string): { cwd: string; args: string[] } {
  const common = ['--url', url, '--session-id', spec.sessionId, '--report', reportFile, ...(spec.extraArgs ?? [])];
  switch (spec.name) {
    case 'customer-comm':
      return { cwd: join(root, 'examples/customer-comm'), args: ['-m', 'customer_comm', ...common] };
    case 'email-solver':
      return { cwd: join(root, 'examples/email-solver'), args: ['-m', 'email_solver', ...common] };
    case 'claude-code':
      return { cwd: join(root, 'examples/claude-code'), args: ['replay.py', ...common] };
  }
}

/**
 * Runs one example to its end (it never outlives `timeoutMs`, default 120,000 ms: it is killed then). Its stdout and
 * stderr go to `<outDir>/<name>.log`, its report to `<outDir>/<name>.report.json`. Never rejects: a failed example
 * gives `report: null` and its exit code. `env` is added to the environment; `label` names the log and report files
 * (default the example's name).
 */
export async function runExample(
  root: string,
  spec: ExampleSpec,
  url: string,
  outDir: string,
  timeoutMs = 120_000,
  env: Record<string, string> = {},
  label: string = spec.name,
): Promise<ExampleRun> {
  const reportFile = join(outDir, `${label}.report.json`);
  const logFile = join(outDir, `${label}.log`);
  const { cwd, args } = command(root, spec, url, reportFile);
  const log = createWriteStream(logFile);
  const started = Date.now();
  const child = spawn(pythonFor(root), args, {
    cwd,
    env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      log.write(`\n[harness] could not start ${pythonFor(root)}: ${err.message}\n`);
      resolve(127);
    });
    child.once('exit', (code) => resolve(code));
  });
  clearTimeout(timer);
  await new Promise<void>((r) => log.end(r));
  let report: ExampleReport | null = null;
  if (exitCode === 0 && existsSync(reportFile)) report = JSON.parse(readFileSync(reportFile, 'utf8')) as ExampleReport;
  return { spec, exitCode, report, logFile, durationMs: Date.now() - started };
}
