import type Database from 'better-sqlite3';
import type { Analytics, ListSessionsQuery, SessionSummary, TetherEvent } from '@tether/protocol';
import { toSummary } from '../../events/record.js';
import type { AnalyticsPart, AnalyticsQuery, ListEventsOptions, RawEvent, SearchHit, Stats } from '../store.js';
import { searchHit } from '../search-text.js';
import { ANALYTICS_LIMITS, analyticsResult, bucketWidth, isoTime, statsResult } from '../results.js';
import { toFtsQuery } from './fts-text.js';
import { rowToEvent, rowToRecord } from './rows.js';
import { decodeCursor, encodeCursor } from '../cursor.js';

/** The read side of the SQLite adapter: lists, search, stats and analytics. */
export class SqliteQueries {
  constructor(private readonly db: Database.Database) {}

  listSessions(q: ListSessionsQuery): { sessions: SessionSummary[]; nextCursor: string | null } {
    const where: string[] = [];
    const args: unknown[] = [];
    const sortCol = q.sort === 'updated' ? 'updated' : 'created';
    if (q.userId !== undefined) {
      where.push('user_id = ?');
      args.push(q.userId);
    }
    if (q.status !== undefined) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.type !== undefined) {
      where.push('type = ?');
      args.push(q.type);
    }
    if (q.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(sessions.tags) WHERE value = ?)');
      args.push(q.tag);
    }
    if (q.parentSessionId === 'none') where.push('parent_session_id IS NULL');
    else if (q.parentSessionId !== undefined) {
      where.push('parent_session_id = ?');
      args.push(q.parentSessionId);
    }
    if (q.createdAfter !== undefined) {
      where.push('created >= ?');
      args.push(isoTime('createdAfter', q.createdAfter));
    }
    if (q.createdBefore !== undefined) {
      where.push('created < ?');
      args.push(isoTime('createdBefore', q.createdBefore));
    }
    if (q.q !== undefined) {
      const fts = toFtsQuery(q.q);
      if (fts) {
        where.push(
          `(session_id IN (SELECT e.session_id FROM fts.events_fts f JOIN events e ON e.pos = f.rowid WHERE f.events_fts MATCH ?) OR session_id LIKE ? OR user_id LIKE ?)`,
        );
        args.push(fts, `%${q.q}%`, `%${q.q}%`);
      }
    }
    if (q.cursor !== undefined) {
      const [v, id] = decodeCursor(q.cursor);
      where.push(`(${sortCol} < ? OR (${sortCol} = ? AND session_id < ?))`);
      args.push(v, v, id);
    }
    const limit = q.limit ?? 50;
    const sql = `SELECT * FROM sessions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${sortCol} DESC, session_id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit + 1) as Parameters<typeof rowToRecord>[0][];
    const more = rows.length > limit;
    const sessions = rows.slice(0, limit).map((r) => toSummary(rowToRecord(r)));
    const last = sessions[sessions.length - 1];
    return {
      sessions,
      nextCursor:
        more && last ? encodeCursor(sortCol === 'updated' ? last.updated : last.created, last.sessionId) : null,
    };
  }

  listEvents(sessionId: string, o: ListEventsOptions): TetherEvent[] {
    const rows = this.selectEvents('*', sessionId, o) as Parameters<typeof rowToEvent>[0][];
    const events = rows.map(rowToEvent);
    return o.tail ? events.reverse() : events;
  }

  /** As listEvents with `data` as stored (JSON text), for streaming big responses without parsing every event. */
  listEventsRaw(sessionId: string, o: ListEventsOptions): RawEvent[] {
    const rows = this.selectEvents('seq, event_id AS id, ts AS timestamp, data', sessionId, o) as RawEvent[];
    return o.tail ? rows.reverse() : rows;
  }

  private selectEvents(columns: string, sessionId: string, o: ListEventsOptions): unknown[] {
    const where = ['session_id = ?'];
    const args: unknown[] = [sessionId];
    if (o.after !== undefined) {
      where.push('seq > ?');
      args.push(o.after);
    }
    if (o.upTo !== undefined) {
      where.push('seq <= ?');
      args.push(o.upTo);
    }
    if (o.kinds?.length) {
      where.push(`kind IN (${o.kinds.map(() => '?').join(',')})`);
      args.push(...o.kinds);
    }
    const order = o.tail ? 'DESC' : 'ASC';
    const limit = o.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(o.limit))}` : o.offset ? ' LIMIT -1' : '';
    const offset = o.offset ? ` OFFSET ${Math.max(0, Math.floor(o.offset))}` : '';
    return this.db
      .prepare(`SELECT ${columns} FROM events WHERE ${where.join(' AND ')} ORDER BY seq ${order}${limit}${offset}`)
      .all(...args);
  }

  listAllEvents(afterPos: number, limit: number): Array<TetherEvent & { pos: number }> {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE pos > ? ORDER BY pos LIMIT ?')
      .all(afterPos, limit) as Parameters<typeof rowToEvent>[0][];
    return rows.map((r) => ({ ...rowToEvent(r), pos: r.pos }));
  }

  lastPos(): number {
    return (this.db.prepare('SELECT coalesce(max(pos), 0) AS p FROM events').get() as { p: number }).p;
  }

  endedBefore(iso: string): string[] {
    return (
      this.db.prepare('SELECT session_id FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?').all(iso) as Array<{
        session_id: string;
      }>
    ).map((r) => r.session_id);
  }

  search(query: string, limit: number): SearchHit[] {
    const fts = toFtsQuery(query);
    if (!fts) return [];
    const rows = this.db
      .prepare(
        `SELECT e.* FROM fts.events_fts f JOIN events e ON e.pos = f.rowid WHERE f.events_fts MATCH ? ORDER BY f.rank LIMIT ?`,
      )
      .all(fts, limit) as Parameters<typeof rowToEvent>[0][];
    return rows.map((r) => searchHit(rowToEvent(r), query));
  }

  stats(): Stats {
    return statsResult(
      this.db.prepare('SELECT status, count(*) AS n FROM sessions GROUP BY status').all() as Array<{
        status: string;
        n: number;
      }>,
      this.db
        .prepare(`SELECT coalesce(type, '(none)') AS type, count(*) AS n FROM sessions GROUP BY 1`)
        .all() as Array<{
        type: string;
        n: number;
      }>,
      this.db
        .prepare(
          'SELECT count(*) AS s, coalesce(sum(last_seq),0) AS e, coalesce(sum(actions),0) AS a, coalesce(sum(responses),0) AS r FROM sessions',
        )
        .get() as { s: number; e: number; a: number; r: number },
    );
  }

  analytics(a: AnalyticsQuery): Analytics {
    const range = [isoTime('from', a.from), isoTime('to', a.to)];
    const b = bucketWidth(a);
    const bucket = `((CAST(strftime('%s', ts) AS INTEGER) * 1000) / ${b}) * ${b}`;
    type A = Analytics;
    const want = (part: AnalyticsPart) => !a.include || a.include.has(part);
    const eventsOverTime = want('eventsOverTime')
      ? this.db
          .prepare<unknown[], A['eventsOverTime'][number]>(
            `SELECT ${bucket} AS t, kind, count(*) AS n FROM events WHERE ts >= ? AND ts < ? GROUP BY t, kind ORDER BY t, kind`,
          )
          .all(...range)
      : [];
    const tools = want('tools')
      ? this.db
          .prepare<unknown[], A['tools'][number]>(
            `SELECT tool, count(*) AS calls, sum(tool_error) AS errors FROM events WHERE tool IS NOT NULL AND ts >= ? AND ts < ? GROUP BY tool ORDER BY calls DESC, tool LIMIT ${ANALYTICS_LIMITS.tools}`,
          )
          .all(...range)
      : [];
    const tokensOverTime = want('tokensOverTime')
      ? this.db
          .prepare<unknown[], A['tokensOverTime'][number]>(
            `SELECT ${bucket} AS t, sum(tokens_in) AS input, sum(tokens_out) AS output FROM events WHERE tokens_in IS NOT NULL AND ts >= ? AND ts < ? GROUP BY t ORDER BY t`,
          )
          .all(...range)
      : [];
    const durations = want('durations')
      ? this.db
          .prepare<unknown[], A['durations'][number]>(
            `SELECT session_id AS sessionId, type, status, duration_ms AS durationMs FROM sessions WHERE duration_ms IS NOT NULL AND created >= ? AND created < ? ORDER BY duration_ms DESC, session_id LIMIT ${ANALYTICS_LIMITS.durations}`,
          )
          .all(...range)
      : [];
    const busiest = want('busiest')
      ? this.db
          .prepare<unknown[], A['busiest'][number]>(
            `SELECT e.session_id AS sessionId, count(*) AS events, s.type AS type, s.status AS status FROM events e LEFT JOIN sessions s ON s.session_id = e.session_id WHERE e.ts >= ? AND e.ts < ? GROUP BY e.session_id ORDER BY events DESC, e.session_id LIMIT ${ANALYTICS_LIMITS.busiest}`,
          )
          .all(...range)
      : [];
    return analyticsResult(a, { eventsOverTime, tokensOverTime, tools, durations, busiest });
  }
}
