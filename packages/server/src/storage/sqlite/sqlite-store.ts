import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Analytics, ListSessionsQuery, SessionSummary, TetherEvent } from '@tether/protocol';
import { applyEvent } from '../../events/reduce.js';
import type { SessionRecord } from '../../events/record.js';
import type {
  RawEvent,
  AnalyticsQuery,
  ApiKeyRecord,
  AppendItem,
  AppendOutcome,
  ListEventsOptions,
  PositionedEvent,
  SearchHit,
  Stats,
  Store,
} from '../store.js';
import { planBatch, type AppendTarget } from '../append-decision.js';
import { attachFts, ftsFileFor } from './fts-indexer.js';
import { ftsText } from '../search-text.js';
import { migrate } from './migrations.js';
import { RecordCache } from './record-cache.js';
import { SqliteMemory } from './sqlite-memory.js';
import { copyForWrite, rowToEvent, rowToRecord, sessionOps, type EventRow, type Row } from './rows.js';
import { SqliteQueries } from './sqlite-queries.js';
import type { CheckpointQuery, StoredCheckpoint } from '../checkpoints.js';
import { checkpointOps, deleteCheckpointOps, SqliteCheckpoints } from './sqlite-checkpoints.js';
import { openConnection, type Durability } from './connection.js';
import { EVENT_COLUMNS, TxRunner, WRITE_SQL, type WriteTx } from './transaction.js';
import { InlineWriter, ThreadWriter, type Writer } from './writer.js';

/**
 * How often, in ms, session rows that lag their record (only actions/responses appended) are written. Writing every
 * touched session row in every group commit cost 8 % of the server's CPU with writers spread over 100 sessions.
 */
const LAG_FLUSH_MS = 200;

/**
 * Largest batch, in events, that the HTTP thread commits itself when the writer thread is idle. A round trip to the
 * writer thread took ~240 µs on the 2-core machine (`bench/store-micro.ts`: 331 vs 95 µs per single-event transaction),
 * which a lone client waits through on every write; under load batches are larger and go to the writer.
 */
const INLINE_MAX_EVENTS = 8;

/**
 * Default of {@link SqliteStoreOptions.maxIndexLag}, in events: four index slices, ~0.2 s of ingest at 50,000
 * events/s. A search then catches up on at most this many events plus the batches in flight.
 */
const MAX_INDEX_LAG = 10_000;
/** Longest an answer is held for the index (ms); and how long the index may stand still before nothing waits for it. */
const MAX_INDEX_WAIT_MS = 1000;
const INDEX_STALL_MS = 500;
/**
 * An index further behind than this (events) is rebuilding (after an upgrade) or recovering from an outage: nothing
 * waits for it, since holding each answer for a second would stall ingest for the whole rebuild without making
 * search fresh. Held answers keep an index that is merely slow near {@link MAX_INDEX_LAG}, far below this.
 */
const REBUILD_LAG = 100_000;

export type { Durability } from './connection.js';
export { rowToEvent, rowToRecord } from './rows.js';

export interface SqliteStoreOptions {
  /** Path of the database file; `:memory:` for tests that need no file. */
  file: string;
  durability?: Durability;
  /** How many session records to keep parsed in memory (default 10,000). */
  cacheSize?: number;
  /**
   * Execute writes (inserts, commits, WAL checkpoints, full-text indexing) on a worker thread with its own connection,
   * so they overlap with HTTP work on the second core (default true; always false for `:memory:`).
   */
  writerThread?: boolean;
  /**
   * With the writer thread: how many committed events the full-text index may be behind when a batch is answered
   * (default {@link MAX_INDEX_LAG}). Past it, the answer is held until the index is back within it, at most
   * {@link MAX_INDEX_WAIT_MS} ms and only while the index advances ({@link INDEX_STALL_MS}): on a saturated machine
   * the index thread gets too little CPU to keep up, and searches (which catch up first) then waited seconds (issue
   * #18). Holding answers makes ingest run at the rate the machine can both store and index. The batch is committed
   * either way, and an index more than {@link REBUILD_LAG} behind (rebuilding) holds nothing. `Infinity`: never hold.
   */
  maxIndexLag?: number;
}

/** What one transaction being built has touched. */
interface Batch {
  /** Working copies of the records of the sessions it touches (see {@link copyForWrite}). */
  dirty: Map<string, SessionRecord>;
  /** Sessions whose state was deep-copied already. */
  stateCopied: Set<string>;
  /** `sessionId \n eventId` of the events it inserts, for duplicates within the batch. */
  ids: Map<string, TetherEvent>;
  fresh: Set<string>;
  finalized: Set<string>;
  /** Sessions whose state, status or metadata changed (their row is written in the transaction). */
  snapshotChanged: Set<string>;
  /** Event rows, flat (see WriteTx.events). */
  rows: unknown[];
  /**
   * The events of `rows`, in order: their full-text index texts (WriteTx.texts) are built from them only when the
   * batch goes to the writer thread, which offers them to the index thread; a direct commit has no use for them.
   */
  events: TetherEvent[];
  /** LangGraph checkpoint rows of the batch's `checkpoint` items (after the session rows). */
  extra: NonNullable<WriteTx['ops']>;
  /**
   * Committed events with the ids the batch's items carry (`sessionId \n eventId`), looked up in one statement for
   * the whole batch ({@link SqliteStore.committedWithIds}); undefined: look each id up on its own.
   */
  priors: Map<string, EventRow> | undefined;
}

function newBatch(priors?: Map<string, EventRow>): Batch {
  return {
    dirty: new Map(),
    stateCopied: new Set(),
    ids: new Map(),
    fresh: new Set(),
    finalized: new Set(),
    snapshotChanged: new Set(),
    rows: [],
    events: [],
    extra: [],
    priors,
  };
}

/**
 * From how many items with client ids a batch looks up its duplicates in one statement: one lookup per id cost ~10 µs
 * of the HTTP thread per event in 1,000-event ingest batches of ~400-byte tool calls (bench/ingest-realistic.ts, the
 * `appendOne` share of the profile in docs/benchmarks.md); one `IN (json_each)` statement for the batch costs a
 * fraction of that. Below it, the single-row statement is cheaper.
 */
const BATCH_LOOKUP_MIN = 8;

/**
 * The SQLite adapter (better-sqlite3, WAL). Appends for many sessions share one transaction; session records are
 * cached parsed, and the snapshot row is written in the same transaction as the events that changed it.
 * Reads use this thread's connection; writes are built here (seq, pos, records) and executed in order by a
 * {@link Writer}, by default on a worker thread with its own connection. A transaction works on copies of the cached
 * records, which replace the cached ones only after it committed, so readers never see uncommitted changes.
 * Single writer: one server process per database file (the CLI holds a lock file).
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  /** This thread's connection: reads (and migrations at start). */
  readonly db: Database.Database;
  private readonly cache: RecordCache;
  private readonly q: SqliteQueries;
  private readonly checkpoints: SqliteCheckpoints;
  private readonly stmt;
  /** Committed sessions whose row lags their record by actions/responses only; written by {@link flushLagging}. */
  private readonly lagging = new Map<string, SessionRecord>();
  private readonly lagTimer: NodeJS.Timeout;
  private readonly writer: Writer;
  /**
   * With the writer thread: this thread's connection commits small batches itself when no transaction is in flight
   * (see {@link INLINE_MAX_EVENTS}); SQLite's write lock orders it with the writer's, and nothing is pending there.
   */
  private readonly direct: TxRunner | undefined;
  /**
   * Called if the writer thread stops unexpectedly (Store.onDegraded). The store then commits every write on this
   * thread (as with `writerThread: false`): slower, nothing acknowledged lost; the writes in flight at that moment fail.
   */
  onDegraded: ((message: string, err: Error) => void) | undefined;
  /** The memory store (long-term memory items), on this file; its writes go through the same writer. */
  readonly memory: SqliteMemory;
  private readonly maxIndexLag: number;
  /** The group committer may hand over the next batch while the writer commits the last one. */
  readonly maxInFlight = 2;
  /** The global position (`events.pos`) of the newest event handed to the writer, and of the newest committed. */
  private nextPos: number;
  private committedPos: number;
  /** Records of sessions with uncommitted appends: what the next batch builds on. */
  private readonly pendingRecs = new Map<string, SessionRecord>();
  /** `sessionId \n eventId` of uncommitted events, so that a retry during their commit is a duplicate. */
  private readonly pendingIds = new Map<string, TetherEvent>();
  /** Sessions whose deletion is handed to the writer but not done: they count as absent. */
  private readonly deleting = new Map<string, number>();
  /** Every write handed to the writer and not settled (close waits for them). */
  private readonly writes = new Set<Promise<unknown>>();

  constructor(opts: SqliteStoreOptions) {
    if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
    this.db = openConnection(opts.file, opts.durability);
    migrate(this.db);
    this.cache = new RecordCache(opts.cacheSize);
    this.maxIndexLag = opts.maxIndexLag ?? MAX_INDEX_LAG;
    attachFts(this.db, ftsFileFor(opts.file), opts.durability === 'full' ? 'FULL' : 'NORMAL');
    this.stmt = {
      getSession: this.db.prepare<[string], Row>('SELECT * FROM sessions WHERE session_id = ?'),
      eventsAfter: this.db.prepare<[string, number], EventRow>(
        'SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq',
      ),
      findEvent: this.db.prepare<[string, string], EventRow>(
        'SELECT * FROM events WHERE session_id = ? AND event_id = ?',
      ),
      // Uses the (event_id, session_id) index once per id (test/append-cost.test.ts checks the plan).
      findEvents: this.db.prepare<[string], EventRow>(
        'SELECT * FROM events WHERE event_id IN (SELECT value FROM json_each(?))',
      ),
      // Executed by the writer; prepared here too so that their query plans can be checked (test/append-cost.test.ts).
      insertEvent: this.db.prepare(WRITE_SQL.insertEvent),
      insertSession: this.db.prepare(WRITE_SQL.insertSession),
      updateSession: this.db.prepare(WRITE_SQL.updateSession),
      updateSessionStatus: this.db.prepare(WRITE_SQL.updateSessionStatus),
    };
    this.q = new SqliteQueries(this.db);
    this.checkpoints = new SqliteCheckpoints(this.db);
    this.catchUpRows();
    this.nextPos = this.committedPos = this.q.lastPos();
    this.writer =
      opts.file === ':memory:' || opts.writerThread === false
        ? new InlineWriter(this.db)
        : new ThreadWriter(opts.file, opts.durability ?? 'normal');
    if (this.writer instanceof ThreadWriter) {
      this.db.pragma('wal_autocheckpoint = 0'); // the checkpoint thread's job
      this.direct = new TxRunner(this.db, undefined, false);
      this.writer.onDeath = (err) => {
        this.db.pragma('wal_autocheckpoint = 1000'); // checkpoint here too, in case that thread is gone as well
        this.onDegraded?.('the SQLite writer thread stopped; writes now commit on the main thread', err);
      };
    }
    this.memory = new SqliteMemory(this.db, (tx) => this.write(tx));
    this.writer.onFailure = () => {
      // A transaction failed: it and every later one already handed over are rolled back or skipped. Build the next
      // batch on committed state only.
      this.pendingRecs.clear();
      this.pendingIds.clear();
      // Every transaction before the failed one has committed, so the newest position in the file is exact.
      this.nextPos = this.committedPos = Math.max(this.committedPos, this.q.lastPos());
    };
    this.lagTimer = setInterval(() => {
      this.flushLagging().catch(() => {
        /* retried on the next tick; the log has every event, rows catch up from it on load */
      });
    }, LAG_FLUSH_MS);
    this.lagTimer.unref();
  }

  /** Indexes every committed event for full-text search now (also done in the background). Returns how many were indexed. */
  indexText(): Promise<number> {
    return this.writer.indexText();
  }

  /**
   * Resolves once the full-text index is within {@link maxIndexLag} events of `pos` (at once when it is, or when there
   * is no index thread, or when it is more than {@link REBUILD_LAG} behind), after {@link MAX_INDEX_WAIT_MS} at most,
   * or when the index stood still for {@link INDEX_STALL_MS}: a stuck, failing or rebuilding index never holds ingest
   * up for long. Never rejects.
   */
  private async indexWithin(pos: number): Promise<void> {
    let lag = this.lagAt(pos);
    if (lag === undefined || lag <= this.maxIndexLag || lag > REBUILD_LAG) return;
    const start = Date.now();
    let moved = start;
    while (Date.now() - start < MAX_INDEX_WAIT_MS && Date.now() - moved < INDEX_STALL_MS) {
      await sleep(5);
      const now = this.lagAt(pos);
      if (now === undefined || now <= this.maxIndexLag) return;
      if (now !== lag) (lag = now), (moved = Date.now());
    }
  }

  /**
   * How many positions `pos` is ahead of what the index thread last published (after each slice); undefined without a
   * running index thread.
   */
  private lagAt(pos: number): number | undefined {
    const indexed = this.writer instanceof ThreadWriter ? this.writer.indexedPos() : undefined;
    return indexed === undefined ? undefined : pos - indexed;
  }

  /**
   * Events committed and not yet in the full-text index, as the index thread last published (after each slice); 0
   * without an index thread. For tests and diagnostics (not yet in `/health`).
   */
  indexLag(): number {
    return Math.max(0, this.lagAt(this.committedPos) ?? 0);
  }

  /** True when the writer thread stopped: every write is then committed on this thread (slower, nothing lost). */
  private get writerDown(): boolean {
    return this.writer instanceof ThreadWriter && this.writer.problem() !== undefined;
  }

  /** Hands `tx` to the writer now (so that it commits in call order) and tracks it until it settles. */
  private write(tx: WriteTx): Promise<number[]> {
    if (this.direct && this.writerDown) {
      try {
        const changes = this.direct.run(tx);
        (this.writer as ThreadWriter).forget(this.direct.forgotten);
        return Promise.resolve(changes);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const p = this.writer.run(tx);
    this.writes.add(p);
    const untrack = () => this.writes.delete(p);
    p.then(untrack, untrack);
    return p;
  }

  /**
   * The session's committed record: from the cache, else its row plus the events after the row's `last_seq` (a row may
   * lag its log by the events of the last {@link LAG_FLUSH_MS}, or of a crash; the log is the truth).
   */
  private load(sessionId: string): SessionRecord | undefined {
    if (this.deleting.has(sessionId)) return undefined;
    let rec = this.cache.get(sessionId);
    if (rec) return rec;
    const row = this.stmt.getSession.get(sessionId);
    if (!row) return undefined;
    rec = rowToRecord(row);
    const behind = rec.lastSeq;
    for (const ev of this.stmt.eventsAfter.all(sessionId, rec.lastSeq)) rec = applyEvent(rec, rowToEvent(ev));
    if (rec.lastSeq !== behind) this.lagging.set(sessionId, rec);
    this.cache.remember(rec);
    return rec;
  }

  /**
   * After a crash, rows of sessions that only got actions/responses may lag their log: bring every such row up to date
   * (one indexed lookup per session, at start, on this thread before the writer starts).
   */
  private catchUpRows(): void {
    const behind = this.db
      .prepare<[], { session_id: string }>(
        'SELECT session_id FROM sessions s WHERE s.last_seq < (SELECT max(seq) FROM events e WHERE e.session_id = s.session_id)',
      )
      .all();
    for (const { session_id } of behind) this.load(session_id);
    const recs = [...this.lagging.values()];
    this.lagging.clear();
    if (!recs.length) return;
    this.db
      .transaction(() => {
        for (const rec of recs)
          for (const [sql, params] of sessionOps(rec, false, false))
            this.db.prepare(WRITE_SQL[sql as keyof typeof WRITE_SQL]).run(params);
      })
      .immediate();
  }

  /**
   * Writes the rows of sessions whose counters ran ahead of them (one transaction); before reads of rows, and on a
   * timer. Sessions with uncommitted appends wait for the next flush (their batch may write a newer row first).
   */
  flushLagging(): Promise<void> {
    const recs = [...this.lagging.values()].filter((r) => !this.pendingRecs.has(r.sessionId));
    if (!recs.length) return Promise.resolve();
    for (const r of recs) this.lagging.delete(r.sessionId);
    return this.write({ ops: recs.flatMap((rec) => sessionOps(rec, false, false)) }).then(
      () => undefined,
      (err: unknown) => {
        for (const rec of recs)
          if (!this.lagging.has(rec.sessionId) && this.cache.get(rec.sessionId) === rec)
            this.lagging.set(rec.sessionId, rec);
        throw err;
      },
    );
  }

  /**
   * Brings rows (and, for text search, the full-text index) up to date before a read. When that write fails (a full
   * disk), the read goes on: rows may lag by the last {@link LAG_FLUSH_MS} of counters, the index by the newest
   * events; reads keep working while writes cannot (issue #12).
   */
  private async beforeRead(text = false, rows = true): Promise<void> {
    if (rows) await this.flushLagging().catch(() => undefined);
    if (text) await this.indexText().catch(() => undefined);
  }

  /**
   * The batch's view for the shared append decision ({@link planBatch}): records are copies of the newest ones
   * (committed, or handed to the writer and not yet acknowledged), prior events are looked up in this batch, then in
   * the uncommitted ones, then in the database; each new event gets the next global position and its row.
   */
  private target(b: Batch): AppendTarget {
    return {
      record: (sessionId) => {
        const rec = b.dirty.get(sessionId);
        if (rec) return rec;
        const base = this.pendingRecs.get(sessionId) ?? this.load(sessionId);
        return base ? copyForWrite(base) : undefined;
      },
      prior: (sessionId, eventId) => {
        const key = `${sessionId}\n${eventId}`;
        const uncommitted = b.ids.get(key) ?? this.pendingIds.get(key);
        if (uncommitted) return uncommitted;
        const row = b.priors ? b.priors.get(key) : this.stmt.findEvent.get(sessionId, eventId);
        return row ? rowToEvent(row) : undefined;
      },
      write: (ev, text, before, d) => {
        const pos = ++this.nextPos;
        b.rows.push(
          pos,
          ev.sessionId,
          ev.seq,
          ev.id,
          ev.kind,
          ev.timestamp,
          ev.receivedAt,
          text,
          d.tool,
          d.toolError,
          d.tokensIn,
          d.tokensOut,
        );
        b.events.push(ev);
        (ev as PositionedEvent).pos = pos; // the global commit position, for the live feed
        b.ids.set(`${ev.sessionId}\n${ev.id}`, ev);
        if (before && ev.kind !== 'action' && ev.kind !== 'response' && !b.stateCopied.has(ev.sessionId)) {
          before.state = structuredClone(before.state); // the kinds that change state may change it in place
          b.stateCopied.add(ev.sessionId);
        }
        if (ev.kind === 'session_created') b.fresh.add(ev.sessionId);
      },
      accepted: (item, session, committed) => {
        const ev = committed[committed.length - 1]!;
        if (ev.kind === 'session_finalized') b.finalized.add(session.sessionId);
        if (ev.kind !== 'action' && ev.kind !== 'response') b.snapshotChanged.add(session.sessionId);
        if (item.checkpoint) b.extra.push(...checkpointOps(ev.sessionId, ev.seq, item.checkpoint));
        b.dirty.set(session.sessionId, session);
      },
    };
  }

  /**
   * Builds the transaction for `items` now, on the newest records (including uncommitted batches), and hands it to the
   * writer; resolves after it committed. Up to {@link maxInFlight} calls may be pending; they commit in call order.
   */
  append(items: AppendItem[]): Promise<AppendOutcome[]> {
    const priors = this.committedWithIds(items);
    const startPos = this.nextPos;
    const ops: NonNullable<WriteTx['ops']> = [];
    const lag: SessionRecord[] = [];
    let out: AppendOutcome[];
    let b: Batch;
    try {
      // Planning changes only the batch's copies, so a second plan (after a poisoned item) starts from the same records.
      const plan = planBatch(items, () => {
        this.nextPos = startPos;
        const batch = newBatch(priors);
        return Object.assign(this.target(batch), { batch });
      });
      out = plan.outcomes;
      b = plan.target.batch;
      for (const rec of b.dirty.values()) {
        const id = rec.sessionId;
        const fresh = b.fresh.has(id);
        // State, status or metadata changed: the snapshot row is written in the same transaction as its events.
        if (fresh || b.snapshotChanged.has(id)) ops.push(...sessionOps(rec, fresh, !fresh && b.finalized.has(id)));
        // Only actions/responses: counters, lastSeq and `updated` may reach the row later (the log has the events).
        else lag.push(rec);
      }
      ops.push(...b.extra);
    } catch (err) {
      this.nextPos = startPos; // nothing was handed over
      return Promise.reject(err);
    }
    if (!b.rows.length && !ops.length) return Promise.resolve(out); // only duplicates and refusals
    const lastPos = this.nextPos;
    const deleting = new Set(this.deleting.keys());
    const committed = (): AppendOutcome[] => {
      this.committedPos = lastPos;
      for (const [key, ev] of b.ids) if (this.pendingIds.get(key) === ev) this.pendingIds.delete(key);
      for (const rec of b.dirty.values()) {
        const id = rec.sessionId;
        if (this.pendingRecs.get(id) === rec) this.pendingRecs.delete(id);
        if (this.deleting.has(id) && !deleting.has(id)) continue; // deleted after this batch was handed over
        this.cache.remember(rec);
        if (b.fresh.has(id) || b.snapshotChanged.has(id)) this.lagging.delete(id);
      }
      for (const rec of lag) if (this.cache.get(rec.sessionId) === rec) this.lagging.set(rec.sessionId, rec);
      return out;
    };
    if (
      this.direct &&
      ((this.writes.size === 0 && b.rows.length <= INLINE_MAX_EVENTS * EVENT_COLUMNS) || this.writerDown)
    ) {
      // Nothing in flight and a small batch: committing here costs less than a round trip to the writer thread.
      try {
        this.direct.run({ events: b.rows, ops });
      } catch (err) {
        this.nextPos = startPos;
        return Promise.reject(err);
      }
      return Promise.resolve(committed());
    }
    for (const rec of b.dirty.values()) this.pendingRecs.set(rec.sessionId, rec);
    for (const [key, ev] of b.ids) this.pendingIds.set(key, ev);
    const texts = b.events.map((ev) => ftsText(ev.kind, ev.data));
    return this.write({ events: b.rows, texts, ops })
      .then(committed)
      .then((outcomes) => this.indexWithin(lastPos).then(() => outcomes));
  }

  /**
   * The committed events whose ids the items carry, keyed `sessionId \n eventId`, in one statement; undefined when
   * fewer than {@link BATCH_LOOKUP_MIN} items carry ids (then each is looked up on its own). Events handed to the
   * writer and not yet acknowledged here are in `pendingIds` (checked first), so nothing committed in between is missed.
   */
  private committedWithIds(items: AppendItem[]): Map<string, EventRow> | undefined {
    const ids: string[] = [];
    for (const { input } of items) if (input.id !== undefined) ids.push(input.id);
    if (ids.length < BATCH_LOOKUP_MIN) return undefined;
    const found = new Map<string, EventRow>();
    for (const row of this.stmt.findEvents.all(JSON.stringify(ids)))
      found.set(`${row.session_id}\n${row.event_id}`, row);
    return found;
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.load(sessionId);
  }

  async listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }> {
    await this.beforeRead(q.q !== undefined);
    return this.q.listSessions(q);
  }

  async listEvents(sessionId: string, opts: ListEventsOptions = {}): Promise<TetherEvent[]> {
    return this.q.listEvents(sessionId, opts);
  }

  async listEventsRaw(sessionId: string, opts: ListEventsOptions = {}): Promise<RawEvent[]> {
    return this.q.listEventsRaw(sessionId, opts);
  }

  async listAllEvents(afterPos: number, limit: number): Promise<Array<TetherEvent & { pos: number }>> {
    return this.q.listAllEvents(afterPos, limit);
  }

  async lastPos(): Promise<number> {
    return this.q.lastPos();
  }

  /**
   * Deletes the session and its events in one transaction, after the writes handed over before it (their full-text
   * entries go right after); appends handed over after it start a new session of that id.
   */
  deleteSession(sessionId: string): Promise<boolean> {
    this.deleting.set(sessionId, (this.deleting.get(sessionId) ?? 0) + 1);
    this.cache.delete(sessionId);
    this.pendingRecs.delete(sessionId);
    this.lagging.delete(sessionId);
    for (const key of this.pendingIds.keys()) if (key.startsWith(`${sessionId}\n`)) this.pendingIds.delete(key);
    const done = () => {
      const n = (this.deleting.get(sessionId) ?? 1) - 1;
      if (n > 0) this.deleting.set(sessionId, n);
      else this.deleting.delete(sessionId);
    };
    return this.write({
      forgetSession: sessionId,
      ops: [
        ['DELETE FROM events WHERE session_id = ?', [sessionId]],
        ['DELETE FROM sessions WHERE session_id = ?', [sessionId]],
        ...deleteCheckpointOps(sessionId),
      ],
    }).then(
      (changes) => {
        done();
        return (changes[1] ?? 0) > 0;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  async listCheckpoints(q: CheckpointQuery): Promise<StoredCheckpoint[]> {
    return this.checkpoints.list(q);
  }

  async deleteEndedBefore(iso: string): Promise<number> {
    const ids = this.q.endedBefore(iso);
    for (const id of ids) await this.deleteSession(id);
    return ids.length;
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    await this.beforeRead(true, false);
    return this.q.search(query, limit);
  }

  async stats(): Promise<Stats> {
    await this.beforeRead();
    return this.q.stats();
  }

  async analytics(a: AnalyticsQuery): Promise<Analytics> {
    await this.beforeRead();
    return this.q.analytics(a);
  }

  async createKey(key: ApiKeyRecord): Promise<void> {
    await this.write({
      ops: [
        [
          'INSERT INTO api_keys (id, name, hash, scopes, created, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)',
          [key.id, key.name, key.hash, JSON.stringify(key.scopes), key.created],
        ],
      ],
    });
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const rows = this.db.prepare('SELECT * FROM api_keys ORDER BY created').all() as Array<{
      id: string;
      name: string;
      hash: string;
      scopes: string;
      created: string;
      revoked_at: string | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      hash: r.hash,
      scopes: JSON.parse(r.scopes),
      created: r.created,
      revokedAt: r.revoked_at,
    }));
  }

  async revokeKey(id: string): Promise<boolean> {
    const [changes] = await this.write({
      ops: [['UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date().toISOString(), id]]],
    });
    return (changes ?? 0) > 0;
  }

  /** Writes lagging rows, indexes every event, checkpoints the WAL and closes both connections. */
  async close(): Promise<void> {
    clearInterval(this.lagTimer);
    if (!this.db.open) return;
    await Promise.allSettled([...this.writes]);
    await this.flushLagging().catch(() => undefined);
    await Promise.allSettled([...this.writes]);
    await this.writer.close();
    if (this.db.open) this.db.close();
  }
}
