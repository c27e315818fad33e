import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from './app.js';
import { listenMcpPort } from './mcp/port.js';
import { isLoopback, type TetherConfig } from './config.js';
import { PostgresStore } from './storage/postgres/pg-store.js';
import { SqliteStore } from './storage/sqlite/sqlite-store.js';
import type { Store } from './storage/store.js';

export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:9000 */
  url: string;
  port: number;
  /** The extra MCP-only port (`config.mcpPort`), when one is open. */
  mcpPort?: number;
  /** Graceful shutdown: stop accepting, finish in-flight requests, commit queued writes, close the database. */
  close(): Promise<void>;
}

/** How long shutdown waits, in ms, for in-flight requests before it closes the remaining connections. */
export const SHUTDOWN_GRACE_MS = 5000;

/**
 * True when process `pid` exists and is not a zombie. `kill(pid, 0)` also succeeds for a zombie (a process that exited
 * but was not reaped by its parent), which holds no lock on anything; on Linux its /proc/<pid>/stat state is `Z`.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // gone (or another user's: not a Tether server of ours)
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state …": comm may hold spaces and parentheses, so the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill
  }
}

/** Takes `<dataDir>/tether.lock` so two servers never write one database; a stale lock (dead pid) is taken over. */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'tether.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
        throw new Error(`Another Tether server (pid ${pid}) uses ${dataDir}; stop it or choose another --data-dir`);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${file}`);
}

/**
 * Opens the store `config.storage` names: SQLite at `<dataDir>/tether.db`, or PostgreSQL at `config.databaseUrl`
 * (migrations applied; throws when the database cannot be reached).
 */
export async function openStore(config: TetherConfig): Promise<Store> {
  if (config.storage === 'postgres') return PostgresStore.open({ connectionString: config.databaseUrl });
  return new SqliteStore({
    file: join(config.dataDir, 'tether.db'),
    durability: config.durability,
    writerThread: config.sqliteWriterThread,
  });
}

/**
 * Starts the service and listens: on embedded SQLite (`<dataDir>/tether.db`, the data directory locked to this process)
 * or, with `storage: 'postgres'`, on PostgreSQL (`databaseUrl`; several servers may share one database, so no lock).
 * Refuses a non-loopback host without API keys unless `config.insecure`. Throws with a readable message on bad
 * configuration, a busy data directory or an unreachable database.
 */
export async function startServer(config: TetherConfig, extra: Omit<AppDeps, 'store'> = {}): Promise<RunningServer> {
  if (!isLoopback(config.host) && config.apiKeys.length === 0 && !config.insecure) {
    const store = await openStore(config);
    const hasKeys = (await store.listKeys()).some((k) => !k.revokedAt);
    await store.close();
    if (!hasKeys) {
      throw new Error(
        `Refusing to listen on ${config.host} without API keys: anyone who can reach it could read and write every session. Set TETHER_API_KEYS, create one with \`tether keys create\`, or pass --insecure.`,
      );
    }
  }
  const unlock = config.storage === 'sqlite' ? lockDataDir(config.dataDir) : () => undefined;
  let store: Store | undefined;
  try {
    store = await openStore(config);
    const app = await buildApp(config, { ...extra, store });
    store.onDegraded = (message, err) => app.log.error({ err }, message);
    await app.listen({ host: config.host, port: config.port });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const mcp =
      config.mcpPort !== null
        ? await listenMcpPort(app, config.host, config.mcpPort).catch(async (err) => {
            await app.close();
            throw err;
          })
        : undefined;
    let closing: Promise<void> | undefined;
    const s = store;
    return {
      app,
      port,
      url: `http://${host}:${port}`,
      ...(mcp ? { mcpPort: mcp.port } : {}),
      close() {
        closing ??= (async () => {
          // In-flight requests get SHUTDOWN_GRACE_MS to finish; then every socket is closed, including connections
          // that never sent a request (Node keeps those open for the whole keep-alive timeout otherwise).
          const force = setTimeout(() => {
            app.server.closeAllConnections();
            mcp?.server.closeAllConnections();
          }, SHUTDOWN_GRACE_MS);
          force.unref();
          try {
            if (mcp) {
              const closed = new Promise((r) => mcp.server.close(r));
              mcp.server.closeIdleConnections();
              await closed;
            }
            await app.close();
          } finally {
            clearTimeout(force);
            await s.close();
            unlock();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    await store?.close();
    unlock();
    throw err;
  }
}
