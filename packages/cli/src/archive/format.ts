import { createHash } from 'node:crypto';
import type { TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '@tether/server';

/**
 * The Tether archive: JSON Lines, one JSON object per line, streamed (a reader needs memory for one line, a writer for
 * one page of events).
 *
 * - `{"type":"archive","format":"tether-archive","version":1,"exportedAt":…,"since":…|null}` — first line
 * - `{"type":"session","session":…}` — the session's record without its state (derived from the events), before them
 * - `{"type":"event","event":<TetherEvent>}` — one per event, in seq order within its session
 * - `{"type":"session_end","sessionId":…,"events":N,"checksum":"sha256:…"}` — count and checksum of the session's
 *   events in this archive ({@link EventChecksum})
 * - `{"type":"end","sessions":N,"events":M}` — last line (an archive without it was cut short)
 */
export type ArchiveLine =
  | { type: 'archive'; format: 'tether-archive'; version: 1; exportedAt: string; since: string | null }
  | { type: 'session'; session: Omit<SessionRecord, 'state'> }
  | { type: 'event'; event: TetherEvent }
  | { type: 'session_end'; sessionId: string; events: number; checksum: string }
  | { type: 'end'; sessions: number; events: number };

/** JSON with object keys sorted at every level: equal values give equal text whatever the engine did to key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * SHA-256 over a session's events in seq order: seq, kind, event id, time (ISO 8601 UTC, ms) and canonical data, one
 * line each. Equal on SQLite and PostgreSQL for the same log (JSONB key order does not matter).
 */
export class EventChecksum {
  private readonly h = createHash('sha256');
  count = 0;
  add(ev: TetherEvent): void {
    this.count++;
    this.h.update(
      `${ev.seq}\t${ev.kind}\t${ev.id}\t${new Date(ev.timestamp).toISOString()}\t${canonicalJson(ev.data)}\n`,
    );
  }
  digest(): string {
    return `sha256:${this.h.digest('hex')}`;
  }
}
