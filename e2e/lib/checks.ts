/**
 * The harness's checks, as pure functions of plain data: what an example says it did (its report), what the running
 * service stored (restore + event log per session), what the live subscriber saw and what the dashboard showed.
 * Each returns a list of problems (empty = pass), one readable sentence each, so a failed run says exactly what differs.
 * No I/O here: the self-test (e2e/harness.test.ts) feeds the same functions tampered data and asserts they fail.
 */
import type { LiveEvent } from './live.js';

/** The machine-readable report every example writes (`--report`); shape documented in docs/e2e.md. */
export interface ExampleReport {
  example: string;
  sessionId: string;
  sessionType: string;
  /** Final session status the example finalized with. */
  status: string | null;
  /** Final `state.phase`. */
  phase: string | null;
  /** Every phase the example set, in order. */
  phases: string[];
  counts: {
    actions: number;
    responses: number;
    goals?: number;
    agentsSpawned: number;
    agentsCompleted: number;
    [k: string]: number | undefined;
  };
  /** goalId → final status. */
  goals: Record<string, string>;
  /** agentId → final status. */
  agents: Record<string, string>;
  /** Sub-agent sessions the example caused (claude-code): session id → expected actions, responses, status. */
  children?: Record<string, { actions: number; responses: number; status?: string }>;
  errors?: unknown[];
  details?: Record<string, unknown>;
}

/** A stored event, as `GET /api/sessions/:id/events` serves it. */
export interface StoredEvent {
  id: string;
  sessionId: string;
  seq: number;
  kind: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** A session as the service holds it: the seed restore (`GET /api/sessions/:id`) and its full event log. */
export interface StoredSession {
  restore: {
    sessionId: string;
    metadata: {
      type: string | null;
      status: string;
      parentSessionId: string | null;
      lastSeq: number;
      metadata: { metrics: Record<string, number> };
    };
    state: {
      phase: string;
      goals: Array<{ goalId: string; status: string }>;
      agents: { spawned: Array<{ agentId: string; status: string; childSessionId?: string }> };
    };
  };
  events: StoredEvent[];
}

/** Everything observed at the service: session id → stored session, or null when the service has no such session. */
export type Observed = Map<string, StoredSession | null>;

function eq(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sorted(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** Checks that a log's seqs are 1..N with no gap or duplicate, and that N is the session's lastSeq. */
export function checkLog(sid: string, s: StoredSession): string[] {
  const problems: string[] = [];
  s.events.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`${sid}: event #${i + 1} of the log has seq ${e.seq} (expected a gapless 1..N)`);
  });
  if (s.events.length !== s.restore.metadata.lastSeq)
    problems.push(`${sid}: log has ${s.events.length} events but lastSeq is ${s.restore.metadata.lastSeq}`);
  return problems;
}

/**
 * Compares one example's report with the session the service stored: type, status, final phase and the order of
 * phase transitions, action and response counts (both the derived metrics and the events in the log), goals and their
 * final statuses, sub-agents and their statuses, and for each child session its parent link, counts and status.
 */
export function checkSession(report: ExampleReport, observed: Observed): string[] {
  const sid = report.sessionId;
  const s = observed.get(sid);
  if (!s) return [`${sid}: the service has no such session (the ${report.example} example reported it)`];
  const p: string[] = [...checkLog(sid, s)];
  const meta = s.restore.metadata;
  const metrics = meta.metadata.metrics;
  const count = (kind: string) => s.events.filter((e) => e.kind === kind).length;
  if (meta.type !== report.sessionType) p.push(`${sid}: type is ${meta.type}, the report says ${report.sessionType}`);
  if (meta.status !== report.status) p.push(`${sid}: status is ${meta.status}, the report says ${report.status}`);
  if (s.restore.state.phase !== report.phase)
    p.push(`${sid}: phase is ${s.restore.state.phase}, the report says ${report.phase}`);
  const phases = s.events
    .filter((e) => e.kind === 'state_patched')
    .map((e) => (e.data.patch as Record<string, unknown> | undefined)?.phase)
    .filter((x): x is string => typeof x === 'string');
  if (!eq(phases, report.phases))
    p.push(
      `${sid}: phase transitions in the log are [${phases.join(' → ')}], the report says [${report.phases.join(' → ')}]`,
    );
  for (const [what, kind] of [
    ['actions', 'action'],
    ['responses', 'response'],
  ] as const) {
    const want = report.counts[what];
    if (metrics[what] !== want) p.push(`${sid}: metadata.metrics.${what} is ${metrics[what]}, the report says ${want}`);
    if (count(kind) !== want) p.push(`${sid}: the log holds ${count(kind)} ${kind} events, the report says ${want}`);
  }
  const goals = Object.fromEntries(s.restore.state.goals.map((g) => [g.goalId, g.status]));
  if (!eq(sorted(goals), sorted(report.goals)))
    p.push(
      `${sid}: goals are ${JSON.stringify(sorted(goals))}, the report says ${JSON.stringify(sorted(report.goals))}`,
    );
  const agents = Object.fromEntries(s.restore.state.agents.spawned.map((a) => [a.agentId, a.status]));
  if (!eq(sorted(agents), sorted(report.agents)))
    p.push(
      `${sid}: sub-agents are ${JSON.stringify(sorted(agents))}, the report says ${JSON.stringify(sorted(report.agents))}`,
    );
  if (metrics.agentsSpawned !== report.counts.agentsSpawned)
    p.push(
      `${sid}: metadata.metrics.agentsSpawned is ${metrics.agentsSpawned}, the report says ${report.counts.agentsSpawned}`,
    );
  for (const [child, want] of Object.entries(report.children ?? {})) {
    const c = observed.get(child);
    if (!c) {
      p.push(`${child}: sub-agent session missing (expected under ${sid})`);
      continue;
    }
    p.push(...checkLog(child, c));
    const cm = c.restore.metadata;
    if (cm.parentSessionId !== sid) p.push(`${child}: parentSessionId is ${cm.parentSessionId}, expected ${sid}`);
    if (cm.metadata.metrics.actions !== want.actions)
      p.push(`${child}: ${cm.metadata.metrics.actions} actions, the report says ${want.actions}`);
    if (cm.metadata.metrics.responses !== want.responses)
      p.push(`${child}: ${cm.metadata.metrics.responses} responses, the report says ${want.responses}`);
    if (want.status && cm.status !== want.status)
      p.push(`${child}: status is ${cm.status}, the report says ${want.status}`);
    const linked = s.restore.state.agents.spawned.some((a) => a.childSessionId === child);
    if (!linked) p.push(`${sid}: no sub-agent links to child session ${child}`);
  }
  return p;
}

/**
 * Checks that the live subscriber saw every stored event of the watched sessions exactly once, with the stored event
 * id, and nothing those sessions do not hold.
 */
export function checkLive(observed: Observed, live: LiveEvent[]): string[] {
  const p: string[] = [];
  const seen = new Map<string, LiveEvent[]>();
  for (const e of live) {
    if (!observed.has(e.sessionId)) continue;
    const key = `${e.sessionId}#${e.seq}`;
    seen.set(key, [...(seen.get(key) ?? []), e]);
  }
  const stored = new Set<string>();
  let missing = 0;
  for (const [sid, s] of observed) {
    for (const ev of s?.events ?? []) {
      const key = `${sid}#${ev.seq}`;
      stored.add(key);
      const got = seen.get(key) ?? [];
      if (got.length === 0) {
        if (++missing <= 10) p.push(`live feed: ${sid} seq ${ev.seq} (${ev.kind}) is stored but was never delivered`);
      } else if (got.length > 1) p.push(`live feed: ${sid} seq ${ev.seq} was delivered ${got.length} times`);
      else if (got[0]!.eventId !== ev.id)
        p.push(`live feed: ${sid} seq ${ev.seq} was delivered with event id ${got[0]!.eventId}, stored as ${ev.id}`);
    }
  }
  if (missing > 10) p.push(`live feed: … and ${missing - 10} more stored events never delivered`);
  for (const key of seen.keys())
    if (!stored.has(key)) p.push(`live feed: delivered ${key}, which the service does not hold`);
  return p;
}

/** Checks that the dashboard's visible text names every session. */
export function checkDashboard(text: string, sessionIds: string[]): string[] {
  return sessionIds.filter((sid) => !text.includes(sid)).map((sid) => `dashboard: session ${sid} is not shown`);
}

/**
 * What the scenario asked of each example, independent of its own report: the customer team ran with an injected
 * billing failure (exactly one workflow goal failed, session failed, phases initialization → execution → ready, four
 * agents); the e-mail pipeline filed every shipped e-mail (one completed goal each, five node actions each, one
 * response per draft, the six start-up stages); the Claude Code replay spawned sub-agents and ended the session.
 */
export function checkScenario(report: ExampleReport): string[] {
  const p: string[] = [];
  const d = (report.details ?? {}) as Record<string, unknown>;
  const bad = (msg: string) => p.push(`${report.sessionId} (${report.example}): ${msg}`);
  if (report.example === 'customer-comm') {
    const failed = Object.entries(report.goals).filter(([id, st]) => id !== 'goal-batch' && st === 'failed');
    if (failed.length !== 1)
      bad(`expected exactly one failed workflow goal (injected billing failure), got ${failed.length}`);
    if (report.status !== 'failed') bad(`expected status failed after the injected failure, got ${report.status}`);
    if (!eq(report.phases, ['initialization', 'execution', 'ready']))
      bad(`expected phases initialization → execution → ready, got ${report.phases.join(' → ')}`);
    if (report.counts.agentsSpawned !== 4 || Object.values(report.agents).some((s) => s !== 'completed'))
      bad('expected 4 sub-agents (governor + 3 specialists), all completed');
    const messages = Number(d.messages);
    if (report.counts.responses !== messages - 1)
      bad(`expected one reply per message but the failed one (${messages - 1}), got ${report.counts.responses}`);
  } else if (report.example === 'email-solver') {
    const emails = Number(d.emails);
    if (!(emails >= 8)) bad(`expected the shipped 8+ sample e-mails, got ${emails}`);
    const emailGoals = Object.entries(report.goals).filter(([id]) => id !== 'goal-inbox');
    if (emailGoals.length !== emails || emailGoals.some(([, st]) => st !== 'completed'))
      bad(`expected ${emails} completed e-mail goals, got ${JSON.stringify(report.goals)}`);
    const stages = 6;
    if (report.counts.actions !== emails * 5 + stages + 1)
      bad(
        `expected ${emails} × 5 node actions + ${stages} stages + shutdown = ${emails * 5 + stages + 1} actions, got ${report.counts.actions}`,
      );
    if (report.counts.responses !== Number(d.drafts))
      bad(`expected one response per draft (${String(d.drafts)}), got ${report.counts.responses}`);
    if (report.status !== 'completed') bad(`expected status completed, got ${report.status}`);
  } else if (report.example === 'claude-code') {
    if (report.counts.agentsSpawned < 1) bad('expected the replayed transcript to spawn sub-agents');
    if (report.status !== 'completed') bad(`expected SessionEnd to complete the session, got ${report.status}`);
    if (!(report.counts.actions > 0)) bad('expected tool calls');
  }
  return p;
}
