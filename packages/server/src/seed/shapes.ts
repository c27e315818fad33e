/**
 * The prototype's file shapes (matemorotz/claude-session-infrastructure, session-storage-service/src/persistence.js),
 * projected from Tether's session record: metadata.json, initial.json, state.json, final.json, the JSONL log entries
 * and the agent record. The seed routes (./routes.ts) and the seed WebSocket (./ws.ts) answer with these, field for
 * field; Tether's own shapes stay on /api/v1.
 */
import type { AgentRecord, Goal, SeedMetrics, SessionState, TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../events/record.js';
import { deepMerge } from '../events/reduce.js';
import type { RawEvent } from '../storage/store.js';
import { isPlainObject } from '../util/merge-patch.js';
import { splice } from './stream.js';

const obj = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});

/** The prototype's default model (metadata.json `model` when initial.config.model is absent). */
export const SEED_DEFAULT_MODEL = 'claude-sonnet-4.5';

/** The prototype's metrics of a record: the `seed` counters, or (sessions older than them) Tether's counters. */
export function seedMetrics(rec: SessionRecord): SeedMetrics {
  const m = rec.metadata.metrics;
  return (
    m.seed ?? {
      agentsSpawned: m.agentsSpawned,
      toolCalls: m.toolCalls,
      mcpCalls: m.mcpCalls,
      filesModified: m.filesModified,
      bashCommands: m.bashCommands,
    }
  );
}

/**
 * metadata.json: `{$schema, sessionId, userId, sandboxId, created, updated, status, model, yoloMode, tokenUsage,
 * metrics {agentsSpawned, toolCalls, mcpCalls, filesModified, bashCommands}, tags, parentSession, subsessions}`, the
 * keys set by `PATCH /api/sessions/:id/metadata`, and `duration` (ms) once finalized. `status` is `active` or
 * `completed` (the prototype marks every finalized session completed; the final.json `status` keeps the word sent).
 */
export function seedMetadata(rec: SessionRecord): Record<string, unknown> {
  const { tokenUsage, metrics: _m, model, ...patched } = rec.metadata;
  const config = obj(obj(rec.initial).config);
  return {
    $schema: 'session-metadata-v1',
    sessionId: rec.sessionId,
    userId: rec.userId,
    sandboxId: null,
    created: rec.created,
    updated: rec.updated,
    status: rec.status === 'active' ? 'active' : 'completed',
    model: (typeof config.model === 'string' && config.model) || model || SEED_DEFAULT_MODEL,
    yoloMode: config.dangerouslySkipPermissions || false,
    tokenUsage: { input: tokenUsage.input, output: tokenUsage.output, total: tokenUsage.total },
    metrics: seedMetrics(rec),
    tags: rec.tags,
    parentSession: rec.parentSessionId,
    subsessions: [],
    ...patched,
    ...(rec.durationMs !== null ? { duration: rec.durationMs } : {}),
  };
}

/** initial.json: `{$schema, timestamp, source, input, config}` of the `initial` posted at creation. */
export function seedInitial(rec: SessionRecord): Record<string, unknown> {
  const i = obj(rec.initial);
  return { $schema: 'session-initial-v1', timestamp: rec.created, source: i.source, input: i.input, config: i.config };
}

/** A goal as state.json holds it: the posted fields, `id`, `status` (and `completedAt`); no Tether bookkeeping. */
export function seedGoal(g: Goal): Record<string, unknown> {
  const { goalId, createdAt: _c, updatedAt: _u, ...rest } = g;
  return { ...rest, id: g.id ?? goalId };
}

/** The prototype's agent record: `{agentId, type, task, status ('spawned' | 'completed'), spawnedAt, subsession, completedAt?}`. */
export function seedAgent(a: AgentRecord): Record<string, unknown> {
  return {
    agentId: a.agentId,
    type: a.type,
    task: a.task,
    status: a.status === 'active' ? 'spawned' : a.status,
    spawnedAt: a.spawnedAt,
    subsession: a.subsession ?? a.childSessionId ?? null,
    ...(a.completedAt ? { completedAt: a.completedAt } : {}),
  };
}

const TETHER_STATE_KEYS = new Set(['sessionId', 'goals', 'agents', 'atSeq']);

/**
 * state.json: `{$schema, version, timestamp, phase, currentStep, goals, priorities {current, queue, blocked},
 * expectedOutcome, agents {spawned, active, completed}, mcp {swarm, memory {keys}}, workspace {cwd, filesCreated,
 * filesModified, gitStatus}, errors}` with the patched keys merged in the prototype's way.
 */
export function seedState(state: SessionState, created: string): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) if (!TETHER_STATE_KEYS.has(k)) own[k] = v;
  // Tether's older empty state had `priorities: []`; the prototype's default is the object below.
  if (Array.isArray(own.priorities) && own.priorities.length === 0) delete own.priorities;
  if (isPlainObject(own.workspace) && Object.keys(own.workspace).length === 0) delete own.workspace;
  const base = {
    $schema: 'session-state-v1',
    version: state.version,
    timestamp: created,
    phase: 'initialization',
    currentStep: null,
    goals: [],
    priorities: { current: null, queue: [], blocked: [] },
    expectedOutcome: {},
    agents: { spawned: [], active: [], completed: [] },
    mcp: { swarm: {}, memory: { keys: [] } },
    workspace: { cwd: '/workspace', filesCreated: [], filesModified: [], gitStatus: {} },
    errors: [],
  };
  const merged = deepMerge(base, own);
  merged.goals = state.goals.map(seedGoal);
  merged.agents = {
    spawned: state.agents.spawned.map(seedAgent),
    active: state.agents.active,
    completed: state.agents.completed,
  };
  return merged;
}

/**
 * final.json: `{$schema, timestamp, status (default 'success'), outcome, goalsAchieved, finalResponse, metrics,
 * subsessions}` built at finalize time from the body `{status?, outcome?, response?}` and the record before it.
 */
export function buildSeedFinal(
  rec: SessionRecord,
  body: Record<string, unknown>,
  timestamp: string,
): Record<string, unknown> {
  return {
    $schema: 'session-final-v1',
    timestamp,
    status: body.status || 'success',
    outcome: body.outcome,
    goalsAchieved: rec.state.goals.filter((g) => g.status === 'completed').map(seedGoal),
    finalResponse: body.response,
    metrics: seedMetrics(rec),
    subsessions: [],
  };
}

/** The final.json of a record: the stored one when a seed finalize wrote it, else one derived from Tether's finalize. */
export function seedFinal(rec: SessionRecord): Record<string, unknown> | null {
  if (rec.status === 'active' && rec.final === null) return null;
  const f = obj(rec.final);
  if (f.$schema === 'session-final-v1') return f;
  return {
    $schema: 'session-final-v1',
    timestamp: rec.endedAt,
    status: rec.status === 'completed' ? 'success' : rec.status,
    outcome: rec.final ?? undefined,
    goalsAchieved: rec.state.goals.filter((g) => g.status === 'completed').map(seedGoal),
    metrics: seedMetrics(rec),
    subsessions: [],
  };
}

/** seedEntry from the stored JSON text, without parsing it (undefined: use seedEntry). */
export function seedEntryRaw(r: RawEvent, ordinal: number): string | undefined {
  return splice(r.data, ['seq', 'timestamp'], `"seq":${ordinal},"timestamp":${JSON.stringify(r.timestamp)}`, '');
}

/** A line of actions.jsonl / responses.jsonl: `{seq, timestamp, ...body}` with seq counted per log (1, 2, 3, …). */
export function seedEntry(ev: TetherEvent, ordinal: number): Record<string, unknown> {
  return { seq: ordinal, timestamp: ev.timestamp, ...ev.data };
}
