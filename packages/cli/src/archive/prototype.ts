import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventInput } from '@tether/protocol';
import type { AppendItem, Store } from '@tether/server';
import type { ImportProblem, ImportResult } from './import.js';

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
type Obj = Record<string, unknown>;

/** Reads a JSON file of the prototype: undefined when absent, 0 bytes (a torn write after kill -9) or broken — each reported. */
function readJson(file: string, problems: ImportProblem[], sessionId?: string): Obj | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  if (text.length === 0) {
    problems.push({
      ...(sessionId ? { sessionId } : {}),
      problem: `${file}: 0-byte file (a write cut short, e.g. by kill -9): ignored`,
    });
    return undefined;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
    problems.push({ ...(sessionId ? { sessionId } : {}), problem: `${file}: not a JSON object: ignored` });
  } catch (err) {
    problems.push({
      ...(sessionId ? { sessionId } : {}),
      problem: `${file}: not JSON (${(err as Error).message}): ignored`,
    });
  }
  return undefined;
}

/** Reads actions.jsonl / responses.jsonl: one entry per good line (with its line number); bad lines and repeated seqs reported. */
function readJsonl(file: string, sessionId: string, problems: ImportProblem[]): Array<{ line: number; entry: Obj }> {
  if (!existsSync(file)) return [];
  const out: Array<{ line: number; entry: Obj }> = [];
  const seen = new Map<unknown, number>();
  for (const [i, text] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (!text.trim()) continue;
    try {
      const entry = JSON.parse(text) as Obj;
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new Error('not an object');
      if (entry.seq !== undefined && seen.has(entry.seq)) {
        problems.push({
          sessionId,
          problem: `${file}:${i + 1}: seq ${String(entry.seq)} again (first at line ${seen.get(entry.seq)}; two writers raced): both kept, in file order`,
        });
      } else seen.set(entry.seq, i + 1);
      out.push({ line: i + 1, entry });
    } catch (err) {
      problems.push({ sessionId, problem: `${file}:${i + 1}: unreadable line (${(err as Error).message}): skipped` });
    }
  }
  return out;
}

const strip = (o: Obj | undefined, ...keys: string[]): Obj =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !keys.includes(k)));
const time = (v: unknown): string | undefined =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined;

function finalStatus(v: unknown, sessionId: string, problems: ImportProblem[]): 'completed' | 'failed' | 'abandoned' {
  if (v === undefined || v === 'success' || v === 'completed' || v === 'complete') return 'completed';
  if (v === 'failed' || v === 'failure' || v === 'error') return 'failed';
  if (v === 'abandoned' || v === 'cancelled') return 'abandoned';
  problems.push({
    sessionId,
    problem: `final status "${String(v)}" is not one Tether knows: imported as completed (the original is in data.prototypeStatus)`,
  });
  return 'completed';
}

/**
 * The events one prototype session directory becomes, in time order: `session_created` (metadata.json, initial.json),
 * every action and response line, the last state (state.json, as one merge patch), and `session_finalized`
 * (final.json, or metadata status). Event ids come from the files (`proto:a:<line>` …), so importing again adds nothing.
 */
export function prototypeEvents(
  dir: string,
  sessionId: string,
  problems: ImportProblem[],
  extraTags: string[] = [],
): EventInput[] {
  const meta = readJson(join(dir, 'metadata.json'), problems, sessionId);
  const initial = readJson(join(dir, 'initial.json'), problems, sessionId);
  const state = readJson(join(dir, 'state.json'), problems, sessionId);
  const final = readJson(join(dir, 'final.json'), problems, sessionId);
  const actions = readJsonl(join(dir, 'actions.jsonl'), sessionId, problems);
  const responses = readJsonl(join(dir, 'responses.jsonl'), sessionId, problems);
  if (!meta)
    problems.push({
      sessionId,
      problem: 'no usable metadata.json: user, tags and model unknown; created time taken from the first line',
    });
  const lines: Array<EventInput & { at: string }> = [];
  const firstAt = [...actions, ...responses]
    .map((x) => time(x.entry.timestamp))
    .filter(Boolean)
    .sort()[0];
  const created =
    time(meta?.created) ?? time(initial?.timestamp) ?? firstAt ?? new Date(statSync(dir).mtimeMs).toISOString();
  const tags = [
    ...(Array.isArray(meta?.tags) ? meta.tags.filter((t): t is string => typeof t === 'string') : []),
    ...extraTags,
  ];
  const events: EventInput[] = [
    {
      id: 'proto:created',
      sessionId,
      kind: 'session_created',
      timestamp: created,
      data: {
        ...(typeof meta?.userId === 'string' ? { userId: meta.userId } : {}),
        ...(typeof meta?.parentSession === 'string' ? { parentSessionId: meta.parentSession } : {}),
        tags,
        metadata: {
          ...strip(
            meta,
            '$schema',
            'sessionId',
            'userId',
            'created',
            'updated',
            'status',
            'tags',
            'parentSession',
            'metrics',
            'subsessions',
          ),
          importedFrom: 'prototype',
        },
        ...(initial ? { initial: strip(initial, '$schema') } : {}),
      },
    },
  ];
  for (const { line, entry } of actions)
    lines.push({
      id: `proto:a:${line}`,
      sessionId,
      kind: 'action',
      at: time(entry.timestamp) ?? created,
      timestamp: time(entry.timestamp) ?? created,
      data: { ...strip(entry, 'seq', 'timestamp'), prototypeSeq: entry.seq },
    });
  for (const { line, entry } of responses)
    lines.push({
      id: `proto:r:${line}`,
      sessionId,
      kind: 'response',
      at: time(entry.timestamp) ?? created,
      timestamp: time(entry.timestamp) ?? created,
      data: { ...strip(entry, 'seq', 'timestamp'), prototypeSeq: entry.seq },
    });
  lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const { at: _at, ...ev } of lines) events.push(ev);
  const last = lines.length ? lines[lines.length - 1]!.at : created;
  if (state) {
    const patch = strip(state, '$schema', 'version', 'timestamp');
    if (Array.isArray(patch.goals))
      patch.goals = patch.goals.map((g: Obj) =>
        g && typeof g === 'object' && g.goalId === undefined && g.id !== undefined ? { ...g, goalId: g.id } : g,
      );
    const at = time(state.timestamp);
    events.push({
      id: 'proto:state',
      sessionId,
      kind: 'state_patched',
      timestamp: at && at > last ? at : last,
      data: { patch },
    });
  }
  if (final || (typeof meta?.status === 'string' && meta.status !== 'active')) {
    const status = finalStatus(final?.status ?? meta?.status, sessionId, problems);
    events.push({
      id: 'proto:final',
      sessionId,
      kind: 'session_finalized',
      timestamp: time(final?.timestamp) ?? time(meta?.updated) ?? last,
      data: {
        ...strip(final, '$schema', 'timestamp', 'status', 'metrics', 'subsessions', 'goalsAchieved'),
        status,
        ...(final?.status !== undefined && final.status !== status ? { prototypeStatus: final.status } : {}),
      },
    });
  }
  return events;
}

/**
 * Imports the prototype's SESSIONS_DIR (`<root>/sessions/<id>/…`, `<root>/index.json`, `<root>/recent/`) into `store`,
 * idempotently. Tolerated and reported, never fatal: 0-byte or broken JSON files (ignored), unreadable JSONL lines
 * (skipped), repeated seqs (both kept in file order), index entries whose directory the prototype deleted (nothing to
 * import), directories missing from index.json (imported, tagged `prototype-unindexed`: the prototype may have
 * deleted them half-way), dangling `recent/` links, directory names that are not valid session ids (skipped).
 */
export async function importPrototype(
  store: Store,
  root: string,
  onProgress?: (r: ImportResult) => void,
): Promise<ImportResult> {
  const result: ImportResult = { sessions: 0, stored: 0, duplicates: 0, problems: [] };
  const sessionsDir = join(root, 'sessions');
  if (!existsSync(sessionsDir))
    throw new Error(`${sessionsDir} does not exist: give the prototype's SESSIONS_DIR (e.g. /var/claude-sessions)`);
  const index = readJson(join(root, 'index.json'), result.problems);
  const dirs = readdirSync(sessionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const id of Object.keys(index ?? {})) {
    if (!dirs.includes(id))
      result.problems.push({
        sessionId: id,
        problem: 'listed in index.json but its directory is gone (deleted by the prototype): nothing to import',
      });
  }
  const recent = join(root, 'recent');
  if (existsSync(recent)) {
    for (const name of readdirSync(recent))
      if (!existsSync(join(recent, name)))
        result.problems.push({ problem: `recent/${name} points to a deleted session: ignored` });
  }
  for (const id of dirs) {
    if (!SESSION_ID.test(id)) {
      result.problems.push({
        sessionId: id,
        problem: 'directory name is not a valid session id (1-128 of A-Za-z0-9._:-): skipped',
      });
      continue;
    }
    const unindexed = index !== undefined && !(id in index);
    if (unindexed)
      result.problems.push({
        sessionId: id,
        problem:
          'directory not in index.json (the prototype may have deleted it half-way): imported, tagged prototype-unindexed',
      });
    const events = prototypeEvents(
      join(sessionsDir, id),
      id,
      result.problems,
      unindexed ? ['prototype-unindexed'] : [],
    );
    const items: AppendItem[] = events.map((input) => ({
      input,
      autoCreate: true,
      receivedAt: input.timestamp ?? new Date().toISOString(),
    }));
    for (let i = 0; i < items.length; i += 500) {
      for (const [j, o] of (await store.append(items.slice(i, i + 500))).entries()) {
        if (!o.ok)
          result.problems.push({
            sessionId: id,
            problem: `${items[i + j]!.input.kind} ${items[i + j]!.input.id} rejected: ${o.error.code}: ${o.error.message}`,
          });
        else if (o.duplicate) result.duplicates++;
        else result.stored++;
      }
    }
    result.sessions++;
    onProgress?.(result);
  }
  return result;
}
