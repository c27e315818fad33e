import type { Outgoing } from './messages.js';

/**
 * How a connection's queued messages become bytes on the wire:
 * - `ws`: one WebSocket text frame per message (the prototype's protocol), concatenated;
 * - `ws-batch`: one `{"type":"batch","messages":[…]}` WebSocket frame (`/ws?batch=1`);
 * - `sse`: one Server-Sent Event per message, concatenated.
 */
export type Framing = 'ws' | 'ws-batch' | 'sse';

/**
 * The bytes of one flush of queued messages, built once per distinct message list and flush round and then written to
 * every socket that has the same list: subscribers of one session get the same messages in a round, so 1,000 of them
 * cost one encoding and 1,000 `write` calls, not 1,000 × (messages in the round).
 * Lists are matched by the identity of their messages (no string keys to build).
 */
export class FrameCache {
  private byFirst = new Map<Outgoing, Array<{ list: Outgoing[]; bytes: Buffer }>>();
  private size = 0;

  /**
   * @param encode the bytes of a list of messages
   * @param single the bytes of one message when the message caches them itself (no entry needed here)
   */
  constructor(
    private readonly encode: (list: Outgoing[]) => Buffer,
    private readonly single?: (m: Outgoing) => Buffer,
  ) {}

  get(list: Outgoing[]): Buffer {
    const first = list[0]!;
    if (list.length === 1 && this.single) return this.single(first);
    let entries = this.byFirst.get(first);
    if (entries) {
      for (const e of entries) if (sameList(e.list, list)) return e.bytes;
    } else {
      if (this.size >= 1024) this.clear();
      this.byFirst.set(first, (entries = []));
    }
    const bytes = this.encode(list);
    entries.push({ list: list.slice(), bytes }); // a copy: connections reuse their queue arrays
    this.size++;
    return bytes;
  }

  clear(): void {
    if (this.size === 0) return;
    this.byFirst = new Map();
    this.size = 0;
  }
}

function sameList(a: Outgoing[], b: Outgoing[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
