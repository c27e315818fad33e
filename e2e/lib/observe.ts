/** Reads what the running service holds for a set of sessions, through the public API only. */
import type { Observed, StoredEvent, StoredSession } from './checks.js';

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

/**
 * For each session id: `GET /api/sessions/:id` (the restore) and the whole log from `GET /api/sessions/:id/events`
 * (paged by `nextAfter`). A 404 gives `null`; any other non-200 answer throws with the status and body.
 */
export async function observe(baseUrl: string, sessionIds: Iterable<string>): Promise<Observed> {
  const out: Observed = new Map();
  for (const sid of sessionIds) {
    const id = encodeURIComponent(sid);
    const r = await getJson(`${baseUrl}/api/v1/sessions/${id}`);
    if (r.status === 404) {
      out.set(sid, null);
      continue;
    }
    if (r.status !== 200)
      throw new Error(`GET /api/sessions/${sid} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    const events: StoredEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await getJson(`${baseUrl}/api/v1/sessions/${id}/events?after=${after}&limit=1000`);
      if (page.status !== 200) throw new Error(`GET /api/sessions/${sid}/events answered ${page.status}`);
      events.push(...(page.body.events as StoredEvent[]));
      if (page.body.nextAfter == null) break;
      after = page.body.nextAfter as number;
    }
    out.set(sid, { restore: r.body as StoredSession['restore'], events });
  }
  return out;
}
