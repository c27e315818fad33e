import { relative } from 'node:path';
import { Command } from 'commander';
import type { IngestResponse } from '@tether/protocol';
import { batches, findTranscripts, planImport, type ImportProblem } from '../claude/import-files.js';
import { call, keyOption, table, urlOption, type ConnOpts } from '../http.js';

interface SessionResult {
  sessionId: string;
  parentSessionId: string | null;
  file: string;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  prompts: number;
  toolCalls: number;
  toolErrors: number;
  agents: number;
  tokens: { input: number; output: number; cacheRead: number; cacheCreation: number };
}

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} events  ${label.slice(-40).padEnd(40)}`,
  );
}

/**
 * `tether import claude-code <file|dir…>`: imports Claude Code transcripts through `POST /api/ingest`, one session per
 * transcript (id = Claude's sessionId; sub-agents as child sessions), original timestamps kept. Idempotent: event ids
 * come from the transcript, so importing again adds nothing. Malformed lines are reported as `file:line` on stderr
 * and skipped. Progress on stderr when it is a TTY. Exit 1 when the service rejected events.
 */
export function importCommand(): Command {
  const cmd = new Command('import').description('Import agent transcripts into the service');
  cmd
    .command('claude-code')
    .description('Import Claude Code transcripts (~/.claude/projects/…/<session>.jsonl, with their subagents/ folders)')
    .argument('<paths...>', 'transcript files or directories (searched recursively for .jsonl)')
    .addOption(urlOption())
    .addOption(keyOption())
    .option('--json', 'print a JSON summary on stdout')
    .action(async (paths: string[], o: ConnOpts) => {
      const problems: ImportProblem[] = [];
      const files = findTranscripts(paths);
      const plans = planImport(files, problems);
      const total = plans.reduce((n, p) => n + p.events.length, 0);
      const results: SessionResult[] = [];
      const rejections: Array<{ sessionId: string; id?: string; code?: string; detail?: string }> = [];
      let done = 0;
      for (const plan of plans) {
        const r: SessionResult = {
          sessionId: plan.sessionId,
          parentSessionId: plan.parentSessionId ?? null,
          file: plan.file,
          events: plan.events.length,
          stored: 0,
          duplicates: 0,
          rejected: 0,
          prompts: plan.counts.prompts,
          toolCalls: plan.counts.toolCalls,
          toolErrors: plan.counts.toolErrors,
          agents: plan.counts.agents,
          tokens: plan.counts.tokens,
        };
        for (const batch of batches(plan.events)) {
          const res = await call<IngestResponse>(o, 'POST', '/api/v1/ingest', { events: batch });
          for (const item of res.results) {
            if (item.status === 201) r.stored++;
            else if (item.status === 200) r.duplicates++;
            else {
              r.rejected++;
              rejections.push({
                sessionId: plan.sessionId,
                ...(item.id ? { id: item.id } : {}),
                ...(item.code ? { code: item.code } : {}),
                ...(item.detail ? { detail: item.detail } : {}),
              });
            }
          }
          done += batch.length;
          progress(done, total, relative(process.cwd(), plan.file));
        }
        results.push(r);
      }
      if (process.stderr.isTTY && total) process.stderr.write('\n');
      for (const p of problems) process.stderr.write(`${p.file}:${p.line}: ${p.message} (skipped)\n`);
      for (const x of rejections.slice(0, 20))
        process.stderr.write(`rejected ${x.sessionId} ${x.id ?? ''}: ${x.code ?? ''} ${x.detail ?? ''}\n`);
      const sum = (k: 'events' | 'stored' | 'duplicates' | 'rejected') => results.reduce((n, r) => n + r[k], 0);
      const totals = {
        files: files.length,
        sessions: results.length,
        events: sum('events'),
        stored: sum('stored'),
        duplicates: sum('duplicates'),
        rejected: sum('rejected'),
        malformedLines: problems.length,
      };
      if (o.json) process.stdout.write(JSON.stringify({ totals, sessions: results, problems }, null, 2) + '\n');
      else {
        const rows = [['SESSION', 'PROMPTS', 'TOOLS', 'ERRORS', 'AGENTS', 'TOKENS IN/OUT', 'STORED', 'DUPLICATE']];
        for (const r of results)
          rows.push([
            `${r.parentSessionId ? '└─ ' : ''}${r.sessionId}`,
            String(r.prompts),
            String(r.toolCalls),
            String(r.toolErrors),
            String(r.agents),
            `${r.tokens.input}/${r.tokens.output}`,
            String(r.stored),
            String(r.duplicates),
          ]);
        process.stdout.write(
          `${table(rows)}\n${totals.sessions} sessions from ${totals.files} files: ${totals.stored} events stored, ${totals.duplicates} already there, ${totals.rejected} rejected, ${totals.malformedLines} lines skipped\n`,
        );
      }
      if (totals.rejected) process.exitCode = 1;
    });
  return cmd;
}
