/**
 * The canaries must be able to fail: runs `tether canary a2a` (the built CLI, as a user runs it) against the reference
 * runtime (examples/a2a-agent) healthy and broken on purpose in each way that matters, and checks that exactly the
 * right canary fails each time, over both wire versions:
 *
 *   (healthy, restart between turns)  → all pass, exit 0
 *   --break key-by-task-id             → name fails; Tether shows sessions keyed by task id
 *   --break in-memory-store + restart  → name fails (the conversation died with the process)
 *   --break drop-file-only             → file-only fails
 *   --break no-memory                  → memory fails
 *   --break shared-context             → isolation fails
 *
 * Every failing run must leave artifacts (sessions, exchanges, runtime log). Also reports the cold time of the whole
 * suite, runtime start included. Usage: node --import tsx e2e/a2a/break-matrix.ts [--out artifacts/a2a-canary]
 * Needs the built CLI and TETHER_PYTHON (default .venv/bin/python) with `python[a2a]` installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService } from '../lib/service.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = resolve(
  process.argv.includes('--out')
    ? process.argv[process.argv.indexOf('--out') + 1]!
    : join(ROOT, 'artifacts/a2a-canary'),
);
const PY = resolve(process.env.TETHER_PYTHON ?? join(ROOT, '.venv/bin/python'));
const RUNTIME = join(ROOT, 'examples/a2a-agent/scripts/runtime.sh');
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const CANARIES = ['name', 'file-only', 'file-caption', 'memory', 'isolation'];

interface Mode {
  name: string;
  breaks: string[];
  restart: boolean;
  fails: string[];
  diagnostic?: RegExp;
}
const MODES: Mode[] = [
  { name: 'healthy', breaks: [], restart: true, fails: [] },
  {
    name: 'key-by-task-id',
    breaks: ['key-by-task-id'],
    restart: false,
    fails: ['name'],
    diagnostic: /keyed by task id/,
  },
  {
    name: 'in-memory-store',
    breaks: ['in-memory-store'],
    restart: true,
    fails: ['name'],
    diagnostic: /no session a2a:/,
  },
  { name: 'drop-file-only', breaks: ['drop-file-only'], restart: false, fails: ['file-only'] },
  { name: 'no-memory', breaks: ['no-memory'], restart: false, fails: ['memory'], diagnostic: /no memory item/ },
  { name: 'shared-context', breaks: ['shared-context'], restart: false, fails: ['isolation'] },
];

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    p.on('close', (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

interface Report {
  ok: boolean;
  durationMs: number;
  artifactsDir?: string;
  canaries: Array<{
    name: string;
    version: string;
    ok: boolean;
    reason: string;
    diagnostics: Array<{ ok: boolean; detail: string }>;
  }>;
}

async function main(): Promise<number> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build`);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const service = await startService(ROOT, join(OUT, 'tether.log'), {}, 120_000);
  const problems: string[] = [];
  try {
    for (const mode of MODES) {
      const state = join(OUT, mode.name);
      const ws = join(state, 'workspace');
      mkdirSync(ws, { recursive: true });
      const port = await freePort();
      const agentUrl = `http://127.0.0.1:${port}/`;
      const t0 = performance.now();
      const args = [
        '--port',
        String(port),
        '--tether-url',
        service.url,
        '--workspace-root',
        ws,
        '--workspace-id',
        `matrix-${mode.name}`,
        ...mode.breaks.flatMap((b) => ['--break', b]),
      ];
      const started = await run('bash', [RUNTIME, 'start', state, ...args], { PYTHON: PY });
      if (started.code !== 0) throw new Error(`runtime start failed: ${started.stderr}`);
      try {
        const canary = await run(process.execPath, [
          CLI,
          'canary',
          'a2a',
          agentUrl,
          '--a2a-version',
          'both',
          '--json',
          '--tether-url',
          service.url,
          '--ready-timeout',
          '180000',
          '--artifacts',
          join(state, 'artifacts'),
          '--workspace-dir',
          ws,
          '--logs-cmd',
          `bash ${RUNTIME} logs ${state}`,
          ...(mode.restart ? ['--restart-cmd', `PYTHON=${PY} bash ${RUNTIME} restart ${state}`] : []),
        ]);
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        let report: Report;
        try {
          report = JSON.parse(canary.stdout) as Report;
        } catch {
          problems.push(`${mode.name}: no JSON report (exit ${canary.code}): ${canary.stderr.slice(-500)}`);
          continue;
        }
        const failed = report.canaries
          .filter((c) => !c.ok)
          .map((c) => `${c.name}@${c.version}`)
          .sort();
        const expected = mode.fails.flatMap((f) => [`${f}@0.3`, `${f}@1.0`]).sort();
        const line = report.canaries.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.name}@${c.version}`).join(', ');
        console.log(
          `${mode.name.padEnd(16)} ${seconds} s cold (runtime start + ${mode.restart ? '4 restarts + ' : ''}${report.canaries.length} canaries): ${line}`,
        );
        if (report.canaries.length !== CANARIES.length * 2)
          problems.push(`${mode.name}: ${report.canaries.length} canaries ran, expected ${CANARIES.length * 2}`);
        if (JSON.stringify(failed) !== JSON.stringify(expected)) {
          problems.push(`${mode.name}: failed [${failed.join(', ')}], expected [${expected.join(', ')}]`);
          for (const c of report.canaries.filter((x) => !x.ok !== mode.fails.includes(x.name)))
            problems.push(`  ${c.name}@${c.version}: ${c.reason}`);
        }
        if ((canary.code === 0) !== (expected.length === 0)) problems.push(`${mode.name}: exit code ${canary.code}`);
        if (mode.diagnostic) {
          const diag = report.canaries
            .filter((c) => mode.fails.includes(c.name))
            .flatMap((c) => c.diagnostics.filter((d) => !d.ok).map((d) => d.detail));
          if (!diag.some((d) => mode.diagnostic!.test(d)))
            problems.push(
              `${mode.name}: no layer diagnostic matching ${mode.diagnostic} (got: ${diag.join('; ') || 'none'})`,
            );
        }
        if (expected.length) {
          const dir = join(state, 'artifacts');
          const sub = join(dir, `${mode.fails[0]}@0.3`);
          for (const f of [
            join(sub, 'exchanges.json'),
            join(sub, 'sessions.json'),
            join(dir, 'runtime.log'),
            join(dir, 'report.json'),
          ])
            if (!existsSync(f)) problems.push(`${mode.name}: artifact ${f} missing`);
          const log = existsSync(join(dir, 'runtime.log'))
            ? readFileSync(join(dir, 'runtime.log'), 'utf8').split('\n')
            : [];
          if (log.length > 201 || !log.some((l) => l.includes('a2a_agent')))
            problems.push(`${mode.name}: runtime.log has ${log.length} lines / no runtime lines`);
        } else if (
          existsSync(join(state, 'artifacts', 'report.json')) &&
          report.canaries.every((c) => c.diagnostics.every((d) => d.ok))
        ) {
          problems.push(`${mode.name}: artifacts written although everything passed`);
        }
      } finally {
        await run('bash', [RUNTIME, 'stop', state]);
      }
    }
  } finally {
    await service.stop();
  }
  for (const p of problems) console.error(`PROBLEM ${p}`);
  console.log(
    problems.length
      ? `a2a break matrix: ${problems.length} problems`
      : `a2a break matrix: all ${MODES.length} modes failed exactly the right canary`,
  );
  return problems.length ? 1 : 0;
}

// Exit explicitly: after a failed start a child process may still hold the event loop open.
main().then(
  (c) => process.exit(c),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
