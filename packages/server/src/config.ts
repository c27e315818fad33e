import { resolve } from 'node:path';

/** A scope an API key can hold. `admin` implies `read` and `ingest`. */
export type Scope = 'ingest' | 'read' | 'admin';
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'admin'];

/**
 * The service's configuration, parsed once at the edge (CLI flags over environment over defaults) and passed in.
 * No module reads `process.env` on its own. Every field names its environment variable.
 */
export interface TetherConfig {
  /** TETHER_HOST — address to bind. Default 127.0.0.1 (loopback only). */
  host: string;
  /** TETHER_PORT (or PORT, as the prototype) — TCP port; 0 picks a free one. Default 9000. */
  port: number;
  /** TETHER_DATA_DIR — directory of the SQLite database (tether.db). Default ./data. Unused with `storage: 'postgres'`. */
  dataDir: string;
  /**
   * TETHER_STORAGE — the storage engine: `sqlite` (embedded, one server process per data directory) or `postgres`
   * (several server processes on one PostgreSQL database; needs `databaseUrl`). Default sqlite.
   */
  storage: 'sqlite' | 'postgres';
  /**
   * TETHER_DATABASE_URL — PostgreSQL connection URL for `storage: 'postgres'`, e.g. `postgres://tether:secret@db:5432/tether`
   * (libpq form; `?sslmode=require` and `?options=-c search_path=myschema` work). Required there, ignored otherwise. Default empty.
   */
  databaseUrl: string;
  /** TETHER_DURABILITY — `normal`: acknowledged writes survive a process crash; `full`: also a power loss. Default normal. */
  durability: 'normal' | 'full';
  /**
   * TETHER_SQLITE_WRITER_THREAD — SQLite only: commit on a writer thread (with full-text indexing and WAL checkpoints on
   * threads of their own), so that commits overlap with HTTP work on a second core. Default true. false commits on the
   * HTTP thread: one V8 heap instead of three and no copies between threads, for a container with one core; it used
   * 0–15 % less server CPU per event through HTTP and ~45 % less in-process (docs/benchmarks.md, "Writer thread or not").
   */
  sqliteWriterThread: boolean;
  /** TETHER_LOG_LEVEL — pino level: fatal, error, warn, info, debug, trace, silent. Default info. */
  logLevel: string;
  /** TETHER_LOG_REQUESTS — log every request (costly at high rates). Default false; errors are always logged. */
  logRequests: boolean;
  /** TETHER_BODY_LIMIT — largest request body in bytes; larger answers 413. Default 1048576 (1 MiB). */
  bodyLimit: number;
  /** TETHER_AUTO_CREATE — the first event for an unknown session creates it. Default true; false answers 404. */
  autoCreate: boolean;
  /** TETHER_API_KEYS — comma-separated `secret[:scope+scope]`; scopes ingest, read, admin (default ingest+read). Keys made with `tether keys create` count too. */
  apiKeys: Array<{ secret: string; scopes: Scope[] }>;
  /** TETHER_INSECURE — allow binding a non-loopback address without API keys. Default false (refuse to start). */
  insecure: boolean;
  /** TETHER_CORS_ORIGINS — comma-separated origins allowed by CORS, or `*`. Default none. */
  corsOrigins: string[];
  /** TETHER_RETENTION_DAYS — delete sessions that ended more than N days ago (checked hourly). Default 0 = keep forever. */
  retentionDays: number;
  /** TETHER_WS_BUFFER_LIMIT — bytes a live-feed connection may have queued before it is closed (code 4008). Default 8388608 (8 MiB). */
  wsBufferLimit: number;
  /** TETHER_WS_HEARTBEAT_MS — interval of live-feed pings in ms; a peer that misses one is dropped. Default 30000. */
  heartbeatMs: number;
  /** TETHER_DASHBOARD_DIR — built dashboard to serve at `/`; empty disables it. Default packages/dashboard/dist of this install. */
  dashboardDir: string;
  /** TETHER_GROUP_COMMIT_MAX — most events in one transaction. Default 2000. */
  groupCommitMax: number;
  /**
   * TETHER_RESPONSE_MAX_ITEMS — most entries one array of a seed-route response holds (the restore's actions and
   * responses, `GET /api/actions/:id`, …); past it the array ends and `Link: <…?offset=N>; rel="next"` points on.
   * Default 10000.
   */
  responseMaxItems: number;
  /**
   * TETHER_MCP_PORT — a second TCP port that serves only the MCP endpoint `/mcp` (on `host`), e.g. 8678 to stand in
   * for session-buddy's `http://127.0.0.1:8678/mcp`. Default null (MCP only at `/mcp` on `port`).
   */
  mcpPort: number | null;
  /**
   * TETHER_REQUEST_TIMEOUT_MS — ms a client has to send a whole request (headers and body); later answers 408
   * `request_timeout` and closes the connection. Live-feed streams are not affected once their request arrived.
   * Default 30000; 0 disables (not recommended).
   */
  requestTimeoutMs: number;
  /** TETHER_HEADERS_TIMEOUT_MS — ms a client has to send the request headers (408 after). Default 10000; at most the request timeout. */
  headersTimeoutMs: number;
  /** TETHER_MAX_CONNECTIONS — most open TCP connections (live-feed ones included); more are closed on arrival. Default 10000; 0 = no cap. */
  maxConnections: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`expected a boolean (true/false), got "${v}"`);
}

function int(name: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

/** Parses `secret[:scope+scope]` lists (TETHER_API_KEYS). Throws on an unknown scope. */
export function parseApiKeys(v: string | undefined): Array<{ secret: string; scopes: Scope[] }> {
  if (!v) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [secret, scopeList] = entry.split(':') as [string, string | undefined];
      const scopes = (scopeList ? scopeList.split('+') : ['ingest', 'read']) as Scope[];
      for (const s of scopes)
        if (!SCOPES.includes(s)) throw new Error(`TETHER_API_KEYS: unknown scope "${s}" (use ingest, read, admin)`);
      return { secret, scopes };
    });
}

/** Builds the configuration from an environment map and explicit overrides (CLI flags). Throws with a clear message. */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Partial<TetherConfig> = {},
  defaultDashboardDir = '',
): TetherConfig {
  const durability = env.TETHER_DURABILITY ?? 'normal';
  if (durability !== 'normal' && durability !== 'full')
    throw new Error(`TETHER_DURABILITY must be normal or full, got "${durability}"`);
  const storage = env.TETHER_STORAGE || 'sqlite';
  if (storage !== 'sqlite' && storage !== 'postgres')
    throw new Error(`TETHER_STORAGE must be sqlite or postgres, got "${storage}"`);
  const cfg: TetherConfig = {
    host: env.TETHER_HOST || '127.0.0.1',
    port: int('TETHER_PORT', env.TETHER_PORT ?? env.PORT, 9000),
    dataDir: resolve(env.TETHER_DATA_DIR || './data'),
    storage,
    databaseUrl: env.TETHER_DATABASE_URL ?? '',
    durability,
    sqliteWriterThread: bool(env.TETHER_SQLITE_WRITER_THREAD, true),
    logLevel: env.TETHER_LOG_LEVEL || 'info',
    logRequests: bool(env.TETHER_LOG_REQUESTS, false),
    bodyLimit: int('TETHER_BODY_LIMIT', env.TETHER_BODY_LIMIT, 1024 * 1024, 1024),
    autoCreate: bool(env.TETHER_AUTO_CREATE, true),
    apiKeys: parseApiKeys(env.TETHER_API_KEYS),
    insecure: bool(env.TETHER_INSECURE, false),
    corsOrigins: (env.TETHER_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    retentionDays: int('TETHER_RETENTION_DAYS', env.TETHER_RETENTION_DAYS, 0),
    wsBufferLimit: int('TETHER_WS_BUFFER_LIMIT', env.TETHER_WS_BUFFER_LIMIT, 8 * 1024 * 1024, 1024),
    heartbeatMs: int('TETHER_WS_HEARTBEAT_MS', env.TETHER_WS_HEARTBEAT_MS, 30_000, 100),
    dashboardDir: env.TETHER_DASHBOARD_DIR ?? defaultDashboardDir,
    groupCommitMax: int('TETHER_GROUP_COMMIT_MAX', env.TETHER_GROUP_COMMIT_MAX, 2000, 1),
    responseMaxItems: int('TETHER_RESPONSE_MAX_ITEMS', env.TETHER_RESPONSE_MAX_ITEMS, 10_000, 1),
    mcpPort: env.TETHER_MCP_PORT ? int('TETHER_MCP_PORT', env.TETHER_MCP_PORT, 0) : null,
    requestTimeoutMs: int('TETHER_REQUEST_TIMEOUT_MS', env.TETHER_REQUEST_TIMEOUT_MS, 30_000),
    headersTimeoutMs: int('TETHER_HEADERS_TIMEOUT_MS', env.TETHER_HEADERS_TIMEOUT_MS, 10_000),
    maxConnections: int('TETHER_MAX_CONNECTIONS', env.TETHER_MAX_CONNECTIONS, 10_000),
  };
  const out: TetherConfig = {
    ...cfg,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  if (out.storage !== 'sqlite' && out.storage !== 'postgres')
    throw new Error(`storage must be sqlite or postgres, got "${String(out.storage)}"`);
  if (out.storage === 'postgres' && !out.databaseUrl)
    throw new Error(
      'TETHER_STORAGE=postgres needs TETHER_DATABASE_URL (e.g. postgres://user:password@host:5432/tether)',
    );
  return out;
}
