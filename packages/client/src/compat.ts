/**
 * The seed prototype's hook-agent API (container-hook-agent/index.js), same names, so existing agent code runs unchanged:
 *
 * ```js
 * import hookAgent from '@tether/client';          // or: const hookAgent = require('@tether/client');
 * await hookAgent.logAction({ type: 'task_start', timestamp: new Date().toISOString(), details: { task: 'x' } });
 * await hookAgent.updateState({ phase: 'execution', currentStep: 'processing' });
 * ```
 *
 * Configured from `SESSION_ID` / `SESSION_SERVICE_URL` (or `TETHER_SESSION_ID` / `TETHER_URL`, `TETHER_API_KEY`) on first
 * use, or explicitly with {@link configure}. Unlike the prototype, calls do not wait for the network: each queues its event
 * and resolves at once with a {@link LogReceipt}; delivery is batched, retried and exactly-once (client event ids). In Node,
 * pending events are flushed at normal exit and on SIGTERM. Nothing here throws or rejects; failures are logged.
 */
import { TetherClient, type TetherClientOptions } from './client.js';
import { configFromEnv } from './config.js';
import type { SessionLogger, LogReceipt } from './session-logger.js';

type Obj = Record<string, unknown>;

let client: TetherClient | undefined;
let logger: SessionLogger | undefined;
let factory: (options: TetherClientOptions) => TetherClient = (o) => new TetherClient(o);

/** Replaces how the default client is built (the Node entry adds the spool and exit hooks). Internal; not for agents. */
export function setDefaultClientFactory(f: (options: TetherClientOptions) => TetherClient): void {
  factory = f;
}

/**
 * Sets up (or replaces) the default client. Options not given come from the environment (see `configFromEnv`).
 * Returns the client, e.g. to call `flush()` or `subscribe()` on it.
 */
export function configure(options: Partial<TetherClientOptions> = {}): TetherClient {
  const prev = client;
  client = factory({ ...configFromEnv(), ...options } as TetherClientOptions);
  logger = undefined;
  if (prev) void prev.close();
  return client;
}

/** The default client (configured from the environment on first use). */
export function getDefaultClient(): TetherClient {
  return client ?? configure();
}

function session(): SessionLogger | undefined {
  if (logger) return logger;
  const c = getDefaultClient();
  if (!c.options.sessionId) return undefined;
  return (logger = c.session(c.options.sessionId));
}

function noSession(): Promise<LogReceipt> {
  const msg = '[tether] SESSION_ID (or TETHER_SESSION_ID) is not set: event not logged';
  const c = getDefaultClient();
  const l = c.options.logger;
  if (l !== false) (l ?? console).error(msg);
  return Promise.resolve({ success: false, queued: false, sessionId: '', eventId: '' });
}

/** Logs an action (any object). */
export function logAction(action: Obj): Promise<LogReceipt> {
  return session()?.logAction(action) ?? noSession();
}

/** Logs a response (any object). */
export function logResponse(response: Obj): Promise<LogReceipt> {
  return session()?.logResponse(response) ?? noSession();
}

/** Merge-patches the session state (e.g. `{ phase, currentStep }`). */
export function updateState(patch: Obj): Promise<LogReceipt> {
  return session()?.updateState(patch) ?? noSession();
}

/** Adds a goal `{ description, priority?, status?, goalId? }`; the receipt carries the `goalId`. */
export function addGoal(goal: {
  description: string;
  priority?: string;
  status?: string;
  goalId?: string;
  [k: string]: unknown;
}): Promise<LogReceipt> {
  return session()?.addGoal(goal) ?? noSession();
}

/** Updates a goal: `updateGoal(goalId, { status: 'completed' })`. */
export function updateGoal(goalId: string, updates: Obj = {}): Promise<LogReceipt> {
  return session()?.updateGoal(goalId, updates) ?? noSession();
}

/** Records a spawned sub-agent `{ type, task?, agentId?, childSessionId? }`; the receipt carries the `agentId`. */
export function spawnAgent(agent: {
  type: string;
  task?: unknown;
  agentId?: string;
  childSessionId?: string;
  [k: string]: unknown;
}): Promise<LogReceipt> {
  return session()?.spawnAgent(agent) ?? noSession();
}

/** Marks a sub-agent completed: `completeAgent(agentId, { result })`. */
export function completeAgent(agentId: string, result: Obj = {}): Promise<LogReceipt> {
  return session()?.completeAgent(agentId, result) ?? noSession();
}

/**
 * Finalizes the session and waits (up to `timeoutMs`, default 10000) until everything logged is delivered.
 * `finalizeSession({ status: 'failed', final: {...} })` or `finalizeSession('completed', final)`.
 */
export async function finalizeSession(
  arg: { status?: 'completed' | 'failed' | 'abandoned'; final?: unknown } | 'completed' | 'failed' | 'abandoned' = {},
  final?: unknown,
  timeoutMs = 10_000,
): Promise<LogReceipt & { delivered: boolean }> {
  const s = session();
  if (!s) return { ...(await noSession()), delivered: false };
  const body = typeof arg === 'string' ? { status: arg, ...(final !== undefined ? { final } : {}) } : arg;
  const receipt = await s.finalize(body);
  return { ...receipt, delivered: await getDefaultClient().flush(timeoutMs) };
}

/** True when the service answers `GET /health`; never throws. */
export async function testConnection(): Promise<boolean> {
  try {
    const h = await getDefaultClient().health();
    return h.status === 'ok';
  } catch {
    return false;
  }
}

/** Waits until everything logged so far is delivered (false if `timeoutMs` passed first). */
export function flush(timeoutMs?: number): Promise<boolean> {
  return client ? client.flush(timeoutMs) : Promise.resolve(true);
}

/** Flushes and stops the default client. */
export function close(timeoutMs?: number): Promise<boolean> {
  const c = client;
  client = undefined;
  logger = undefined;
  return c ? c.close(timeoutMs) : Promise.resolve(true);
}

/** The default export: the prototype's `hookAgent` object. */
export const hookAgent = {
  logAction,
  logResponse,
  updateState,
  addGoal,
  updateGoal,
  spawnAgent,
  completeAgent,
  finalizeSession,
  testConnection,
  flush,
  close,
  configure,
  getDefaultClient,
};
