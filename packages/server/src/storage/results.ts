/**
 * The answers of the query methods that every engine computes in SQL and shapes the same way: stats from counts by
 * status and type, analytics from its parts. One home, so that SQLite and PostgreSQL cannot answer in different shapes;
 * the SQL that feeds them stays in each adapter (test/store-contract.ts runs both against one expectation).
 */
import type { Analytics, Stats } from '@tether/protocol';
import { TetherError } from '../errors.js';
import type { AnalyticsQuery } from './store.js';

/**
 * A time bound of a query (`createdAfter`, `from`, a cursor's time) as ISO 8601 UTC with milliseconds, the form both
 * engines compare (SQLite as text): any offset `Date.parse` reads is accepted. Throws `validation_failed` naming
 * `name` when it does not parse.
 */
export function isoTime(name: string, v: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new TetherError('validation_failed', `${name} must be an ISO 8601 time, got "${v}"`);
  return new Date(t).toISOString();
}

/** How many rows each analytics part returns at most (tools by calls, busiest sessions by events, durations). */
export const ANALYTICS_LIMITS = { tools: 50, busiest: 10, durations: 500 } as const;

/**
 * The analytics buckets' width in ms as the SQL uses it: `bucketMs` rounded down to a whole ms, at least 1 s (a
 * smaller bucket would only make huge answers).
 */
export function bucketWidth(a: AnalyticsQuery): number {
  return Math.max(1000, Math.floor(a.bucketMs));
}

/** Numbers a driver may hand back as strings (PostgreSQL's bigint sums) or bigints, as JS numbers. */
const num = (v: unknown): number => Number(v ?? 0);

/**
 * Stats from three counts: sessions per status, sessions per type (`(none)` for no type), and the totals over the
 * sessions table (`s` sessions, `e` events = sum of last seqs, `a` actions, `r` responses).
 */
export function statsResult(
  byStatusRows: Array<{ status: string; n: unknown }>,
  byTypeRows: Array<{ type: string; n: unknown }>,
  totals: { s: unknown; e: unknown; a: unknown; r: unknown },
): Stats {
  const byStatus: Record<string, number> = {};
  for (const r of byStatusRows) byStatus[r.status] = num(r.n);
  const byType: Record<string, number> = {};
  for (const r of byTypeRows) byType[r.type] = num(r.n);
  return {
    totalSessions: num(totals.s),
    activeSessions: byStatus.active ?? 0,
    completedSessions: byStatus.completed ?? 0,
    failedSessions: byStatus.failed ?? 0,
    abandonedSessions: byStatus.abandoned ?? 0,
    totalEvents: num(totals.e),
    totalActions: num(totals.a),
    totalResponses: num(totals.r),
    byType,
    byStatus,
  };
}

/** The parts of an analytics answer as the adapter's SQL returned them (empty for parts not asked for). */
export type AnalyticsParts = Pick<Analytics, 'eventsOverTime' | 'tokensOverTime' | 'tools' | 'durations' | 'busiest'>;

/** The analytics answer: the query's range, its parts, and the tool-call totals and error rate over `tools`. */
export function analyticsResult(a: AnalyticsQuery, parts: AnalyticsParts): Analytics {
  let calls = 0;
  let errors = 0;
  for (const t of parts.tools) {
    calls += t.calls;
    errors += t.errors;
  }
  return {
    from: a.from,
    to: a.to,
    bucketMs: a.bucketMs,
    ...parts,
    toolCalls: calls,
    toolErrors: errors,
    errorRate: calls ? errors / calls : 0,
  };
}
