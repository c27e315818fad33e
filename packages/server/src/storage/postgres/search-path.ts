/**
 * The schema Tether's tables go to when the connection's `search_path` names one that does not exist yet (e.g.
 * `TETHER_DATABASE_URL=postgres://…/tether?options=-c search_path=tether` on a fresh database): PostgreSQL then has no
 * current schema and every CREATE fails with "no schema has been selected to create in". {@link ensureSearchPathSchema}
 * creates it instead, or fails saying exactly what an administrator has to run.
 */
import type { PoolClient } from 'pg';
import { quoteIdent } from './migrations.js';

/**
 * Splits a `search_path` setting (`"$user", public`, `"My Schema",x`) into names, unquoting `"…"` (`""` inside is a
 * quote) as PostgreSQL does; unquoted names are folded to lower case.
 */
export function parseSearchPath(setting: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < setting.length) {
    while (i < setting.length && /[\s,]/.test(setting[i]!)) i++;
    if (i >= setting.length) break;
    let name = '';
    if (setting[i] === '"') {
      i++;
      while (i < setting.length) {
        if (setting[i] === '"') {
          if (setting[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += setting[i++];
      }
    } else {
      while (i < setting.length && setting[i] !== ',') name += setting[i++];
      name = name.trim().toLowerCase();
    }
    out.push(name);
    while (i < setting.length && setting[i] !== ',') i++;
  }
  return out;
}

/**
 * When the connection has no current schema (nothing on its search_path exists), creates the first schema the
 * search_path names (`$user` stands for the role) and returns its name; returns the current schema otherwise. Throws an
 * Error naming the schema and the statement to run as a role that may create it when CREATE SCHEMA is refused.
 */
export async function ensureSearchPathSchema(client: PoolClient): Promise<string> {
  const { rows } = await client.query<{ s: string | null; path: string; role: string }>(
    "SELECT current_schema() AS s, current_setting('search_path') AS path, current_user AS role",
  );
  const row = rows[0]!;
  if (row.s) return row.s;
  const names = parseSearchPath(row.path).filter(Boolean);
  const first = names.find((n) => n !== '$user') ?? (names.includes('$user') ? row.role : undefined);
  if (!first)
    throw new Error(
      `the search_path is empty ("${row.path}"): set one, e.g. ?options=-c search_path=tether in TETHER_DATABASE_URL`,
    );
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(first)}`);
  } catch (err) {
    // Two servers starting at once may both try; the loser sees a duplicate (23505 / 42P06): the schema exists.
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P06')
      throw new Error(
        `schema ${quoteIdent(first)} (first on the search_path "${row.path}") does not exist and role ${quoteIdent(row.role)} cannot create it ` +
          `(${(err as Error).message}); as a role that may, run: CREATE SCHEMA ${quoteIdent(first)} AUTHORIZATION ${quoteIdent(row.role)};`,
        { cause: err },
      );
  }
  const again = await client.query<{ s: string | null }>('SELECT current_schema() AS s');
  return again.rows[0]?.s ?? first;
}
