import type { FastifyInstance } from 'fastify';
import type { EventInput, EventKind, ListSessionsQuery, SessionState } from '@tether/protocol';
import { TetherClient } from '@tether/client';
import { BackendError, type AppendResult, type EventPageResult, type MemoryBackend, type TetherBackend } from '@tether/mcp';
import { TetherError } from '../errors.js';
import { applyEvent } from '../events/reduce.js';
import { toSummary, type SessionRecord } from '../events/record.js';
import { appendEvent } from '../routes/append.js';
import { VERSION } from '../version.js';
import { injectFetch } from './inject-fetch.js';

function rethrow(err: unknown): never {
  if (err instanceof TetherError) throw new BackendError(err.code, err.message);
  throw err;
}

/**
 * The MCP tools' backend inside the service: appends go through {@link appendEvent}, the REST routes' own append path
 * (group commit, then the live feed and the dashboard), reads through the store. The memory tools use
 * `@tether/client`'s `client.store` against this app's own `/api/v1/store` routes (in-process, with the MCP caller's
 * `Authorization` header), so they validate and authorize exactly as REST does.
 */
export class AppBackend implements TetherBackend {
  /** The MCP caller's `Authorization` header, sent with the memory store's in-process requests. */
  authorization: string | undefined;
  readonly memory: MemoryBackend;

  constructor(private readonly app: FastifyInstance, authorization?: string) {
    this.authorization = authorization;
    this.memory = new TetherClient({ baseUrl: 'http://localhost', fetch: injectFetch(app, () => this.authorization), maxRetries: 0 }).store;
  }

  async append(input: EventInput): Promise<AppendResult> {
    const r = await appendEvent(this.app, input).catch(rethrow);
    return { event: r.event, duplicate: r.duplicate, session: toSummary(r.session), state: r.session.state };
  }

  async getSession(sessionId: string): Promise<{ summary: ReturnType<typeof toSummary>; state: SessionState } | undefined> {
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

  async listEvents(sessionId: string, opts: { after: number; limit: number; kind?: EventKind }): Promise<EventPageResult> {
    const rec = await this.mustGet(sessionId);
    const events = await this.app.store.listEvents(sessionId, { after: opts.after, limit: opts.limit, ...(opts.kind ? { kinds: [opts.kind] } : {}) });
    const last = events[events.length - 1];
    return { sessionId, events, lastSeq: rec.lastSeq, nextAfter: events.length === opts.limit && last ? last.seq : null };
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
