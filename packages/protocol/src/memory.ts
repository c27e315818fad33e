import Type, { type Static } from 'typebox';
import { JsonObject } from './events.js';

/**
 * The memory store (long-term memory): items `(namespace, key) → JSON object`, shared across sessions and threads.
 * The wire shapes follow the LangGraph Platform store API as the official `langgraph_sdk` `client.store` calls it
 * (`PUT/GET/DELETE /store/items`, `POST /store/items/search`, `POST /store/namespaces`, snake_case fields), so that
 * `langgraph_sdk.get_client(url=<tether>/api/v1).store` works against Tether.
 */

/** One namespace label: 1–256 characters, no `.` (the GET route joins labels with `.`, as LangGraph does). */
export const NamespaceLabelSchema = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^.]+$' });
/** A namespace: a path of labels, e.g. `["users", "u-42", "memories"]` (1–32 labels). */
export const NamespaceSchema = Type.Array(NamespaceLabelSchema, { minItems: 1, maxItems: 32 });
/** A namespace prefix or suffix for matching: may be empty; `*` as a label matches any one label. */
export const NamespaceMatchSchema = Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: '^[^.]+$' }), {
  maxItems: 32,
});
/** An item key within its namespace: 1–1024 characters. */
export const StoreKeySchema = Type.String({ minLength: 1, maxLength: 1024 });

/** `PUT /api/v1/store/items`: creates or replaces the item (204). */
export const PutStoreItemBodySchema = Type.Object({
  namespace: NamespaceSchema,
  key: StoreKeySchema,
  value: JsonObject(),
  index: Type.Optional(
    Type.Union([Type.Literal(false), Type.Array(Type.String({ minLength: 1 }), { maxItems: 64 }), Type.Null()], {
      description:
        'Fields whose text the full-text index gets (LangGraph field paths such as "text" or "meta.title"); false: not indexed; absent: every string in the value.',
    }),
  ),
  ttl: Type.Optional(
    Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
      description: 'Time to live in minutes; the item is invisible after it and swept. null/absent: never expires.',
    }),
  ),
});
export type PutStoreItemBody = Static<typeof PutStoreItemBodySchema>;

/** `GET /api/v1/store/items?namespace=a.b&key=k`. */
export const GetStoreItemQuerySchema = Type.Object({
  namespace: Type.String({ minLength: 1, maxLength: 8448, description: 'The namespace labels joined with "."' }),
  key: StoreKeySchema,
  refresh_ttl: Type.Optional(
    Type.Boolean({ description: "Restart the item's TTL (default true for items with a TTL, as in LangGraph)" }),
  ),
});

/** `DELETE /api/v1/store/items`: deletes the item if it exists (204 either way, as LangGraph). */
export const DeleteStoreItemBodySchema = Type.Object({ namespace: NamespaceSchema, key: StoreKeySchema });

/**
 * A filter on top-level value fields, with LangGraph's semantics: `{field: value}` is equality (objects match
 * partially, arrays exactly), `{field: {$eq|$ne|$gt|$gte|$lt|$lte: value}}` applies the operators.
 */
export const StoreFilterSchema = JsonObject();

/** `POST /api/v1/store/items/search`. */
export const SearchStoreItemsBodySchema = Type.Object({
  namespace_prefix: Type.Optional(NamespaceMatchSchema),
  filter: Type.Optional(Type.Union([StoreFilterSchema, Type.Null()])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  query: Type.Optional(
    Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], {
      description:
        'Full-text query: FTS5 on SQLite, tsvector or substring on PostgreSQL; results carry a score, best first',
    }),
  ),
  refresh_ttl: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
});
export type SearchStoreItemsBody = Static<typeof SearchStoreItemsBodySchema>;

/** `POST /api/v1/store/namespaces`. */
export const ListNamespacesBodySchema = Type.Object({
  prefix: Type.Optional(Type.Union([NamespaceMatchSchema, Type.Null()])),
  suffix: Type.Optional(Type.Union([NamespaceMatchSchema, Type.Null()])),
  max_depth: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type ListNamespacesBody = Static<typeof ListNamespacesBodySchema>;

/** A stored item. Times are ISO 8601 UTC; `expires_at` only for items with a TTL. */
export const StoreItemSchema = Type.Object({
  namespace: Type.Array(Type.String()),
  key: Type.String(),
  value: JsonObject(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
});
export type StoreItem = Static<typeof StoreItemSchema>;

/** A search hit: an item plus `score` (higher is better) when the search had a query. */
export const SearchStoreItemSchema = Type.Object({
  ...StoreItemSchema.properties,
  score: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
});
export type SearchStoreItem = Static<typeof SearchStoreItemSchema>;

export const SearchStoreItemsResponseSchema = Type.Object({ items: Type.Array(SearchStoreItemSchema) });
export const ListNamespacesResponseSchema = Type.Object({ namespaces: Type.Array(Type.Array(Type.String())) });
