/**
 * Where the HTTP thread's garbage comes from during ingest (issue #18): bytes allocated per stored event, by function,
 * from V8's sampling heap profiler with the objects later collected by minor and major GCs included (so it counts what
 * the scavenger has to deal with, not only what survives).
 *
 * The server runs in this process (startServer of @tether/server, SQLite in a temporary directory, writer and index
 * threads as in `tether serve`), driven over HTTP by bench/ingest-client (Go, another process: its allocations are not
 * counted) with 1,000-event batches of the realistic tool calls of bench/payloads.ts, one connection. A 2 s warm-up runs
 * first; then `--seconds` are sampled. Sampling slows the server: the figures are bytes per event, not speed.
 *
 * Usage: node --import tsx bench/ingest-alloc.ts [--seconds 4] [--payload tool|cc] [--top 30]
 */
import { spawn, execFileSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startServer } from '../packages/server/src/index.ts';
import { claudeCode, toolCalls } from './payloads.ts';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seconds = Number(arg('--seconds')) || 4;
const topN = Number(arg('--top')) || 30;
const payload = arg('--payload') === 'cc' ? claudeCode() : toolCalls();

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const work = mkdtempSync(join(tmpdir(), 'tether-alloc-'));
const client = join(work, 'ingest-client');
execFileSync('go', ['build', '-o', client, '.'], { cwd: join(import.meta.dirname, 'ingest-client'), stdio: 'inherit' });
const bodies = join(work, 'bodies.ndjson');
writeFileSync(bodies, payload.lines.join('\n') + '\n');
const server = await startServer(
  loadConfig({ TETHER_DATA_DIR: join(work, 'data'), TETHER_PORT: '0', TETHER_LOG_LEVEL: 'warn' }),
);

/** Runs the Go client for `secs`; resolves with the events it stored. */
function load(secs: number, tag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-url', server.url, '-bodies', bodies, '-connections', '1', '-seconds', String(secs), '-tag', tag];
    const c = spawn(client, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code) =>
      code === 0 ? resolve((JSON.parse(out) as { events: number }).events) : reject(new Error(`client exited ${code}`)),
    );
  });
}

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await load(2, 'warm');
// The two include flags are V8 sampling-heap-profiler options (Chrome DevTools Protocol HeapProfiler.startSampling).
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMinorGC: true,
  includeObjectsCollectedByMajorGC: true,
} as never);
const events = await load(seconds, 'sampled');
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
session.disconnect();
await server.close();
rmSync(work, { recursive: true, force: true });

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
const walk = (n: ProfileNode, stack: string[]): void => {
  const f = n.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  const here = stack.includes(key) ? stack : [...stack, key];
  if (n.selfSize) {
    self.set(key, (self.get(key) ?? 0) + n.selfSize);
    for (const k of here) inclusive.set(k, (inclusive.get(k) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c, here);
};
walk(profile.head, []);
const table = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([k, v]) => `| ${(v / events).toFixed(0)} | \`${k}\` |`)
    .join('\n');
console.log(
  `${payload.label}: ${events} events stored while sampling; ${(total / events).toFixed(0)} bytes allocated per event on the HTTP thread\n`,
);
console.log('| bytes/event (self) | function |\n| --- | --- |\n' + table(self) + '\n');
console.log('| bytes/event (inclusive) | function |\n| --- | --- |\n' + table(inclusive));
process.exit(0);
