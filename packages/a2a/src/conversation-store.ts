import { createHash } from 'node:crypto';
import { APIStatusError, type TetherClient } from '@tether/client';
import { Role, type Message, type Part } from '@a2a-js/sdk';

/** Prefix of context sessions (the same as Python's `tether.a2a.DEFAULT_PREFIX`). */
export const DEFAULT_PREFIX = 'a2a:';

/** A part as Tether keeps it (files by reference, never the bytes); the same JSON as `tether.a2a` in Python. */
export type StoredPart =
  | { kind: 'text'; text: string }
  | {
      kind: 'file';
      filename: string;
      mediaType: string;
      url: string | null;
      size: number | null;
      sha256: string | null;
    }
  | { kind: 'data'; data: unknown }
  | { kind: 'unknown' };

/** One message of a conversation as loaded from Tether (`seq`: its place in the session's log). */
export interface StoredMessage {
  seq: number;
  timestamp: string;
  role: 'user' | 'agent';
  messageId: string;
  contextId: string;
  taskId: string | null;
  parts: StoredPart[];
}

/** The Tether session id of an A2A context: `<prefix><contextId>`, or `<prefix>h-<sha256[:40]>` when not a valid id. */
export function contextSessionId(contextId: string, prefix = DEFAULT_PREFIX): string {
  const sid = prefix + contextId;
  return /^[A-Za-z0-9._:-]{1,128}$/.test(sid)
    ? sid
    : `${prefix}h-${createHash('sha256').update(contextId).digest('hex').slice(0, 40)}`;
}

/** The stored JSON of one `@a2a-js/sdk` part; `url` overrides where an inline file is said to live. */
export function storedPart(p: Part, url?: string): StoredPart {
  const c = p.content;
  if (c?.$case === 'text') return { kind: 'text', text: c.value };
  if (c?.$case === 'raw' || c?.$case === 'url') {
    const raw = c.$case === 'raw' ? Buffer.from(c.value) : undefined;
    return {
      kind: 'file',
      filename: p.filename ?? '',
      mediaType: p.mediaType || 'application/octet-stream',
      url: url ?? (c.$case === 'url' ? c.value : null),
      size: raw ? raw.length : null,
      sha256: raw ? createHash('sha256').update(raw).digest('hex') : null,
    };
  }
  if (c?.$case === 'data') return { kind: 'data', data: c.value };
  return { kind: 'unknown' };
}

/** Options of {@link ConversationStore}. */
export interface ConversationStoreOptions {
  /** Session id prefix (default `a2a:`). */
  prefix?: string;
  /** Newest events {@link ConversationStore.history} loads by default (default 50). */
  window?: number;
}

/**
 * Conversations of A2A contexts in Tether, one session per `contextId` (type `a2a_context`): user messages are `action`
 * events, agent messages `response` events, each `{type: "a2a_message", role, messageId, contextId, taskId, parts}`,
 * idempotent by `a2a-msg:<messageId>`. Every send gets a new task id, so keying by task id would lose the conversation.
 * Same layout as Python's `tether.a2a.ConversationStore`; see docs/a2a.md.
 */
export class ConversationStore {
  readonly prefix: string;
  readonly window: number;
  private readonly known = new Set<string>();

  constructor(
    readonly client: TetherClient,
    opts: ConversationStoreOptions = {},
  ) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.window = opts.window ?? 50;
  }

  sessionId(contextId: string): string {
    return contextSessionId(contextId, this.prefix);
  }

  /** Creates the context's session unless it exists; returns its id. */
  async ensureSession(contextId: string, userId?: string): Promise<string> {
    const sid = this.sessionId(contextId);
    if (this.known.has(sid)) return sid;
    try {
      await this.client.sessions.create({
        sessionId: sid,
        type: 'a2a_context',
        metadata: { a2a: { contextId } },
        ...(userId ? { userId } : {}),
      });
    } catch (err) {
      if (!(err instanceof APIStatusError && err.status === 409)) throw err;
    }
    this.known.add(sid);
    return sid;
  }

  /** Appends one message (user → `action`, agent → `response`); returns its seq. `fileUrls` maps part index → URL. */
  async append(
    message: Message,
    opts: { contextId?: string; taskId?: string; userId?: string; fileUrls?: Record<number, string> } = {},
  ): Promise<number> {
    const contextId = opts.contextId ?? message.contextId;
    const sid = await this.ensureSession(contextId, opts.userId);
    const role = message.role === Role.ROLE_AGENT ? 'agent' : 'user';
    const data = {
      type: 'a2a_message',
      role,
      messageId: message.messageId,
      contextId,
      taskId: opts.taskId ?? (message.taskId || null),
      parts: message.parts.map((p, i) => storedPart(p, opts.fileUrls?.[i])),
    };
    const res = await this.client.ingest([
      {
        ...(message.messageId ? { id: `a2a-msg:${message.messageId}` } : {}),
        sessionId: sid,
        kind: role === 'user' ? 'action' : 'response',
        data,
      },
    ]);
    const r = res.results[0];
    if (!r || r.seq === undefined)
      throw new Error(`append to ${sid} rejected: ${r?.code ?? 'no result'} ${r?.detail ?? ''}`);
    return r.seq;
  }

  /** The newest `limit` (default `window`) events of the context as messages, oldest first; empty for a new context. */
  async history(contextId: string, limit = this.window): Promise<StoredMessage[]> {
    const sid = this.sessionId(contextId);
    let lastSeq: number;
    try {
      lastSeq = (await this.client.sessions.summary(sid)).lastSeq;
    } catch (err) {
      if (err instanceof APIStatusError && err.status === 404) return [];
      throw err;
    }
    const page = await this.client.sessions.events(sid, { after: Math.max(0, lastSeq - limit), limit });
    return page.events
      .filter(
        (e) =>
          (e.kind === 'action' || e.kind === 'response') && (e.data as Record<string, unknown>)?.type === 'a2a_message',
      )
      .map((e) => {
        const d = e.data as Record<string, unknown>;
        return {
          seq: e.seq,
          timestamp: e.timestamp,
          role: d.role === 'agent' ? 'agent' : 'user',
          messageId: String(d.messageId ?? ''),
          contextId: String(d.contextId ?? contextId),
          taskId: (d.taskId as string | null) ?? null,
          parts: (d.parts as StoredPart[]) ?? [],
        };
      });
  }
}
