/**
 * @tether/client/node — Node-only parts of the SDK: the on-disk spool, exit hooks, and a client factory wiring both.
 * Everything exported here is public API.
 */
import { TetherClient, type TetherClientOptions } from '../client.js';
import { configFromEnv, type Env } from '../config.js';
import { installExitHooks, type ExitHookOptions } from './exit-hooks.js';
import { FileSpool, type FileSpoolOptions } from './file-spool.js';

export { FileSpool, installExitHooks };
export type { FileSpoolOptions, ExitHookOptions };

/** Options of {@link createNodeClient}: client options plus Node extras. */
export interface NodeClientOptions extends TetherClientOptions {
  /** Directory of the on-disk spool (undelivered events survive an agent restart). Ignored when `spool` is given. */
  spoolDir?: string | undefined;
  /** Flush at normal exit and on SIGTERM (see installExitHooks); default true. `false` or hook options. */
  exitHooks?: boolean | ExitHookOptions;
}

/**
 * {@link configFromEnv} plus `TETHER_SPOOL_DIR` (spool directory) and `TETHER_SHUTDOWN_TIMEOUT_MS` (how long exit hooks
 * try to deliver, default 5000). `env` defaults to `process.env`.
 */
export function nodeConfigFromEnv(env: Env = process.env): NodeClientOptions {
  const opts: NodeClientOptions = configFromEnv(env);
  if (env.TETHER_SPOOL_DIR) opts.spoolDir = env.TETHER_SPOOL_DIR;
  const t = Number(env.TETHER_SHUTDOWN_TIMEOUT_MS);
  if (env.TETHER_SHUTDOWN_TIMEOUT_MS && Number.isFinite(t) && t >= 0) opts.exitHooks = { timeoutMs: t };
  return opts;
}

/** A TetherClient with a FileSpool (when `spoolDir` is set) and exit hooks (unless `exitHooks: false`). */
export function createNodeClient(options: NodeClientOptions): TetherClient {
  const { spoolDir, exitHooks = true, ...rest } = options;
  const client = new TetherClient({ ...rest, ...(spoolDir && !rest.spool ? { spool: new FileSpool(spoolDir) } : {}) });
  if (exitHooks !== false) installExitHooks(client, exitHooks === true ? {} : exitHooks);
  return client;
}
