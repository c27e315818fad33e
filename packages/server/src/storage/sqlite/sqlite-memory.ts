import type Database from 'better-sqlite3';
import {
  expiryFor,
  indexedText,
  joinNamespace,
  matchesFilter,
  pageNamespaces,
  prefixRange,
  splitNamespace,
  type MemoryItem,
  type MemoryPut,
  type MemorySearch,
  type MemoryStore,
  type NamespaceQuery,
} from '../memory.js';
import { toFtsQuery } from './fts-text.js';
import type { WriteTx } from './transaction.js';

interface ItemRow {
  id: number;
  ns: string;
  key: string;
  value: string;
  created_at: string;
  updated_at: string;
  ttl_minutes: number | null;
  expires_at: string | null;
  score?: number;
}

const toItem = (r: ItemRow): MemoryItem => ({
  namespace: splitNamespace(r.ns),
  key: r.key,
  value: JSON.parse(r.value) as Record<string, unknown>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  expiresAt: r.expires_at,
  ...(r.score !== undefined ? { score: r.score } : {}),
});

/** Not expired at `@now` (`p`: the table's alias with its dot). */
const live = (p = ''): string => `(${p}expires_at IS NULL OR ${p}expires_at > @now)`;

/**
 * The memory store on SQLite (migration 5: `store_items`, and `store_items_fts`, a contentless FTS5 index keyed by the
 * item's rowid). Writes go through the adapter's writer in call order, like appends (one transaction each: the row and
 * its index entry together); reads use the HTTP thread's connection. Filters are checked row by row with LangGraph's
 * semantics ({@link matchesFilter}) while reading in order, so a page costs the rows up to its end.
 */
export class SqliteMemory implements MemoryStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly write: (tx: WriteTx) => Promise<number[]>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The prepared statement for `sql` (prepared once per connection). */
  private prepared(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async put(item: MemoryPut): Promise<void> {
    const now = this.clock();
    const at = new Date(now).toISOString();
    const ns = joinNamespace(item.namespace);
    const text = indexedText(item.value, item.index);
    const ops: NonNullable<WriteTx['ops']> = [
      [
        'DELETE FROM store_items_fts WHERE rowid = (SELECT id FROM store_items WHERE ns = ? AND key = ?)',
        [ns, item.key],
      ],
      [
        `INSERT INTO store_items (ns, key, value, created_at, updated_at, ttl_minutes, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, ttl_minutes = excluded.ttl_minutes,
          expires_at = excluded.expires_at,
          created_at = CASE WHEN store_items.expires_at IS NOT NULL AND store_items.expires_at <= excluded.updated_at THEN excluded.created_at ELSE store_items.created_at END`,
        [ns, item.key, JSON.stringify(item.value), at, at, item.ttlMinutes ?? null, expiryFor(now, item.ttlMinutes)],
      ],
    ];
    if (text !== null)
      ops.push([
        'INSERT INTO store_items_fts (rowid, body) SELECT id, ? FROM store_items WHERE ns = ? AND key = ?',
        [text, ns, item.key],
      ]);
    await this.write({ ops });
  }

  async get(namespace: string[], key: string, refreshTtl = true): Promise<MemoryItem | undefined> {
    const now = this.clock();
    const row = this.prepared(`SELECT * FROM store_items WHERE ns = @ns AND key = @key AND ${live()}`).get({
      ns: joinNamespace(namespace),
      key,
      now: new Date(now).toISOString(),
    }) as ItemRow | undefined;
    if (!row) return undefined;
    if (refreshTtl) await this.refresh([row], now);
    return toItem(row);
  }

  /** Restarts the TTL of `rows` that have one (updates `expires_at` on the rows too). */
  private async refresh(rows: ItemRow[], now: number): Promise<void> {
    const ops: NonNullable<WriteTx['ops']> = [];
    for (const r of rows) {
      if (!r.ttl_minutes) continue;
      r.expires_at = expiryFor(now, r.ttl_minutes);
      ops.push(['UPDATE store_items SET expires_at = ? WHERE id = ? AND expires_at IS NOT NULL', [r.expires_at, r.id]]);
    }
    if (ops.length) await this.write({ ops });
  }

  async delete(namespace: string[], key: string): Promise<boolean> {
    const ns = joinNamespace(namespace);
    const [, changes] = await this.write({
      ops: [
        ['DELETE FROM store_items_fts WHERE rowid = (SELECT id FROM store_items WHERE ns = ? AND key = ?)', [ns, key]],
        ['DELETE FROM store_items WHERE ns = ? AND key = ?', [ns, key]],
      ],
    });
    return (changes ?? 0) > 0;
  }

  async search(q: MemorySearch): Promise<MemoryItem[]> {
    const now = this.clock();
    const params: Record<string, unknown> = { now: new Date(now).toISOString() };
    const where = [live('s.')];
    const range = prefixRange(q.namespacePrefix);
    if (range) {
      where.push('(s.ns = @exact OR (s.ns >= @from AND s.ns < @to))');
      Object.assign(params, range);
    }
    const fts = q.query ? toFtsQuery(q.query) : '';
    const sql = fts
      ? `SELECT s.*, -bm25(store_items_fts) AS score FROM store_items_fts JOIN store_items s ON s.id = store_items_fts.rowid
         WHERE store_items_fts MATCH @fts AND ${where.join(' AND ')} ORDER BY rank, s.updated_at DESC`
      : `SELECT s.* FROM store_items s WHERE ${where.join(' AND ')} ORDER BY s.updated_at DESC, s.id DESC`;
    if (fts) params.fts = fts;
    const wildcard = q.namespacePrefix.includes('*');
    const out: ItemRow[] = [];
    let skip = q.offset;
    for (const row of this.prepared(sql).iterate(params) as IterableIterator<ItemRow>) {
      if (wildcard && !matchesPrefix(row.ns, q.namespacePrefix)) continue;
      if (q.filter && !matchesFilter(JSON.parse(row.value) as Record<string, unknown>, q.filter)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(row);
      if (out.length >= q.limit) break;
    }
    if (q.refreshTtl !== false) await this.refresh(out, now);
    return out.map(toItem);
  }

  async listNamespaces(q: NamespaceQuery): Promise<string[][]> {
    const params: Record<string, unknown> = { now: new Date(this.clock()).toISOString() };
    let sql = `SELECT DISTINCT ns FROM store_items WHERE ${live()}`;
    const range = q.prefix ? prefixRange(q.prefix) : undefined;
    if (range) {
      sql += ' AND (ns = @exact OR (ns >= @from AND ns < @to))';
      Object.assign(params, range);
    }
    return pageNamespaces(this.prepared(sql).pluck().all(params) as string[], q);
  }

  async sweep(): Promise<number> {
    const now = new Date(this.clock()).toISOString();
    const [, n] = await this.write({
      ops: [
        ['DELETE FROM store_items_fts WHERE rowid IN (SELECT id FROM store_items WHERE expires_at <= ?)', [now]],
        ['DELETE FROM store_items WHERE expires_at <= ?', [now]],
      ],
    });
    return n ?? 0;
  }
}

function matchesPrefix(ns: string, prefix: readonly string[]): boolean {
  const labels = splitNamespace(ns);
  return labels.length >= prefix.length && prefix.every((p, i) => p === '*' || p === labels[i]);
}
