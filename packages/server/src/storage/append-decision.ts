/**
 * The append decision: what one batch item does to the log, written once for every engine. An adapter supplies a
 * {@link AppendTarget} (where the batch's records and prior events are read, and where new events go) and keeps only
 * its persistence; the rules — duplicate, exists, not found, auto-create, seq and event id, time normalization, the
 * stored text of the data, per-item failure — live here, so SQLite and PostgreSQL cannot drift apart (issue 17).
 */
import {
  eventUsage,
  isToolError,
  toolCallName,
  USAGE_KINDS,
  usageCounts,
  type EventInput,
  type TetherEvent,
} from '@tether/protocol';
import { TetherError } from '../errors.js';
import { applyEvent, claimedTime, resolveEvent } from '../events/reduce.js';
import type { SessionRecord } from '../events/record.js';
import { uuidv7 } from '../util/uuid7.js';
import { CHECKPOINT_KINDS } from './checkpoints.js';
import { itemError, PoisonedItem } from './item-errors.js';
import type { AppendItem, AppendOutcome } from './store.js';

/**
 * What an event's data means for analytics, decided once when it is appended and stored in columns of its own
 * (`tool`, `tool_error`, `tokens_in`, `tokens_out`), so that analytics reads columns and no engine's SQL re-derives it:
 * - `tool`: `toolCallName(data)` of @tether/protocol for an `action` that is a tool call, else null;
 * - `toolError`: `isToolError(data)` as 1/0 when `tool` is set, else null;
 * - `tokensIn`/`tokensOut`: `usageCounts(eventUsage(data))` for the kinds that carry usage (`USAGE_KINDS`: 0 when
 *   the event carries none), else null.
 * Rows stored before these columns existed were filled by the migration from the same rules as SQL
 * (storage/tool-sql.ts, checked against these functions by test/rules-sql.test.ts).
 */
export interface DerivedColumns {
  tool: string | null;
  toolError: 0 | 1 | null;
  tokensIn: number | null;
  tokensOut: number | null;
}

const NO_DERIVED: DerivedColumns = Object.freeze({ tool: null, toolError: null, tokensIn: null, tokensOut: null });

/** The {@link DerivedColumns} of an event of `kind` with `data`. Pure; never throws. */
export function derivedColumns(kind: string, data: Record<string, unknown>): DerivedColumns {
  if (!USAGE_KINDS.includes(kind)) return NO_DERIVED;
  const tool = kind === 'action' ? (toolCallName(data) ?? null) : null;
  const usage = eventUsage(data);
  if (tool === null && usage === undefined) return NO_TOOL_NO_USAGE; // most responses: nothing to allocate
  const u = usageCounts(usage);
  return { tool, toolError: tool === null ? null : isToolError(data) ? 1 : 0, tokensIn: u.input, tokensOut: u.output };
}

const NO_TOOL_NO_USAGE: DerivedColumns = Object.freeze({ tool: null, toolError: null, tokensIn: 0, tokensOut: 0 });

/**
 * What the decision needs from an adapter while it plans one batch. Calls come in item order; a plan may be thrown
 * away and started again from a fresh target ({@link planBatch}), so a target changes nothing outside its batch.
 */
export interface AppendTarget {
  /**
   * The session's record as the batch so far left it — a working copy that `applyEvent` may return changed, never
   * the committed record readers see — or undefined when the session does not exist.
   */
  record(sessionId: string): SessionRecord | undefined;
  /** The event already stored, or written earlier in this batch, under this id in this session. */
  prior(sessionId: string, eventId: string): TetherEvent | undefined;
  /**
   * Takes one new event (called before the record is advanced past it): `text` is `event.data` serialised (the text to
   * store; never serialise it again), `before` the session's record before it (undefined for the event that creates
   * the session), `derived` its {@link DerivedColumns}. The adapter queues its row and may prepare the record (e.g.
   * copy the state before kinds that change it in place). Positional arguments: no object per event. Must not throw
   * for a valid event.
   */
  write(event: TetherEvent, text: string, before: SessionRecord | undefined, derived: DerivedColumns): void;
  /** The item was accepted: `session` is the record after its events (`committed`, 1 or 2 with auto-creation). */
  accepted(item: AppendItem, session: SessionRecord, committed: TetherEvent[]): void;
}

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms: the range ISO 8601's four-digit years (and timestamptz) share. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

/**
 * An event's time as ISO 8601 UTC with milliseconds (`2026-02-13T10:00:00.000Z`): the client's `ts` when it parses
 * (`Date.parse`, any offset) and falls in years 1–9999, else `fallback` (the server's receive time). The range keeps
 * stored times sortable as text and storable in PostgreSQL's timestamptz.
 */
export function normalizeTime(ts: string | undefined, fallback: string): string {
  if (ts === undefined) return fallback;
  const t = Date.parse(ts);
  return Number.isNaN(t) || t < MIN_MS || t > MAX_MS ? fallback : new Date(t).toISOString();
}

/** NUL, or an unpaired UTF-16 surrogate, as `JSON.stringify` escapes them in its text. */
const ODD_ESCAPE = /\\u0000|\\ud[89a-f]/;
const ODD_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `value` with each NUL and each unpaired UTF-16 surrogate, in keys and strings, replaced by U+FFFD: returned as it is
 * when its JSON text has none (the common case), else a deep copy. PostgreSQL's text and jsonb cannot hold U+0000 or
 * unpaired surrogates; applying the same rule on every engine keeps an export from one importable into the other
 * unchanged, and one event's odd bytes from failing the transaction that carries other writers' events.
 */
export function unicodeSafe<T>(value: T, text = JSON.stringify(value)): T {
  // JSON.stringify writes `\u` only for control characters and lone surrogates (lowercase hex): most texts have none,
  // and indexOf finds that faster than the regex did (~1 µs of a 560-byte tool call's planning, profiled in-process).
  if (text === undefined || text.indexOf('\\u') === -1 || !ODD_ESCAPE.test(text)) return value;
  const fix = (s: string): string => s.replace(ODD_CHAR, '\ufffd');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fix(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * Event data as stored, and its JSON text (the text the adapter stores; it is never serialised again): {@link
 * unicodeSafe} of `data`, checked with one regex test over the text. Throws what `JSON.stringify` throws.
 */
export function storedData(data: Record<string, unknown>): { data: Record<string, unknown>; text: string } {
  const text = JSON.stringify(data);
  const clean = unicodeSafe(data, text);
  return clean === data ? { data, text } : { data: clean, text: JSON.stringify(clean) };
}

/** The data of the `session_created` event that auto-creation writes. */
const autoCreated = (): Record<string, unknown> => ({
  autoCreated: true,
  userId: null,
  type: null,
  parentSessionId: null,
  tags: [],
  metadata: {},
  initial: null,
});
const AUTO_CREATED_TEXT = JSON.stringify(autoCreated());

/** Builds one new event: seq after the record's last, the client's id or a UUIDv7, the normalized time. */
function newEvent(
  rec: SessionRecord | undefined,
  input: EventInput,
  data: Record<string, unknown>,
  receivedAt: string,
) {
  return {
    id: input.id ?? uuidv7(),
    sessionId: input.sessionId,
    seq: (rec?.lastSeq ?? 0) + 1,
    kind: input.kind,
    timestamp: normalizeTime(
      input.timestamp ?? (typeof data.timestamp === 'string' ? data.timestamp : undefined),
      receivedAt,
    ),
    receivedAt,
    data,
  } satisfies TetherEvent;
}

/**
 * Decides one item against the batch so far, in this order: a duplicate id in an existing session answers the stored
 * event (`duplicate: true`, nothing written); `session_created` for an existing session is `session_exists`; another
 * kind for a missing one is `session_not_found` unless `autoCreate` (then a `session_created` event with
 * `autoCreated: true`, timed at the item's own claimed time, comes first); LangGraph kinds come only with their
 * checkpoint rows; then the kind's own checks (`resolveEvent`: expectedVersion, goals, agents, patches) and the stored
 * text ({@link storedData}). Every refusal up to there changed nothing and is the item's `{ok: false}`. An error after
 * the first `write` (inside `applyEvent`: a bug) throws {@link PoisonedItem} so that {@link planBatch} plans again.
 */
export function decideAppend(item: AppendItem, index: number, t: AppendTarget): AppendOutcome {
  const { input } = item;
  let rec = t.record(input.sessionId);
  if (rec && input.id !== undefined) {
    const dup = t.prior(input.sessionId, input.id);
    if (dup) return { ok: true, event: dup, duplicate: true, committed: [], session: rec };
  }
  if (rec && input.kind === 'session_created')
    return { ok: false, error: new TetherError('session_exists', `Session ${input.sessionId} already exists`) };
  if (!rec && input.kind !== 'session_created' && !item.autoCreate)
    return { ok: false, error: new TetherError('session_not_found', `Session ${input.sessionId} does not exist`) };
  if (CHECKPOINT_KINDS.has(input.kind) !== (item.checkpoint !== undefined))
    return {
      ok: false,
      error: new TetherError(
        'validation_failed',
        `${input.kind} events come only with their checkpoint rows (POST /api/v1/langgraph/…)`,
      ),
    };
  let stored: { data: Record<string, unknown>; text: string };
  try {
    stored = storedData(resolveEvent(rec, input));
  } catch (err) {
    return { ok: false, error: itemError(err) };
  }
  const committed: TetherEvent[] = [];
  try {
    if (!rec && input.kind !== 'session_created') {
      const claimed = claimedTime(input);
      const created = newEvent(
        undefined,
        { sessionId: input.sessionId, kind: 'session_created', ...(claimed ? { timestamp: claimed } : {}) },
        autoCreated(),
        item.receivedAt,
      );
      t.write(created, AUTO_CREATED_TEXT, undefined, NO_DERIVED);
      rec = applyEvent(undefined, created);
      committed.push(created);
    }
    const ev = newEvent(rec, input, stored.data, item.receivedAt);
    t.write(ev, stored.text, rec, derivedColumns(ev.kind, ev.data));
    rec = applyEvent(rec, ev);
    committed.push(ev);
    t.accepted(item, rec, committed);
    return { ok: true, event: ev, duplicate: false, committed, session: rec };
  } catch (err) {
    throw new PoisonedItem(index, err);
  }
}

/**
 * Plans a whole batch: {@link decideAppend} for each item on a target from `begin()`. An item that fails halfway
 * ({@link PoisonedItem}) gets its own error and the batch is planned again from a fresh `begin()` without it, so a
 * bug that one event triggers never fails the other writers' events. An item with `withPrevious` is decided only when
 * the item before it was accepted (new or duplicate), on the input built from that one; otherwise it fails with that
 * item's error and writes nothing.
 * Returns the target of the plan that held and one outcome per item. Rethrows anything that is not an item's.
 */
export function planBatch<T extends AppendTarget>(
  items: AppendItem[],
  begin: () => T,
): { target: T; outcomes: AppendOutcome[] } {
  const poisoned = new Map<number, AppendOutcome>();
  for (;;) {
    const target = begin();
    try {
      const outcomes: AppendOutcome[] = [];
      for (const [i, item] of items.entries()) {
        const failed = poisoned.get(i);
        const before = outcomes[i - 1];
        if (failed) outcomes.push(failed);
        else if (!item.withPrevious) outcomes.push(decideAppend(item, i, target));
        else if (!before?.ok)
          outcomes.push(
            before ?? { ok: false, error: new TetherError('internal_error', 'withPrevious on the first item') },
          );
        else
          outcomes.push(decideAppend({ ...item, input: item.withPrevious(before.event, before.session) }, i, target));
      }
      return { target, outcomes };
    } catch (err) {
      if (!(err instanceof PoisonedItem) || poisoned.has(err.index)) throw err;
      poisoned.set(err.index, { ok: false, error: itemError(err.cause) });
    }
  }
}
