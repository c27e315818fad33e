/**
 * Test helpers shared by every package's tests: a real Tether server on an ephemeral port with a fresh SQLite file.
 * Import from tests as `../../server/test/helpers.ts` (or `./helpers.ts` in this package).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startServer, type RunningServer, type TetherConfig } from '../src/index.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** fetch against the server; JSON body serialized when given. */
  req(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<TetherConfig> = {},
  env: Record<string, string> = {},
): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'tether-test-'));
  const config = loadConfig(env, { port: 0, logLevel: 'silent', dashboardDir: '', ...overrides, dataDir });
  const server = await startServer(config);
  const req: TestServer['req'] = async (method, path, body, headers = {}) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    ...server,
    dataDir,
    req,
    async stop() {
      await server.close();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
