import { createHash } from 'node:crypto';
import { isValidSessionId } from '@tether/protocol';

/**
 * LangGraph checkpoint rows: what an append item of kind `checkpoint` or `checkpoint_writes` writes beside its event,
 * in the same transaction (tables `lg_checkpoints`, `lg_blobs`, `lg_writes`; SQLite and PostgreSQL migration 6).
 * The event in the thread's session log is the record of the step (what the dashboard shows); these rows hold the
 * serialized bytes and answer LangGraph's lookups by thread, namespace and checkpoint id.
 * Values are opaque bytes with the serializer's type tag (LangGraph's `serde.dumps_typed`).
 */
export interface CheckpointRows {
  threadId: string;
  ns: string;
  /** Present on `checkpoint` items: the checkpoint row (inserted, or replacing one with the same id). */
  checkpoint?: {
    checkpointId: string;
    parentId: string | null;
    type: string;
    data: Uint8Array;
    metadata: Record<string, unknown>;
    channelVersions: Record<string, string>;
  };
  /** Channel values at new versions; an existing (thread, ns, channel, version) is kept (stored once). */
  blobs?: Array<{ channel: string; version: string; type: string; data: Uint8Array }>;
  /** Present on `checkpoint_writes` items: pending writes against `checkpointId`. */
  writes?: {
    checkpointId: string;
    /** Replace rows with the same (task, idx) instead of keeping the first one. */
    replace: boolean;
    items: Array<{ taskId: string; idx: number; channel: string; type: string; data: Uint8Array; taskPath: string }>;
  };
}

/** What `Store.listCheckpoints` filters on (LangGraph's `list` / `get_tuple`). Newest (greatest id) first. */
export interface CheckpointQuery {
  threadId?: string;
  ns?: string;
  checkpointId?: string;
  /** Only ids less than this one. */
  before?: string;
  /** Top-level metadata values; a missing key equals null (LangGraph's InMemorySaver semantics). */
  filter?: Record<string, unknown>;
  limit?: number;
}

/** A stored checkpoint with the blobs of its channel versions and its pending writes. */
export interface StoredCheckpoint {
  threadId: string;
  ns: string;
  checkpointId: string;
  parentId: string | null;
  type: string;
  data: Buffer;
  metadata: Record<string, unknown>;
  channelVersions: Record<string, string>;
  sessionId: string;
  seq: number;
  blobs: Array<{ channel: string; version: string; type: string; data: Buffer }>;
  writes: Array<{ taskId: string; idx: number; channel: string; type: string; data: Buffer; taskPath: string }>;
}

/**
 * The Tether session that holds a LangGraph thread: `lg:<threadId>` when the thread id is a valid session id of at most
 * 125 characters, else `lgh:` and the first 40 hex digits of the thread id's SHA-256 (the thread id is kept in rows).
 */
export function threadSessionId(threadId: string): string {
  const plain = `lg:${threadId}`;
  if (threadId.length <= 125 && isValidSessionId(plain)) return plain;
  return `lgh:${createHash('sha256').update(threadId).digest('hex').slice(0, 40)}`;
}

/** Event kinds that only the checkpoint routes write (they carry {@link CheckpointRows}). */
export const CHECKPOINT_KINDS: ReadonlySet<string> = new Set(['checkpoint', 'checkpoint_writes']);

/** Metadata filter pairs as (JSON path, JSON text of the value); keys are quoted so any key is one path step. */
export function filterPairs(filter: Record<string, unknown> | undefined): Array<{ key: string; value: string }> {
  return Object.entries(filter ?? {}).map(([key, v]) => ({ key, value: JSON.stringify(v ?? null) }));
}
