/**
 * Streamed JSON for responses that may be large (the restore and the log arrays of the seed routes): the body is
 * written page by page from storage (PAGE events per read, the event loop free between pages, the socket's
 * backpressure respected), so a 200,000-event session costs the server about one page of memory, not the whole log.
 * What one response may hold is capped (`config.responseMaxItems` entries per array, TETHER_RESPONSE_MAX_ITEMS); past
 * the cap the array simply ends and an RFC 8288 `Link: <…?offset=N>; rel="next"` header says where to go on.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { EventKind, TetherEvent } from '@tether/protocol';
import type { RawEvent, Store } from '../storage/store.js';

/** Events read from storage per page. */
export const PAGE = 200;

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * The JSON texts of the events of one kind of a session, oldest first, skipping `offset` and yielding at most `max`,
 * each mapped by `map(event, ordinal)` (ordinal = 1-based position in that kind's log), joined with commas.
 */
export async function* jsonEntries(
  store: Store,
  sessionId: string,
  kinds: EventKind[],
  offset: number,
  max: number,
  map: (ev: TetherEvent, ordinal: number) => unknown,
  raw?: (ev: RawEvent, ordinal: number) => string | undefined,
): AsyncGenerator<string | Buffer> {
  let after = 0;
  let sent = 0;
  let first = true;
  let skip = offset;
  const listRaw = raw && store.listEventsRaw?.bind(store);
  while (sent < max) {
    const opts = { after, kinds, limit: Math.min(PAGE, max - sent), ...(skip ? { offset: skip } : {}) };
    // With the adapter's raw rows the stored JSON text goes out as it is (no parse and stringify per event).
    const page: Array<RawEvent | TetherEvent> = listRaw
      ? await listRaw(sessionId, opts)
      : await store.listEvents(sessionId, opts);
    if (page.length === 0) break;
    let chunk = '';
    for (const ev of page) {
      sent++;
      const text = listRaw
        ? (raw!(ev as RawEvent, offset + sent) ??
          JSON.stringify(map(parsed(ev as RawEvent, sessionId, kinds[0]!), offset + sent)))
        : JSON.stringify(map(ev as TetherEvent, offset + sent));
      chunk += (first ? '' : ',') + text;
      first = false;
    }
    skip = 0;
    after = page[page.length - 1]!.seq;
    // A Buffer lives outside the JS heap and is freed as soon as the socket has it; a string that waits for the socket
    // would be promoted to the old generation and only go at the next full GC (RSS grows by tens of MB meanwhile).
    yield Buffer.from(chunk);
    if (page.length < PAGE) break;
    await tick();
  }
}

function parsed(r: RawEvent, sessionId: string, kind: EventKind): TetherEvent {
  return {
    id: r.id,
    sessionId,
    seq: r.seq,
    kind,
    timestamp: r.timestamp,
    receivedAt: r.timestamp,
    data: JSON.parse(r.data),
  };
}

/**
 * Splices fields in front of (`head`) or behind (`tail`) a stored object's JSON text without parsing it; undefined when
 * the text is not an object or already has one of `keys` (then the caller spreads it the slow way, so a key the body
 * sent itself wins or loses exactly as with `{...head, ...body, ...tail}`).
 */
export function splice(data: string, keys: readonly string[], head: string, tail: string): string | undefined {
  if (data.charCodeAt(0) !== 123 /* { */ || data.charCodeAt(data.length - 1) !== 125) return undefined;
  for (const k of keys) if (data.includes(`"${k}"`)) return undefined;
  const inner = data.slice(1, -1).trim();
  return `{${[head, inner, tail].filter(Boolean).join(',')}}`;
}

/** One piece of a streamed body: literal JSON text, or a generator of JSON text. */
export type Part = string | AsyncIterable<string | Buffer>;

/** Sends `parts` in order as one `application/json` body, streamed. */
export function sendStreamed(reply: FastifyReply, parts: Part[]): FastifyReply {
  async function* body(): AsyncGenerator<string | Buffer> {
    for (const p of parts) {
      if (typeof p === 'string') yield p;
      else for await (const s of p) yield s;
    }
  }
  return reply
    .type('application/json; charset=utf-8')
    .send(Readable.from(body(), { objectMode: false, highWaterMark: 64 * 1024 }));
}

/** The `Link` header value for the next page of an array route (RFC 8288), or undefined when nothing is left. */
export function nextLink(path: string, offset: number, returned: number, total: number): string | undefined {
  const next = offset + returned;
  return next < total ? `<${path}?offset=${next}>; rel="next"` : undefined;
}
