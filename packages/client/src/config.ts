import type { TetherClientOptions } from './client.js';

/** An environment map (`process.env` in Node). */
export type Env = Record<string, string | undefined>;

function num(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Client options from environment variables — the only place the SDK reads the environment. `env` defaults to
 * `globalThis.process.env` when there is one (Node), else `{}` (browsers), so the root entry has no Node dependency.
 *
 * | variable | option | default |
 * |---|---|---|
 * | `TETHER_URL`, else `SESSION_SERVICE_URL` (seed) | baseUrl | `http://localhost:9000` |
 * | `TETHER_API_KEY` | apiKey | none |
 * | `TETHER_SESSION_ID`, else `SESSION_ID` (seed) | sessionId | none |
 * | `TETHER_TIMEOUT_MS` | timeoutMs (per request) | 10000 |
 * | `TETHER_FLUSH_AT` | flushAt (events) | 100 |
 * | `TETHER_FLUSH_INTERVAL_MS` | flushIntervalMs | 1000 |
 * | `TETHER_MAX_QUEUE` | maxQueueSize (events) | 10000 |
 * | `TETHER_ON_FULL` | onFull: `drop_oldest` or `block` | drop_oldest |
 *
 * Node adds `TETHER_SPOOL_DIR` (see `nodeConfigFromEnv` in `@tether/client/node`).
 */
export function configFromEnv(env?: Env): TetherClientOptions {
  const e: Env = env ?? (globalThis as { process?: { env?: Env } }).process?.env ?? {};
  const opts: TetherClientOptions = { baseUrl: e.TETHER_URL || e.SESSION_SERVICE_URL || 'http://localhost:9000' };
  if (e.TETHER_API_KEY) opts.apiKey = e.TETHER_API_KEY;
  const sid = e.TETHER_SESSION_ID || e.SESSION_ID;
  if (sid) opts.sessionId = sid;
  const t = num(e, 'TETHER_TIMEOUT_MS');
  if (t !== undefined) opts.timeoutMs = t;
  const fa = num(e, 'TETHER_FLUSH_AT');
  if (fa !== undefined) opts.flushAt = fa;
  const fi = num(e, 'TETHER_FLUSH_INTERVAL_MS');
  if (fi !== undefined) opts.flushIntervalMs = fi;
  const mq = num(e, 'TETHER_MAX_QUEUE');
  if (mq !== undefined) opts.maxQueueSize = mq;
  if (e.TETHER_ON_FULL === 'block' || e.TETHER_ON_FULL === 'drop_oldest') opts.onFull = e.TETHER_ON_FULL;
  return opts;
}
