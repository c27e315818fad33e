import { randomUUID } from 'node:crypto';

/** The A2A protocol versions the harness speaks: 0.3 (`message/send`, no `A2A-Version` header) and 1.0 (`SendMessage`). */
export type A2AVersion = '0.3' | '1.0';

/** A file to attach: sent inline (bytes, base64) or by reference (`uri`). */
export interface CanaryFile {
  name: string;
  mimeType: string;
  content: string;
  uri?: string;
}

/**
 * How a real client shapes the envelope. `full`: `jsonrpc`, `id` and `messageId` present (what the SDKs send).
 * `noId`: no JSON-RPC `id` and no `messageId` (platform proxies). `bare`: no `jsonrpc`, no `id`, no `messageId`.
 * `legacyType`: 0.3 parts written `{type: …}` instead of `{kind: …}` (pre-0.2 clients; 1.0 has no kind, so ignored).
 */
export interface Shape {
  jsonrpc: boolean;
  id: boolean;
  messageId: boolean;
  legacyType: boolean;
}

export const SHAPES = {
  full: { jsonrpc: true, id: true, messageId: true, legacyType: false },
  noId: { jsonrpc: true, id: false, messageId: false, legacyType: false },
  bare: { jsonrpc: false, id: false, messageId: false, legacyType: false },
  legacy: { jsonrpc: false, id: true, messageId: true, legacyType: true },
} satisfies Record<string, Shape>;

/** One user turn: text and/or a file, in a context, with message metadata (e.g. `userId`). */
export interface TurnInput {
  contextId: string;
  text?: string;
  file?: CanaryFile;
  metadata?: Record<string, unknown>;
  shape: Shape;
}

/** The JSON-RPC envelope and headers a client of `version` sends for `turn`. */
export function envelope(
  version: A2AVersion,
  turn: TurnInput,
): { body: Record<string, unknown>; headers: Record<string, string> } {
  const kindKey = turn.shape.legacyType ? 'type' : 'kind';
  const parts: Record<string, unknown>[] = [];
  if (version === '0.3') {
    if (turn.text !== undefined) parts.push({ [kindKey]: 'text', text: turn.text });
    if (turn.file) {
      const f = turn.file;
      const file = f.uri
        ? { name: f.name, mimeType: f.mimeType, uri: f.uri }
        : { name: f.name, mimeType: f.mimeType, bytes: Buffer.from(f.content).toString('base64') };
      parts.push({ [kindKey]: 'file', file });
    }
  } else {
    if (turn.text !== undefined) parts.push({ text: turn.text });
    if (turn.file) {
      const f = turn.file;
      parts.push(
        f.uri
          ? { url: f.uri, mediaType: f.mimeType, filename: f.name }
          : { raw: Buffer.from(f.content).toString('base64'), mediaType: f.mimeType, filename: f.name },
      );
    }
  }
  const message: Record<string, unknown> = {
    role: version === '0.3' ? 'user' : 'ROLE_USER',
    contextId: turn.contextId,
    parts,
    ...(version === '0.3' ? { kind: 'message' } : {}),
    ...(turn.shape.messageId ? { messageId: randomUUID() } : {}),
    ...(turn.metadata ? { metadata: turn.metadata } : {}),
  };
  const body: Record<string, unknown> = {
    ...(turn.shape.jsonrpc ? { jsonrpc: '2.0' } : {}),
    ...(turn.shape.id ? { id: randomUUID() } : {}),
    method: version === '0.3' ? 'message/send' : 'SendMessage',
    params: { message },
  };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(version === '1.0' ? { 'A2A-Version': '1.0' } : {}),
  };
  return { body, headers };
}

/** What the runtime answered: its text, the task and context ids, or the JSON-RPC / HTTP error. */
export interface Reply {
  status: number;
  body: unknown;
  text: string;
  taskId?: string;
  contextId?: string;
  error?: string;
  latencyMs: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const texts = (parts: unknown): string[] =>
  Array.isArray(parts) ? parts.map((p) => obj(p)?.text).filter((t): t is string => typeof t === 'string') : [];

/** Reads the reply of `message/send` (0.3: a Task or Message with `kind`) or `SendMessage` (1.0: `{task}` | `{message}`). */
export function parseReply(status: number, body: unknown, latencyMs: number): Reply {
  const b = obj(body);
  if (status < 200 || status >= 300) return { status, body, text: '', error: `HTTP ${status}`, latencyMs };
  if (!b) return { status, body, text: '', error: 'reply is not a JSON object', latencyMs };
  const err = obj(b.error);
  if (err)
    return { status, body, text: '', error: `JSON-RPC error ${String(err.code)}: ${String(err.message)}`, latencyMs };
  const result = obj(b.result);
  if (!result) return { status, body, text: '', error: 'reply has no result', latencyMs };
  const task = obj(result.task) ?? (result.kind === 'task' || result.status ? result : undefined);
  const message = obj(result.message) ?? (result.kind === 'message' || (!task && result.parts) ? result : undefined);
  const out: string[] = [];
  if (task) {
    out.push(...texts(obj(obj(task.status)?.message)?.parts));
    for (const a of Array.isArray(task.artifacts) ? task.artifacts : []) out.push(...texts(obj(a)?.parts));
  }
  if (message) out.push(...texts(message.parts));
  const src = task ?? message ?? {};
  return {
    status,
    body,
    text: out.join('\n'),
    latencyMs,
    ...(typeof src.id === 'string' && task
      ? { taskId: src.id }
      : typeof src.taskId === 'string'
        ? { taskId: src.taskId }
        : {}),
    ...(typeof src.contextId === 'string' ? { contextId: src.contextId } : {}),
  };
}

/** Posts one envelope to the agent's JSON-RPC endpoint and parses the reply (`timeoutMs` per request). */
export async function send(
  agentUrl: string,
  env: { body: Record<string, unknown>; headers: Record<string, string> },
  timeoutMs: number,
): Promise<Reply> {
  const t0 = performance.now();
  try {
    const res = await fetch(agentUrl, {
      method: 'POST',
      headers: env.headers,
      body: JSON.stringify(env.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const raw = await res.text();
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      /* kept as text */
    }
    return parseReply(res.status, body, performance.now() - t0);
  } catch (err) {
    const e = err as Error;
    return {
      status: 0,
      body: null,
      text: '',
      error: `cannot reach ${agentUrl}: ${e.cause instanceof Error ? e.cause.message : e.message}`,
      latencyMs: performance.now() - t0,
    };
  }
}
