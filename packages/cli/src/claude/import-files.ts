import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EventInput } from '@tether/protocol';
import {
  childSessionId,
  describeTranscript,
  transcriptToEvents,
  type SubagentRef,
  type TranscriptCounts,
  type TranscriptInfo,
  type TranscriptLine,
} from '@tether/server';

/**
 * File side of `tether import claude-code`: finds transcripts, reads and parses them (reporting malformed lines as
 * `file:line`), groups each session with its sub-agent transcripts (`<session>/subagents/agent-*.jsonl`) and maps them
 * to events with the server package's pure transcript mapping.
 */

/** A line that was skipped: `file:line: message`. */
export interface ImportProblem {
  file: string;
  line: number;
  message: string;
}

/** The events of one transcript (one Tether session). */
export interface SessionPlan {
  sessionId: string;
  parentSessionId?: string;
  file: string;
  events: EventInput[];
  counts: TranscriptCounts;
}

function isSubagentFile(f: string): boolean {
  return /^agent-.+\.jsonl$/.test(basename(f)) && basename(dirname(f)) === 'subagents';
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith('.jsonl')) out.push(p);
  }
}

/** All .jsonl files under the given files and directories (recursively), absolute, sorted, without duplicates. Throws for a path that does not exist. */
export function findTranscripts(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new Error(`${p}: no such file or directory`);
    if (statSync(abs).isDirectory()) walk(abs, out);
    else out.push(abs);
  }
  return [...new Set(out)].sort();
}

/** Parses a JSONL file; lines that are not JSON objects are reported and skipped. */
export function readTranscript(file: string, problems: ImportProblem[]): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      try {
        const value = JSON.parse(text) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          problems.push({ file, line: i + 1, message: 'not a JSON object' });
        else lines.push({ line: i + 1, value: value as Record<string, unknown> });
      } catch (err) {
        problems.push({ file, line: i + 1, message: `not valid JSON (${(err as Error).message})` });
      }
    });
  return lines;
}

function subagentFilesOf(main: string): string[] {
  const dir = join(main.replace(/\.jsonl$/, ''), 'subagents');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^agent-.+\.jsonl$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * Plans the import of the given files: each main transcript with its sub-agent transcripts (found beside it even when
 * not named), sub-agent transcripts whose main file is not being imported on their own (parent = their sessionId).
 */
export function planImport(files: string[], problems: ImportProblem[]): SessionPlan[] {
  const mains = files.filter((f) => !isSubagentFile(f));
  const covered = new Set<string>();
  const plans: SessionPlan[] = [];
  for (const main of mains) {
    const lines = readTranscript(main, problems);
    const info = describeTranscript(lines);
    const sessionId = info.sessionId ?? basename(main, '.jsonl');
    const subs: Array<{ file: string; lines: TranscriptLine[]; info: TranscriptInfo; ref: SubagentRef }> = [];
    for (const file of subagentFilesOf(main)) {
      covered.add(file);
      const subLines = readTranscript(file, problems);
      const subInfo = describeTranscript(subLines);
      const agentId = subInfo.agentId ?? basename(file, '.jsonl').slice('agent-'.length);
      subs.push({
        file,
        lines: subLines,
        info: subInfo,
        ref: { agentId, sessionId: childSessionId(sessionId, agentId), ...pick(subInfo) },
      });
    }
    const mapped = transcriptToEvents(lines, info, {
      sessionId,
      subagents: subs.map((s) => s.ref),
      file: basename(main),
      skipSidechain: true,
    });
    for (const p of mapped.problems) problems.push({ file: main, ...p });
    plans.push({ sessionId, file: main, events: mapped.events, counts: mapped.counts });
    for (const s of subs) {
      const call = info.agentLinks.get(s.ref.agentId);
      const agentType =
        (call && info.spawnTypes.get(call)) ?? (s.ref.agentId.startsWith('acompact') ? 'compact' : undefined);
      const m = transcriptToEvents(s.lines, s.info, {
        sessionId: s.ref.sessionId,
        parentSessionId: sessionId,
        agentId: s.ref.agentId,
        ...(agentType ? { agentType } : {}),
        file: basename(s.file),
      });
      for (const p of m.problems) problems.push({ file: s.file, ...p });
      plans.push({
        sessionId: s.ref.sessionId,
        parentSessionId: sessionId,
        file: s.file,
        events: m.events,
        counts: m.counts,
      });
    }
  }
  for (const file of files.filter((f) => isSubagentFile(f) && !covered.has(f))) {
    const lines = readTranscript(file, problems);
    const info = describeTranscript(lines);
    const agentId = info.agentId ?? basename(file, '.jsonl').slice('agent-'.length);
    const parent = info.sessionId ?? basename(dirname(dirname(file)));
    const sessionId = childSessionId(parent, agentId);
    const m = transcriptToEvents(lines, info, { sessionId, parentSessionId: parent, agentId, file: basename(file) });
    for (const p of m.problems) problems.push({ file, ...p });
    plans.push({ sessionId, parentSessionId: parent, file, events: m.events, counts: m.counts });
  }
  return plans;
}

function pick(i: TranscriptInfo): Pick<SubagentRef, 'firstTimestamp' | 'lastTimestamp' | 'finalText'> {
  return {
    ...(i.firstTimestamp ? { firstTimestamp: i.firstTimestamp } : {}),
    ...(i.lastTimestamp ? { lastTimestamp: i.lastTimestamp } : {}),
    ...(i.finalText ? { finalText: i.finalText } : {}),
  };
}

/** Splits events into `POST /api/ingest` batches of at most `maxEvents` events and about `maxBytes` bytes of JSON. */
export function batches(events: EventInput[], maxEvents = 500, maxBytes = 512 * 1024): EventInput[][] {
  const out: EventInput[][] = [];
  let cur: EventInput[] = [];
  let size = 0;
  for (const e of events) {
    const n = JSON.stringify(e).length;
    if (cur.length && (cur.length >= maxEvents || size + n > maxBytes)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(e);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}
