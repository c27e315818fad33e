import type { Pool } from 'pg';
import type { Analytics, ListSessionsQuery, SessionSummary, TetherEvent } from '@tether/protocol';
import { toSummary } from '../../events/record.js';
import type { AnalyticsPart, AnalyticsQuery, ListEventsOptions, SearchHit, Stats } from '../store.js';
import { searchHit } from '../search-text.js';
import { ANALYTICS_LIMITS, analyticsResult, bucketWidth, isoTime, statsResult } from '../results.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { EVENT_COLUMNS, rowToEvent, rowToRecord, type EventRow, type SessionRow } from './pg-rows.js';

/** At most this many words of a search are used (each is one tsquery term). */
const MAX_TERMS = 32;

/**
 * Turns what a user typed into a tsquery expression over parameters, with the same reading as the SQLite adapter:
 * every whitespace-separated word must match (AND), `"exact phrase"` is a phrase, a trailing `*` is a prefix match.
 * Each word goes through plainto_tsquery/phraseto_tsquery (`simple` config), which accept any text, so no input can
 * be a tsquery syntax error. Returns null when nothing searchable is left. `args` receives the parameters.
 */
export function tsQuery(q: string, args: unknown[]): string | null {
  const tokens = (q.match(/"[^"]*"|\S+/g) ?? []).slice(0, MAX_TERMS);
  const parts: string[] = [];
  for (const t of tokens) {
    if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
      if (t.length === 2) continue;
      args.push(t.slice(1, -1));
      parts.push(`phraseto_tsquery('simple', $${args.length})`);
    } else if (t.endsWith('*') && t.length > 1) {
      args.push(t.slice(0, -1));
      const p = `plainto_tsquery('simple', $${args.length})`;
      // 'foo' & 'bar' becomes 'foo' & 'bar':* — the last word a prefix; an empty query stays empty (no ':*' alone).
      parts.push(`(CASE WHEN numnode(${p}) = 0 THEN ${p} ELSE to_tsquery('simple', ${p}::text || ':*') END)`);
    } else {
      args.push(t);
      parts.push(`plainto_tsquery('simple', $${args.length})`);
    }
  }
  return parts.length ? `(${parts.join(' && ')})` : null;
}

/** Escapes LIKE wildcards so user text matches literally (PostgreSQL's default escape character is `\`). */
function likeLiteral(s: string): string {
  return `%${s.replace(/[\\%_]/g, '\\$&')}%`;
}

/** The read side of the PostgreSQL adapter: lists, search, stats and analytics. Every query reads the database (no cache). */
export class PgQueries {
  constructor(private readonly pool: Pool) {}

  async listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    const sortCol = q.sort === 'updated' ? 'updated' : 'created';
    if (q.userId !== undefined) where.push(`user_id = ${arg(q.userId)}`);
    if (q.status !== undefined) where.push(`status = ${arg(q.status)}`);
    if (q.type !== undefined) where.push(`type = ${arg(q.type)}`);
    if (q.tag !== undefined) where.push(`tags ? ${arg(q.tag)}`);
    if (q.parentSessionId === 'none') where.push('parent_session_id IS NULL');
    else if (q.parentSessionId !== undefined) where.push(`parent_session_id = ${arg(q.parentSessionId)}`);
    if (q.createdAfter !== undefined)
      where.push(`created >= ${arg(isoTime('createdAfter', q.createdAfter))}::timestamptz`);
    if (q.createdBefore !== undefined)
      where.push(`created < ${arg(isoTime('createdBefore', q.createdBefore))}::timestamptz`);
    if (q.q !== undefined) {
      const ts = tsQuery(q.q, args);
      if (ts) {
        const like = arg(likeLiteral(q.q));
        where.push(
          `(session_id IN (SELECT session_id FROM events WHERE fts @@ ${ts}) OR session_id ILIKE ${like} OR user_id ILIKE ${like})`,
        );
      }
    }
    if (q.cursor !== undefined) {
      const [v, id] = decodeCursor(q.cursor);
      const at = arg(isoTime('cursor', v));
      where.push(`(${sortCol} < ${at}::timestamptz OR (${sortCol} = ${at}::timestamptz AND session_id < ${arg(id)}))`);
    }
    const limit = q.limit ?? 50;
    const sql = `SELECT * FROM sessions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${sortCol} DESC, session_id DESC LIMIT ${arg(limit + 1)}`;
    const { rows } = await this.pool.query<SessionRow>(sql, args);
    const more = rows.length > limit;
    const sessions = rows.slice(0, limit).map((r) => toSummary(rowToRecord(r)));
    const last = sessions[sessions.length - 1];
    return {
      sessions,
      nextCursor:
        more && last ? encodeCursor(sortCol === 'updated' ? last.updated : last.created, last.sessionId) : null,
    };
  }

  async listEvents(sessionId: string, o: ListEventsOptions): Promise<TetherEvent[]> {
    const args: unknown[] = [sessionId];
    const where = ['session_id = $1'];
    if (o.after !== undefined) where.push(`seq > $${args.push(o.after)}`);
    if (o.upTo !== undefined) where.push(`seq <= $${args.push(o.upTo)}`);
    if (o.kinds?.length) where.push(`kind = ANY($${args.push(o.kinds)}::text[])`);
    const limit = o.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(o.limit))}` : '';
    const offset = o.offset ? ` OFFSET ${Math.max(0, Math.floor(o.offset))}` : '';
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY seq ${o.tail ? 'DESC' : 'ASC'}${limit}${offset}`,
      args,
    );
    const events = rows.map((r) => {
      const { pos: _pos, ...ev } = rowToEvent(r);
      return ev as TetherEvent;
    });
    return o.tail ? events.reverse() : events;
  }

  async listAllEvents(afterPos: number, limit: number): Promise<Array<TetherEvent & { pos: number }>> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE pos > $1 ORDER BY pos LIMIT $2`,
      [afterPos, limit],
    );
    return rows.map(rowToEvent);
  }

  async lastPos(): Promise<number> {
    const { rows } = await this.pool.query<{ p: string }>('SELECT coalesce(max(pos), 0) AS p FROM events');
    return Number(rows[0]?.p ?? 0);
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    const args: unknown[] = [];
    const ts = tsQuery(query, args);
    if (!ts) return [];
    args.push(limit);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events, (SELECT ${ts} AS q) x WHERE fts @@ x.q ORDER BY ts_rank(fts, x.q) DESC, pos DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map((r) => searchHit(rowToEvent(r), query));
  }

  async stats(): Promise<Stats> {
    const [byStatusRows, byTypeRows, totals] = await Promise.all([
      this.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM sessions GROUP BY status'),
      this.pool.query<{ type: string; n: number }>(
        `SELECT coalesce(type, '(none)') AS type, count(*)::int AS n FROM sessions GROUP BY 1`,
      ),
      this.pool.query<{ s: number; e: string; a: string; r: string }>(
        'SELECT count(*)::int AS s, coalesce(sum(last_seq), 0) AS e, coalesce(sum(actions), 0) AS a, coalesce(sum(responses), 0) AS r FROM sessions',
      ),
    ]);
    return statsResult(byStatusRows.rows, byTypeRows.rows, totals.rows[0]!);
  }

  async analytics(a: AnalyticsQuery): Promise<Analytics> {
    const range = [isoTime('from', a.from), isoTime('to', a.to)];
    const b = bucketWidth(a);
    const bucket = `(floor(extract(epoch FROM ts) * 1000 / ${b}) * ${b})::float8`;
    const inRange = 'ts >= $1::timestamptz AND ts < $2::timestamptz';
    const want = (part: AnalyticsPart) => !a.include || a.include.has(part);
    const none = Promise.resolve({ rows: [] as never[] });
    const [overTime, tools, tokens, durations, busiest] = await Promise.all([
      !want('eventsOverTime')
        ? none
        : this.pool.query(
            `SELECT ${bucket} AS t, kind, count(*)::int AS n FROM events WHERE ${inRange} GROUP BY 1, 2 ORDER BY 1, 2`,
            range,
          ),
      !want('tools')
        ? none
        : this.pool.query<{ tool: string; calls: number; errors: number }>(
            `SELECT tool, count(*)::int AS calls, (count(*) FILTER (WHERE tool_error))::int AS errors FROM events
        WHERE tool IS NOT NULL AND ${inRange} GROUP BY 1 ORDER BY calls DESC, tool LIMIT ${ANALYTICS_LIMITS.tools}`,
            range,
          ),
      !want('tokensOverTime')
        ? none
        : this.pool.query(
            `SELECT ${bucket} AS t, sum(tokens_in)::float8 AS input, sum(tokens_out)::float8 AS output
        FROM events WHERE tokens_in IS NOT NULL AND ${inRange} GROUP BY 1 ORDER BY 1`,
            range,
          ),
      !want('durations')
        ? none
        : this.pool.query(
            `SELECT session_id AS "sessionId", type, status, duration_ms::float8 AS "durationMs" FROM sessions
        WHERE duration_ms IS NOT NULL AND created >= $1::timestamptz AND created < $2::timestamptz ORDER BY duration_ms DESC, session_id LIMIT ${ANALYTICS_LIMITS.durations}`,
            range,
          ),
      !want('busiest')
        ? none
        : this.pool.query(
            `SELECT e.session_id AS "sessionId", count(*)::int AS events, s.type, s.status FROM events e
        LEFT JOIN sessions s ON s.session_id = e.session_id WHERE e.ts >= $1::timestamptz AND e.ts < $2::timestamptz GROUP BY e.session_id, s.type, s.status ORDER BY events DESC, e.session_id LIMIT ${ANALYTICS_LIMITS.busiest}`,
            range,
          ),
    ]);
    return analyticsResult(a, {
      eventsOverTime: overTime.rows,
      tokensOverTime: tokens.rows,
      tools: tools.rows,
      durations: durations.rows,
      busiest: busiest.rows,
    });
  }
}
