/**
 * Token usage of an event, counted the same way everywhere: the session's `metadata.tokenUsage` (folded by the server's
 * reducer), the analytics route's `tokensOverTime` (SQL from the same lists: packages/server/src/storage/tool-sql.ts)
 * and the dashboard.
 *
 * An `action` or `response` carries its usage as `data.usage` (Anthropic's and OpenAI's APIs' name), or, when `usage` is
 * absent or null, as `data.tokenUsage` (the prototype's name). Only a plain object counts. Within it each counter is
 * the sum of its numeric fields below (so `{input_tokens: 5}` and `{input: 5}` both count 5); other values count 0.
 */

/** Fields of a usage object that count as input tokens. */
export const INPUT_TOKEN_FIELDS = ['input', 'input_tokens', 'inputTokens'] as const;
/** Fields of a usage object that count as output tokens. */
export const OUTPUT_TOKEN_FIELDS = ['output', 'output_tokens', 'outputTokens'] as const;
/** Fields that count as tokens read from the prompt cache. */
export const CACHE_READ_TOKEN_FIELDS = ['cacheRead', 'cache_read_input_tokens'] as const;
/** Fields that count as tokens written to the prompt cache. */
export const CACHE_CREATION_TOKEN_FIELDS = ['cacheCreation', 'cache_creation_input_tokens'] as const;
/** The event kinds whose data may carry usage. */
export const USAGE_KINDS: readonly string[] = ['action', 'response'];

/** Token counts of one usage object (0 where absent). */
export interface UsageCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const sum = (u: Record<string, unknown>, fields: readonly string[]): number =>
  fields.reduce((n, f) => n + num(u[f]), 0);

/** The counts of a usage object (see the module comment); every counter 0 for anything but a plain object. */
export function usageCounts(u: unknown): UsageCounts {
  if (!isObject(u)) return { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  return {
    input: sum(u, INPUT_TOKEN_FIELDS),
    output: sum(u, OUTPUT_TOKEN_FIELDS),
    cacheRead: sum(u, CACHE_READ_TOKEN_FIELDS),
    cacheCreation: sum(u, CACHE_CREATION_TOKEN_FIELDS),
  };
}

/** The usage object an event's data carries (`usage`, else `tokenUsage`), or undefined when it carries none. */
export function eventUsage(data: Record<string, unknown>): Record<string, unknown> | undefined {
  const u = data.usage ?? data.tokenUsage;
  return isObject(u) ? u : undefined;
}
