import type { Pool, PoolClient } from 'pg';
import { unicodeSafe } from '../append-decision.js';
import { filterPairs, type CheckpointQuery, type CheckpointRows, type StoredCheckpoint } from '../checkpoints.js';

const buf = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * Writes the LangGraph rows of a batch's committed `checkpoint` / `checkpoint_writes` items inside the append's
 * transaction: at most three statements (checkpoints, blobs, writes), each one multi-row insert from `unnest` arrays.
 * Checkpoints replace one with the same id; blobs keep the first value per (thread, ns, channel, version); writes keep
 * the first per (checkpoint, task, idx) unless the item asks to replace.
 */
export async function writeCheckpointRows(
  client: PoolClient,
  items: Array<{ sessionId: string; seq: number; rows: CheckpointRows }>,
): Promise<void> {
  // ON CONFLICT DO UPDATE may touch a row once per statement: the batch's last put of a checkpoint id wins.
  const cps = [
    ...new Map(
      items
        .filter((i) => i.rows.checkpoint)
        .map((i) => [`${i.rows.threadId}\u0000${i.rows.ns}\u0000${i.rows.checkpoint!.checkpointId}`, i]),
    ).values(),
  ];
  if (cps.length) {
    await client.query(
      `INSERT INTO lg_checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, session_id, seq, type, checkpoint, metadata, channel_versions)
      SELECT u.t, u.ns, u.id, u.par, u.sid, u.seq, u.typ, u.cp, u.meta::jsonb, u.cv::jsonb
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bytea[], $9::text[], $10::text[]) AS u(t, ns, id, par, sid, seq, typ, cp, meta, cv)
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET parent_checkpoint_id = excluded.parent_checkpoint_id, session_id = excluded.session_id,
        seq = excluded.seq, type = excluded.type, checkpoint = excluded.checkpoint, metadata = excluded.metadata, channel_versions = excluded.channel_versions`,
      [
        cps.map((i) => i.rows.threadId),
        cps.map((i) => i.rows.ns),
        cps.map((i) => i.rows.checkpoint!.checkpointId),
        cps.map((i) => i.rows.checkpoint!.parentId),
        cps.map((i) => i.sessionId),
        cps.map((i) => i.seq),
        cps.map((i) => i.rows.checkpoint!.type),
        cps.map((i) => buf(i.rows.checkpoint!.data)),
        cps.map((i) => JSON.stringify(unicodeSafe(i.rows.checkpoint!.metadata))),
        cps.map((i) => JSON.stringify(i.rows.checkpoint!.channelVersions)),
      ],
    );
  }
  const blobs = items.flatMap((i) => (i.rows.blobs ?? []).map((b) => ({ ...b, i })));
  if (blobs.length) {
    await client.query(
      `INSERT INTO lg_blobs (thread_id, checkpoint_ns, channel, version, session_id, type, blob)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[]) ON CONFLICT DO NOTHING`,
      [
        blobs.map((b) => b.i.rows.threadId),
        blobs.map((b) => b.i.rows.ns),
        blobs.map((b) => b.channel),
        blobs.map((b) => b.version),
        blobs.map((b) => b.i.sessionId),
        blobs.map((b) => b.type),
        blobs.map((b) => buf(b.data)),
      ],
    );
  }
  for (const replace of [false, true]) {
    const all = items.flatMap((i) =>
      i.rows.writes && i.rows.writes.replace === replace
        ? i.rows.writes.items.map((w) => ({ ...w, i, cid: i.rows.writes!.checkpointId }))
        : [],
    );
    // Within the batch as across batches: the first write per key is kept, or the last one replaces.
    const byKey = new Map<string, (typeof all)[number]>();
    for (const w of all) {
      const k = `${w.i.rows.threadId}\u0000${w.i.rows.ns}\u0000${w.cid}\u0000${w.taskId}\u0000${w.idx}`;
      if (replace || !byKey.has(k)) byKey.set(k, w);
    }
    const ws = [...byKey.values()];
    if (!ws.length) continue;
    await client.query(
      `INSERT INTO lg_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, session_id, channel, type, blob, task_path)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::text[])
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO ${replace ? 'UPDATE SET channel = excluded.channel, type = excluded.type, blob = excluded.blob, task_path = excluded.task_path' : 'NOTHING'}`,
      [
        ws.map((w) => w.i.rows.threadId),
        ws.map((w) => w.i.rows.ns),
        ws.map((w) => w.cid),
        ws.map((w) => w.taskId),
        ws.map((w) => w.idx),
        ws.map((w) => w.i.sessionId),
        ws.map((w) => w.channel),
        ws.map((w) => w.type),
        ws.map((w) => buf(w.data)),
        ws.map((w) => w.taskPath),
      ],
    );
  }
}

/** Statements that delete a session's checkpoint rows (run in the deletion's transaction). */
export const DELETE_CHECKPOINT_ROWS = ['lg_checkpoints', 'lg_blobs', 'lg_writes'].map(
  (t) => `DELETE FROM ${t} WHERE session_id = $1`,
);

interface Row {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  session_id: string;
  seq: number;
  type: string;
  checkpoint: Buffer;
  metadata: Record<string, unknown>;
  channel_versions: Record<string, string>;
  blobs: Array<{ channel: string; version: string; type: string; data: string }> | null;
  writes: Array<{ taskId: string; idx: number; channel: string; type: string; data: string; taskPath: string }> | null;
}

/**
 * Checkpoints matching `q`, newest first, with their blobs and writes: one statement (the blobs and writes are
 * aggregated per checkpoint, their bytes as base64 text inside the JSON, decoded here).
 */
export async function listCheckpoints(pool: Pool, q: CheckpointQuery): Promise<StoredCheckpoint[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (q.threadId !== undefined) where.push(`c.thread_id = ${p(q.threadId)}`);
  if (q.ns !== undefined) where.push(`c.checkpoint_ns = ${p(q.ns)}`);
  if (q.checkpointId !== undefined) where.push(`c.checkpoint_id = ${p(q.checkpointId)}`);
  if (q.before !== undefined) where.push(`c.checkpoint_id < ${p(q.before)}`);
  // A missing key equals JSON null, as in LangGraph's InMemorySaver.
  for (const f of filterPairs(q.filter))
    where.push(`coalesce(c.metadata -> ${p(f.key)}, 'null'::jsonb) = ${p(f.value)}::jsonb`);
  const sql = `SELECT c.*,
    (SELECT json_agg(json_build_object('channel', b.channel, 'version', b.version, 'type', b.type, 'data', encode(b.blob, 'base64')))
       FROM jsonb_each_text(c.channel_versions) v JOIN lg_blobs b ON b.thread_id = c.thread_id AND b.checkpoint_ns = c.checkpoint_ns
         AND b.channel = v.key AND b.version = v.value) AS blobs,
    (SELECT json_agg(json_build_object('taskId', w.task_id, 'idx', w.idx, 'channel', w.channel, 'type', w.type, 'data', encode(w.blob, 'base64'), 'taskPath', w.task_path)
         ORDER BY w.task_path, w.task_id, w.idx)
       FROM lg_writes w WHERE w.thread_id = c.thread_id AND w.checkpoint_ns = c.checkpoint_ns AND w.checkpoint_id = c.checkpoint_id) AS writes
    FROM lg_checkpoints c${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY c.checkpoint_id DESC${q.limit ? ` LIMIT ${p(q.limit)}` : ''}`;
  const { rows } = await pool.query<Row>(sql, params);
  const b64 = (s: string) => Buffer.from(s.replace(/\n/g, ''), 'base64');
  return rows.map((r) => ({
    threadId: r.thread_id,
    ns: r.checkpoint_ns,
    checkpointId: r.checkpoint_id,
    parentId: r.parent_checkpoint_id,
    type: r.type,
    data: r.checkpoint,
    metadata: r.metadata,
    channelVersions: r.channel_versions,
    sessionId: r.session_id,
    seq: r.seq,
    blobs: (r.blobs ?? []).map((b) => ({ ...b, data: b64(b.data) })),
    writes: (r.writes ?? []).map((w) => ({ ...w, data: b64(w.data) })),
  }));
}
