import { isValidSessionId, MAX_JSON_DEPTH, type ErrorCode } from '@tether/protocol';
import { tooDeep } from '../util/json-limits.js';
import { CHANNELS, type Channel } from './messages.js';
import { subKey } from './subscription.js';

/** A client operation on `/ws`, parsed and checked (see docs/live-feed.md "Client operations"). */
export type ClientOp = { id?: string | number } & (
  | { kind: 'ping' }
  | { kind: 'subscribe'; channel: Channel; sessionId?: string; key: string; after?: number; updates: boolean }
  | { kind: 'unsubscribe'; channel: Channel; sessionId?: string; key: string }
  | { kind: 'error'; code: ErrorCode; detail: string }
);

function bad(detail: string, id?: string | number, code: ErrorCode = 'validation_failed'): ClientOp {
  return { kind: 'error', code, detail, ...(id !== undefined ? { id } : {}) };
}

/**
 * Parses one client frame: `{op: "subscribe"|"unsubscribe"|"ping", id?, channel, sessionId?, afterSeq?, afterPos?, updates?}`.
 * Never throws: malformed input becomes `{kind: "error"}` with a stable code (`invalid_json`, `validation_failed`,
 * `invalid_session_id`) that the transport sends back without closing.
 */
export function parseOp(text: string | null): ClientOp {
  if (text === null) return bad('Frames must be JSON text, not binary');
  if (tooDeep(text, MAX_JSON_DEPTH))
    return bad(`The frame nests deeper than ${MAX_JSON_DEPTH} levels`, undefined, 'too_deep');
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    return bad(`The frame is not valid JSON: ${(err as Error).message}`, undefined, 'invalid_json');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    return bad('A frame must be a JSON object with "op"');
  const m = msg as Record<string, unknown>;
  let id: string | number | undefined;
  if (m.id !== undefined) {
    if ((typeof m.id === 'string' && m.id.length <= 200) || (typeof m.id === 'number' && Number.isFinite(m.id)))
      id = m.id as string | number;
    else return bad('id must be a string (at most 200 characters) or a number');
  }
  const withId = id !== undefined ? { id } : {};
  if (m.op === 'ping') return { kind: 'ping', ...withId };
  if (m.op !== 'subscribe' && m.op !== 'unsubscribe') return bad('op must be subscribe, unsubscribe or ping', id);
  const channel = m.channel as Channel;
  if (!CHANNELS.includes(channel)) return bad('channel must be session, firehose or list', id);
  let sessionId: string | undefined;
  if (channel === 'session') {
    if (!isValidSessionId(m.sessionId))
      return bad('sessionId must be 1–128 characters of A-Za-z0-9._:-', id, 'invalid_session_id');
    sessionId = m.sessionId;
  }
  const key = subKey(channel, sessionId);
  const base = { channel, key, ...(sessionId !== undefined ? { sessionId } : {}), ...withId };
  if (m.op === 'unsubscribe') return { kind: 'unsubscribe', ...base };
  const afterField = channel === 'session' ? 'afterSeq' : 'afterPos';
  const raw = m[afterField];
  if (raw !== undefined && raw !== null && (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0)) {
    return bad(`${afterField} must be a whole number >= 0`, id);
  }
  if (channel === 'list' && raw !== undefined) return bad('The list channel has no replay (no afterSeq/afterPos)', id);
  if (m.updates !== undefined && typeof m.updates !== 'boolean') return bad('updates must be true or false', id);
  return {
    kind: 'subscribe',
    ...base,
    ...(typeof raw === 'number' ? { after: raw } : {}),
    updates: m.updates === true,
  };
}
