/**
 * PostgreSQL with a `search_path` schema that does not exist yet (`?options=-c search_path=<name>` in
 * TETHER_DATABASE_URL, as docs/storage.md shows): the store creates it and works, also through `tether serve`-like
 * startup via the HTTP API; a schema that cannot be created fails with the statement to run, not a raw error.
 * Real PostgreSQL (scripts/test.d/05-postgres.sh); every schema is dropped after.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../src/index.js';
import { parseSearchPath } from '../src/storage/postgres/search-path.js';
import { startTestServer } from './helpers.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => undefined);
const made: string[] = [];
after(async () => {
  for (const s of made) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

let n = 0;
function missingSchema(): string {
  const s = `tether_sp${process.pid}_${Date.now().toString(36)}_${n++}`;
  made.push(s);
  return s;
}
function urlWithPath(path: string): string {
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${path}`);
  return u.toString();
}
async function schemaExists(s: string): Promise<boolean> {
  return (await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [s])).rowCount === 1;
}

describe('postgres: a search_path schema that does not exist yet', () => {
  it('is created, and the tables go there', async () => {
    const schema = missingSchema();
    assert.equal(await schemaExists(schema), false);
    const store = await PostgresStore.open({ connectionString: urlWithPath(schema), poolSize: 2 });
    try {
      assert.equal(await schemaExists(schema), true);
      const { rows } = await admin.query<{ t: string }>(
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      assert.ok(
        rows.some((r) => r.t === 'events') && rows.some((r) => r.t === 'tether_migrations'),
        JSON.stringify(rows),
      );
      const [out] = await store.append([
        {
          input: { sessionId: 'sp-1', kind: 'action', data: { tool: 'Bash' } },
          autoCreate: true,
          receivedAt: new Date().toISOString(),
        },
      ]);
      assert.equal(out?.ok, true, JSON.stringify(out));
    } finally {
      await store.close();
    }
  });

  it('two servers starting at once on it both come up (one creates it)', async () => {
    const schema = missingSchema();
    const url = urlWithPath(schema);
    const stores = await Promise.all([0, 1, 2].map(() => PostgresStore.open({ connectionString: url, poolSize: 2 })));
    await Promise.all(stores.map((s) => s.close()));
    assert.equal(await schemaExists(schema), true);
  });

  it('the HTTP API works on it (TETHER_STORAGE=postgres with that URL)', async () => {
    const schema = missingSchema();
    const s = await startTestServer({ storage: 'postgres', databaseUrl: urlWithPath(schema) });
    try {
      assert.equal((await s.req('POST', '/api/v1/sessions', { sessionId: 'sp-http' })).status, 201);
      assert.equal((await s.req('GET', '/api/v1/sessions/sp-http')).status, 200);
    } finally {
      await s.stop();
    }
  });

  it('a schema that cannot be created fails with the statement to run', async () => {
    // `pg_*` names are reserved: CREATE SCHEMA is refused, as it is for a role without CREATE on the database.
    const schema = `pg_tether_${process.pid}`;
    await assert.rejects(PostgresStore.open({ connectionString: urlWithPath(schema), poolSize: 1 }), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `schema "${schema}" \\(first on the search_path .*\\) does not exist and role "tether" cannot create it`,
        ),
      );
      assert.match(err.message, new RegExp(`run: CREATE SCHEMA "${schema}" AUTHORIZATION "tether";`));
      return true;
    });
  });

  it('parses search_path settings as PostgreSQL does', () => {
    assert.deepEqual(parseSearchPath('"$user", public'), ['$user', 'public']);
    assert.deepEqual(parseSearchPath('Tether,"My ""Odd"" Schema" , x'), ['tether', 'My "Odd" Schema', 'x']);
    assert.deepEqual(parseSearchPath(''), []);
  });
});
