import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { hashKey, loadConfig, openStore, SCOPES, type Scope, type Store, type TetherConfig } from '@tether/server';
import { table } from '../http.js';

/** The running service whose store `tether keys` must match (see checkTarget). */
const serviceOption = () =>
  new Option('--url <url>', 'the running service that must use this store [env TETHER_URL]')
    .env('TETHER_URL')
    .default('http://127.0.0.1:9000');
const dataDirOption = () =>
  new Option('-d, --data-dir <dir>', 'data directory of the service (SQLite) [env TETHER_DATA_DIR]')
    .env('TETHER_DATA_DIR')
    .default('./data');

/** Options every `tether keys` command takes. */
interface StoreOpts {
  dataDir: string;
  url: string;
  force?: boolean;
}

/** The pid in `<dir>/tether.lock` when that process is alive (a `tether serve` owns the directory), else null. */
function lockOwner(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, 'tether.lock'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && process.kill(pid, 0) ? pid : null;
  } catch {
    return null;
  }
}

/** `GET <url>/health` of a running service (1 s, no retries), or null when nothing answers. */
async function serviceHealth(url: string): Promise<{ engine?: string; storage?: string } | null> {
  try {
    const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(1000) });
    return res.ok ? ((await res.json()) as { engine?: string; storage?: string }) : null;
  } catch {
    return null;
  }
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

/**
 * Refuses (throws) when the store `tether keys` is about to open is not the one the service at `o.url` uses, so keys
 * never land in a database no server reads: a SQLite data directory locked by a live `tether serve` (its
 * `tether.lock`) is accepted at once; otherwise `GET <url>/health` (1 s, no retries) tells the service's engine and,
 * for SQLite, its data directory (`storage`). No service answering is fine (keys may be made before the first start),
 * but creating a brand-new database then prints a warning. `--force` skips the check.
 */
async function checkTarget(config: TetherConfig, o: StoreOpts): Promise<void> {
  if (o.force) return;
  const dir = config.dataDir;
  if (config.storage === 'sqlite' && lockOwner(dir) !== null) return;
  const health = await serviceHealth(o.url);
  const hint = '(or pass --force to use this store anyway)';
  if (health?.engine === 'sqlite' && config.storage === 'sqlite' && health.storage && !samePath(health.storage, dir)) {
    throw new Error(
      `the service at ${o.url} uses the data directory ${health.storage}, not ${dir}: pass --data-dir ${health.storage} (or set TETHER_DATA_DIR) ${hint}`,
    );
  }
  if (health?.engine === 'postgres' && config.storage === 'sqlite') {
    throw new Error(
      `the service at ${o.url} stores its data in PostgreSQL, not in ${dir}: run with TETHER_STORAGE=postgres and the service's TETHER_DATABASE_URL ${hint}`,
    );
  }
  if (health?.engine === 'sqlite' && config.storage === 'postgres') {
    throw new Error(
      `the service at ${o.url} stores its data in SQLite (${health.storage ?? 'its data directory'}), not in PostgreSQL: unset TETHER_STORAGE and pass --data-dir ${health.storage ?? '<its data directory>'} ${hint}`,
    );
  }
  if (config.storage === 'sqlite' && !existsSync(join(dir, 'tether.db'))) {
    const who = health
      ? `the service at ${o.url} does not say which directory it uses`
      : `no service answered at ${o.url}`;
    process.stderr.write(
      `tether: warning: ${dir} holds no Tether database yet; creating a new one (${who}). A service reads these keys only when started with --data-dir ${dir}.\n`,
    );
  }
}

/** Opens the service's store as `tether serve` would: SQLite in the data dir, or PostgreSQL with TETHER_STORAGE=postgres. */
async function withStore<T>(o: StoreOpts, fn: (s: Store) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { dataDir: resolve(o.dataDir) });
  await checkTarget(config, o);
  const store = await openStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `tether keys`: API keys kept (as SHA-256 hashes) in the service's database; works while the service runs. */
export function keysCommand(): Command {
  const cmd = new Command('keys').description(
    "Create, list and revoke API keys (stored hashed in the service's database: the SQLite data directory, or PostgreSQL with TETHER_STORAGE=postgres and TETHER_DATABASE_URL)",
  );
  cmd
    .command('create')
    .description('Create a key and print its secret once')
    .addOption(dataDirOption())
    .addOption(serviceOption())
    .option('--force', 'skip the check that a running service uses this store')
    .option('-n, --name <name>', 'a label for the key', 'default')
    .option('-s, --scopes <scopes>', `comma-separated: ${SCOPES.join(', ')}`, 'ingest,read')
    .option('--json', 'print JSON')
    .action(async (o: StoreOpts & { name: string; scopes: string; json?: boolean }) => {
      const scopes = o.scopes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) as Scope[];
      for (const s of scopes)
        if (!SCOPES.includes(s)) throw new Error(`unknown scope "${s}" (use ${SCOPES.join(', ')})`);
      const secret = `tth_${randomBytes(24).toString('base64url')}`;
      const key = {
        id: randomUUID().slice(0, 8),
        name: o.name,
        hash: hashKey(secret),
        scopes,
        created: new Date().toISOString(),
        revokedAt: null,
      };
      await withStore(o, (s) => s.createKey(key));
      if (o.json) process.stdout.write(JSON.stringify({ id: key.id, name: key.name, scopes, secret }) + '\n');
      else
        process.stdout.write(
          `created key ${key.id} (${key.name}; scopes ${scopes.join(',')})\nsecret: ${secret}\nIt is shown only now; send it as Authorization: Bearer <secret>.\n`,
        );
    });
  cmd
    .command('list')
    .description('List keys (never their secrets)')
    .addOption(dataDirOption())
    .addOption(serviceOption())
    .option('--force', 'skip the check that a running service uses this store')
    .option('--json', 'print JSON')
    .action(async (o: StoreOpts & { json?: boolean }) => {
      const keys = await withStore(o, (s) => s.listKeys());
      const view = keys.map(({ hash: _h, ...k }) => k);
      if (o.json) return void process.stdout.write(JSON.stringify(view, null, 2) + '\n');
      if (!view.length)
        return void process.stdout.write('no keys (the service is open to anyone who can reach it on loopback)\n');
      process.stdout.write(
        table([
          ['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'],
          ...view.map((k) => [k.id, k.name, k.scopes.join(','), k.created, k.revokedAt ?? '-']),
        ]) + '\n',
      );
    });
  cmd
    .command('revoke <id>')
    .description('Revoke a key (takes effect within 5 seconds)')
    .addOption(dataDirOption())
    .addOption(serviceOption())
    .option('--force', 'skip the check that a running service uses this store')
    .action(async (id: string, o: StoreOpts) => {
      if (!(await withStore(o, (s) => s.revokeKey(id)))) throw new Error(`no active key ${id}`);
      process.stdout.write(`revoked ${id}\n`);
    });
  return cmd;
}
