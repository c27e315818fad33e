import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { TetherClient } from '@tether/client';
import { ClientBackend } from './client-backend.js';
import { createTetherMcpServer } from './server.js';

/**
 * Serves the Tether MCP tools on stdin/stdout (MCP stdio transport), talking to a running service through `client`
 * (its URL and API key; the service checks the key's scopes on every call). Resolves when stdin closes.
 */
export async function serveStdio(client: TetherClient, version: string): Promise<void> {
  const server = createTetherMcpServer(new ClientBackend(client), { version });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
