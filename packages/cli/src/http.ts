import { Option } from 'commander';
import { APIConnectionError, TetherClient } from '@tether/client';

/** Connection options shared by commands that talk to a running service. */
export interface ConnOpts {
  url: string;
  apiKey?: string;
  json?: boolean;
}

export const urlOption = () =>
  new Option('--url <url>', 'Tether service URL [env TETHER_URL]').env('TETHER_URL').default('http://127.0.0.1:9000');
export const keyOption = () => new Option('--api-key <key>', 'API key [env TETHER_API_KEY]').env('TETHER_API_KEY');

/** The SDK client for a command's connection options (one HTTP client for the CLI: `@tether/client`'s). */
export function clientFor(o: ConnOpts): TetherClient {
  return new TetherClient({ baseUrl: o.url, ...(o.apiKey ? { apiKey: o.apiKey } : {}), timeoutMs: 30_000 });
}

/**
 * One request to the service through `@tether/client` (no retries: a command reports at once). Throws the SDK's error
 * (`<status> <code>: <detail> (request <id>)` from the problem document); when nothing answers, an error that says
 * which URL and asks whether `tether serve` runs.
 */
export async function call<T>(o: ConnOpts, method: string, path: string, body?: unknown): Promise<T> {
  try {
    return (await clientFor(o).http.once<T>({ method, path, ...(body !== undefined ? { body } : {}) })).body;
  } catch (err) {
    if (err instanceof APIConnectionError) {
      const cause =
        err.cause instanceof Error
          ? (err.cause as Error).cause instanceof Error
            ? ((err.cause as Error).cause as Error).message
            : (err.cause as Error).message
          : err.message;
      throw new Error(`cannot reach ${o.url} (${cause}); is \`tether serve\` running?`, { cause: err });
    }
    throw err;
  }
}

/** Prints rows as aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
