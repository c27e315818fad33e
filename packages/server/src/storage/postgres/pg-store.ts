import pg from 'pg';
import type { Analytics, ListSessionsQuery, SessionSummary, TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../../events/record.js';
import type {
  AnalyticsQuery,
  ApiKeyRecord,
  AppendItem,
  AppendOutcome,
  ListEventsOptions,
  SearchHit,
  Stats,
  Store,
} from '../store.js';
import type { CheckpointQuery, StoredCheckpoint } from '../checkpoints.js';
import { DELETE_CHECKPOINT_ROWS, listCheckpoints } from './pg-checkpoints.js';
import { migrate, quoteIdent } from './migrations.js';
import { appendInTransaction } from './pg-append.js';
import { PgMemory } from './pg-memory.js';
import { PgFeed, wakePayload, type FeedOptions, type FeedSink } from './pg-feed.js';
import { PgQueries } from './pg-queries.js';
import { ensureSearchPathSchema } from './search-path.js';
import { lockKey, rowToRecord, type SessionRow } from './pg-rows.js';

export interface PostgresStoreOptions {
  /** A libpq-style URL, e.g. `postgres://tether:secret@db.internal:5432/tether` (`?sslmode=require`, `?options=-c search_path=x` work). */
  connectionString: string;
  /**
   * The schema that holds Tether's tables; created when missing and put first on the connections' search_path.
   * Default: none, so the connection's own search_path decides (normally `public`); when the schema it names does not
   * exist yet it is created (see search-path.ts), or opening fails saying what to run.
   */
  schema?: string;
  /** Most connections this process opens (default 10). Each append batch uses one; reads use the others. */
  poolSize?: number;
  /**
   * Serialize commits across all server processes on this database (default true), so that `pos` order is commit
   * order: a transaction-level advisory lock is taken just before the events are inserted and held until commit.
   * Off, positions are handed out in insert order and several processes may commit them out of order, so a firehose
   * reader can pass a position that a slower transaction fills in later (see docs/storage.md, PostgreSQL).
   */
  orderedCommits?: boolean;
}

/** Errors after which the whole batch is retried on a fresh transaction: serialization failure, deadlock, unique violation. */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

/**
 * The PostgreSQL adapter (node-postgres), for several Tether servers on one database. Appends run all items of a
 * batch in ONE transaction that locks the touched session rows and reads their current records from the database
 * (no cache on the write path, so another process's writes are never missed); `seq` is gapless per session across
 * processes, with UNIQUE (session_id, seq) and (session_id, event_id) as the last line of defence. Create it with
 * {@link PostgresStore.open}, which applies the migrations under an advisory lock.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';
  private readonly q: PgQueries;
  /** The memory store (long-term memory items) on this database. */
  readonly memory: PgMemory;
  private closed: Promise<void> | undefined;
  private readonly feeds = new Set<PgFeed>();
  /** This process's id in wake-up notifications (a listener skips the events wake-ups it sent itself). */
  readonly origin = Math.random().toString(36).slice(2, 10);

  private constructor(
    readonly pool: pg.Pool,
    private readonly posLock: string | null,
    /** The NOTIFY channel of this schema (`tether_<key>`): every server on the schema LISTENs on it. */
    readonly channel: string,
    /** Connection settings for a dedicated connection (the listener's); the same as the pool's. */
    readonly connection: pg.ClientConfig,
    private readonly retentionLock: string,
  ) {
    this.q = new PgQueries(pool);
    this.memory = new PgMemory(pool);
  }

  /**
   * Connects, applies pending migrations (one server at a time: advisory lock) and returns the store.
   * Throws the driver's error (e.g. ECONNREFUSED, password authentication failed) with the host in the message.
   */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const connection: pg.ClientConfig = {
      connectionString: opts.connectionString,
      ...(opts.schema !== undefined ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
    };
    const pool = new pg.Pool({ ...connection, max: opts.poolSize ?? 10 });
    // An idle connection that the server closes (restart, idle timeout) emits 'error' on the pool; without a listener
    // that would end the process. The pool drops the connection; the next query opens a new one.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        const schema = opts.schema ?? (await ensureSearchPathSchema(client));
        await migrate(client, lockKey('migrate', schema), opts.schema);
        return new PostgresStore(
          pool,
          opts.orderedCommits === false ? null : lockKey('pos', schema),
          `tether_${lockKey('feed', schema)}`,
          connection,
          lockKey('retention', schema),
        );
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      const where = (() => {
        try {
          const u = new URL(opts.connectionString);
          return `${u.hostname}:${u.port || 5432}${u.pathname}`;
        } catch {
          return 'the database';
        }
      })();
      throw new Error(`PostgreSQL at ${where}: ${(err as Error).message}`, { cause: err });
    }
  }

  async append(items: AppendItem[]): Promise<AppendOutcome[]> {
    if (!items.length) return [];
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const out = await appendInTransaction(client, items, this.posLock, {
          channel: this.channel,
          payload: wakePayload('e', this.origin),
        });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (e) {
          broken = e as Error;
        }
        const code = (err as { code?: string }).code;
        if (!broken && code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.pool.query<SessionRow>('SELECT * FROM sessions WHERE session_id = $1', [sessionId]);
    return rows[0] ? rowToRecord(rows[0]) : undefined;
  }

  listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }> {
    return this.q.listSessions(q);
  }

  listEvents(sessionId: string, opts: ListEventsOptions = {}): Promise<TetherEvent[]> {
    return this.q.listEvents(sessionId, opts);
  }

  listAllEvents(afterPos: number, limit: number): Promise<Array<TetherEvent & { pos: number }>> {
    return this.q.listAllEvents(afterPos, limit);
  }

  lastPos(): Promise<number> {
    return this.q.lastPos();
  }

  /** Deletes the session row first (waiting for any append that holds it), then its events, in one transaction. */
  async deleteSession(sessionId: string): Promise<boolean> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const s = await client.query('DELETE FROM sessions WHERE session_id = $1', [sessionId]);
      await client.query('DELETE FROM events WHERE session_id = $1', [sessionId]);
      for (const sql of DELETE_CHECKPOINT_ROWS) await client.query(sql, [sessionId]);
      // Every server's live feed tells its subscribers (delivered at commit; session ids are at most 128 characters,
      // far below NOTIFY's 8,000-byte payload limit).
      if (s.rowCount)
        await client.query('SELECT pg_notify($1, $2)', [this.channel, wakePayload('d', this.origin, sessionId)]);
      await client.query('COMMIT');
      return (s.rowCount ?? 0) > 0;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  listCheckpoints(q: CheckpointQuery): Promise<StoredCheckpoint[]> {
    return listCheckpoints(this.pool, q);
  }

  /**
   * Deletes the sessions that ended before `iso`. With `everyMs`, runs at most once per `everyMs` across every server
   * on this database: under a transaction-level advisory lock (a server that finds it taken skips), and only when the
   * last run recorded in `tether_jobs` (migration 8) is at least `everyMs` old. Returns how many were deleted (0 when
   * skipped). Each deletion notifies every server's live feed.
   */
  async deleteEndedBefore(iso: string, everyMs?: number): Promise<number> {
    const run = async () => {
      const { rows } = await this.pool.query<{ session_id: string }>(
        'SELECT session_id FROM sessions WHERE ended_at < $1::timestamptz',
        [iso],
      );
      let n = 0;
      for (const r of rows) if (await this.deleteSession(r.session_id)) n++;
      return n;
    };
    if (everyMs === undefined) return run();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [
        this.retentionLock,
      ]);
      const due =
        lock.rows[0]?.ok &&
        (
          await client.query(
            `SELECT 1 FROM tether_jobs WHERE name = 'retention' AND last_run > now() - make_interval(secs => $1::float8 / 1000)`,
            [everyMs],
          )
        ).rowCount === 0;
      if (!due) {
        await client.query('ROLLBACK');
        return 0;
      }
      const n = await run();
      await client.query(`INSERT INTO tether_jobs (name, last_run) VALUES ('retention', now())
        ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run`);
      await client.query('COMMIT');
      return n;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** The current snapshot rows of `ids` (missing sessions are absent from the map). */
  async getSessions(ids: string[]): Promise<Map<string, SessionRecord>> {
    const { rows } = await this.pool.query<SessionRow>('SELECT * FROM sessions WHERE session_id = ANY($1::text[])', [
      ids,
    ]);
    return new Map(rows.map((r) => [r.session_id, rowToRecord(r)]));
  }

  /**
   * Opens the cross-server live feed for one server (see {@link PgFeed}): a LISTEN connection as the wake-up and a
   * reader of the log by pos. Call `start()` on the result; `close()` of the store closes it too.
   */
  openFeed(sink: FeedSink, opts: FeedOptions = {}): PgFeed {
    const feed = new PgFeed(this, sink, opts);
    this.feeds.add(feed);
    return feed;
  }

  search(query: string, limit: number): Promise<SearchHit[]> {
    return this.q.search(query, limit);
  }

  stats(): Promise<Stats> {
    return this.q.stats();
  }

  analytics(a: AnalyticsQuery): Promise<Analytics> {
    return this.q.analytics(a);
  }

  async createKey(key: ApiKeyRecord): Promise<void> {
    await this.pool.query(
      `WITH k AS (INSERT INTO api_keys (id, name, hash, scopes, created, revoked_at) VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz, NULL))
      SELECT pg_notify($6, $7)`,
      [
        key.id,
        key.name,
        key.hash,
        JSON.stringify(key.scopes),
        key.created,
        this.channel,
        wakePayload('k', this.origin),
      ],
    );
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      hash: string;
      scopes: string[];
      created: Date;
      revoked_at: Date | null;
    }>('SELECT * FROM api_keys ORDER BY created, id');
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      hash: r.hash,
      scopes: r.scopes,
      created: r.created.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  async revokeKey(id: string): Promise<boolean> {
    // Every server forgets its cached key lookups and re-checks its live connections when this commits.
    const r = await this.pool.query(
      `WITH k AS (UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING 1)
      SELECT pg_notify($2, $3) FROM k`,
      [id, this.channel, wakePayload('k', this.origin)],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Closes every connection of the pool (idempotent). Appends still running finish first. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.feeds].map((f) => f.close()));
      await this.pool.end();
    })();
    return this.closed;
  }
}
