import type { TetherEvent } from '@tether/protocol';
import type { Store } from '@tether/server';
import { EventChecksum, type ArchiveLine } from './format.js';

/** Sessions per listing page and events per read while exporting. */
const PAGE = 500;

export interface ExportOptions {
  /** Only sessions updated at or after this time, and of them only events received at or after it (ISO 8601). */
  since?: string;
  /** Only these sessions. */
  sessions?: string[];
}

/** The ids of every session of the store (or the ones asked for), newest update first; pages through the list. */
export async function* sessionIdsOf(store: Store, opts: ExportOptions): AsyncGenerator<string> {
  if (opts.sessions?.length) {
    yield* opts.sessions;
    return;
  }
  const since = opts.since ? Date.parse(opts.since) : undefined;
  let cursor: string | undefined;
  for (;;) {
    const { sessions, nextCursor } = await store.listSessions({
      sort: 'updated',
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const s of sessions) {
      if (since !== undefined && Date.parse(s.updated) < since) return;
      yield s.sessionId;
    }
    if (!nextCursor) return;
    cursor = nextCursor;
  }
}

/** A session's events in seq order, a page at a time. */
export async function* eventsOf(store: Store, sessionId: string): AsyncGenerator<TetherEvent> {
  let after = 0;
  for (;;) {
    const page = await store.listEvents(sessionId, { after, limit: PAGE });
    for (const ev of page) yield ev;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}

/** The archive of `store` as lines (see format.ts); `write` is awaited per line, so a slow sink slows the reader. */
export async function exportArchive(
  store: Store,
  opts: ExportOptions,
  write: (line: ArchiveLine) => Promise<void> | void,
): Promise<{ sessions: number; events: number }> {
  await write({
    type: 'archive',
    format: 'tether-archive',
    version: 1,
    exportedAt: new Date().toISOString(),
    since: opts.since ?? null,
  });
  const since = opts.since ? Date.parse(opts.since) : undefined;
  let sessions = 0;
  let events = 0;
  for await (const id of sessionIdsOf(store, opts)) {
    const rec = await store.getSession(id);
    if (!rec) throw new Error(`no session ${id}`);
    const { state: _state, ...s } = rec;
    await write({ type: 'session', session: s });
    const sum = new EventChecksum();
    for await (const ev of eventsOf(store, s.sessionId)) {
      if (since !== undefined && Date.parse(ev.receivedAt) < since) continue;
      const { pos: _pos, ...event } = ev as TetherEvent & { pos?: number };
      sum.add(event);
      await write({ type: 'event', event });
    }
    await write({ type: 'session_end', sessionId: s.sessionId, events: sum.count, checksum: sum.digest() });
    sessions++;
    events += sum.count;
  }
  await write({ type: 'end', sessions, events });
  return { sessions, events };
}
