import { APIStatusError, type TetherClient } from '@tether/client';
import type { EventInput, EventKind, ListSessionsQuery, SessionState, SessionSummary } from '@tether/protocol';
import { BackendError, type AppendResult, type EventPageResult, type TetherBackend } from './backend.js';
import type { MemoryBackend } from './memory-tools.js';

function rethrow(err: unknown): never {
  if (err instanceof APIStatusError) throw new BackendError(err.code, err.message);
  throw err;
}

/**
 * {@link TetherBackend} over a running service's REST API (`@tether/client`): what `tether mcp` uses on stdio, so an
 * agent in a container reaches Tether with nothing but its URL and API key. Appends go through `POST /api/ingest`
 * (one item, with its event id), so they are ordinary events at the service.
 */
export class ClientBackend implements TetherBackend {
  /** `client.store` (putItem, searchItems) of `@tether/client`. */
  readonly memory: MemoryBackend;

  constructor(private readonly client: TetherClient) {
    this.memory = {
      putItem: (ns, key, value, opts) => client.store.putItem(ns, key, value, opts).catch(rethrow),
      searchItems: (prefix, opts) => client.store.searchItems(prefix, opts).catch(rethrow),
    };
  }

  async append(input: EventInput): Promise<AppendResult> {
    const res = await this.client.ingest([input]).catch(rethrow);
    const item = res.results[0];
    if (!item || item.status >= 300)
      throw new BackendError(item?.code ?? 'internal_error', item?.detail ?? 'the service refused the event');
    const found = await this.getSession(input.sessionId);
    if (!found) throw new BackendError('session_not_found', `Session ${input.sessionId} does not exist`);
    const page = await this.client.sessions
      .events(input.sessionId, { after: (item.seq ?? 1) - 1, limit: 1 })
      .catch(rethrow);
    const event = page.events[0];
    if (!event) throw new BackendError('internal_error', `event ${item.seq} of ${input.sessionId} is missing`);
    return { event, duplicate: item.duplicate === true, session: found.summary, state: found.state };
  }

  async getSession(sessionId: string): Promise<{ summary: SessionSummary; state: SessionState } | undefined> {
    try {
      const [summary, state] = await Promise.all([
        this.client.sessions.summary(sessionId),
        this.client.sessions.state(sessionId),
      ]);
      return { summary, state };
    } catch (err) {
      if (err instanceof APIStatusError && err.status === 404) return undefined;
      return rethrow(err);
    }
  }

  async listSessions(q: ListSessionsQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }> {
    return this.client.sessions.list(q).catch(rethrow);
  }

  async listEvents(
    sessionId: string,
    opts: { after: number; limit: number; kind?: EventKind },
  ): Promise<EventPageResult> {
    return this.client.sessions.events(sessionId, opts).catch(rethrow);
  }

  async stateAt(sessionId: string, atSeq?: number): Promise<SessionState> {
    return this.client.sessions.state(sessionId, atSeq).catch(rethrow);
  }

  async search(query: string, limit: number) {
    return (await this.client.search(query, limit).catch(rethrow)).results;
  }

  async stats() {
    return this.client.stats().catch(rethrow);
  }

  async info(): Promise<{ version: string; storage: string }> {
    const h = (await this.client.health().catch(rethrow)) as unknown as Record<string, unknown>;
    return { version: String(h.version ?? 'unknown'), storage: String(h.engine ?? h.storage ?? 'unknown') };
  }
}
