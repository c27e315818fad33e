import {
  LIVE_MESSAGE_TYPES,
  type LiveEventMessage,
  type LiveListEventMessage,
  type LiveServerMessage,
  type LiveSessionDeletedMessage,
  type LiveSessionUpdatedMessage,
  type SessionSummary,
  type TetherEvent,
} from '@tether/protocol';
import { checkLiveMessage } from './check.js';

/** The subscription kinds of the live feed (see docs/live-feed.md). */
export type Channel = 'session' | 'firehose' | 'list';
export const CHANNELS: readonly Channel[] = ['session', 'firehose', 'list'];

/** An event as the live feed gets it: from the hub (with `pos`) or from storage (`pos` for the firehose replay only). */
export type LiveEvent = TetherEvent & { pos?: number };

/**
 * An event message of the `session` or `firehose` channel: the prototype's `{type, sessionId, data, timestamp}` plus
 * `channel`, `seq`, `eventId`, `pos` (when known), `kind`, `receivedAt`.
 */
export function eventMessage(ev: LiveEvent, channel: 'session' | 'firehose'): LiveEventMessage {
  return {
    type: LIVE_MESSAGE_TYPES[ev.kind] ?? ev.kind,
    channel,
    sessionId: ev.sessionId,
    seq: ev.seq,
    eventId: ev.id,
    ...(ev.pos !== undefined ? { pos: ev.pos } : {}),
    kind: ev.kind,
    timestamp: ev.timestamp,
    receivedAt: ev.receivedAt,
    data: ev.data,
  };
}

/** A `list` channel message for a session-level event (`session_created`, `session_finalized`) with the summary as of now. */
export function listEventMessage(ev: LiveEvent, session: SessionSummary): LiveListEventMessage {
  return { ...eventMessage(ev, 'session'), channel: 'list', session };
}

/** A `session_updated` list message (coalesced new activity of a session). */
export function listUpdateMessage(session: SessionSummary): LiveSessionUpdatedMessage {
  return {
    type: 'session_updated',
    channel: 'list',
    sessionId: session.sessionId,
    timestamp: new Date().toISOString(),
    session,
  };
}

/** `session_deleted` on any channel; deletion is not an event of the log, so it has no `seq` or `pos`. */
export function deletedMessage(sessionId: string, timestamp: string, channel: Channel): LiveSessionDeletedMessage {
  return {
    type: 'session_deleted',
    channel,
    sessionId,
    timestamp,
    data: {},
    ...(channel === 'list' ? { session: null } : {}),
  };
}

/**
 * One outgoing message, serialized at most once however many connections receive it: the JSON text, a Buffer for
 * WebSocket frames (shared, so `ws` does not copy it per socket) and the SSE frame (`id:` line when `id` is set).
 */
let nextUid = 0;

export class Outgoing {
  /** Identity of this message within the process (keys the batch-frame cache). */
  readonly uid = nextUid++;
  private textCache: string | undefined;
  private bufferCache: Buffer | undefined;
  private sseCache: Buffer | undefined;
  private frameCache: Buffer | undefined;

  /** `id`: the resume position (seq or pos) for SSE, undefined for control messages. */
  private readonly body: LiveServerMessage;

  constructor(
    body: LiveServerMessage,
    readonly id?: number,
  ) {
    this.body = checkLiveMessage(body);
  }

  get text(): string {
    return (this.textCache ??= JSON.stringify(this.body));
  }

  get buffer(): Buffer {
    return (this.bufferCache ??= Buffer.from(this.text));
  }

  /**
   * The complete WebSocket frame (RFC 6455 §5.2: FIN, text opcode, unmasked as server frames are, then the payload),
   * built once and written as is to every socket: the same bytes for every subscriber.
   */
  get wsFrame(): Buffer {
    return (this.frameCache ??= wsTextFrame(this.buffer));
  }

  get sse(): Buffer {
    return (this.sseCache ??= Buffer.from(`${this.id !== undefined ? `id: ${this.id}\n` : ''}data: ${this.text}\n\n`));
  }

  /** Size in bytes of the WebSocket payload. */
  get bytes(): number {
    return this.buffer.length;
  }
}

/** A complete unmasked WebSocket text frame for `payload` (RFC 6455 §5.2: FIN, text opcode, length, payload). */
export function wsTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = n;
  else if (n < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}
