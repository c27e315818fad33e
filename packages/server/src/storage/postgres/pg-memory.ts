import type pg from 'pg';
import {
  containmentOf,
  expiryFor,
  indexedText,
  joinNamespace,
  matchesFilter,
  namespaceMatches,
  pageNamespaces,
  prefixRange,
  splitNamespace,
  type MemoryItem,
  type MemoryPut,
  type MemorySearch,
  type MemoryStore,
  type NamespaceQuery,
} from '../memory.js';

interface ItemRow {
  ns: string;
  key: string;
  value: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  ttl_minutes: number | null;
  expires_at: Date | null;
  score?: number;
}

const toItem = (r: ItemRow): MemoryItem => ({
  namespace: splitNamespace(r.ns),
  key: r.key,
  value: r.value,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  expiresAt: r.expires_at?.toISOString() ?? null,
  ...(r.score !== undefined ? { score: Number(r.score) } : {}),
});

/** Rows read per round trip while a filter is checked row by row. */
const CHUNK = 200;

/** `%` and `_` and `\` escaped for ILIKE. */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The memory store on PostgreSQL (migration 5: `store_items`, namespace text in "C" collation so prefix ranges use
 * the primary key; `fts` a generated `simple` tsvector of the item's text with a GIN index). Every statement is one
 * autocommitted round trip, so several Tether servers on one database see each other's items at once. Full-text
 * `query` matches the tsvector (plainto_tsquery, ranked by ts_rank) or, for words the parser splits differently,
 * a case-insensitive substring of the text. Filters narrow the rows by jsonb containment ({@link containmentOf}) and
 * are then checked with LangGraph's semantics ({@link matchesFilter}).
 */
export class PgMemory implements MemoryStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => number = Date.now,
  ) {}

  async put(item: MemoryPut): Promise<void> {
    const now = this.clock();
    const at = new Date(now).toISOString();
    await this.pool.query(
      `INSERT INTO store_items (ns, key, value, body, created_at, updated_at, ttl_minutes, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, body = excluded.body, updated_at = excluded.updated_at,
         ttl_minutes = excluded.ttl_minutes, expires_at = excluded.expires_at,
         created_at = CASE WHEN store_items.expires_at <= excluded.updated_at THEN excluded.created_at ELSE store_items.created_at END`,
      [
        joinNamespace(item.namespace),
        item.key,
        JSON.stringify(item.value),
        indexedText(item.value, item.index),
        at,
        item.ttlMinutes ?? null,
        expiryFor(now, item.ttlMinutes),
      ],
    );
  }

  async get(namespace: string[], key: string, refreshTtl = true): Promise<MemoryItem | undefined> {
    const now = new Date(this.clock()).toISOString();
    const ns = joinNamespace(namespace);
    const { rows } = await this.pool.query<ItemRow>(
      'SELECT * FROM store_items WHERE ns = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)',
      [ns, key, now],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (refreshTtl && row.ttl_minutes) {
      // Only items with a TTL cost a write on read.
      const r = await this.pool.query<ItemRow>(
        `UPDATE store_items SET expires_at = $3::timestamptz + ttl_minutes * interval '1 minute'
         WHERE ns = $1 AND key = $2 AND expires_at > $3 RETURNING *`,
        [ns, key, now],
      );
      return r.rows[0] ? toItem(r.rows[0]) : undefined;
    }
    return toItem(row);
  }

  async delete(namespace: string[], key: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM store_items WHERE ns = $1 AND key = $2', [
      joinNamespace(namespace),
      key,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async search(q: MemorySearch): Promise<MemoryItem[]> {
    const nowMs = this.clock();
    const params: unknown[] = [new Date(nowMs).toISOString()];
    const p = (v: unknown): string => `$${params.push(v)}`;
    const where = ['(expires_at IS NULL OR expires_at > $1)'];
    const range = prefixRange(q.namespacePrefix);
    if (range) where.push(`(ns = ${p(range.exact)} OR (ns >= ${p(range.from)} AND ns < ${p(range.to)}))`);
    const contains = containmentOf(q.filter);
    if (contains) where.push(`value @> ${p(JSON.stringify(contains))}::jsonb`);
    const query = q.query?.trim();
    let select = 'SELECT *';
    let order = 'ORDER BY updated_at DESC, ns, key';
    if (query) {
      const tsq = `plainto_tsquery('simple', ${p(query)})`;
      where.push(`(fts @@ ${tsq} OR body ILIKE ${p(`%${likeEscape(query)}%`)})`);
      select = `SELECT *, ts_rank(fts, ${tsq}) + CASE WHEN body ILIKE $${params.length} THEN 0.01 ELSE 0 END AS score`;
      order = 'ORDER BY score DESC, updated_at DESC, ns, key';
    }
    const sql = `${select} FROM store_items WHERE ${where.join(' AND ')} ${order}`;
    const rowFilter = q.filter || q.namespacePrefix.includes('*');
    let rows: ItemRow[];
    if (!rowFilter) {
      rows = (await this.pool.query<ItemRow>(`${sql} LIMIT ${q.limit} OFFSET ${q.offset}`, params)).rows;
    } else {
      rows = [];
      let skip = q.offset;
      for (let at = 0; rows.length < q.limit; at += CHUNK) {
        const chunk = (await this.pool.query<ItemRow>(`${sql} LIMIT ${CHUNK} OFFSET ${at}`, params)).rows;
        for (const r of chunk) {
          if (!namespaceMatches(splitNamespace(r.ns), q.namespacePrefix) || !matchesFilter(r.value, q.filter)) continue;
          if (skip > 0) skip--;
          else if (rows.push(r) >= q.limit) break;
        }
        if (chunk.length < CHUNK) break;
      }
    }
    if (q.refreshTtl !== false) {
      const ttl = rows.filter((r) => r.ttl_minutes);
      for (const r of ttl) r.expires_at = new Date(expiryFor(nowMs, r.ttl_minutes)!);
      if (ttl.length) {
        await this.pool.query(
          `UPDATE store_items s SET expires_at = $1::timestamptz + s.ttl_minutes * interval '1 minute'
           FROM unnest($2::text[], $3::text[]) AS t(ns, key) WHERE s.ns = t.ns AND s.key = t.key AND s.expires_at IS NOT NULL`,
          [new Date(nowMs).toISOString(), ttl.map((r) => r.ns), ttl.map((r) => r.key)],
        );
      }
    }
    return rows.map(toItem);
  }

  async listNamespaces(q: NamespaceQuery): Promise<string[][]> {
    const params: unknown[] = [new Date(this.clock()).toISOString()];
    let sql = 'SELECT DISTINCT ns FROM store_items WHERE (expires_at IS NULL OR expires_at > $1)';
    const range = q.prefix ? prefixRange(q.prefix) : undefined;
    if (range) {
      sql += ' AND (ns = $2 OR (ns >= $3 AND ns < $4))';
      params.push(range.exact, range.from, range.to);
    }
    const { rows } = await this.pool.query<{ ns: string }>(sql, params);
    return pageNamespaces(
      rows.map((r) => r.ns),
      q,
    );
  }

  async sweep(): Promise<number> {
    const r = await this.pool.query('DELETE FROM store_items WHERE expires_at <= $1', [
      new Date(this.clock()).toISOString(),
    ]);
    return r.rowCount ?? 0;
  }
}
