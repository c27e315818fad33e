/**
 * Batch ingest (`POST /api/v1/ingest`) at realistic event sizes (issue #18), all payloads in one run:
 * - `small`: today's bench/append.ts batches (~80-byte actions, no ids, 100 sessions);
 * - `tool calls`: realistic tool calls as the Python client sends them (tool name, ~100-byte JSON input, ~200-byte text
 *   output, start/end times, a client event id; ~400 bytes of JSON each), 1,000-event batches over 10 sessions a
 *   connection;
 * - `claude code`: the events `tether import` makes of the vendored Claude Code transcripts
 *   (fixtures/claude-code-transcripts, the importer's batches of ≤ 500 events / 512 KiB), repeated with fresh session
 *   and event ids.
 * Each payload gets its own `tether serve` child (default settings: SQLite, durability normal, writer thread) and is
 * driven by bench/ingest-client (Go, built on first use) at 1, 4 and 16 connections, one request in flight each.
 * Reported per run: events/s stored, p50/p99 ms per batch, server CPU µs per event (utime+stime of every thread of the
 * server process, /proc/<pid>/stat, from the start of the run until a search after it returned, so that indexing
 * every event stored is counted), the load generator's CPU, the longest time a probe event (one every `--probe-ms`) took from
 * its answer until a search found it, and how long that search after the run took (the index's backlog). Per payload: bytes stored per event (database + full-text index + WAL,
 * after the server closed, which checkpoints). The physical reference: a bare better-sqlite3 connection in this
 * process inserting the same rows (same schema and indexes, 1,000-row transactions), without and with FTS5 indexing
 * of the same text, CPU µs per event.
 *
 * Usage: node --import tsx bench/ingest-realistic.ts [--seconds 5] [--connections 1,4,16] [--payloads small,tool,cc]
 *   [--cpu-prof DIR] (server runs with node --cpu-prof, profiles written to DIR) [--server-args "..."]
 *   [--servers new=packages/cli/dist/bin.js,old=/tmp/base/packages/cli/dist/bin.js] (A/B: each payload against each
 *   server in turn, in one run; `name=path:--flag;--flag` gives that server node flags, e.g.
 *   `big=packages/cli/dist/bin.js:--max-semi-space-size=64`) [--probe-ms 1000] (pause before each search probe;
 *   BENCH_PROBE=1 prints every probe's time)
 * Build first (npm run build): the server is packages/cli/dist/bin.js.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventInput } from '@tether/protocol';
import { BIN, row, startServer as startBenchServer } from './lib.js';
import { claudeCode, small, toolCalls, type Payload } from './payloads.ts';
import { MIGRATIONS } from '../packages/server/src/storage/sqlite/migrations.ts';
import { ftsText } from '../packages/server/src/storage/search-text.ts';
import { openConnection } from '../packages/server/src/storage/sqlite/connection.ts';
import { WRITE_SQL } from '../packages/server/src/storage/sqlite/transaction.ts';
import { derivedColumns } from '../packages/server/src/storage/append-decision.ts';
import { uuidv7 } from '../packages/server/src/util/uuid7.ts';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seconds = Number(arg('--seconds')) || 5;
const connectionCounts = (arg('--connections') ?? '1,4,16').split(',').map(Number);
const payloadNames = (arg('--payloads') ?? 'small,tool,cc').split(',');
const cpuProf = arg('--cpu-prof');
/** Pause, in ms, before each search probe (a probe is one ingest and then searches until it is found). */
const probeMs = Number(arg('--probe-ms')) || 1000;
const CLK_TCK = 100;
const servers = (arg('--servers') ?? `this=${BIN}`)
  .split(',')
  .map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] as [string, string]);

/**
 * utime+stime of every thread of `pid`, in seconds, and per thread: `main` (the event loop: HTTP, parsing, planning)
 * and `other` (the writer, full-text index and checkpoint threads, V8's GC and compiler helpers, libuv's pool).
 */
function cpuOf(pid: number): { total: number; threads: Map<string, number> } {
  const threads = new Map<string, number>();
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name =
        Number(tid) === pid
          ? 'main'
          : process.env.BENCH_TIDS
            ? `${stat.slice(stat.indexOf('(') + 1, close)}:${tid}`
            : 'other';
      const f = stat.slice(close + 2).split(' ');
      const s = (Number(f[11]) + Number(f[12])) / CLK_TCK;
      total += s;
      threads.set(name, (threads.get(name) ?? 0) + s);
    } catch {
      /* thread ended */
    }
  }
  return { total, threads };
}

interface Server {
  url: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

async function startServer(spec: string): Promise<Server> {
  // `path` or `path:--flag;--flag` (node flags for that server, e.g. `--max-semi-space-size=64`).
  const [bin, flags] = spec.split(':') as [string, string | undefined];
  const nodeArgs = [
    ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : []),
    ...(flags ? flags.split(';') : []),
  ];
  const args = (arg('--server-args') ?? '').split(' ').filter(Boolean);
  const s = await startBenchServer({}, { bin, nodeArgs, args, keepData: true });
  return { url: s.url, pid: s.child.pid!, dataDir: s.dataDir, stop: s.stop };
}

interface ClientResult {
  requests: number;
  events: number;
  created: number;
  duplicate: number;
  failed: number;
  httpErrors: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  cpuSeconds: number;
}

function runClient(bin: string, url: string, bodies: string, connections: number, tag: string): Promise<ClientResult> {
  return new Promise((resolveRun, reject) => {
    const c = spawn(
      bin,
      ['-url', url, '-bodies', bodies, '-connections', String(connections), '-seconds', String(seconds), '-tag', tag],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code) =>
      code === 0 ? resolveRun(JSON.parse(out) as ClientResult) : reject(new Error(`ingest-client exited ${code}`)),
    );
  });
}

/**
 * While the load runs: after each `--probe-ms` pause, one event with a unique word, then searches until the word is found. Returns the
 * longest time from the ingest's answer to the first search that found it, in ms (and how many probes ran).
 */
function searchProbe(url: string): { stop(): Promise<{ maxMs: number; probes: number; misses: number }> } {
  let running = true;
  let maxMs = 0;
  let probes = 0;
  let misses = 0;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, probeMs));
      if (!running) break;
      const word = `probe${Date.now()}z${probes}`;
      const res = await fetch(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ sessionId: 'probe', kind: 'action', data: { note: word } }] }),
      });
      await res.arrayBuffer();
      const answered = performance.now();
      probes++;
      for (;;) {
        const t0 = performance.now();
        const hits = (await (await fetch(`${url}/api/v1/query/search?q=${word}`)).json()) as unknown;
        if (process.env.BENCH_PROBE)
          console.error(
            `probe search took ${(performance.now() - t0).toFixed(0)} ms, ${(performance.now() - answered).toFixed(0)} ms after the answer`,
          );
        const found = JSON.stringify(hits).includes(word);
        if (found) break;
        if (performance.now() - answered > 5000) {
          misses++;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      maxMs = Math.max(maxMs, performance.now() - answered);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxMs, probes, misses };
    },
  };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) {
    const s = statSync(join(dir, f));
    if (s.isFile() && !f.endsWith('.lock')) n += s.size;
  }
  return n;
}

/**
 * The physical reference: the rows the server would store for `sample` (repeated to `total` events), inserted by a bare
 * better-sqlite3 connection with the server's schema and settings, 1,000 rows a transaction; optionally also indexed
 * in FTS5 with the same text (in a second attached file, as the server does). CPU µs per event of this thread.
 */
function bareSqlite(sample: EventInput[], total: number, fts: boolean): { cpuUs: number; wallUs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tether-bare-'));
  const db = openConnection(join(dir, 'bare.db'));
  for (const m of MIGRATIONS) db.exec(m.sql);
  if (fts) {
    db.prepare('ATTACH DATABASE ? AS fts').run(join(dir, 'bare-fts.db'));
    db.pragma('fts.journal_mode = WAL');
    db.exec("CREATE VIRTUAL TABLE fts.events_fts USING fts5(body, content='', contentless_delete=1);");
  }
  const insert = db.prepare(WRITE_SQL.insertEvent);
  const index = fts ? db.prepare('INSERT INTO fts.events_fts (rowid, body) VALUES (?, ?)') : undefined;
  const seqs = new Map<string, number>();
  const received = new Date().toISOString();
  // Rows built before timing: the server's own work (ids, seq, JSON text) is what the reference leaves out.
  const rows: unknown[][] = [];
  const texts: string[] = [];
  for (let i = 0; i < total; i++) {
    const e = sample[i % sample.length]!;
    const rep = Math.floor(i / sample.length);
    const sid = e.sessionId.replaceAll('{{C}}', '0').replaceAll('{{R}}', String(rep));
    const seq = (seqs.get(sid) ?? 0) + 1;
    seqs.set(sid, seq);
    const data = JSON.stringify(e.data ?? {})
      .replaceAll('{{C}}', '0')
      .replaceAll('{{R}}', String(rep));
    rows.push([
      i + 1,
      sid,
      seq,
      e.id ? e.id.replaceAll('{{C}}', '0').replaceAll('{{R}}', String(rep)) : uuidv7(),
      e.kind,
      e.timestamp ?? received,
      received,
      data,
      ...((d) => [d.tool, d.toolError, d.tokensIn, d.tokensOut])(derivedColumns(e.kind, JSON.parse(data))),
    ]);
    if (fts) texts.push(ftsText(e.kind, JSON.parse(data)));
  }
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(...rows[i]!);
  });
  const ftx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) index!.run(i + 1, texts[i]!);
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < total; i += 1000) {
    tx.immediate(i, Math.min(total, i + 1000));
    if (fts) ftx.deferred(i, Math.min(total, i + 1000));
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { cpuUs: (c.user + c.system) / total, wallUs: (wall * 1000) / total };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tether-ingest-bench-'));
  const bin = join(work, 'ingest-client');
  execFileSync('go', ['build', '-o', bin, '.'], { cwd: join(import.meta.dirname, 'ingest-client'), stdio: 'inherit' });
  const all: Payload[] = [];
  for (const name of payloadNames) all.push(name === 'small' ? small() : name === 'tool' ? toolCalls() : claudeCode());
  console.error(
    `${seconds} s per run; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const table = [
    row([
      'payload',
      'JSON B/event',
      'connections',
      'events/s',
      'p50 ms/batch',
      'p99 ms/batch',
      'server CPU µs/event',
      'client CPU µs/event',
      'search probe max ms (probes) / index catch-up after the run ms',
      'errors',
    ]),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
  ];
  const storage: string[] = [
    row(['payload', 'events stored', 'bytes stored/event (db + index + WAL, after close)']),
    row(['---', '---', '---']),
  ];
  const threadLines: string[] = [];
  for (const p of all) {
    for (const [serverName, serverBin] of servers) {
      const bodies = join(work, `${p.name}.ndjson`);
      writeFileSync(bodies, p.lines.join('\n') + '\n');
      const server = await startServer(serverBin);
      const label = servers.length > 1 ? `${p.label} [${serverName}]` : p.label;
      let stored = 0;
      try {
        for (const connections of connectionCounts) {
          const probe = searchProbe(server.url);
          const before = cpuOf(server.pid);
          const r = await runClient(bin, server.url, bodies, connections, `r${connections}c`);
          const pr = await probe.stop();
          // A search makes the index catch up with everything stored: the CPU counted includes indexing these events
          // (an index thread that fell behind would otherwise look cheaper).
          const caughtUp = performance.now();
          await (await fetch(`${server.url}/api/v1/query/search?q=catchupzz`)).arrayBuffer();
          const catchUpMs = performance.now() - caughtUp;
          const after = cpuOf(server.pid);
          const ok = r.created + r.duplicate;
          stored += r.created;
          const cpuUs = ((after.total - before.total) * 1e6) / Math.max(1, ok);
          const split = [...after.threads]
            .map(([name, s]) => [name, s - (before.threads.get(name) ?? 0)] as const)
            .filter(([, s]) => s > 0.005)
            .map(([name, s]) => `${name} ${((s * 1e6) / Math.max(1, ok)).toFixed(1)}`)
            .join(', ');
          threadLines.push(
            `${p.name}${servers.length > 1 ? ` [${serverName}]` : ''} ×${connections}: µs/event by thread: ${split}`,
          );
          table.push(
            row([
              label,
              p.bytesPerEvent.toFixed(0),
              connections,
              Math.round(ok / r.seconds).toLocaleString('en'),
              r.p50.toFixed(1),
              r.p99.toFixed(1),
              cpuUs.toFixed(1),
              ((r.cpuSeconds * 1e6) / Math.max(1, ok)).toFixed(1),
              `${pr.maxMs.toFixed(0)} (${pr.probes}${pr.misses ? `, ${pr.misses} not found in 5 s` : ''}) / ${catchUpMs.toFixed(0)}`,
              `${r.failed} items / ${r.httpErrors} requests${r.duplicate ? ` / ${r.duplicate} dup` : ''}`,
            ]),
          );
          console.error(table.at(-1));
          console.error(threadLines.at(-1));
        }
      } finally {
        await server.stop();
      }
      storage.push(
        row([label, stored.toLocaleString('en'), (dirBytes(server.dataDir) / Math.max(1, stored)).toFixed(0)]),
      );
      rmSync(server.dataDir, { recursive: true, force: true });
    }
  }
  const ref = [
    row(['payload', 'bare SQLite insert CPU µs/event', '+ FTS5 indexing CPU µs/event']),
    row(['---', '---', '---']),
  ];
  for (const p of all) {
    const a = bareSqlite(p.sample, 50_000, false);
    const b = bareSqlite(p.sample, 50_000, true);
    ref.push(row([p.label, a.cpuUs.toFixed(1), b.cpuUs.toFixed(1)]));
  }
  rmSync(work, { recursive: true, force: true });
  console.log(table.join('\n'));
  console.log('');
  console.log(storage.join('\n'));
  console.log('');
  console.log(ref.join('\n'));
  console.log('');
  console.log(threadLines.map((l) => `- ${l}`).join('\n'));
  console.log(
    `\nload average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
