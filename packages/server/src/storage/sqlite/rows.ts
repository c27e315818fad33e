import type { TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../../events/record.js';
import type { WriteTx } from './transaction.js';

/** Conversions between session records / events and the SQLite adapter's rows and write operations. */

export interface Row {
  session_id: string;
  user_id: string | null;
  type: string | null;
  parent_session_id: string | null;
  status: string;
  tags: string;
  metadata: string;
  initial: string | null;
  final: string | null;
  state: string;
  state_version: number;
  created: string;
  updated: string;
  ended_at: string | null;
  duration_ms: number | null;
  last_seq: number;
}

export function rowToRecord(r: Row): SessionRecord {
  return {
    sessionId: r.session_id,
    userId: r.user_id,
    type: r.type,
    parentSessionId: r.parent_session_id,
    status: r.status as SessionRecord['status'],
    tags: JSON.parse(r.tags),
    metadata: JSON.parse(r.metadata),
    initial: r.initial === null ? null : JSON.parse(r.initial),
    created: r.created,
    updated: r.updated,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    lastSeq: r.last_seq,
    stateVersion: r.state_version,
    state: JSON.parse(r.state),
    final: r.final === null ? null : JSON.parse(r.final),
  };
}

export interface EventRow {
  pos: number;
  session_id: string;
  seq: number;
  event_id: string;
  kind: string;
  ts: string;
  received_at: string;
  data: string;
}

export function rowToEvent(r: EventRow): TetherEvent {
  return {
    id: r.event_id,
    sessionId: r.session_id,
    seq: r.seq,
    kind: r.kind as TetherEvent['kind'],
    timestamp: r.ts,
    receivedAt: r.received_at,
    data: JSON.parse(r.data),
  };
}

/**
 * A copy of a committed record that a transaction may change without readers seeing the change before it commits:
 * counters, usage and top-level fields are copied; the state is deep-copied only for kinds that change it in place.
 */
export function copyForWrite(rec: SessionRecord): SessionRecord {
  const md = rec.metadata;
  return { ...rec, metadata: { ...md, metrics: { ...md.metrics }, tokenUsage: { ...md.tokenUsage } } };
}

/** The row writes for a session record: an insert when `fresh`, else an update (plus status columns when they changed). */
export function sessionOps(r: SessionRecord, fresh: boolean, statusChanged: boolean): NonNullable<WriteTx['ops']> {
  if (!fresh) {
    const ops: NonNullable<WriteTx['ops']> = [
      [
        'updateSession',
        {
          session_id: r.sessionId,
          metadata: JSON.stringify(r.metadata),
          state: JSON.stringify(r.state),
          state_version: r.stateVersion,
          updated: r.updated,
          last_seq: r.lastSeq,
          actions: r.metadata.metrics.actions,
          responses: r.metadata.metrics.responses,
        },
      ],
    ];
    if (statusChanged) {
      ops.push([
        'updateSessionStatus',
        {
          session_id: r.sessionId,
          status: r.status,
          final: r.final === null || r.final === undefined ? null : JSON.stringify(r.final),
          ended_at: r.endedAt,
          duration_ms: r.durationMs,
        },
      ]);
    }
    return ops;
  }
  return [
    [
      'insertSession',
      {
        session_id: r.sessionId,
        user_id: r.userId,
        type: r.type,
        parent_session_id: r.parentSessionId,
        status: r.status,
        tags: JSON.stringify(r.tags),
        metadata: JSON.stringify(r.metadata),
        initial: r.initial === null ? null : JSON.stringify(r.initial),
        final: r.final === null || r.final === undefined ? null : JSON.stringify(r.final),
        state: JSON.stringify(r.state),
        state_version: r.stateVersion,
        created: r.created,
        updated: r.updated,
        ended_at: r.endedAt,
        duration_ms: r.durationMs,
        last_seq: r.lastSeq,
        actions: r.metadata.metrics.actions,
        responses: r.metadata.metrics.responses,
      },
    ],
  ];
}
