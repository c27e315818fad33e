/** Retry timing shared by REST calls and the event batcher. */
export interface RetryOptions {
  /** Attempts after the first one; default 2 for REST calls. The batcher retries delivery without limit. */
  maxRetries?: number;
  /** First backoff delay in ms; default 250. */
  initialDelayMs?: number;
  /** Largest backoff delay in ms (also caps Retry-After); default 30000. */
  maxDelayMs?: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a random delay in
 * [0.5, 1] × min(maxDelayMs, initialDelayMs × 2^attempt), where attempt counts from 0. A server's Retry-After (ms) wins
 * when larger, still capped by maxDelayMs.
 */
export function backoffDelay(attempt: number, opts: RetryOptions = {}, retryAfterMs?: number): number {
  const initial = opts.initialDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 30_000;
  const exp = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  const jittered = exp * (0.5 + Math.random() * 0.5);
  return Math.min(max, Math.max(jittered, retryAfterMs ?? 0));
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. Does not keep a Node process alive if `unref`. */
export function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    if (unref) (t as { unref?: () => void }).unref?.();
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
