import type { PoolClient } from 'pg';
import type { TetherEvent } from '@tether/protocol';
import type { SessionRecord } from '../../events/record.js';
import { planBatch, type AppendTarget, type DerivedColumns } from '../append-decision.js';
import type { AppendItem, AppendOutcome, PositionedEvent } from '../store.js';
import { ftsText } from '../search-text.js';
import { writeCheckpointRows } from './pg-checkpoints.js';
import { EVENT_COLUMNS, rowToEvent, rowToRecord, type EventRow, type SessionRow } from './pg-rows.js';

/** What one batch will write, decided in memory from the locked session rows. */
interface Plan {
  /** New events in append order (their `pos` is filled in after the insert). */
  events: TetherEvent[];
  /** Per event: its data as JSON text, and the text the full-text index gets. */
  texts: string[];
  fts: string[];
  derived: DerivedColumns[];
  /** Sessions this batch creates (inserted), and existing sessions it changed (updated), in their final form. */
  fresh: Map<string, SessionRecord>;
  changed: Map<string, SessionRecord>;
}

const key = (sessionId: string, eventId: string) => `${sessionId}\u0000${eventId}`;

/**
 * The batch's view for the shared append decision ({@link planBatch}): `records` were read under row locks, `stored`
 * are the events already stored under the items' ids; both are copied, so a plan thrown away leaves them untouched.
 */
function target(records: Map<string, SessionRecord>, stored: Map<string, TetherEvent>): AppendTarget & { plan: Plan } {
  const recs = new Map(records);
  const prior = new Map(stored);
  const plan: Plan = { events: [], texts: [], fts: [], derived: [], fresh: new Map(), changed: new Map() };
  return {
    plan,
    record: (sessionId) => recs.get(sessionId),
    prior: (sessionId, eventId) => prior.get(key(sessionId, eventId)),
    write: (event, text, _before, derived) => {
      plan.events.push(event);
      plan.texts.push(text);
      plan.derived.push(derived);
      plan.fts.push(ftsText(event.kind, event.data));
      prior.set(key(event.sessionId, event.id), event);
    },
    accepted: (_item, session, committed) => {
      const id = session.sessionId;
      if (committed[0]!.kind === 'session_created' || plan.fresh.has(id)) plan.fresh.set(id, session);
      else plan.changed.set(id, session);
      recs.set(id, session);
    },
  };
}

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

const INSERT_SESSIONS = `INSERT INTO sessions (session_id, user_id, type, parent_session_id, status, tags, metadata, initial, final, state,
    state_version, created, updated, ended_at, duration_ms, last_seq, actions, responses)
  SELECT u.sid, u.uid, u.typ, u.par, u.st, u.tags::jsonb, u.meta::jsonb, u.ini::jsonb, u.fin::jsonb, u.state::jsonb,
    u.sv, u.cr::timestamptz, u.up::timestamptz, u.ended::timestamptz, u.dur, u.ls, u.act, u.resp
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
    $11::int[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::int[], $17::int[], $18::int[])
    AS u(sid, uid, typ, par, st, tags, meta, ini, fin, state, sv, cr, up, ended, dur, ls, act, resp)`;

const UPDATE_SESSIONS = `UPDATE sessions s SET status = u.st, metadata = u.meta::jsonb, final = u.fin::jsonb, state = u.state::jsonb,
    state_version = u.sv, updated = u.up::timestamptz, ended_at = u.ended::timestamptz, duration_ms = u.dur, last_seq = u.ls,
    actions = u.act, responses = u.resp
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::bigint[], $11::int[], $12::int[], $13::int[])
    AS u(sid, st, meta, fin, state, sv, up, ended, dur, ls, act, resp)
  WHERE s.session_id = u.sid`;

/**
 * Lock (when commits are serialized), queue the wake-up notification (delivered by PostgreSQL at commit, to every
 * server's listener; `$22` channel, `$23` payload), update the changed sessions, insert the events: one statement, one
 * round trip.
 */
function writeEventsSql(serialize: boolean): string {
  const lock = serialize ? 'SELECT pg_advisory_xact_lock($1::bigint) AS held' : 'SELECT $1::bigint AS held';
  return `WITH lock AS MATERIALIZED (${lock}), wake AS MATERIALIZED (SELECT pg_notify($22::text, $23::text) AS sent),
  upd AS (${UPDATE_SESSIONS} RETURNING 1)
INSERT INTO events (session_id, seq, event_id, kind, ts, received_at, data, fts, tool, tool_error, tokens_in, tokens_out)
  SELECT e.sid, e.seq, e.eid, e.kind, e.ts::timestamptz, e.ra::timestamptz, e.data::jsonb, to_tsvector('simple', e.txt),
    e.tool, e.terr, e.tin, e.tout
  FROM lock, wake, unnest($14::text[], $15::int[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[],
    $24::text[], $25::boolean[], $26::float8[], $27::float8[])
    WITH ORDINALITY AS e(sid, seq, eid, kind, ts, ra, data, txt, tool, terr, tin, tout, ord)
  ORDER BY e.ord
RETURNING pos, session_id, seq`;
}

/**
 * Runs one batch inside an open transaction on `client`: locks the touched session rows (`SELECT … FOR UPDATE`, in
 * session-id order so that two servers never deadlock on them), reads their current records and the events already
 * stored under the items' ids, decides every item in memory, inserts created sessions, then in one statement takes
 * the commit-order lock (`posLock`, held to commit; null = not serialized), updates the changed sessions and inserts
 * the events. Sets `pos` on every committed event. `wake` is the NOTIFY channel and payload queued with the events
 * (tiny: the servers read the events themselves from the log by pos, so NOTIFY's 8,000-byte payload limit never
 * matters). Throws the database's error (the caller rolls back and may retry).
 */
export async function appendInTransaction(
  client: PoolClient,
  items: AppendItem[],
  posLock: string | null,
  wake: { channel: string; payload: string },
): Promise<AppendOutcome[]> {
  const ids = [...new Set(items.map((i) => i.input.sessionId))].sort();
  const { rows } = await client.query<SessionRow>(
    'SELECT * FROM sessions WHERE session_id = ANY($1::text[]) ORDER BY session_id FOR UPDATE',
    [ids],
  );
  const known = new Set(rows.map((r) => r.session_id));
  const prior = new Map<string, TetherEvent>();
  const asked = items.filter((i) => i.input.id !== undefined && known.has(i.input.sessionId));
  if (asked.length) {
    const found = await client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE (session_id, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [asked.map((i) => i.input.sessionId), asked.map((i) => i.input.id!)],
    );
    for (const r of found.rows) prior.set(key(r.session_id, r.event_id), rowToEvent(r));
  }
  // An item that fails halfway gets its own error and the batch is planned again without it, on fresh records.
  const base = new Map(rows.map((r) => [r.session_id, rowToRecord(r)]));
  const { target: t, outcomes } = planBatch(items, () => target(base, prior));
  const p = t.plan;
  if (p.fresh.size) {
    const f = [...p.fresh.values()];
    await client.query(INSERT_SESSIONS, [
      f.map((r) => r.sessionId),
      f.map((r) => r.userId),
      f.map((r) => r.type),
      f.map((r) => r.parentSessionId),
      f.map((r) => r.status),
      f.map((r) => JSON.stringify(r.tags)),
      f.map((r) => JSON.stringify(r.metadata)),
      f.map((r) => json(r.initial)),
      f.map((r) => json(r.final)),
      f.map((r) => JSON.stringify(r.state)),
      f.map((r) => r.stateVersion),
      f.map((r) => r.created),
      f.map((r) => r.updated),
      f.map((r) => r.endedAt),
      f.map((r) => r.durationMs),
      f.map((r) => r.lastSeq),
      f.map((r) => r.metadata.metrics.actions),
      f.map((r) => r.metadata.metrics.responses),
    ]);
  }
  if (!p.events.length) return outcomes;
  const c = [...p.changed.values()];
  const e = p.events;
  const res = await client.query<{ pos: string; session_id: string; seq: number }>(writeEventsSql(posLock !== null), [
    posLock ?? '0',
    c.map((r) => r.sessionId),
    c.map((r) => r.status),
    c.map((r) => JSON.stringify(r.metadata)),
    c.map((r) => json(r.final)),
    c.map((r) => JSON.stringify(r.state)),
    c.map((r) => r.stateVersion),
    c.map((r) => r.updated),
    c.map((r) => r.endedAt),
    c.map((r) => r.durationMs),
    c.map((r) => r.lastSeq),
    c.map((r) => r.metadata.metrics.actions),
    c.map((r) => r.metadata.metrics.responses),
    e.map((ev) => ev.sessionId),
    e.map((ev) => ev.seq),
    e.map((ev) => ev.id),
    e.map((ev) => ev.kind),
    e.map((ev) => ev.timestamp),
    e.map((ev) => ev.receivedAt),
    p.texts,
    p.fts,
    wake.channel,
    wake.payload,
    p.derived.map((d) => d.tool),
    p.derived.map((d) => (d.toolError === null ? null : d.toolError === 1)),
    p.derived.map((d) => d.tokensIn),
    p.derived.map((d) => d.tokensOut),
  ]);
  const pos = new Map(res.rows.map((r) => [`${r.session_id}\u0000${r.seq}`, Number(r.pos)]));
  for (const ev of e) (ev as PositionedEvent).pos = pos.get(`${ev.sessionId}\u0000${ev.seq}`)!;
  const side = items.flatMap((item, i) => {
    const o = outcomes[i];
    return item.checkpoint && o?.ok && !o.duplicate
      ? [{ sessionId: o.event.sessionId, seq: o.event.seq, rows: item.checkpoint }]
      : [];
  });
  if (side.length) await writeCheckpointRows(client, side);
  return outcomes;
}
