import type { EventKind } from '@tether/protocol';
import type { Batcher } from './batcher.js';
import { SerializationError } from './errors.js';
import { uuid } from './id.js';

/**
 * What a log call answers at once (the event is queued, not yet delivered): the client-generated `eventId` (the
 * idempotency key that makes retries exactly-once), and for addGoal/spawnAgent the `goalId`/`agentId` to refer to later.
 * `success` is false only when the event could not be queued (client closed, data not serializable); the reason went to onError.
 */
export interface LogReceipt {
  success: boolean;
  queued: boolean;
  sessionId: string;
  eventId: string;
  goalId?: string;
  agentId?: string;
}

/** Per-event options of a log call. */
export interface LogOptions {
  /** Idempotency key; default a random UUID. Use a stable id to make a re-run of the same step not log twice. */
  eventId?: string;
  /** ISO 8601 time of the event; default now. */
  timestamp?: string;
  /** Optimistic concurrency for state changes: the state version the writer expects (412 → reported to onError). */
  expectedVersion?: number;
}

type Obj = Record<string, unknown>;

function asObject(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : v === undefined ? {} : { value: v };
}

/**
 * Queues one event for background delivery; never throws. The data is serialized now (later changes to the object do not
 * leak into the event). Shared by {@link SessionLogger} and the seed-compatible functions.
 */
export function enqueueEvent(
  batcher: Batcher,
  sessionId: string,
  kind: EventKind,
  data: unknown,
  opts?: LogOptions,
  extra?: Partial<LogReceipt>,
): Promise<LogReceipt> {
  const id = opts?.eventId ?? uuid();
  const item: Obj = {
    id,
    sessionId,
    kind,
    timestamp: opts?.timestamp ?? new Date().toISOString(),
    data: asObject(data),
  };
  if (opts?.expectedVersion !== undefined) item.expectedVersion = opts.expectedVersion;
  let json: string;
  try {
    json = JSON.stringify(item);
  } catch (err) {
    batcher.reportSerialization(
      new SerializationError(`Event data of ${kind} cannot be serialized: ${(err as Error).message}`, { cause: err }),
      id,
      sessionId,
    );
    return Promise.resolve({ success: false, queued: false, sessionId, eventId: id, ...extra });
  }
  const wait = batcher.enqueue({ id, sessionId, json });
  const receipt: LogReceipt = {
    success: !batcher.isClosed,
    queued: !batcher.isClosed,
    sessionId,
    eventId: id,
    ...extra,
  };
  return wait ? wait.then(() => receipt) : Promise.resolve(receipt);
}

/**
 * Logging for one session: every method queues one event and returns at once (a resolved promise, except with the
 * 'block' queue policy when the queue is full). Delivery happens in the background; see {@link TetherClient.flush}.
 * Method names and argument shapes are the seed prototype's hook agent's.
 */
export class SessionLogger {
  constructor(
    private readonly batcher: Batcher,
    readonly sessionId: string,
  ) {}

  /** Creates the session explicitly (optional: the first event creates it). `data`: `{ userId?, type?, parentSessionId?, tags?, metadata?, initial? }`. Already existing → reported as 409 to onError. */
  start(
    data: {
      userId?: string;
      type?: string;
      parentSessionId?: string;
      tags?: string[];
      metadata?: Obj;
      initial?: Obj;
    } = {},
    opts?: LogOptions,
  ): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'session_created', data, opts);
  }

  /** An action (tool call, step…): any object; `type`, `tool`, `input`, `output`, `error`, `durationMs`, `usage` are understood. */
  logAction(action: Obj, opts?: LogOptions): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'action', action, opts);
  }

  /** A response (model output…): any object; `content`, `role`, `usage` are understood. */
  logResponse(response: Obj, opts?: LogOptions): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'response', response, opts);
  }

  /** Merge-patches the state (RFC 7396: null deletes a key). */
  updateState(patch: Obj, opts?: LogOptions): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'state_patched', { patch }, opts);
  }

  /** Adds a goal; `goalId` is generated here when absent and returned in the receipt. */
  addGoal(
    goal: { goalId?: string; description: string; priority?: string; status?: string; [k: string]: unknown },
    opts?: LogOptions,
  ): Promise<LogReceipt> {
    const goalId = goal.goalId ?? `goal-${uuid()}`;
    return enqueueEvent(this.batcher, this.sessionId, 'goal_added', { ...goal, goalId }, opts, { goalId });
  }

  /** Updates a goal (`status: 'completed'` sets completedAt). An unknown goal is reported as 404 goal_not_found. */
  updateGoal(
    goalId: string,
    update: { status?: string; description?: string; priority?: string; [k: string]: unknown },
    opts?: LogOptions,
  ): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'goal_updated', { ...update, goalId }, opts, { goalId });
  }

  /** Records a spawned sub-agent; `agentId` is generated here when absent and returned in the receipt. */
  spawnAgent(
    agent: { agentId?: string; type: string; task?: unknown; childSessionId?: string; [k: string]: unknown },
    opts?: LogOptions,
  ): Promise<LogReceipt> {
    const agentId = agent.agentId ?? `agent-${uuid()}`;
    return enqueueEvent(this.batcher, this.sessionId, 'agent_spawned', { ...agent, agentId }, opts, { agentId });
  }

  /** Marks a sub-agent completed (`status` defaults to completed). */
  completeAgent(
    agentId: string,
    result: { result?: unknown; status?: string; [k: string]: unknown } = {},
    opts?: LogOptions,
  ): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'agent_completed', { ...result, agentId }, opts, { agentId });
  }

  /** Merge-patches the session metadata (RFC 7396; `metrics` is derived by the server and ignored). */
  updateMetadata(patch: Obj, opts?: LogOptions): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'metadata_updated', { patch }, opts);
  }

  /** Finalizes the session (status defaults to completed). Queued like every other event; `client.flush()` to wait. */
  finalize(
    final: { status?: 'completed' | 'failed' | 'abandoned'; final?: unknown } = {},
    opts?: LogOptions,
  ): Promise<LogReceipt> {
    return enqueueEvent(this.batcher, this.sessionId, 'session_finalized', final, opts);
  }
}
