import {
  BaseStore,
  type Item,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
} from '@langchain/langgraph-checkpoint';
import { TetherClient, type StoreItem, type TetherClientOptions } from '@tether/client';

/** Options of {@link TetherStore}: a client, or what to build one from. */
export type TetherStoreOptions = { client: TetherClient } | TetherClientOptions;

const toItem = (i: StoreItem): Item => ({
  namespace: i.namespace,
  key: i.key,
  value: i.value,
  createdAt: new Date(i.createdAt),
  updatedAt: new Date(i.updatedAt),
});
const toSearchItem = (i: StoreItem): SearchItem => ({
  ...toItem(i),
  ...(i.score !== undefined ? { score: i.score } : {}),
});

function namespaceArgs(op: ListNamespacesOperation): {
  prefix?: string[];
  suffix?: string[];
  maxDepth?: number;
  limit: number;
  offset: number;
} {
  const out: { prefix?: string[]; suffix?: string[]; maxDepth?: number; limit: number; offset: number } = {
    limit: op.limit ?? 100,
    offset: op.offset ?? 0,
  };
  for (const c of op.matchConditions ?? []) {
    const which = c.matchType === 'prefix' ? 'prefix' : c.matchType === 'suffix' ? 'suffix' : undefined;
    if (!which) throw new Error(`Unsupported match type: ${String(c.matchType)}`);
    if (out[which]) throw new Error(`TetherStore supports one ${which} condition per listNamespaces`);
    out[which] = [...c.path];
  }
  if (op.maxDepth !== undefined) out.maxDepth = op.maxDepth;
  return out;
}

/**
 * LangGraph.js's `BaseStore` (long-term memory shared across threads, `@langchain/langgraph-checkpoint`) on Tether's
 * memory store (`/api/v1/store`), so every process of an agent shares the items and they survive restarts:
 * `graph.compile({ store: new TetherStore({ baseUrl: 'http://localhost:9000' }) })`.
 *
 * Batch semantics are `InMemoryStore`'s: the reads of a batch run (concurrently) against the store as it was before
 * the batch, then its puts, the last put of a `(namespace, key)` winning; `value: null` deletes. `query` is full-text
 * search (FTS5 on SQLite, tsvector on PostgreSQL), not embeddings: `index` picks the fields whose text is indexed.
 * Searches without a query return the newest updates first. Errors are `@tether/client`'s (APIError subclasses,
 * APIConnectionError).
 */
export class TetherStore extends BaseStore {
  readonly client: TetherClient;

  constructor(options: TetherStoreOptions) {
    super();
    this.client = 'client' in options ? options.client : new TetherClient(options);
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const store = this.client.store;
    const puts = new Map<string, PutOperation>();
    const reads = operations.map(async (op): Promise<unknown> => {
      if ('value' in op) {
        const id = JSON.stringify([op.namespace, op.key]);
        puts.delete(id); // the last put's position decides the order
        puts.set(id, op);
        return undefined;
      }
      if ('namespacePrefix' in op) {
        const found = await store.searchItems(op.namespacePrefix, {
          ...(op.query !== undefined ? { query: op.query } : {}),
          ...(op.filter !== undefined ? { filter: op.filter } : {}),
          limit: op.limit ?? 10,
          offset: op.offset ?? 0,
        });
        return found.map(toSearchItem);
      }
      if ('key' in op && 'namespace' in op) {
        const got = await store.getItem(op.namespace, op.key);
        return got ? toItem(got) : null;
      }
      return store.listNamespaces(namespaceArgs(op as ListNamespacesOperation));
    });
    const results = await Promise.all(reads);
    await Promise.all(
      [...puts.values()].map((p) =>
        p.value === null
          ? store.deleteItem(p.namespace, p.key)
          : store.putItem(p.namespace, p.key, p.value, p.index !== undefined ? { index: p.index } : {}),
      ),
    );
    return results as OperationResults<Op>;
  }
}
