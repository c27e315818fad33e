import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  DeleteStoreItemBodySchema,
  GetStoreItemQuerySchema,
  ListNamespacesBodySchema,
  ListNamespacesResponseSchema,
  PutStoreItemBodySchema,
  SearchStoreItemsBodySchema,
  SearchStoreItemsResponseSchema,
  StoreItemSchema,
  type PutStoreItemBody,
  type SearchStoreItem,
  type SearchStoreItemsBody,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { checkFilter, type MemoryItem, type MemoryStore } from '../storage/memory.js';

/** How often expired memory items are deleted, in ms (they are invisible to reads from the moment they expire). */
const SWEEP_MS = 60_000;

const NoContent = Type.Null({ description: 'No content' });

/** The wire form of an item (LangGraph's snake_case fields). */
function wire(item: MemoryItem): SearchStoreItem {
  return {
    namespace: item.namespace,
    key: item.key,
    value: item.value,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    ...(item.expiresAt ? { expires_at: item.expiresAt } : {}),
    ...(item.score !== undefined ? { score: item.score } : {}),
  };
}

function validFilter(filter: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!filter) return undefined;
  const bad = checkFilter(filter);
  if (bad) throw new TetherError('validation_failed', bad, [{ path: '/filter', message: bad }]);
  return filter;
}

/**
 * Creates or replaces an item from a `PUT /api/v1/store/items` body that passed {@link PutStoreItemBodySchema} (ttl in
 * minutes, null: never expires). Used by the route and by the MCP tools' in-process backend (`commit_memory`).
 */
export async function putStoreItem(memory: MemoryStore, body: PutStoreItemBody): Promise<void> {
  const { namespace, key, value, index, ttl } = body;
  await memory.put({ namespace, key, value, ...(index !== undefined ? { index } : {}), ttlMinutes: ttl ?? null });
}

/**
 * Runs a `POST /api/v1/store/items/search` body that passed {@link SearchStoreItemsBodySchema} (defaults: limit 10,
 * offset 0, refresh_ttl true). Throws `validation_failed` for an unsupported filter operator. Used by the route and by
 * the MCP tools' in-process backend (`recall_memory`).
 */
export async function searchStoreItems(memory: MemoryStore, b: SearchStoreItemsBody): Promise<MemoryItem[]> {
  return memory.search({
    namespacePrefix: b.namespace_prefix ?? [],
    filter: validFilter(b.filter),
    query: b.query ?? null,
    limit: b.limit ?? 10,
    offset: b.offset ?? 0,
    refreshTtl: b.refresh_ttl ?? true,
  });
}

/**
 * The memory store (long-term memory shared across sessions and threads) under `/api/v1/store`, with the paths,
 * fields and status codes of the LangGraph Platform store API as `langgraph_sdk`'s `client.store` calls them:
 * `PUT|GET|DELETE /items`, `POST /items/search`, `POST /namespaces`. Reads need the `read` scope, writes `ingest`.
 * Expired items (TTL, minutes) are invisible at once and deleted every minute.
 */
export async function memoryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const memory = app.store.memory;

  r.put(
    '/api/v1/store/items',
    {
      schema: {
        tags: ['store'],
        summary: 'Put a memory item (create or replace)',
        description:
          'LangGraph Platform store API. value is a JSON object; ttl in minutes (null: never expires); index: false keeps the item out of full-text search, a list of field paths indexes only those.',
        body: PutStoreItemBodySchema,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await putStoreItem(memory, req.body);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/store/items',
    {
      schema: {
        tags: ['store'],
        summary: 'Get a memory item',
        description:
          'namespace is the labels joined with ".". 404 store_item_not_found when absent or expired. Reading restarts the TTL unless refresh_ttl=false.',
        querystring: GetStoreItemQuerySchema,
        response: { 200: StoreItemSchema },
      },
    },
    async (req) => {
      const namespace = req.query.namespace.split('.');
      if (namespace.some((l) => !l))
        throw new TetherError('validation_failed', 'namespace labels must not be empty', [
          { path: '/namespace', message: 'empty label' },
        ]);
      const item = await memory.get(namespace, req.query.key, req.query.refresh_ttl ?? true);
      if (!item)
        throw new TetherError(
          'store_item_not_found',
          `No item ${JSON.stringify(req.query.key)} in namespace ${JSON.stringify(namespace)}`,
        );
      return wire(item);
    },
  );

  r.delete(
    '/api/v1/store/items',
    {
      schema: {
        tags: ['store'],
        summary: 'Delete a memory item',
        description: '204 whether or not it existed (as LangGraph).',
        body: DeleteStoreItemBodySchema,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await memory.delete(req.body.namespace, req.body.key);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/store/items/search',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['store'],
        summary: 'Search memory items',
        description:
          'Items under namespace_prefix ("*" matches any label) whose value passes filter (LangGraph semantics: equality, $eq $ne $gt $gte $lt $lte) and, with query, the full-text index (items get a score, best first; otherwise newest update first).',
        body: SearchStoreItemsBodySchema,
        response: { 200: SearchStoreItemsResponseSchema },
      },
    },
    async (req) => {
      return { items: (await searchStoreItems(memory, req.body)).map(wire) };
    },
  );

  r.post(
    '/api/v1/store/namespaces',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['store'],
        summary: 'List memory namespaces',
        description:
          'Distinct namespaces of live items matching prefix and suffix ("*" matches any label), cut to max_depth labels, in label order.',
        body: ListNamespacesBodySchema,
        response: { 200: ListNamespacesResponseSchema },
      },
    },
    async (req) => {
      const b = req.body ?? { limit: 100, offset: 0 };
      return {
        namespaces: await memory.listNamespaces({
          prefix: b.prefix ?? null,
          suffix: b.suffix ?? null,
          maxDepth: b.max_depth ?? null,
          limit: b.limit ?? 100,
          offset: b.offset ?? 0,
        }),
      };
    },
  );

  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      memory.sweep().then(
        (n) => {
          if (n) app.log.info({ deleted: n }, 'memory store: deleted expired items');
        },
        (err: unknown) => app.log.error({ err }, 'memory store sweep failed'),
      );
    }, SWEEP_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
