import type Database from 'better-sqlite3';
import { toolErrorSql, toolNameSql, usageKindsSql, usageSql } from '../tool-sql.js';

/** Migration 7: the derived columns, and the rows stored before them filled from their data. */
const DERIVED_COLUMNS_SQL = `
ALTER TABLE events ADD COLUMN tool TEXT;
ALTER TABLE events ADD COLUMN tool_error INTEGER;
ALTER TABLE events ADD COLUMN tokens_in REAL;
ALTER TABLE events ADD COLUMN tokens_out REAL;
UPDATE events SET tool = ${toolNameSql('sqlite')} WHERE kind = 'action';
UPDATE events SET tool_error = CASE WHEN ${toolErrorSql('sqlite')} THEN 1 ELSE 0 END WHERE tool IS NOT NULL;
UPDATE events SET tokens_in = ${usageSql('sqlite', 'input')}, tokens_out = ${usageSql('sqlite', 'output')}
  WHERE kind IN (${usageKindsSql()});
`;

/**
 * Numbered migrations of the SQLite adapter. Each runs once, in order, inside a transaction;
 * `PRAGMA user_version` records the last one applied. Never edit a released migration: add the next number.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  user_id TEXT,
  type TEXT,
  parent_session_id TEXT,
  status TEXT NOT NULL,
  tags TEXT NOT NULL,
  metadata TEXT NOT NULL,
  initial TEXT,
  final TEXT,
  state TEXT NOT NULL,
  state_version INTEGER NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  ended_at TEXT,
  duration_ms INTEGER,
  last_seq INTEGER NOT NULL,
  actions INTEGER NOT NULL DEFAULT 0,
  responses INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_created ON sessions(created DESC, session_id DESC);
CREATE INDEX sessions_updated ON sessions(updated DESC, session_id DESC);
CREATE INDEX sessions_user ON sessions(user_id, created DESC);
CREATE INDEX sessions_status ON sessions(status, created DESC);
CREATE INDEX sessions_parent ON sessions(parent_session_id, created DESC);
CREATE INDEX sessions_type ON sessions(type, created DESC);

CREATE TABLE events (
  pos INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ts TEXT NOT NULL,
  received_at TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (session_id, seq),
  UNIQUE (session_id, event_id)
) STRICT;
CREATE INDEX events_ts ON events(ts);

CREATE VIRTUAL TABLE events_fts USING fts5(body, content='', contentless_delete=1);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created TEXT NOT NULL,
  revoked_at TEXT
) STRICT;
`,
  },
  {
    version: 2,
    name: 'deferred-fts',
    // Full-text indexing moved off the write path: events are indexed in batches after commit, and
    // meta.fts_pos records the last indexed position. Events indexed by migration 1 count as done.
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
INSERT INTO meta (key, value) SELECT 'fts_pos', coalesce(max(pos), 0) FROM events;
`,
  },
  {
    version: 3,
    name: 'event-id-index-leads-with-event-id',
    // The idempotency index becomes (event_id, session_id): event ids are time-ordered (UUIDv7 from our SDKs and the
    // server), so new entries land at the end of the index instead of in one page per session touched by a
    // transaction (raw SQLite, 1,000-event transactions over 100 sessions: 22.3 → 12.9 µs per event). SQLite cannot
    // drop a table constraint, so the table is rebuilt; pos (the FTS rowid) is kept.
    sql: `
CREATE TABLE events_v3 (
  pos INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ts TEXT NOT NULL,
  received_at TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (session_id, seq),
  UNIQUE (event_id, session_id)
) STRICT;
INSERT INTO events_v3 SELECT pos, session_id, seq, event_id, kind, ts, received_at, data FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE INDEX events_ts ON events(ts);
`,
  },
  {
    version: 4,
    name: 'full-text-index-in-own-file',
    // The full-text index moves to its own database file (<name>-fts.db, see fts-indexer.ts), written by its own
    // thread without taking this file's write lock. The new file is built from the log in the background.
    sql: `
DROP TABLE events_fts;
DELETE FROM meta WHERE key = 'fts_pos';
`,
  },
  {
    version: 5,
    name: 'memory-store',
    // The memory store (long-term memory, storage/memory.ts): items keyed by (namespace joined with '.', key), a JSON
    // object value, times as ISO 8601 text, an optional TTL; store_items_fts indexes each item's text under its rowid.
    sql: `
CREATE TABLE store_items (
  id INTEGER PRIMARY KEY,
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  ttl_minutes REAL,
  expires_at TEXT,
  UNIQUE (ns, key)
) STRICT;
CREATE INDEX store_items_updated ON store_items(updated_at DESC);
CREATE INDEX store_items_expires ON store_items(expires_at) WHERE expires_at IS NOT NULL;
CREATE VIRTUAL TABLE store_items_fts USING fts5(body, content='', contentless_delete=1);
`,
  },
  {
    version: 6,
    name: 'langgraph-checkpoints',
    // LangGraph checkpoints (issue 14): each checkpoint is an event of kind `checkpoint` in its thread's session; these
    // rows, written in the event's transaction, hold the serialized bytes. Channel values are stored once per
    // (thread, namespace, channel, version), as LangGraph's own SQL savers keep them. session_id lets deletion find them.
    sql: `
CREATE TABLE lg_checkpoints (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  parent_checkpoint_id TEXT,
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  checkpoint BLOB NOT NULL,
  metadata TEXT NOT NULL,
  channel_versions TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX lg_checkpoints_session ON lg_checkpoints(session_id);
CREATE INDEX lg_checkpoints_id ON lg_checkpoints(checkpoint_id);
CREATE TABLE lg_blobs (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  channel TEXT NOT NULL,
  version TEXT NOT NULL,
  session_id TEXT NOT NULL,
  type TEXT NOT NULL,
  blob BLOB NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
) STRICT;
CREATE INDEX lg_blobs_session ON lg_blobs(session_id);
CREATE TABLE lg_writes (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  type TEXT NOT NULL,
  blob BLOB NOT NULL,
  task_path TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
) STRICT;
CREATE INDEX lg_writes_session ON lg_writes(session_id);
`,
  },
  {
    version: 7,
    name: 'derived-event-columns',
    // What an event means for analytics (tool call name, tool error, tokens in and out) is decided once at append
    // time (derivedColumns in storage/append-decision.ts) and stored in columns of its own; analytics reads them.
    // Rows stored before are filled here by the same rules as SQL (storage/tool-sql.ts, test/rules-sql.test.ts).
    sql: DERIVED_COLUMNS_SQL,
  },
];

/** Applies the migrations newer than the file's `PRAGMA user_version`, each in its own transaction. Throws SQLite's error. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
