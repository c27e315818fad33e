import { NotFoundError } from './errors.js';
import type { HttpClient } from './http.js';

/**
 * A memory store item as the client returns it: `createdAt`/`updatedAt` are ISO 8601 UTC strings; `score` only on
 * results of a search with a query (higher is better); `expiresAt` only for items with a TTL.
 */
export interface StoreItem {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
  score?: number;
}

/** Options of {@link StoreResource.putItem}. */
export interface PutItemOptions {
  /** Time to live in minutes (absent or null: never expires). */
  ttl?: number | null;
  /** Field paths whose text full-text search indexes (e.g. `['text']`); `false`: not indexed; absent: every string. */
  index?: false | string[];
}

/** Options of {@link StoreResource.searchItems}. */
export interface SearchItemsOptions {
  /** Full-text query (FTS5 on SQLite, tsvector or substring on PostgreSQL); hits get a score and come best first. */
  query?: string;
  /** LangGraph value filter on top-level fields: `{field: value}` or `{field: {$eq|$ne|$gt|$gte|$lt|$lte: value}}`. */
  filter?: Record<string, unknown>;
  /** 1–1000, default 10. */
  limit?: number;
  offset?: number;
  /** Restart the TTL of the items returned (default true). */
  refreshTtl?: boolean;
}

/** Options of {@link StoreResource.listNamespaces}; `*` in prefix/suffix matches any one label. */
export interface ListNamespacesOptions {
  prefix?: string[];
  suffix?: string[];
  maxDepth?: number;
  /** Default 100. */
  limit?: number;
  offset?: number;
}

interface WireItem {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  expires_at?: string | null;
  score?: number | null;
}

const fromWire = (w: WireItem): StoreItem => ({
  namespace: w.namespace,
  key: w.key,
  value: w.value,
  createdAt: w.created_at,
  updatedAt: w.updated_at,
  ...(w.expires_at ? { expiresAt: w.expires_at } : {}),
  ...(w.score !== undefined && w.score !== null ? { score: w.score } : {}),
});

function checkNamespace(namespace: readonly string[]): string[] {
  if (!Array.isArray(namespace)) throw new TypeError('namespace is an array of labels, e.g. ["users", "u-42"]');
  for (const label of namespace)
    if (!label || label.includes('.'))
      throw new TypeError(
        `Invalid namespace label ${JSON.stringify(label)}: labels are non-empty and cannot contain "."`,
      );
  return [...namespace];
}

/**
 * The memory store (long-term memory shared across sessions): `client.store`. Routes `/api/v1/store/*` with the
 * LangGraph Platform store API's shapes. Errors: {@link APIError} subclasses (e.g. 403 PermissionDeniedError without
 * the `read`/`ingest` scope), {@link APIConnectionError}; a TypeError for a bad namespace label before any request.
 * Puts and deletes are idempotent, so they are retried like reads.
 */
export class StoreResource {
  constructor(private readonly http: HttpClient) {}

  /** Creates or replaces the item; durable when the promise resolves. */
  async putItem(
    namespace: readonly string[],
    key: string,
    value: Record<string, unknown>,
    opts: PutItemOptions = {},
  ): Promise<void> {
    const body: Record<string, unknown> = { namespace: checkNamespace(namespace), key, value };
    if (opts.ttl !== undefined && opts.ttl !== null) body.ttl = opts.ttl;
    if (opts.index !== undefined) body.index = opts.index;
    await this.http.request({ method: 'PUT', path: '/api/v1/store/items', body, retry: true });
  }

  /** The item, or null when absent or expired (reading restarts its TTL unless `refreshTtl: false`). */
  async getItem(
    namespace: readonly string[],
    key: string,
    opts: { refreshTtl?: boolean } = {},
  ): Promise<StoreItem | null> {
    try {
      const res = await this.http.request<WireItem>({
        method: 'GET',
        path: '/api/v1/store/items',
        query: {
          namespace: checkNamespace(namespace).join('.'),
          key,
          ...(opts.refreshTtl !== undefined ? { refresh_ttl: opts.refreshTtl } : {}),
        },
      });
      return fromWire(res.body);
    } catch (err) {
      if (err instanceof NotFoundError && (err.code === 'store_item_not_found' || err.code === 'unknown')) return null;
      throw err;
    }
  }

  /** Items under the prefix passing filter and query; best score first with a query, else newest update first. */
  async searchItems(namespacePrefix: readonly string[], opts: SearchItemsOptions = {}): Promise<StoreItem[]> {
    const body: Record<string, unknown> = {
      namespace_prefix: [...namespacePrefix],
      limit: opts.limit ?? 10,
      offset: opts.offset ?? 0,
    };
    if (opts.query !== undefined) body.query = opts.query;
    if (opts.filter !== undefined) body.filter = opts.filter;
    if (opts.refreshTtl !== undefined) body.refresh_ttl = opts.refreshTtl;
    const res = await this.http.request<{ items: WireItem[] }>({
      method: 'POST',
      path: '/api/v1/store/items/search',
      body,
      retry: true,
    });
    return res.body.items.map(fromWire);
  }

  /** Deletes the item (no error when it does not exist). */
  async deleteItem(namespace: readonly string[], key: string): Promise<void> {
    await this.http.request({
      method: 'DELETE',
      path: '/api/v1/store/items',
      body: { namespace: checkNamespace(namespace), key },
      retry: true,
    });
  }

  /** Distinct namespaces of live items, cut to `maxDepth` labels, in label order. */
  async listNamespaces(opts: ListNamespacesOptions = {}): Promise<string[][]> {
    const body: Record<string, unknown> = { limit: opts.limit ?? 100, offset: opts.offset ?? 0 };
    if (opts.prefix) body.prefix = [...opts.prefix];
    if (opts.suffix) body.suffix = [...opts.suffix];
    if (opts.maxDepth !== undefined) body.max_depth = opts.maxDepth;
    const res = await this.http.request<{ namespaces: string[][] }>({
      method: 'POST',
      path: '/api/v1/store/namespaces',
      body,
      retry: true,
    });
    return res.body.namespaces;
  }
}
