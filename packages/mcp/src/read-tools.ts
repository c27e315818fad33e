import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { EVENT_KIND_LIST, type EventKind, type ListSessionsQuery } from '@tether/protocol';
import { BackendError, type TetherBackend } from './backend.js';
import { ok, toolError } from './result.js';
import { requireScope, type McpCaller } from './scopes.js';

const SessionId = z.string().min(1).max(128).describe('The session id');
const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const KINDS = EVENT_KIND_LIST as [EventKind, ...EventKind[]];

/**
 * Registers Tether's read tools (scope `read`): get_session, list_sessions, list_events, get_state, search, get_stats;
 * and the resources `tether://sessions/{session_id}` (summary and state) and `tether://sessions/{session_id}/events`.
 */
export function registerReadTools(server: McpServer, backend: TetherBackend, caller: McpCaller): void {
  const read = async (fn: () => Promise<object>) => {
    try {
      requireScope(caller, 'read');
      return ok(await fn());
    } catch (err) {
      return toolError(err);
    }
  };
  const mustGet = async (id: string) => {
    const s = await backend.getSession(id);
    if (!s) throw new BackendError('session_not_found', `Session ${id} does not exist`);
    return s;
  };

  server.registerTool(
    'get_session',
    {
      title: 'Get a session',
      description:
        "A session's summary (type, status, user, tags, metadata, created, endedAt, durationMs in ms, counters) and its current state.",
      inputSchema: { session_id: SessionId },
      annotations: { ...READ, title: 'Get a session' },
    },
    async (a) =>
      read(async () => {
        const s = await mustGet(a.session_id);
        return { session: s.summary, state: s.state };
      }),
  );

  server.registerTool(
    'list_sessions',
    {
      title: 'List sessions',
      description:
        'Sessions newest first, filtered by type (e.g. admin_shell), status, user, tag, creation time range and full-text q over event content. Pass next_cursor back as cursor for the next page.',
      inputSchema: {
        type: z.string().max(128).optional(),
        status: z.enum(['active', 'completed', 'failed', 'abandoned']).optional(),
        user_id: z.string().max(256).optional(),
        tag: z.string().max(128).optional(),
        since: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO 8601)'),
        until: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO 8601)'),
        q: z.string().min(1).max(500).optional().describe('Full-text search (words ANDed, "phrases", prefix*)'),
        limit: z.number().int().min(1).max(500).optional(),
        cursor: z.string().max(500).optional(),
      },
      annotations: { ...READ, title: 'List sessions' },
    },
    async (a) =>
      read(async () => {
        const q: ListSessionsQuery = {
          ...(a.type ? { type: a.type } : {}),
          ...(a.status ? { status: a.status } : {}),
          ...(a.user_id ? { userId: a.user_id } : {}),
          ...(a.tag ? { tag: a.tag } : {}),
          ...(a.since ? { createdAfter: new Date(a.since).toISOString() } : {}),
          ...(a.until ? { createdBefore: new Date(a.until).toISOString() } : {}),
          ...(a.q ? { q: a.q } : {}),
          limit: a.limit ?? 50,
          ...(a.cursor ? { cursor: a.cursor } : {}),
        };
        const page = await backend.listSessions(q);
        return { sessions: page.sessions, next_cursor: page.nextCursor };
      }),
  );

  server.registerTool(
    'list_events',
    {
      title: 'List events',
      description:
        "A session's event log after a seq (exclusive), oldest first; next_after is the seq for the next page (null at the end).",
      inputSchema: {
        session_id: SessionId,
        after: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
        kind: z.enum(KINDS).optional(),
      },
      annotations: { ...READ, title: 'List events' },
    },
    async (a) =>
      read(async () => {
        const p = await backend.listEvents(a.session_id, {
          after: a.after ?? 0,
          limit: a.limit ?? 100,
          ...(a.kind ? { kind: a.kind } : {}),
        });
        return { session_id: p.sessionId, events: p.events, last_seq: p.lastSeq, next_after: p.nextAfter };
      }),
  );

  server.registerTool(
    'get_state',
    {
      title: 'Get the state',
      description: 'The session state now, or replayed from the log up to and including at_seq.',
      inputSchema: { session_id: SessionId, at_seq: z.number().int().min(1).optional() },
      annotations: { ...READ, title: 'Get the state' },
    },
    async (a) => read(async () => ({ state: await backend.stateAt(a.session_id, a.at_seq) })),
  );

  server.registerTool(
    'search',
    {
      title: 'Search events',
      description: 'Full-text search over event content across sessions, ranked (words ANDed, "phrases", prefix*).',
      inputSchema: { query: z.string().min(1).max(500), limit: z.number().int().min(1).max(500).optional() },
      annotations: { ...READ, title: 'Search events' },
    },
    async (a) => read(async () => ({ query: a.query, results: await backend.search(a.query, a.limit ?? 50) })),
  );

  server.registerTool(
    'get_stats',
    {
      title: 'Totals',
      description: 'Totals over all sessions: by status and type, events, actions, responses.',
      annotations: { ...READ, title: 'Totals' },
    },
    async () => read(async () => backend.stats()),
  );

  const json = (uri: URL, value: unknown) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }],
  });
  const resourceRead = async <T>(fn: () => Promise<T>): Promise<T> => {
    requireScope(caller, 'read');
    return fn();
  };
  server.registerResource(
    'session',
    new ResourceTemplate('tether://sessions/{session_id}', {
      list: async () =>
        resourceRead(async () => ({
          resources: (await backend.listSessions({ limit: 50, sort: 'updated' })).sessions.map((s) => ({
            uri: `tether://sessions/${encodeURIComponent(s.sessionId)}`,
            name: s.sessionId,
            mimeType: 'application/json',
            description: `${s.type ?? 'session'} · ${s.status}`,
          })),
        })),
    }),
    { title: 'Session', description: "A session's summary and current state (JSON)", mimeType: 'application/json' },
    async (uri, v) =>
      resourceRead(async () => {
        const s = await mustGet(decodeURIComponent(String(v.session_id)));
        return json(uri, { session: s.summary, state: s.state });
      }),
  );
  server.registerResource(
    'session-events',
    new ResourceTemplate('tether://sessions/{session_id}/events', { list: undefined }),
    {
      title: 'Session events',
      description: "A session's event log, the first 1000 events (JSON); use list_events to page",
      mimeType: 'application/json',
    },
    async (uri, v) =>
      resourceRead(async () => {
        const p = await backend.listEvents(decodeURIComponent(String(v.session_id)), { after: 0, limit: 1000 });
        return json(uri, { session_id: p.sessionId, events: p.events, last_seq: p.lastSeq, next_after: p.nextAfter });
      }),
  );
}
