import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { copyStore } from '../archive/copy.js';
import { exportArchive } from '../archive/export.js';
import { importArchive, type ImportResult } from '../archive/import.js';
import { importPrototype } from '../archive/prototype.js';
import { openLocation } from '../archive/stores.js';

const FROM_HELP = 'the store: sqlite:<data dir> (or a directory) or postgres://user:pw@host:5432/db';

let lastProgress = 0;
/** Progress on stderr: a line rewritten in place on a terminal, else at most one line per second. */
function progress(r: ImportResult): void {
  const text = `${r.sessions} sessions, ${r.stored} events stored, ${r.duplicates} already there`;
  if (process.stderr.isTTY) return void process.stderr.write(`\r${text}   `);
  if (Date.now() - lastProgress < 1000) return;
  lastProgress = Date.now();
  process.stderr.write(`progress: ${text}\n`);
}

function report(r: ImportResult): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
  for (const p of r.problems)
    process.stderr.write(
      `problem: ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.sessionId ? `${p.sessionId}: ` : ''}${p.problem}\n`,
    );
  process.stdout.write(
    `${r.sessions} sessions, ${r.stored} events stored, ${r.duplicates} already there, ${r.problems.length} problems\n`,
  );
}

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** `tether export`: writes a JSON Lines archive (streamed) of a store to a file or stdout. */
export function exportCommand(): Command {
  return new Command('export')
    .description(
      'Write a portable archive (JSON Lines, one line per event, sessions with their metadata) of a store, streamed',
    )
    .requiredOption('--from <store>', FROM_HELP, process.env.TETHER_DATABASE_URL || './data')
    .option('-o, --out <file>', 'archive file (default stdout)')
    .option(
      '--since <time>',
      'only sessions updated at/after this ISO 8601 time, and their events received at/after it',
    )
    .option('--session <id>', 'only this session (repeatable, or comma-separated)', list)
    .action(async (o: { from: string; out?: string; since?: string; session?: string[] }) => {
      if (o.since !== undefined && Number.isNaN(Date.parse(o.since)))
        throw new Error(`--since must be an ISO 8601 time, got "${o.since}"`);
      const store = await openLocation(o.from, { write: false });
      const out = o.out ? createWriteStream(o.out) : process.stdout;
      try {
        const r = await exportArchive(
          store,
          { ...(o.since ? { since: o.since } : {}), ...(o.session ? { sessions: o.session } : {}) },
          async (line) => {
            if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
          },
        );
        if (o.out) {
          out.end();
          await once(out, 'finish');
        }
        process.stderr.write(`exported ${r.sessions} sessions, ${r.events} events\n`);
      } finally {
        await store.close();
      }
    });
}

/** `tether import archive` and `tether import prototype`: read into any store, idempotently. */
export function archiveImportCommands(): Command[] {
  const archive = new Command('archive')
    .description('Import a `tether export` archive into a store (idempotent: a second import adds nothing)')
    .argument('<file>', 'the archive (- for stdin)')
    .requiredOption('--to <store>', FROM_HELP, process.env.TETHER_DATABASE_URL || './data')
    .action(async (file: string, o: { to: string }) => {
      const store = await openLocation(o.to, { write: true });
      try {
        const input = file === '-' ? process.stdin : createReadStream(file);
        const r = await importArchive(store, createInterface({ input, crlfDelay: Infinity }), progress);
        report(r);
        if (r.problems.length) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
  const prototype = new Command('prototype')
    .description(
      "Import the prototype's files (<root>/sessions/<id>/{metadata,initial,state,final}.json, actions.jsonl, responses.jsonl); what it left broken is reported",
    )
    .argument('<root>', "the prototype's SESSIONS_DIR (default there: /var/claude-sessions)")
    .requiredOption('--to <store>', FROM_HELP, process.env.TETHER_DATABASE_URL || './data')
    .action(async (root: string, o: { to: string }) => {
      const store = await openLocation(o.to, { write: true });
      try {
        const r = await importPrototype(store, root, progress);
        report(r);
      } finally {
        await store.close();
      }
    });
  return [archive, prototype];
}

/** `tether copy --from sqlite:./data --to postgres://…`: export piped into import, then a per-session comparison. */
export function copyCommand(): Command {
  return new Command('copy')
    .description(
      'Copy every session from one store into another (e.g. SQLite to PostgreSQL), then compare counts and checksums per session',
    )
    .requiredOption('--from <store>', FROM_HELP)
    .requiredOption('--to <store>', FROM_HELP)
    .option('--since <time>', 'only sessions updated at/after this ISO 8601 time')
    .option('--session <id>', 'only this session (repeatable, or comma-separated)', list)
    .action(async (o: { from: string; to: string; since?: string; session?: string[] }) => {
      const from = await openLocation(o.from, { write: false });
      const to = await openLocation(o.to, { write: true });
      try {
        const r = await copyStore(
          from,
          to,
          { ...(o.since ? { since: o.since } : {}), ...(o.session ? { sessions: o.session } : {}) },
          progress,
        );
        report(r);
        for (const m of r.mismatched)
          process.stderr.write(
            `MISMATCH ${m.sessionId}: source ${m.source.events} events ${m.source.checksum}, target ${m.target.events} events ${m.target.checksum}\n`,
          );
        process.stdout.write(
          `verified ${r.verified} sessions: ${r.verified - r.mismatched.length} equal (count and checksum), ${r.mismatched.length} differ\n`,
        );
        if (r.mismatched.length || r.problems.length) process.exitCode = 1;
      } finally {
        await Promise.all([from.close(), to.close()]);
      }
    });
}
