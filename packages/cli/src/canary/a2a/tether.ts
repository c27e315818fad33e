/** Reads what the runtime stored in Tether, for the layer diagnostics and the failure artifacts. */

export interface TetherConn {
  url: string;
  apiKey?: string;
  /** Prefix of context sessions (`a2a:` for `tether.a2a.ConversationStore`). */
  sessionPrefix: string;
  /** Memory namespace root (`["a2a", "memories"]` for `tether.a2a.MemoryTool`). */
  memoryNamespace: string[];
}

/** One event as `GET /api/sessions/:id/events` returns it. */
export interface StoredEvent {
  seq: number;
  kind: string;
  data?: Record<string, unknown>;
}

/** A session's summary and its whole event log, or `null` when Tether has no such session. */
export interface SessionDump {
  sessionId: string;
  summary: Record<string, unknown>;
  events: StoredEvent[];
}

async function get(
  c: TetherConn,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: unknown }> {
  const res = await fetch(new URL(path, c.url), {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* text */
  }
  return { status: res.status, data };
}

/** The session id `tether.a2a` derives for an A2A context id (same rule as `context_session_id` in Python). */
export async function contextSessionId(c: TetherConn, contextId: string): Promise<string> {
  const sid = c.sessionPrefix + contextId;
  if (/^[A-Za-z0-9._:-]{1,128}$/.test(sid)) return sid;
  const { createHash } = await import('node:crypto');
  return `${c.sessionPrefix}h-${createHash('sha256').update(contextId).digest('hex').slice(0, 40)}`;
}

/** The session's summary and every event (paged by `after`), or null on 404. */
export async function dumpSession(c: TetherConn, sessionId: string): Promise<SessionDump | null> {
  const s = await get(c, 'GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}/summary`);
  if (s.status === 404) return null;
  if (s.status !== 200) throw new Error(`GET summary of ${sessionId}: HTTP ${s.status}`);
  const events: StoredEvent[] = [];
  let after = 0;
  for (;;) {
    const p = await get(c, 'GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}/events?after=${after}&limit=1000`);
    if (p.status !== 200) throw new Error(`GET events of ${sessionId}: HTTP ${p.status}`);
    const page = p.data as { events: StoredEvent[]; nextAfter: number | null };
    events.push(...page.events);
    if (page.nextAfter === null) break;
    after = page.nextAfter;
  }
  return { sessionId, summary: s.data as Record<string, unknown>, events };
}

/** The A2A messages of a session's log (`data.type == "a2a_message"`), in log order. */
export function a2aMessages(d: SessionDump): Array<Record<string, unknown>> {
  return d.events
    .filter((e) => (e.kind === 'action' || e.kind === 'response') && e.data?.type === 'a2a_message')
    .map((e) => ({ seq: e.seq, ...e.data }));
}

/** Memory items under `namespace` (`POST /api/v1/store/items/search`); `available: false` when Tether has no store. */
export async function memoryItems(
  c: TetherConn,
  namespace: string[],
): Promise<{ available: boolean; items: Array<Record<string, unknown>>; error?: string }> {
  try {
    const r = await get(c, 'POST', '/api/v1/store/items/search', {
      namespace_prefix: namespace,
      limit: 100,
      offset: 0,
    });
    if (r.status === 404)
      return {
        available: false,
        items: [],
        error: 'this Tether has no memory store (POST /api/v1/store/items/search: 404)',
      };
    if (r.status !== 200) return { available: true, items: [], error: `store search: HTTP ${r.status}` };
    return { available: true, items: (r.data as { items?: Array<Record<string, unknown>> }).items ?? [] };
  } catch (err) {
    return { available: false, items: [], error: (err as Error).message };
  }
}
