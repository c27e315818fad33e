import { Option } from 'commander';

/** Connection options shared by commands that talk to a running service. */
export interface ConnOpts {
  url: string;
  apiKey?: string;
  json?: boolean;
}

export const urlOption = () => new Option('--url <url>', 'Tether service URL [env TETHER_URL]').env('TETHER_URL').default('http://127.0.0.1:9000');
export const keyOption = () => new Option('--api-key <key>', 'API key [env TETHER_API_KEY]').env('TETHER_API_KEY');

/** A request to the service; throws `<status> <code>: <detail>` from the problem document on failure. */
export async function call<T>(o: ConnOpts, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, o.url), {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(`cannot reach ${o.url} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}); is \`tether serve\` running?`);
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(`${res.status} ${data?.code ?? ''}: ${data?.detail ?? text}`);
  return data as T;
}

/** Prints rows as aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
