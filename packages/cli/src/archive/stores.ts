import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PostgresStore, SqliteStore, type Store } from '@tether/server';

/**
 * Opens a store named by a location: `postgres://…` / `postgresql://…` (PostgreSQL, migrations applied), or
 * `sqlite:<dir>` / a plain directory (the SQLite data directory holding tether.db). A SQLite directory that a running
 * server holds (`tether.lock` with a live pid) is refused for writing: that server caches session records and would
 * not see rows written behind its back. Throws with a readable message.
 */
export async function openLocation(location: string, opts: { write: boolean }): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(location)) return PostgresStore.open({ connectionString: location, poolSize: 4 });
  const dir = resolve(location.replace(/^sqlite:/, ''));
  const lock = join(dir, 'tether.lock');
  if (opts.write && existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      alive = Number.isInteger(pid) && pid > 0 && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive)
      throw new Error(
        `a Tether server (pid ${pid}) uses ${dir}; stop it before importing into it, or import through a PostgreSQL server`,
      );
  }
  if (!opts.write && !existsSync(join(dir, 'tether.db')))
    throw new Error(`no Tether database at ${join(dir, 'tether.db')}`);
  return new SqliteStore({ file: join(dir, 'tether.db') });
}
