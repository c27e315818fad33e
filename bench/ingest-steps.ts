/**
 * Where the per-event CPU of ingest goes, step by step, outside the server (issue #18): µs per event of each step the
 * HTTP thread and the full-text index thread take for a 1,000-event batch of realistic tool calls and of the Claude
 * Code transcripts' events (bench/payloads.ts), measured with process.cpuUsage over many repetitions.
 *
 * HTTP thread: the pre-parse scan (depth and too-large numbers, util/json-limits.ts), the same scan's former regex pass,
 * secure-json-parse, JSON.stringify of the data (the stored text), ftsText from the parsed data (search-text.ts).
 * Index thread: reading committed rows back (SELECT), JSON.parse of their data and ftsText (the path without offered
 * texts), and the FTS5 insert with its commit (2,500 events a transaction, as fts-indexer.ts slices).
 *
 * Usage: node --import tsx bench/ingest-steps.ts [--reps 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sjson from 'secure-json-parse';
import { MAX_JSON_DEPTH, type EventInput } from '@tether/protocol';
import { claudeCode, toolCalls, type Payload } from './payloads.ts';
import { scanJson } from '../packages/server/src/util/json-limits.ts';
import { ftsText } from '../packages/server/src/storage/search-text.ts';
import { openConnection } from '../packages/server/src/storage/sqlite/connection.ts';
import { migrate } from '../packages/server/src/storage/sqlite/migrations.ts';
import { WRITE_SQL } from '../packages/server/src/storage/sqlite/transaction.ts';
import { attachFts } from '../packages/server/src/storage/sqlite/fts-indexer.ts';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const reps = Number(arg('--reps')) || 20;
/** The regex the pre-parse scan replaced (a second pass over the whole text, strings included). */
const FORMER_MAYBE_HUGE = /[eE]\+?\d{3}|\d{309}/;

/** CPU µs per event of `f` run `reps` times over `events` events (after one warm-up run). */
function cpu(label: string, events: number, f: () => unknown): void {
  f();
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) f();
  const c = process.cpuUsage(c0);
  console.log(`  ${label.padEnd(52)} ${((c.user + c.system) / (reps * events)).toFixed(2).padStart(7)} µs/event`);
}

/** Calls `f` on each of `xs` (a plain loop: no callback-return rules, no result array). */
function each<T>(xs: readonly T[], f: (x: T, i: number) => unknown): void {
  for (let i = 0; i < xs.length; i++) f(xs[i]!, i);
}

function steps(p: Payload): void {
  const bodies = p.lines.map((l) => l.replaceAll('{{C}}', '0').replaceAll('{{R}}', '0'));
  const parsed = bodies.flatMap((b) => (JSON.parse(b) as { events: EventInput[] }).events);
  const n = parsed.length;
  console.log(`${p.label}: ${n} events, ${p.bytesPerEvent.toFixed(0)} B each on the wire`);
  cpu('HTTP: pre-parse scan (scanJson)', n, () => each(bodies, (b) => scanJson(b, MAX_JSON_DEPTH)));
  cpu('HTTP: former too-large-number regex pass', n, () => each(bodies, (b) => FORMER_MAYBE_HUGE.test(b)));
  cpu('HTTP: secure-json-parse', n, () =>
    each(bodies, (b) => sjson.parse(b, { protoAction: 'error', constructorAction: 'error' })),
  );
  cpu('HTTP: JSON.stringify of data (the stored text)', n, () => each(parsed, (e) => JSON.stringify(e.data ?? {})));
  cpu('HTTP: ftsText of the parsed data (offered text)', n, () => each(parsed, (e) => ftsText(e.kind, e.data)));

  const dir = mkdtempSync(join(tmpdir(), 'tether-steps-'));
  const db = openConnection(join(dir, 'steps.db'));
  migrate(db);
  const insert = db.prepare(WRITE_SQL.insertEvent);
  const ts = '2026-01-01T00:00:00.000Z';
  db.transaction(() =>
    each(parsed, (e, i) =>
      insert.run(i + 1, e.sessionId, i + 1, `e${i}`, e.kind, ts, ts, JSON.stringify(e.data ?? {}), null, 0, null, null),
    ),
  )();
  const select = db.prepare<[number, number], { pos: number; kind: string; data: string }>(
    'SELECT pos, kind, data FROM main.events WHERE pos > ? ORDER BY pos LIMIT ?',
  );
  const rows = select.all(0, n);
  cpu('index: SELECT the committed rows', n, () => select.all(0, n));
  cpu('index: JSON.parse of the rows', n, () => each(rows, (r) => JSON.parse(r.data)));
  const texts = rows.map((r) => ftsText(r.kind, JSON.parse(r.data)));
  attachFts(db, join(dir, 'steps-fts.db'), 'NORMAL');
  const ftsInsert = db.prepare('INSERT INTO fts.events_fts (rowid, body) VALUES (?, ?)');
  let rowid = 0;
  cpu('index: FTS5 insert + commit (2,500 a transaction)', n, () => {
    for (let i = 0; i < n; i += 2500)
      db.transaction(() => each(texts.slice(i, i + 2500), (t) => ftsInsert.run(++rowid, t)))();
  });
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

for (const p of [toolCalls(), claudeCode()]) steps(p);
