import type { TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../../events/record.js';

/** A `sessions` row as node-postgres returns it (jsonb parsed, timestamptz as Date, bigint as string). */
export interface SessionRow {
  session_id: string;
  user_id: string | null;
  type: string | null;
  parent_session_id: string | null;
  status: string;
  tags: string[];
  metadata: SessionRecord['metadata'];
  initial: Record<string, unknown> | null;
  final: unknown;
  state: SessionRecord['state'];
  state_version: number;
  created: Date;
  updated: Date;
  ended_at: Date | null;
  duration_ms: string | null;
  last_seq: number;
}

/** An `events` row as node-postgres returns it (the tsvector column is never selected). */
export interface EventRow {
  pos: string;
  session_id: string;
  seq: number;
  event_id: string;
  kind: string;
  ts: Date;
  received_at: Date;
  data: Record<string, unknown>;
}

/** The columns of `events` that reads select (everything but the tsvector). */
export const EVENT_COLUMNS = 'pos, session_id, seq, event_id, kind, ts, received_at, data';

export function rowToRecord(r: SessionRow): SessionRecord {
  return {
    sessionId: r.session_id,
    userId: r.user_id,
    type: r.type,
    parentSessionId: r.parent_session_id,
    status: r.status as SessionRecord['status'],
    tags: r.tags,
    metadata: r.metadata,
    initial: r.initial,
    created: r.created.toISOString(),
    updated: r.updated.toISOString(),
    endedAt: r.ended_at ? r.ended_at.toISOString() : null,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    lastSeq: r.last_seq,
    stateVersion: r.state_version,
    state: r.state,
    final: r.final ?? null,
  };
}

export function rowToEvent(r: EventRow): TetherEvent & { pos: number } {
  return {
    id: r.event_id,
    sessionId: r.session_id,
    seq: r.seq,
    kind: r.kind as TetherEvent['kind'],
    timestamp: r.ts.toISOString(),
    receivedAt: r.received_at.toISOString(),
    data: r.data,
    pos: Number(r.pos),
  };
}

/**
 * A stable 63-bit advisory-lock key for `purpose` within `schema` (FNV-1a over the text), as a decimal string for a
 * `$n::bigint` parameter. Different schemas get different keys, so tests in schemas of their own never wait on each other.
 */
export function lockKey(purpose: string, schema: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`tether:${purpose}:${schema}`)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return (h & 0x7fffffffffffffffn).toString();
}
