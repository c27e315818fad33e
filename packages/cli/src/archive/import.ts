import type { TetherEvent } from '@tether/protocol';
import type { AppendItem, Store } from '@tether/server';
import { EventChecksum, type ArchiveLine } from './format.js';

/** Events appended per transaction while importing. */
const BATCH = 500;

/** One thing an import noticed: the archive line (1-based) or session, and what happened. */
export interface ImportProblem {
  line?: number;
  sessionId?: string;
  problem: string;
}

export interface ImportResult {
  sessions: number;
  /** Events stored now. */
  stored: number;
  /** Events already stored (a repeated import). */
  duplicates: number;
  problems: ImportProblem[];
}

/** Turns a stored event back into the input that stores it again with the same id, kind, time, data (and so seq). */
export function eventToItem(ev: TetherEvent): AppendItem {
  return {
    input: {
      id: ev.id,
      sessionId: ev.sessionId,
      kind: ev.kind,
      timestamp: ev.timestamp,
      data: ev.data as Record<string, unknown>,
    },
    autoCreate: true,
    receivedAt: ev.receivedAt,
  };
}

/**
 * Appends one session's events (seq order) into `store`, idempotently: each keeps its event id, so events already
 * there are answered as duplicates and nothing is stored twice. Checks that each new event lands at its archived seq
 * (a target that already holds other events under the session id would shift them: reported, the session skipped).
 */
export async function importSession(
  store: Store,
  events: TetherEvent[],
  problems: ImportProblem[],
): Promise<{ stored: number; duplicates: number }> {
  let stored = 0;
  let duplicates = 0;
  const first = events[0];
  if (!first) return { stored, duplicates };
  const rec = await store.getSession(first.sessionId);
  if (first.seq > 1 && (rec?.lastSeq ?? 0) < first.seq - 1) {
    problems.push({
      sessionId: first.sessionId,
      problem: `archive starts at seq ${first.seq} but the target has ${rec?.lastSeq ?? 0} events: import the earlier part first (skipped)`,
    });
    return { stored, duplicates };
  }
  for (let i = 0; i < events.length; i += BATCH) {
    const slice = events.slice(i, i + BATCH);
    const out = await store.append(slice.map(eventToItem));
    for (const [j, o] of out.entries()) {
      const want = slice[j]!;
      if (!o.ok) {
        problems.push({
          sessionId: want.sessionId,
          problem: `seq ${want.seq} (${want.kind}) rejected: ${o.error.code}: ${o.error.message}`,
        });
        continue;
      }
      if (o.duplicate) duplicates++;
      else stored++;
      if (o.event.seq !== want.seq)
        problems.push({
          sessionId: want.sessionId,
          problem: `seq ${want.seq} (${want.kind}) stored at seq ${o.event.seq}`,
        });
    }
  }
  return { stored, duplicates };
}

/**
 * Reads archive lines (format.ts) into `store`, session by session (memory: one session's events, at most one
 * batch when sessions are large — see below), checking each session's count and checksum against its
 * `session_end` line. Unparsable lines, checksum mismatches and a missing `end` line are reported, never fatal.
 */
export async function importArchive(
  store: Store,
  lines: AsyncIterable<string>,
  onProgress?: (r: ImportResult) => void,
): Promise<ImportResult> {
  const result: ImportResult = { sessions: 0, stored: 0, duplicates: 0, problems: [] };
  let n = 0;
  let header = false;
  let ended = false;
  let pending: TetherEvent[] = [];
  let sum = new EventChecksum();
  const flush = async () => {
    const r = await importSession(store, pending, result.problems);
    result.stored += r.stored;
    result.duplicates += r.duplicates;
    // A long session is written in batches as it streams; its first batch carried the seq check.
    pending = [];
  };
  for await (const text of lines) {
    n++;
    if (!text.trim()) continue;
    let line: ArchiveLine;
    try {
      line = JSON.parse(text) as ArchiveLine;
    } catch (err) {
      result.problems.push({ line: n, problem: `not JSON: ${(err as Error).message}` });
      continue;
    }
    if (line.type === 'archive') {
      if (line.format !== 'tether-archive' || line.version !== 1)
        throw new Error(`line ${n}: not a Tether archive version 1`);
      header = true;
    } else if (!header) throw new Error('not a Tether archive (the first line must be {"type":"archive",…})');
    else if (line.type === 'session') {
      pending = [];
      sum = new EventChecksum();
    } else if (line.type === 'event') {
      sum.add(line.event);
      pending.push(line.event);
      if (pending.length >= BATCH * 4) await flush();
    } else if (line.type === 'session_end') {
      await flush();
      result.sessions++;
      const digest = sum.digest();
      if (sum.count !== line.events || digest !== line.checksum) {
        result.problems.push({
          line: n,
          sessionId: line.sessionId,
          problem: `archive damaged: ${sum.count} events read, ${line.events} written; checksum ${digest === line.checksum ? 'equal' : 'differs'}`,
        });
      }
      onProgress?.(result);
    } else if (line.type === 'end') ended = true;
  }
  if (pending.length) await flush();
  if (!ended) result.problems.push({ line: n, problem: 'the archive has no end line: it was cut short' });
  return result;
}
