import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import {
  PutStoreItemBodySchema,
  SearchStoreItemsBodySchema,
  type EventInput,
  type EventKind,
  type ListSessionsQuery,
  type SessionState,
} from '@tether/protocol';
import {
  BackendError,
  type AppendResult,
  type EventPageResult,
  type MemoryBackend,
  type MemoryItemView,
  type TetherBackend,
} from '@tether/mcp';
import { TetherError } from '../errors.js';
import { applyEvent } from '../events/reduce.js';
import { toSummary, type SessionRecord } from '../events/record.js';
import { appendEvent } from '../routes/append.js';
import { putStoreItem, searchStoreItems } from '../routes/memory.js';
import type { MemoryItem } from '../storage/memory.js';
import { VERSION } from '../version.js';

function rethrow(err: unknown): never {
  if (err instanceof TetherError) throw new BackendError(err.code, err.message);
  throw err;
}

const checkPut = Compile(PutStoreItemBodySchema);
const checkSearch = Compile(SearchStoreItemsBodySchema);

/** Throws `validation_failed` (naming the first fields) when `body` does not match the route's own body schema. */
function validate(check: typeof checkPut | typeof checkSearch, body: unknown): void {
  if (check.Check(body)) return;
  const errs = [...check.Errors(body)].slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new BackendError('validation_failed', errs.join('; '));
}

/** An item as the MCP tools show it (the shape of `@tether/client`'s store items). */
const view = (item: MemoryItem): MemoryItemView => ({
  namespace: item.namespace,
  key: item.key,
  value: item.value,
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
  ...(item.expiresAt ? { expiresAt: item.expiresAt } : {}),
  ...(item.score !== undefined ? { score: item.score } : {}),
});

/**
 * The memory tools' store inside the service: the bodies `@tether/client` would send to `PUT /api/v1/store/items` and
 * `POST /api/v1/store/items/search`, checked against the same protocol schemas and run by the same functions as those
 * routes, in-process. The tools check the caller's scope (`ingest` to put, `read` to search) before calling.
 */
function appMemory(app: FastifyInstance): MemoryBackend {
  return {
    async putItem(namespace, key, value, opts = {}) {
      const body = {
        namespace: [...namespace],
        key,
        value,
        ...(opts.ttl !== undefined && opts.ttl !== null ? { ttl: opts.ttl } : {}),
        ...(opts.index !== undefined ? { index: opts.index } : {}),
      };
      validate(checkPut, body);
      await putStoreItem(app.store.memory, body).catch(rethrow);
    },
    async searchItems(namespacePrefix, opts = {}) {
      const body = {
        namespace_prefix: [...namespacePrefix],
        limit: opts.limit ?? 10,
        offset: opts.offset ?? 0,
        ...(opts.query !== undefined ? { query: opts.query } : {}),
        ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
        ...(opts.refreshTtl !== undefined ? { refresh_ttl: opts.refreshTtl } : {}),
      };
      validate(checkSearch, body);
      return (await searchStoreItems(app.store.memory, body).catch(rethrow)).map(view);
    },
  };
}

/**
 * The MCP tools' backend inside the service: appends go through {@link appendEvent}, the REST routes' own append path
 * (group commit, then the live feed and the dashboard), reads through the store. The memory tools go to
 * the memory store in-process too, through the store routes' own schemas and functions ({@link appMemory}).
 */
export class AppBackend implements TetherBackend {
  readonly memory: MemoryBackend;

  constructor(private readonly app: FastifyInstance) {
    this.memory = appMemory(app);
  }

  async append(input: EventInput): Promise<AppendResult> {
    const r = await appendEvent(this.app, input).catch(rethrow);
    return { event: r.event, duplicate: r.duplicate, session: toSummary(r.session), state: r.session.state };
  }

  async getSession(
    sessionId: string,
  ): Promise<{ summary: ReturnType<typeof toSummary>; state: SessionState } | undefined> {
    const rec = await this.app.store.getSession(sessionId);
    return rec ? { summary: toSummary(rec), state: rec.state } : undefined;
  }

  async listSessions(q: ListSessionsQuery) {
    return this.app.store.listSessions(q).catch(rethrow);
  }

  private async mustGet(sessionId: string): Promise<SessionRecord> {
    const rec = await this.app.store.getSession(sessionId);
    if (!rec) throw new BackendError('session_not_found', `Session ${sessionId} does not exist`);
    return rec;
  }

  async listEvents(
    sessionId: string,
    opts: { after: number; limit: number; kind?: EventKind },
  ): Promise<EventPageResult> {
    const rec = await this.mustGet(sessionId);
    const events = await this.app.store.listEvents(sessionId, {
      after: opts.after,
      limit: opts.limit,
      ...(opts.kind ? { kinds: [opts.kind] } : {}),
    });
    const last = events[events.length - 1];
    return {
      sessionId,
      events,
      lastSeq: rec.lastSeq,
      nextAfter: events.length === opts.limit && last ? last.seq : null,
    };
  }

  async stateAt(sessionId: string, atSeq?: number): Promise<SessionState> {
    const rec = await this.mustGet(sessionId);
    if (atSeq === undefined || atSeq >= rec.lastSeq) return rec.state;
    let replayed: SessionRecord | undefined;
    for (const ev of await this.app.store.listEvents(sessionId, { upTo: atSeq })) replayed = applyEvent(replayed, ev);
    return { ...replayed!.state, atSeq };
  }

  async search(query: string, limit: number) {
    return this.app.store.search(query, limit).catch(rethrow);
  }

  async stats() {
    return this.app.store.stats();
  }

  async info() {
    return { version: VERSION, storage: this.app.store.engine };
  }
}
