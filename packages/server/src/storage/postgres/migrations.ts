import type { PoolClient } from 'pg';
import { toolErrorSql, toolNameSql, usageKindsSql, usageSql } from '../tool-sql.js';

/** Migration 9: the derived columns, and the rows stored before them filled from their data. */
const DERIVED_COLUMNS_SQL = `
ALTER TABLE events ADD COLUMN tool text, ADD COLUMN tool_error boolean, ADD COLUMN tokens_in float8,
  ADD COLUMN tokens_out float8;
UPDATE events SET tool = ${toolNameSql('postgres')} WHERE kind = 'action';
UPDATE events SET tool_error = ${toolErrorSql('postgres')} WHERE tool IS NOT NULL;
UPDATE events SET tokens_in = ${usageSql('postgres', 'input')}, tokens_out = ${usageSql('postgres', 'output')}
  WHERE kind IN (${usageKindsSql()});
`;

/**
 * Numbered migrations of the PostgreSQL adapter. Each runs once, in order, in its own transaction; the table
 * `tether_migrations` records the ones applied. Never edit a released migration: add the next number.
 * They run in the schema the connection's `search_path` selects (see {@link migrate}).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE sessions (
  session_id text PRIMARY KEY,
  user_id text,
  type text,
  parent_session_id text,
  status text NOT NULL,
  tags jsonb NOT NULL,
  metadata jsonb NOT NULL,
  initial jsonb,
  final jsonb,
  state jsonb NOT NULL,
  state_version integer NOT NULL,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  ended_at timestamptz,
  duration_ms bigint,
  last_seq integer NOT NULL,
  actions integer NOT NULL DEFAULT 0,
  responses integer NOT NULL DEFAULT 0
);
CREATE INDEX sessions_created ON sessions (created DESC, session_id DESC);
CREATE INDEX sessions_updated ON sessions (updated DESC, session_id DESC);
CREATE INDEX sessions_user ON sessions (user_id, created DESC);
CREATE INDEX sessions_status ON sessions (status, created DESC);
CREATE INDEX sessions_parent ON sessions (parent_session_id, created DESC);
CREATE INDEX sessions_type ON sessions (type, created DESC);
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- pos: the global position for the firehose. Its sequence must keep CACHE 1 (the default): a cache per backend
-- would hand out positions out of order across connections.
CREATE TABLE events (
  pos bigserial PRIMARY KEY,
  session_id text NOT NULL,
  seq integer NOT NULL,
  event_id text NOT NULL,
  kind text NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  data jsonb NOT NULL,
  fts tsvector NOT NULL,
  CONSTRAINT events_session_seq UNIQUE (session_id, seq),
  CONSTRAINT events_session_event_id UNIQUE (session_id, event_id)
);
CREATE INDEX events_ts ON events (ts);
CREATE INDEX events_fts ON events USING gin (fts);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  hash text NOT NULL UNIQUE,
  scopes jsonb NOT NULL,
  created timestamptz NOT NULL,
  revoked_at timestamptz
);
`,
  },
  {
    version: 5,
    name: 'memory-store',
    // The memory store (long-term memory, storage/memory.ts): items keyed by (namespace joined with '.', key); ns in
    // "C" collation so that prefix ranges (ns >= 'a.' AND ns < 'a/') use the primary key; body is the indexed text.
    sql: `
CREATE TABLE store_items (
  ns text COLLATE "C" NOT NULL,
  key text NOT NULL,
  value jsonb NOT NULL,
  body text,
  fts tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(body, ''))) STORED,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  ttl_minutes double precision,
  expires_at timestamptz,
  PRIMARY KEY (ns, key)
);
CREATE INDEX store_items_updated ON store_items (updated_at DESC);
CREATE INDEX store_items_expires ON store_items (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX store_items_fts ON store_items USING gin (fts);
CREATE INDEX store_items_value ON store_items USING gin (value jsonb_path_ops);
`,
  },
  {
    version: 6,
    name: 'langgraph-checkpoints',
    // LangGraph checkpoints (issue 14), as in the SQLite adapter's migration 6.
    sql: `
CREATE TABLE lg_checkpoints (
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL,
  checkpoint_id text NOT NULL,
  parent_checkpoint_id text,
  session_id text NOT NULL,
  seq integer NOT NULL,
  type text NOT NULL,
  checkpoint bytea NOT NULL,
  metadata jsonb NOT NULL,
  channel_versions jsonb NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE INDEX lg_checkpoints_session ON lg_checkpoints (session_id);
CREATE INDEX lg_checkpoints_id ON lg_checkpoints (checkpoint_id);
CREATE TABLE lg_blobs (
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL,
  channel text NOT NULL,
  version text NOT NULL,
  session_id text NOT NULL,
  type text NOT NULL,
  blob bytea NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);
CREATE INDEX lg_blobs_session ON lg_blobs (session_id);
CREATE TABLE lg_writes (
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL,
  checkpoint_id text NOT NULL,
  task_id text NOT NULL,
  idx integer NOT NULL,
  session_id text NOT NULL,
  channel text NOT NULL,
  type text NOT NULL,
  blob bytea NOT NULL,
  task_path text NOT NULL DEFAULT '',
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
CREATE INDEX lg_writes_session ON lg_writes (session_id);
`,
  },
  {
    version: 8,
    name: 'cluster_jobs',
    // Jobs that run once per interval across all servers on this database (retention): the last run, checked and
    // written under a transaction-level advisory lock (PostgresStore.deleteEndedBefore).
    sql: `CREATE TABLE tether_jobs (name text PRIMARY KEY, last_run timestamptz NOT NULL);`,
  },
  {
    version: 9,
    name: 'derived-event-columns',
    // What an event means for analytics (tool call name, tool error, tokens in and out) is decided once at append
    // time (derivedColumns in storage/append-decision.ts) and stored in columns of its own; analytics reads them.
    // Rows stored before are filled here by the same rules as SQL (storage/tool-sql.ts, test/rules-sql.test.ts).
    sql: DERIVED_COLUMNS_SQL,
  },
];
/**
 * Applies the migrations not yet applied, under a session-level advisory lock (`lockKey`), so that several servers
 * starting at once on one database apply each migration exactly once: the others wait, then find nothing to do.
 * Creates `schema` first when given (it must then be the connection's search_path). Throws the database's error.
 */
export async function migrate(client: PoolClient, lockKey: string, schema?: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
  try {
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS tether_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number }>(
      'SELECT coalesce(max(version), 0)::int AS v FROM tether_migrations',
    );
    const current = rows[0]?.v ?? 0;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO tether_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
  }
}

/** Quotes an SQL identifier (`"my schema"`, doubling inner quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
