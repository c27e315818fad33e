import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ok, toolError } from './result.js';
import { requireScope, type McpCaller } from './scopes.js';

/** A memory item as `@tether/client`'s `client.store` returns it (times ISO 8601 UTC; `score` for query hits). */
export interface MemoryItemView {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
  score?: number;
}

/**
 * The memory store as the MCP tools use it: the shape of `@tether/client`'s `StoreResource` (`client.store`), so a
 * TetherClient's `store` is one (stdio, `ClientBackend`), and the service passes one that runs its own
 * `/api/v1/store` routes' checks and functions in-process (no HTTP).
 */
export interface MemoryBackend {
  putItem(
    namespace: readonly string[],
    key: string,
    value: Record<string, unknown>,
    opts?: { ttl?: number | null; index?: false | string[] },
  ): Promise<void>;
  searchItems(
    namespacePrefix: readonly string[],
    opts?: { query?: string; filter?: Record<string, unknown>; limit?: number; offset?: number; refreshTtl?: boolean },
  ): Promise<MemoryItemView[]>;
}

const Label = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^.]+$/, 'a namespace label is non-empty and has no "."');

/**
 * Registers `commit_memory` (scope `ingest`) and `recall_memory` (scope `read`) over the memory store (issue #14):
 * long-term memory shared across sessions, namespaced like LangGraph's store (e.g. ["users", "u-42", "facts"]).
 */
export function registerMemoryTools(server: McpServer, memory: MemoryBackend, caller: McpCaller): void {
  server.registerTool(
    'commit_memory',
    {
      title: 'Commit a memory',
      description:
        'Stores a JSON value under namespace + key in the long-term memory store (replacing an item with the same key). ttl_minutes makes it expire; index lists the field paths full-text search indexes (false: none; default every string).',
      inputSchema: {
        namespace: z.array(Label).min(1).max(20).describe('Namespace labels, e.g. ["users", "u-42", "facts"]'),
        key: z.string().min(1).max(500),
        value: z.record(z.string(), z.unknown()).describe('The memory (a JSON object)'),
        ttl_minutes: z.number().positive().nullable().optional(),
        index: z.union([z.literal(false), z.array(z.string().min(1))]).optional(),
      },
      // A put replaces the item with the same key (its old value is gone), so it is destructive; the same put twice leaves the same item.
      annotations: {
        title: 'Commit a memory',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (a) => {
      try {
        requireScope(caller, 'ingest');
        await memory.putItem(a.namespace, a.key, a.value, {
          ...(a.ttl_minutes !== undefined ? { ttl: a.ttl_minutes } : {}),
          ...(a.index !== undefined ? { index: a.index } : {}),
        });
        return ok({ namespace: a.namespace, key: a.key, stored: true });
      } catch (err) {
        return toolError(err);
      }
    },
  );

  server.registerTool(
    'recall_memory',
    {
      title: 'Recall memories',
      description:
        'Searches the memory store under a namespace prefix: full-text query (best first), LangGraph value filter ({field: value} or {field: {$eq|$ne|$gt|$gte|$lt|$lte: v}}), paged. Does not restart TTLs.',
      inputSchema: {
        namespace_prefix: z
          .array(z.string().min(1).max(200))
          .max(20)
          .describe('Leading namespace labels ("*" matches any one label); [] searches everything'),
        query: z.string().min(1).max(500).optional(),
        filter: z.record(z.string(), z.unknown()).optional(),
        limit: z.number().int().min(1).max(100).optional(),
        offset: z.number().int().min(0).optional(),
      },
      annotations: {
        title: 'Recall memories',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (a) => {
      try {
        requireScope(caller, 'read');
        const items = await memory.searchItems(a.namespace_prefix, {
          ...(a.query ? { query: a.query } : {}),
          ...(a.filter ? { filter: a.filter } : {}),
          limit: a.limit ?? 10,
          offset: a.offset ?? 0,
          refreshTtl: false,
        });
        return ok({ items });
      } catch (err) {
        return toolError(err);
      }
    },
  );
}
