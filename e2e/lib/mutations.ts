/**
 * Breaks each check on purpose: takes the real run's data (reports, stored sessions, live events, dashboard text),
 * applies one tampering at a time — a wrong count, goal status, phase, type or status in a report; an event removed,
 * a gap, a missing session or a wrong metric at the service side; a live event dropped, duplicated, renamed or
 * invented; a session missing from the dashboard — and asserts the matching check then reports a problem.
 * Only data that passes untouched is broken (breaking what already fails proves nothing).
 */
import {
  checkDashboard,
  checkLive,
  checkScenario,
  checkSession,
  type ExampleReport,
  type Observed,
  type StoredSession,
} from './checks.js';
import type { LiveEvent } from './live.js';

export interface BreakResult {
  /** How many tamperings were applied. */
  tried: number;
  /** Names of tamperings the checks did not notice (must be empty). */
  undetected: string[];
}

type Tamper<T> = [name: string, apply: (x: T) => void];

function cloneObserved(o: Observed): Observed {
  return new Map([...o].map(([k, v]) => [k, v ? (structuredClone(v) as StoredSession) : null]));
}

const REPORT_TAMPERS: Array<Tamper<ExampleReport>> = [
  ['report: action count +1', (r) => void (r.counts.actions += 1)],
  ['report: response count -1', (r) => void (r.counts.responses -= 1)],
  ['report: sub-agent count +1', (r) => void (r.counts.agentsSpawned += 1)],
  [
    'report: first goal status flipped',
    (r) => {
      const k = Object.keys(r.goals)[0];
      if (k) r.goals[k] = r.goals[k] === 'completed' ? 'failed' : 'completed';
      else r.goals['goal-invented'] = 'completed';
    },
  ],
  ['report: an extra goal', (r) => void (r.goals['goal-invented'] = 'completed')],
  ['report: an extra sub-agent', (r) => void (r.agents['agent-invented'] = 'completed')],
  ['report: wrong final phase', (r) => void (r.phase = 'bogus-phase')],
  ['report: phase transitions changed', (r) => void (r.phases = [...r.phases, 'bogus-phase'])],
  ['report: wrong status', (r) => void (r.status = r.status === 'completed' ? 'failed' : 'completed')],
  ['report: wrong session type', (r) => void (r.sessionType = `${r.sessionType}-x`)],
  [
    'report: a child session count changed',
    (r) => {
      const k = Object.keys(r.children ?? {})[0];
      if (k) r.children![k]!.actions += 1;
      else r.children = { [`${r.sessionId}:agent-invented`]: { actions: 0, responses: 0 } };
    },
  ],
];

/** Tamperings of the service side: `(observed copy, session id)`. */
const STORE_TAMPERS: Array<[name: string, apply: (o: Observed, sid: string) => void]> = [
  ['service: session missing', (o, sid) => void o.set(sid, null)],
  [
    'service: last action event removed from the log',
    (o, sid) => {
      const s = o.get(sid)!;
      s.events.splice(s.events.map((e) => e.kind).lastIndexOf('action'), 1);
    },
  ],
  ['service: a gap in the log', (o, sid) => void o.get(sid)!.events.splice(1, 1)],
  [
    'service: metrics.actions off by one',
    (o, sid) => void (o.get(sid)!.restore.metadata.metadata.metrics.actions! += 1),
  ],
  [
    'service: a goal status changed',
    (o, sid) => {
      const st = o.get(sid)!.restore.state;
      const g = st.goals[0];
      if (g) g.status = g.status === 'completed' ? 'failed' : 'completed';
      else st.goals.push({ goalId: 'goal-invented', status: 'completed' });
    },
  ],
  ['service: final phase changed', (o, sid) => void (o.get(sid)!.restore.state.phase = 'tampered')],
];

const SCENARIO_TAMPERS: Record<string, Tamper<ExampleReport>> = {
  'customer-comm': [
    'scenario: customer run without the injected failure',
    (r) => {
      for (const k of Object.keys(r.goals)) r.goals[k] = 'completed';
      r.status = 'completed';
    },
  ],
  'email-solver': [
    'scenario: an e-mail goal failed',
    (r) => {
      const k = Object.keys(r.goals).find((g) => g !== 'goal-inbox');
      if (k) r.goals[k] = 'failed';
    },
  ],
  'claude-code': ['scenario: replay without sub-agents', (r) => void (r.counts.agentsSpawned = 0)],
};

/** Applies every tampering to a copy of the data and returns the ones the checks missed. */
export function breakChecks(
  reports: ExampleReport[],
  observed: Observed,
  live: LiveEvent[],
  dashboardText: string | undefined,
  dashboardIds: string[],
): BreakResult {
  const undetected: string[] = [];
  let tried = 0;
  const expectFail = (name: string, problems: string[]) => {
    tried++;
    if (problems.length === 0) undetected.push(name);
  };
  for (const r of reports) {
    if (checkSession(r, observed).length === 0) {
      for (const [name, apply] of REPORT_TAMPERS) {
        const copy = structuredClone(r);
        apply(copy);
        expectFail(`${name} (${r.example})`, checkSession(copy, observed));
      }
      for (const [name, apply] of STORE_TAMPERS) {
        const obs = cloneObserved(observed);
        apply(obs, r.sessionId);
        expectFail(`${name} (${r.example})`, checkSession(r, obs));
      }
    }
    const scenario = SCENARIO_TAMPERS[r.example];
    if (scenario && checkScenario(r).length === 0) {
      const copy = structuredClone(r);
      scenario[1](copy);
      expectFail(`${scenario[0]}`, checkScenario(copy));
    }
  }
  if (live.length && checkLive(observed, live).length === 0) {
    const watched = live.filter((e) => observed.has(e.sessionId));
    const mid = watched[Math.floor(watched.length / 2)]!;
    const liveTampers: Array<[string, LiveEvent[]]> = [
      ['live: one event never delivered', live.filter((e) => e !== mid)],
      ['live: one event delivered twice', [...live, { ...mid }]],
      [
        'live: one event delivered with another id',
        live.map((e) => (e === mid ? { ...e, eventId: `${e.eventId}-x` } : e)),
      ],
      ['live: an event the service does not hold', [...live, { ...mid, seq: 1_000_000 }]],
    ];
    for (const [name, events] of liveTampers) expectFail(name, checkLive(observed, events));
    const obs = cloneObserved(observed);
    const s = obs.get(mid.sessionId)!;
    s.events.push({ ...s.events[s.events.length - 1]!, seq: s.events.length + 1, id: 'tampered' });
    expectFail('live: the service holds an event that was never delivered', checkLive(obs, live));
  }
  if (dashboardText !== undefined && checkDashboard(dashboardText, dashboardIds).length === 0) {
    const first = dashboardIds[0]!;
    expectFail('dashboard: a session not shown', checkDashboard(dashboardText.split(first).join(''), dashboardIds));
  }
  return { tried, undetected };
}
