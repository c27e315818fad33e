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

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms: the ISO 8601 range that timestamptz and toISOString share. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

/** The client's time as ISO 8601 UTC; `fallback` (the receive time) when it is missing, unparsable or outside years 1–9999. */
export function normalizeTime(ts: string | undefined, fallback: string): string {
  if (ts === undefined) return fallback;
  const t = Date.parse(ts);
  return Number.isNaN(t) || t < MIN_MS || t > MAX_MS ? fallback : new Date(t).toISOString();
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses unpaired UTF-16 surrogates (`\ud800`); SQLite takes
 * both. Returns `value` unchanged when it has neither (the common case, checked on its JSON text), else a deep copy in
 * which each NUL and each unpaired surrogate, in keys and strings, is replaced by U+FFFD. One event's odd bytes must
 * never fail the transaction that carries other writers' events.
 */
export function pgSafe<T>(value: T): T {
  const json = JSON.stringify(value);
  if (json === undefined || !/\\u0000|\\ud[89a-f]/i.test(json)) return value;
  const fix = (s: string): string =>
    s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fix(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
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
