import { uuidv7 } from '../../util/uuid7.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Analytics, EventInput, ListSessionsQuery, SessionSummary, TetherEvent } from '@tether/protocol';
import { TetherError } from '../../errors.js';
import { applyEvent, claimedTime, resolveEvent } from '../../events/reduce.js';
import { type SessionRecord } from '../../events/record.js';
import type { AnalyticsQuery, ApiKeyRecord, AppendItem, AppendOutcome, ListEventsOptions, PositionedEvent, SearchHit, Stats, Store } from '../store.js';
import { FtsIndexer } from './fts-indexer.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteQueries } from './sqlite-queries.js';

/**
 * How often, in ms, session rows that lag their record (only actions/responses appended) are written. Writing every
 * touched session row in every group commit cost 8 % of the server's CPU with writers spread over 100 sessions.
 */
const LAG_FLUSH_MS = 200;


/** `normal`: every acknowledged write survives a crash of the process. `full`: also a power loss (fsync per commit). */
export type Durability = 'normal' | 'full';

export interface SqliteStoreOptions {
  /** Path of the database file; `:memory:` for tests that need no file. */
  file: string;
  durability?: Durability;
  /** How many session records to keep parsed in memory (default 10,000). */
  cacheSize?: number;
}

interface Row {
  session_id: string; user_id: string | null; type: string | null; parent_session_id: string | null; status: string;
  tags: string; metadata: string; initial: string | null; final: string | null; state: string; state_version: number;
  created: string; updated: string; ended_at: string | null; duration_ms: number | null; last_seq: number;
}

export function rowToRecord(r: Row): SessionRecord {
  return {
    sessionId: r.session_id, userId: r.user_id, type: r.type, parentSessionId: r.parent_session_id,
    status: r.status as SessionRecord['status'], tags: JSON.parse(r.tags), metadata: JSON.parse(r.metadata),
    initial: r.initial === null ? null : JSON.parse(r.initial), created: r.created, updated: r.updated,
    endedAt: r.ended_at, durationMs: r.duration_ms, lastSeq: r.last_seq, stateVersion: r.state_version,
    state: JSON.parse(r.state), final: r.final === null ? null : JSON.parse(r.final),
  };
}

interface EventRow { pos: number; session_id: string; seq: number; event_id: string; kind: string; ts: string; received_at: string; data: string }

export function rowToEvent(r: EventRow): TetherEvent {
  return { id: r.event_id, sessionId: r.session_id, seq: r.seq, kind: r.kind as TetherEvent['kind'], timestamp: r.ts, receivedAt: r.received_at, data: JSON.parse(r.data) };
}

function normalizeTime(ts: string | undefined, fallback: string): string {
  if (ts === undefined) return fallback;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/**
 * The SQLite adapter (better-sqlite3, WAL). Appends for many sessions share one transaction; session records are
 * cached parsed, and the snapshot row is written in the same transaction as the events that changed it.
 * Single writer: one server process per database file (the CLI holds a lock file).
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly db: Database.Database;
  private readonly cache = new Map<string, SessionRecord>();
  private readonly cacheSize: number;
  private readonly q: SqliteQueries;
  private readonly stmt;
  /** Sessions created, and sessions finalized, in the transaction being built. */
  private readonly fresh = new Set<string>();
  private readonly finalized = new Set<string>();
  /** Sessions whose state, status or metadata changed in the transaction being built (their row is written in it). */
  private readonly snapshotChanged = new Set<string>();
  /** Sessions whose row lags their record by actions/responses only; written by {@link flushLagging}. */
  private readonly lagging = new Map<string, SessionRecord>();
  private readonly lagTimer: NodeJS.Timeout;
  private readonly fts: FtsIndexer;

  constructor(opts: SqliteStoreOptions) {
    if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536'); // 64 MiB of page cache: indexes of large logs stay in memory
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.lagTimer = setInterval(() => {
      try {
        this.flushLagging();
      } catch {
        /* retried on the next tick; the log has every event, rows catch up from it on load */
      }
    }, LAG_FLUSH_MS);
    this.lagTimer.unref();
    this.fts = new FtsIndexer(this.db);
    this.q = new SqliteQueries(this.db, () => this.indexText());
    this.stmt = {
      getSession: this.db.prepare<[string], Row>('SELECT * FROM sessions WHERE session_id = ?'),
      eventsAfter: this.db.prepare<[string, number], EventRow>('SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq'),
      findEvent: this.db.prepare<[string, string], EventRow>('SELECT * FROM events WHERE session_id = ? AND event_id = ?'),
      insertEvent: this.db.prepare('INSERT INTO events (session_id, seq, event_id, kind, ts, received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insertSession: this.db.prepare(`INSERT INTO sessions (session_id, user_id, type, parent_session_id, status, tags, metadata, initial, final, state,
          state_version, created, updated, ended_at, duration_ms, last_seq, actions, responses)
        VALUES (@session_id, @user_id, @type, @parent_session_id, @status, @tags, @metadata, @initial, @final, @state,
          @state_version, @created, @updated, @ended_at, @duration_ms, @last_seq, @actions, @responses)`),
      // Two updates: the common one leaves status alone, so its index is not rewritten on every event.
      updateSession: this.db.prepare(`UPDATE sessions SET metadata = @metadata, state = @state, state_version = @state_version, updated = @updated,
          last_seq = @last_seq, actions = @actions, responses = @responses WHERE session_id = @session_id`),
      updateSessionStatus: this.db.prepare(`UPDATE sessions SET status = @status, final = @final, ended_at = @ended_at, duration_ms = @duration_ms
          WHERE session_id = @session_id`),
    };
    this.catchUpRows();
  }

  /** Indexes every committed event for full-text search now (see {@link FtsIndexer}). Returns how many were indexed. */
  indexText(): number {
    return this.fts.catchUp();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      })();
    }
  }

  /**
   * The session's current record: from the cache, else its row plus the events after the row's `last_seq` (a row may
   * lag its log by the events of the last {@link LAG_FLUSH_MS}, or of a crash; the log is the truth).
   */
  private load(sessionId: string): SessionRecord | undefined {
    let rec = this.cache.get(sessionId);
    if (rec) return rec;
    const row = this.stmt.getSession.get(sessionId);
    if (!row) return undefined;
    rec = rowToRecord(row);
    const behind = rec.lastSeq;
    for (const ev of this.stmt.eventsAfter.all(sessionId, rec.lastSeq)) rec = applyEvent(rec, rowToEvent(ev));
    if (rec.lastSeq !== behind) this.lagging.set(sessionId, rec);
    this.remember(rec);
    return rec;
  }

  /**
   * After a crash, rows of sessions that only got actions/responses may lag their log: bring every such row up to date
   * (one indexed lookup per session, at start).
   */
  private catchUpRows(): void {
    const behind = this.db.prepare<[], { session_id: string }>(
      'SELECT session_id FROM sessions s WHERE s.last_seq < (SELECT max(seq) FROM events e WHERE e.session_id = s.session_id)',
    ).all();
    for (const { session_id } of behind) this.load(session_id);
    this.flushLagging();
  }

  /** Writes the rows of sessions whose counters ran ahead of them (one transaction); before reads of rows, and on a timer. */
  flushLagging(): void {
    if (this.lagging.size === 0 || !this.db.open) return;
    const recs = [...this.lagging.values()];
    this.db.transaction(() => {
      for (const rec of recs) this.writeSession(rec, false, false);
    }).immediate();
    this.lagging.clear();
  }

  private remember(rec: SessionRecord): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(rec.sessionId, rec);
  }

  private insert(rec: SessionRecord | undefined, input: EventInput, data: Record<string, unknown>, receivedAt: string): { rec: SessionRecord; ev: TetherEvent } {
    const ev: TetherEvent = {
      id: input.id ?? uuidv7(), sessionId: input.sessionId, seq: (rec?.lastSeq ?? 0) + 1, kind: input.kind,
      timestamp: normalizeTime(input.timestamp ?? (typeof data.timestamp === 'string' ? data.timestamp : undefined), receivedAt),
      receivedAt, data,
    };
    const info = this.stmt.insertEvent.run(ev.sessionId, ev.seq, ev.id, ev.kind, ev.timestamp, ev.receivedAt, JSON.stringify(data));
    this.fts.markPending();
    (ev as PositionedEvent).pos = Number(info.lastInsertRowid); // the global commit position, for the live feed
    return { rec: applyEvent(rec, ev), ev };
  }

  private appendOne(item: AppendItem, dirty: Map<string, SessionRecord>): AppendOutcome {
    const { input } = item;
    let rec = dirty.get(input.sessionId) ?? this.load(input.sessionId);
    if (rec && input.id !== undefined) {
      const prior = this.stmt.findEvent.get(input.sessionId, input.id);
      if (prior) return { ok: true, event: rowToEvent(prior), duplicate: true, committed: [], session: rec };
    }
    if (rec && input.kind === 'session_created') {
      return { ok: false, error: new TetherError('session_exists', `Session ${input.sessionId} already exists`) };
    }
    if (!rec && input.kind !== 'session_created' && !item.autoCreate) {
      return { ok: false, error: new TetherError('session_not_found', `Session ${input.sessionId} does not exist`) };
    }
    let data: Record<string, unknown>;
    try {
      data = resolveEvent(rec, input);
    } catch (err) {
      if (err instanceof TetherError) return { ok: false, error: err };
      throw err;
    }
    const committed: TetherEvent[] = [];
    if (!rec && input.kind !== 'session_created') {
      const created = this.insert(undefined, { sessionId: input.sessionId, kind: 'session_created', ...(claimedTime(input) ? { timestamp: claimedTime(input) } : {}) }, { autoCreated: true, userId: null, type: null, parentSessionId: null, tags: [], metadata: {}, initial: null }, item.receivedAt);
      rec = created.rec;
      this.fresh.add(rec.sessionId);
      committed.push(created.ev);
    }
    const { rec: next, ev } = this.insert(rec, input, data, item.receivedAt);
    if (input.kind === 'session_created') this.fresh.add(next.sessionId);
    if (input.kind === 'session_finalized') this.finalized.add(next.sessionId);
    if (input.kind !== 'action' && input.kind !== 'response') this.snapshotChanged.add(next.sessionId);
    committed.push(ev);
    dirty.set(next.sessionId, next);
    return { ok: true, event: ev, duplicate: false, committed, session: next };
  }

  async append(items: AppendItem[]): Promise<AppendOutcome[]> {
    const dirty = new Map<string, SessionRecord>();
    const run = this.db.transaction(() => {
      const out = items.map((item) => this.appendOne(item, dirty));
      for (const rec of dirty.values()) {
        const id = rec.sessionId;
        const fresh = this.fresh.has(id);
        if (fresh || this.snapshotChanged.has(id)) {
          // State, status or metadata changed: the snapshot row is written in the same transaction as its events.
          this.writeSession(rec, fresh, !fresh && this.finalized.has(id));
          this.lagging.delete(id);
        } else {
          // Only actions/responses: counters, lastSeq and `updated` may reach the row later (the log has the events).
          this.lagging.set(id, rec);
        }
      }
      return out;
    });
    try {
      const out = run.immediate();
      for (const rec of dirty.values()) if (!this.cache.has(rec.sessionId)) this.remember(rec);
      return out;
    } catch (err) {
      // The records in `dirty` were mutated in memory for a transaction that did not commit: forget them (the next load
      // rebuilds them from row + log).
      for (const id of dirty.keys()) {
        this.cache.delete(id);
        this.lagging.delete(id);
      }
      throw err;
    } finally {
      this.fresh.clear();
      this.finalized.clear();
      this.snapshotChanged.clear();
    }
  }

  private writeSession(r: SessionRecord, fresh: boolean, statusChanged: boolean): void {
    if (!fresh) {
      this.stmt.updateSession.run({
        session_id: r.sessionId, metadata: JSON.stringify(r.metadata), state: JSON.stringify(r.state), state_version: r.stateVersion,
        updated: r.updated, last_seq: r.lastSeq, actions: r.metadata.metrics.actions, responses: r.metadata.metrics.responses,
      });
      if (statusChanged) {
        this.stmt.updateSessionStatus.run({
          session_id: r.sessionId, status: r.status, final: r.final === null || r.final === undefined ? null : JSON.stringify(r.final),
          ended_at: r.endedAt, duration_ms: r.durationMs,
        });
      }
      return;
    }
    this.stmt.insertSession.run({
      session_id: r.sessionId, user_id: r.userId, type: r.type, parent_session_id: r.parentSessionId, status: r.status,
      tags: JSON.stringify(r.tags), metadata: JSON.stringify(r.metadata), initial: r.initial === null ? null : JSON.stringify(r.initial),
      final: r.final === null || r.final === undefined ? null : JSON.stringify(r.final), state: JSON.stringify(r.state),
      state_version: r.stateVersion, created: r.created, updated: r.updated, ended_at: r.endedAt, duration_ms: r.durationMs,
      last_seq: r.lastSeq, actions: r.metadata.metrics.actions, responses: r.metadata.metrics.responses,
    });
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.load(sessionId);
  }

  async listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }> {
    this.flushLagging();
    return this.q.listSessions(q);
  }

  async listEvents(sessionId: string, opts: ListEventsOptions = {}): Promise<TetherEvent[]> {
    return this.q.listEvents(sessionId, opts);
  }

  async listAllEvents(afterPos: number, limit: number): Promise<Array<TetherEvent & { pos: number }>> {
    return this.q.listAllEvents(afterPos, limit);
  }

  async lastPos(): Promise<number> {
    return this.q.lastPos();
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    this.indexText();
    this.flushLagging();
    this.cache.delete(sessionId);
    return this.q.deleteSession(sessionId);
  }

  async deleteEndedBefore(iso: string): Promise<number> {
    const ids = this.q.endedBefore(iso);
    for (const id of ids) await this.deleteSession(id);
    return ids.length;
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    return this.q.search(query, limit);
  }

  async stats(): Promise<Stats> {
    this.flushLagging();
    return this.q.stats();
  }

  async analytics(a: AnalyticsQuery): Promise<Analytics> {
    this.flushLagging();
    return this.q.analytics(a);
  }

  async createKey(key: ApiKeyRecord): Promise<void> {
    this.db.prepare('INSERT INTO api_keys (id, name, hash, scopes, created, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)')
      .run(key.id, key.name, key.hash, JSON.stringify(key.scopes), key.created);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const rows = this.db.prepare('SELECT * FROM api_keys ORDER BY created').all() as Array<{ id: string; name: string; hash: string; scopes: string; created: string; revoked_at: string | null }>;
    return rows.map((r) => ({ id: r.id, name: r.name, hash: r.hash, scopes: JSON.parse(r.scopes), created: r.created, revokedAt: r.revoked_at }));
  }

  async revokeKey(id: string): Promise<boolean> {
    return this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes > 0;
  }

  async close(): Promise<void> {
    this.fts.stop();
    clearInterval(this.lagTimer);
    if (this.db.open) {
      this.flushLagging();
      this.indexText();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}
