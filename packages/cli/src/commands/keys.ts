import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { hashKey, loadConfig, openStore, SCOPES, type Scope, type Store } from '@tether/server';
import { table } from '../http.js';

const dataDirOption = () => new Option('-d, --data-dir <dir>', 'data directory of the service (SQLite) [env TETHER_DATA_DIR]').env('TETHER_DATA_DIR').default('./data');

/** Opens the service's store as `tether serve` would: SQLite in the data dir, or PostgreSQL with TETHER_STORAGE=postgres. */
async function withStore<T>(dataDir: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(process.env, { dataDir: resolve(dataDir) }));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `tether keys`: API keys kept (as SHA-256 hashes) in the service's database; works while the service runs. */
export function keysCommand(): Command {
  const cmd = new Command('keys').description('Create, list and revoke API keys (stored hashed in the service\'s database: the SQLite data directory, or PostgreSQL with TETHER_STORAGE=postgres and TETHER_DATABASE_URL)');
  cmd.command('create')
    .description('Create a key and print its secret once')
    .addOption(dataDirOption())
    .option('-n, --name <name>', 'a label for the key', 'default')
    .option('-s, --scopes <scopes>', `comma-separated: ${SCOPES.join(', ')}`, 'ingest,read')
    .option('--json', 'print JSON')
    .action(async (o: { dataDir: string; name: string; scopes: string; json?: boolean }) => {
      const scopes = o.scopes.split(',').map((s) => s.trim()).filter(Boolean) as Scope[];
      for (const s of scopes) if (!SCOPES.includes(s)) throw new Error(`unknown scope "${s}" (use ${SCOPES.join(', ')})`);
      const secret = `tth_${randomBytes(24).toString('base64url')}`;
      const key = { id: randomUUID().slice(0, 8), name: o.name, hash: hashKey(secret), scopes, created: new Date().toISOString(), revokedAt: null };
      await withStore(o.dataDir, (s) => s.createKey(key));
      if (o.json) process.stdout.write(JSON.stringify({ id: key.id, name: key.name, scopes, secret }) + '\n');
      else process.stdout.write(`created key ${key.id} (${key.name}; scopes ${scopes.join(',')})\nsecret: ${secret}\nIt is shown only now; send it as Authorization: Bearer <secret>.\n`);
    });
  cmd.command('list').description('List keys (never their secrets)').addOption(dataDirOption()).option('--json', 'print JSON')
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const keys = await withStore(o.dataDir, (s) => s.listKeys());
      const view = keys.map(({ hash: _h, ...k }) => k);
      if (o.json) return void process.stdout.write(JSON.stringify(view, null, 2) + '\n');
      if (!view.length) return void process.stdout.write('no keys (the service is open to anyone who can reach it on loopback)\n');
      process.stdout.write(table([['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'], ...view.map((k) => [k.id, k.name, k.scopes.join(','), k.created, k.revokedAt ?? '-'])]) + '\n');
    });
  cmd.command('revoke <id>').description('Revoke a key (takes effect within 5 seconds)').addOption(dataDirOption())
    .action(async (id: string, o: { dataDir: string }) => {
      if (!(await withStore(o.dataDir, (s) => s.revokeKey(id)))) throw new Error(`no active key ${id}`);
      process.stdout.write(`revoked ${id}\n`);
    });
  return cmd;
}
