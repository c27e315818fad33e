import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  getCheckpointId,
  maxChannelVersion,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';

/** Options of {@link TetherSaver}. */
export interface TetherSaverOptions {
  /** The Tether service, e.g. `http://localhost:9000`. */
  baseUrl: string;
  /** Bearer API key with the `ingest` and `read` scopes (when the service has keys). */
  apiKey?: string;
  /** The agent's own Tether session: a thread's session is created as its child. */
  parentSessionId?: string;
  /** LangGraph serializer (default: the base class's JSON serializer). */
  serde?: SerializerProtocol;
  /** Per-request timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** fetch implementation (default the global one). */
  fetch?: typeof fetch;
}

/** A problem+json answer of the service (RFC 9457) with Tether's stable `code`. */
export class TetherSaverError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TetherSaverError';
  }
}

interface Typed {
  type: string;
  data: string;
}
interface WireTuple {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  parentCheckpointId: string | null;
  checkpoint: Typed;
  metadata: CheckpointMetadata;
  blobs: Array<Typed & { channel: string; version: string }>;
  pendingWrites: Array<Typed & { taskId: string; idx: number; channel: string; taskPath?: string }>;
}

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const writer = (): string => `${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`;

/**
 * A LangGraph.js checkpointer (`BaseCheckpointSaver` of `@langchain/langgraph-checkpoint`) on a Tether service's
 * `/api/v1/langgraph` routes. Each thread is a Tether session (type `langgraph`) whose log has a `checkpoint` event per
 * checkpoint; values are serialized with the saver's `serde` and stored by Tether as bytes, the channel values once
 * per (thread, namespace, channel, version). `put` and `putWrites` resolve once the service committed them.
 * Errors: {@link TetherSaverError} for problem+json answers; fetch's own errors when the service cannot be reached.
 */
export class TetherSaver extends BaseCheckpointSaver {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  readonly parentSessionId: string | undefined;
  /** Who writes (pid, start); a checkpoint from another writer shows in the thread's log as a resume. */
  readonly writer = writer();

  constructor(opts: TetherSaverOptions) {
    super(opts.serde);
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.headers = {
      'content-type': 'application/json',
      ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
    };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchImpl = opts.fetch ?? fetch;
    this.parentSessionId = opts.parentSessionId;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers: this.headers,
      signal: AbortSignal.timeout(this.timeoutMs),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 400) {
      const text = await res.text();
      let p: { code?: string; detail?: string; title?: string } = {};
      try {
        p = JSON.parse(text) as typeof p;
      } catch {
        /* not problem+json */
      }
      throw new TetherSaverError(res.status, p.code, p.detail ?? p.title ?? `HTTP ${res.status}`);
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  private async toTuple(c: WireTuple): Promise<CheckpointTuple> {
    const checkpoint = (await this.serde.loadsTyped(c.checkpoint.type, unb64(c.checkpoint.data))) as Checkpoint;
    const values: Record<string, unknown> = {};
    for (const b of c.blobs)
      if (b.type !== 'empty') values[b.channel] = await this.serde.loadsTyped(b.type, unb64(b.data));
    checkpoint.channel_values = values;
    if (checkpoint.v < 4 && c.parentCheckpointId) await this.migratePendingSends(checkpoint, c);
    const conf = { thread_id: c.threadId, checkpoint_ns: c.checkpointNs };
    return {
      config: { configurable: { ...conf, checkpoint_id: c.checkpointId } },
      checkpoint,
      metadata: c.metadata,
      ...(c.parentCheckpointId
        ? { parentConfig: { configurable: { ...conf, checkpoint_id: c.parentCheckpointId } } }
        : {}),
      pendingWrites: await Promise.all(
        c.pendingWrites.map(
          async (w) =>
            [w.taskId, w.channel, await this.serde.loadsTyped(w.type, unb64(w.data))] as [string, string, unknown],
        ),
      ),
    };
  }

  /**
   * Checkpoints of format version < 4 kept pending sends as writes of their parent to the `__pregel_tasks` channel;
   * LangGraph reads them as that channel's value (as MemorySaver's `_migratePendingSends` does).
   */
  private async migratePendingSends(checkpoint: Checkpoint, c: WireTuple): Promise<void> {
    const [parent] = await this.query({
      threadId: c.threadId,
      checkpointNs: c.checkpointNs,
      checkpointId: c.parentCheckpointId!,
      limit: 1,
    });
    const sends = await Promise.all(
      (parent?.pendingWrites ?? [])
        .filter((w) => w.channel === TASKS)
        .map((w) => this.serde.loadsTyped(w.type, unb64(w.data))),
    );
    (checkpoint.channel_values as Record<string, unknown>)[TASKS] = sends;
    const versions = Object.values(checkpoint.channel_versions);
    (checkpoint.channel_versions as Record<string, number | string>)[TASKS] = versions.length
      ? maxChannelVersion(...versions)
      : this.getNextVersion(undefined);
  }

  private async query(params: Record<string, string | number | undefined>): Promise<WireTuple[]> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
    return (await this.call<{ checkpoints: WireTuple[] }>('GET', `/api/v1/langgraph/checkpoints?${qs}`)).checkpoints;
  }

  /** The checkpoint of `config` (its `checkpoint_id`, else the newest of the thread and namespace), or undefined. */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined) return undefined;
    const [c] = await this.query({
      threadId: String(threadId),
      checkpointNs: config.configurable?.checkpoint_ns ?? '',
      checkpointId: getCheckpointId(config) || undefined,
      limit: 1,
    });
    return c ? this.toTuple(c) : undefined;
  }

  /** Checkpoints newest first: of a thread (and namespace when given), matching `filter`, older than `before`, at most `limit`. */
  async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const c = config.configurable ?? {};
    const found = await this.query({
      threadId: c.thread_id !== undefined ? String(c.thread_id) : undefined,
      checkpointNs: c.checkpoint_ns,
      checkpointId: c.checkpoint_id,
      before: options?.before?.configurable?.checkpoint_id,
      limit: options?.limit,
      filter: options?.filter && Object.keys(options.filter).length ? JSON.stringify(options.filter) : undefined,
    });
    for (const t of found) yield await this.toTuple(t);
  }

  /** Stores `checkpoint` (durable when this resolves) and returns its config. */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined) throw new Error('Failed to put checkpoint: the config has no configurable.thread_id');
    const ns: string = config.configurable?.checkpoint_ns ?? '';
    const { channel_values: values = {}, ...rest } = checkpoint;
    const [type, data] = await this.serde.dumpsTyped(rest);
    const blobs = await Promise.all(
      Object.entries(newVersions).map(async ([channel, version]) => {
        const [t, d] =
          channel in values
            ? await this.serde.dumpsTyped((values as Record<string, unknown>)[channel])
            : ['empty', new Uint8Array()];
        return { channel, version: String(version), type: t, data: b64(d) };
      }),
    );
    await this.call('POST', '/api/v1/langgraph/checkpoints', {
      threadId: String(threadId),
      checkpointNs: ns,
      checkpointId: checkpoint.id,
      parentCheckpointId: config.configurable?.checkpoint_id ?? null,
      checkpoint: { type, data: b64(data) },
      metadata,
      channelVersions: Object.fromEntries(Object.entries(checkpoint.channel_versions).map(([k, v]) => [k, String(v)])),
      blobs,
      writer: this.writer,
      ...(this.parentSessionId ? { parentSessionId: this.parentSessionId } : {}),
    });
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  /** Stores a task's pending writes against the checkpoint of `config` (durable when this resolves). */
  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const c = config.configurable ?? {};
    if (c.thread_id === undefined || c.checkpoint_id === undefined)
      throw new Error('Failed to put writes: the config needs configurable.thread_id and checkpoint_id');
    if (!writes.length) return;
    const items = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, data] = await this.serde.dumpsTyped(value);
        return { taskId, idx: WRITES_IDX_MAP[channel] ?? idx, channel, type, data: b64(data), taskPath };
      }),
    );
    await this.call('POST', '/api/v1/langgraph/writes', {
      threadId: String(c.thread_id),
      checkpointNs: c.checkpoint_ns ?? '',
      checkpointId: String(c.checkpoint_id),
      writes: items,
      replace: writes.every(([channel]) => channel in WRITES_IDX_MAP),
      writer: this.writer,
    });
  }

  /** Deletes the thread: its session with its log, checkpoints, blobs and writes. */
  async deleteThread(threadId: string): Promise<void> {
    await this.call('DELETE', `/api/v1/langgraph/threads/${encodeURIComponent(threadId)}`);
  }
}
