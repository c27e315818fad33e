import { randomUUID } from 'node:crypto';
import {
  eventUsage,
  STATE_KINDS,
  usageCounts,
  USAGE_KINDS,
  type EventInput,
  type Goal,
  type AgentRecord,
  type SeedMetrics,
  type SessionMetrics,
  type SessionStatus,
  type TetherEvent,
  type TokenUsage,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { clone, isPlainObject, mergePatch } from '../util/merge-patch.js';
import { classifyAction } from './classify.js';
import { emptyMetrics, emptyState, FINAL_STATUSES, type SessionRecord } from './record.js';
import { applyMetadataSets, checkMetadataSets, type MetadataSet } from './metadata-sets.js';
import { checkStatePatch, keepReservedShape } from './state-rules.js';

/** `state.langgraph` of a thread's session: where the graph stands (the newest checkpoint and who wrote it). */
interface GraphProjection {
  threadId?: string;
  checkpointNs?: string;
  checkpointId?: string;
  step?: unknown;
  source?: unknown;
  writer?: string | null;
  lastAt?: string;
  checkpoints?: number;
  values?: Record<string, unknown>;
}

/**
 * A `checkpoint` / `checkpoint_writes` event from another writer than the one before it (another process after a
 * crash or restart) gets `resumed: {previousWriter, lastCheckpointId, lastAt}`, so the log says where the graph resumed.
 */
function markResume(session: SessionRecord | undefined, data: Record<string, unknown>): Record<string, unknown> {
  const g = session?.state.langgraph as GraphProjection | undefined;
  const writer = optStr(data.writer);
  if (!g?.writer || !writer || g.writer === writer) return data;
  return {
    ...data,
    resumed: { previousWriter: g.writer, lastCheckpointId: g.checkpointId ?? null, lastAt: g.lastAt ?? null },
  };
}

function shortId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The prototype's goal ids: `goal-<n>` with n = goals so far + 1 (the next free one when that name is taken). */
function nextGoalId(session: SessionRecord | undefined): string {
  const goals = session?.state.goals ?? [];
  for (let n = goals.length + 1; ; n++) if (!goals.some((g) => g.goalId === `goal-${n}`)) return `goal-${n}`;
}

/** The prototype's agent ids: `agent-<type>-<ms since epoch, base 36>`, with a short suffix when that one is taken. */
function nextAgentId(session: SessionRecord | undefined, type: unknown): string {
  const id = `agent-${typeof type === 'string' && type ? type.slice(0, 64) : 'agent'}-${Date.now().toString(36)}`;
  return session?.state.agents.spawned.some((a) => a.agentId === id) ? shortId(id) : id;
}

/** The prototype's metric a logged action counts toward (its getMetricKey: one counter per action, by `type`). */
const SEED_METRIC_BY_TYPE: Record<string, keyof SeedMetrics> = {
  task_spawn: 'agentsSpawned',
  tool_call: 'toolCalls',
  mcp_call: 'mcpCalls',
  file_write: 'filesModified',
  file_edit: 'filesModified',
  bash_exec: 'bashCommands',
};

/** Adds one to a prototype counter without mutating the shared object (records are copied shallowly for a write). */
function bumpSeed(m: SessionMetrics, key: keyof SeedMetrics): void {
  const s = m.seed ?? { agentsSpawned: 0, toolCalls: 0, mcpCalls: 0, filesModified: 0, bashCommands: 0 };
  // A copy, then the one field: `{ ...s, [key]: … }` (a computed key in the literal) cost 4 % of the HTTP thread in
  // 1,000-event ingest batches (bench/ingest-realistic.ts profile).
  const next = { ...s };
  next[key] = s[key] + 1;
  m.seed = next;
}

/**
 * The prototype's state.json merge (its deepMerge): objects merge key by key, anything else (arrays, null) replaces.
 * Unlike RFC 7396, null is stored as null. Used for `state_patched` events with `data.merge === 'deep'` (seed route).
 */
export function deepMerge(target: unknown, source: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = { ...obj(target) };
  for (const [k, v] of Object.entries(obj(source))) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    result[k] = isPlainObject(v) ? deepMerge(result[k], v) : clone(v);
  }
  return result;
}

function obj(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function optStr(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/**
 * Checks an event against the session it goes to and returns the data to store: ids the server chose (goal, agent)
 * are written in, so that replaying the stored log gives the same state. Throws TetherError with
 * `version_mismatch` (412), `goal_not_found` / `agent_not_found` (404), `duplicate_id` (409) or `validation_failed` (400,
 * also for a state patch that breaks a reserved key: see state-rules.ts).
 * Never mutates `session`.
 */
export function resolveEvent(session: SessionRecord | undefined, input: EventInput): Record<string, unknown> {
  const data = obj(input.data);
  if (
    session &&
    input.expectedVersion !== undefined &&
    STATE_KINDS.has(input.kind) &&
    input.expectedVersion !== session.state.version
  ) {
    throw new TetherError(
      'version_mismatch',
      `State version is ${session.state.version}, the writer expected ${input.expectedVersion}`,
    );
  }
  switch (input.kind) {
    case 'session_created':
      return {
        userId: optStr(data.userId),
        type: optStr(data.type),
        parentSessionId: optStr(data.parentSessionId),
        tags: Array.isArray(data.tags) ? data.tags.filter((t): t is string => typeof t === 'string') : [],
        metadata: obj(data.metadata),
        initial: isPlainObject(data.initial) ? data.initial : null,
        ...(data.autoCreated === true ? { autoCreated: true } : {}),
      };
    case 'metadata_updated':
      if (data.set !== undefined) {
        checkMetadataSets(data.set, session?.metadata);
        return data;
      }
      if (!isPlainObject(data.patch))
        throw new TetherError(
          'validation_failed',
          `${input.kind} needs data.patch, a JSON object (RFC 7396 merge patch), or data.set`,
        );
      return data;
    case 'state_patched':
      if (!isPlainObject(data.patch))
        throw new TetherError(
          'validation_failed',
          `${input.kind} needs data.patch, a JSON object (RFC 7396 merge patch)`,
        );
      checkStatePatch(data.patch);
      return data;
    case 'goal_added': {
      const goalId = optStr(data.goalId) ?? nextGoalId(session);
      if (session?.state.goals.some((g) => g.goalId === goalId))
        throw new TetherError('duplicate_id', `Goal ${goalId} already exists`);
      return { ...data, goalId };
    }
    case 'goal_updated': {
      const goalId = optStr(data.goalId);
      if (!goalId || !session?.state.goals.some((g) => g.goalId === goalId))
        throw new TetherError('goal_not_found', `No goal ${goalId ?? '(missing goalId)'} in this session`);
      return data;
    }
    case 'agent_spawned': {
      const agentId = optStr(data.agentId) ?? nextAgentId(session, data.type);
      if (session?.state.agents.spawned.some((a) => a.agentId === agentId))
        throw new TetherError('duplicate_id', `Agent ${agentId} already exists`);
      return { ...data, agentId };
    }
    case 'agent_completed': {
      const agentId = optStr(data.agentId);
      if (!agentId || !session?.state.agents.spawned.some((a) => a.agentId === agentId))
        throw new TetherError('agent_not_found', `No agent ${agentId ?? '(missing agentId)'} in this session`);
      return data;
    }
    case 'checkpoint':
    case 'checkpoint_writes':
      return markResume(session, data);
    case 'session_finalized': {
      const status = data.status ?? 'completed';
      if (typeof status !== 'string' || !FINAL_STATUSES.has(status as SessionStatus)) {
        throw new TetherError(
          'validation_failed',
          'session_finalized data.status must be completed, failed or abandoned',
        );
      }
      return { ...data, status };
    }
    default:
      return data;
  }
}

/** Adds a usage object's counts (the rule of @tether/protocol usage.ts) to the session's totals. */
function addUsage(total: TokenUsage, u: Record<string, unknown>): void {
  const c = usageCounts(u);
  total.input += c.input;
  total.output += c.output;
  total.total = total.input + total.output;
  if (c.cacheRead) total.cacheRead = (total.cacheRead ?? 0) + c.cacheRead;
  if (c.cacheCreation) total.cacheCreation = (total.cacheCreation ?? 0) + c.cacheCreation;
}

/** Token counters as numbers whatever a metadata patch sent (a string there would turn later sums into text). */
function normalizeUsage(v: unknown): TokenUsage {
  const u = obj(v);
  const n = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  const out: TokenUsage = { input: n(u.input), output: n(u.output), total: n(u.input) + n(u.output) };
  if (u.cacheRead !== undefined) out.cacheRead = n(u.cacheRead);
  if (u.cacheCreation !== undefined) out.cacheCreation = n(u.cacheCreation);
  return out;
}

/** The time an event claims for itself: `timestamp`, or the seed's `data.timestamp` on actions and responses. */
export function claimedTime(input: EventInput): string | undefined {
  const t = input.timestamp ?? (input.data as { timestamp?: unknown } | undefined)?.timestamp;
  return typeof t === 'string' ? t : undefined;
}

function ms(iso: string): number {
  return Date.parse(iso);
}

/** Creates the record a `session_created` event describes. */
function createRecord(ev: TetherEvent): SessionRecord {
  const d = ev.data;
  const metadata = {
    ...clone(obj(d.metadata)),
    tokenUsage: { input: 0, output: 0, total: 0 },
    metrics: emptyMetrics(),
  };
  const given = obj(obj(d.metadata).tokenUsage);
  if (Object.keys(given).length) addUsage(metadata.tokenUsage, given);
  return {
    sessionId: ev.sessionId,
    userId: optStr(d.userId),
    type: optStr(d.type),
    parentSessionId: optStr(d.parentSessionId),
    status: 'active',
    tags: Array.isArray(d.tags) ? (d.tags as string[]) : [],
    metadata,
    initial: isPlainObject(d.initial) ? d.initial : null,
    created: ev.timestamp,
    updated: ev.timestamp,
    endedAt: null,
    durationMs: null,
    lastSeq: 0,
    stateVersion: 1,
    state: emptyState(ev.sessionId),
    final: null,
  };
}

/**
 * Folds one stored event into a session record: the projection of the log. Mutates and returns `rec`
 * (or a new record for `session_created`). Pure in the log: the same events give the same record, which is how
 * `GET /api/state/:id?atSeq=N` replays. Never throws for data that `resolveEvent` produced.
 */
export function applyEvent(rec: SessionRecord | undefined, ev: TetherEvent): SessionRecord {
  if (ev.kind === 'session_created' || !rec) {
    rec = rec ?? createRecord(ev.kind === 'session_created' ? ev : { ...ev, data: {} });
    if (ev.kind === 'session_created') {
      rec.lastSeq = ev.seq;
      rec.metadata.metrics.events++;
      return rec;
    }
  }
  const d = ev.data;
  const m = rec.metadata.metrics;
  const state = rec.state;
  m.events++;
  rec.lastSeq = ev.seq;
  if (ev.timestamp > rec.updated) rec.updated = ev.timestamp;
  switch (ev.kind) {
    case 'action': {
      const c = classifyAction(d);
      m.actions++;
      if (c.toolCall) m.toolCalls++;
      if (c.bash) m.bashCommands++;
      if (c.fileWrite) m.filesModified++;
      if (c.mcp) m.mcpCalls++;
      if (c.error) m.toolErrors++;
      bumpSeed(m, SEED_METRIC_BY_TYPE[typeof d.type === 'string' ? d.type : ''] ?? 'toolCalls');
      break;
    }
    case 'response':
      m.responses++;
      break;
    case 'state_patched': {
      rec.state = keepReservedShape(
        (d.merge === 'deep' ? deepMerge(state, d.patch) : mergePatch(state, d.patch)) as typeof state,
        state,
      );
      break;
    }
    case 'goal_added': {
      // As the prototype: the posted fields, `id` (= goalId), status defaulting to pending; no invented description or priority.
      const goal: Goal = {
        ...clone(d),
        id: String(d.goalId),
        goalId: String(d.goalId),
        status: typeof d.status === 'string' ? d.status : 'pending',
        createdAt: ev.timestamp,
        updatedAt: ev.timestamp,
      };
      state.goals.push(goal);
      m.goals++;
      break;
    }
    case 'goal_updated': {
      const i = state.goals.findIndex((g) => g.goalId === d.goalId);
      const old = state.goals[i];
      if (!old) break;
      const next = {
        ...old,
        ...clone(d),
        id: old.goalId,
        goalId: old.goalId,
        createdAt: old.createdAt,
        updatedAt: ev.timestamp,
      } as Goal;
      if (next.status === 'completed' && !old.completedAt) next.completedAt = ev.timestamp;
      state.goals[i] = next;
      break;
    }
    case 'agent_spawned': {
      const agent: AgentRecord = {
        ...clone(d),
        agentId: String(d.agentId),
        type: typeof d.type === 'string' ? d.type : 'agent',
        status: 'active',
        spawnedAt: ev.timestamp,
      };
      state.agents.spawned.push(agent);
      state.agents.active.push(agent.agentId);
      m.agentsSpawned++;
      bumpSeed(m, 'agentsSpawned');
      break;
    }
    case 'agent_completed': {
      const agent = state.agents.spawned.find((a) => a.agentId === d.agentId);
      if (!agent) break;
      if (!agent.completedAt) m.agentsCompleted++;
      agent.status = typeof d.status === 'string' ? d.status : 'completed';
      agent.completedAt = ev.timestamp;
      agent.durationMs = Math.max(0, ms(ev.timestamp) - ms(agent.spawnedAt));
      if (d.result !== undefined) agent.result = clone(d.result);
      state.agents.active = state.agents.active.filter((id) => id !== agent.agentId);
      if (!state.agents.completed.includes(agent.agentId)) state.agents.completed.push(agent.agentId);
      break;
    }
    case 'metadata_updated': {
      const patch = { ...obj(d.patch) };
      delete patch.metrics;
      const next = (
        Array.isArray(d.set) ? applyMetadataSets(rec.metadata, d.set as MetadataSet[]) : mergePatch(rec.metadata, patch)
      ) as typeof rec.metadata;
      next.metrics = m;
      next.tokenUsage = normalizeUsage(next.tokenUsage);
      rec.metadata = next;
      break;
    }
    case 'checkpoint':
    case 'checkpoint_writes': {
      const g = { ...((state.langgraph as GraphProjection | undefined) ?? {}) };
      g.writer = optStr(d.writer);
      g.lastAt = ev.timestamp;
      if (ev.kind === 'checkpoint') {
        Object.assign(g, {
          threadId: d.threadId,
          checkpointNs: d.checkpointNs,
          checkpointId: d.checkpointId,
          step: d.step ?? null,
          source: d.source ?? null,
        });
        g.checkpoints = (g.checkpoints ?? 0) + 1;
        // The root graph's values as the saver previewed them (display only): the time-travel slider shows them per step.
        if (d.checkpointNs === '' && isPlainObject(d.values)) g.values = { ...g.values, ...clone(d.values) };
      }
      state.langgraph = g;
      break;
    }
    case 'session_finalized':
      rec.status = d.status as SessionStatus;
      rec.endedAt = ev.timestamp;
      rec.durationMs = Math.max(0, ms(ev.timestamp) - ms(rec.created));
      rec.final = d.final === undefined ? null : clone(d.final);
      break;
  }
  if (USAGE_KINDS.includes(ev.kind)) {
    const usage = eventUsage(d);
    if (usage) addUsage(rec.metadata.tokenUsage, usage);
    if (typeof d.model === 'string' && d.model) rec.metadata.model = d.model;
  }
  if (STATE_KINDS.has(ev.kind)) {
    rec.state.version++;
    rec.state.timestamp = ev.timestamp;
  }
  rec.stateVersion = rec.state.version;
  return rec;
}
