import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { MCP_PATH } from '@tether/protocol';

/**
 * Listens on a second port that serves only `/mcp` through the same app (same keys, same append path), for clients
 * configured with session-buddy's `http://127.0.0.1:8678/mcp`. Any other path answers 404. Resolves with the bound port.
 */
export async function listenMcpPort(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === MCP_PATH || path === `${MCP_PATH}/`) {
      req.url = MCP_PATH + (req.url!.includes('?') ? req.url!.slice(req.url!.indexOf('?')) : '');
      return app.routing(req, res);
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(
      JSON.stringify({
        type: 'https://tether.dev/problems/route_not_found',
        title: 'Route not found',
        status: 404,
        code: 'route_not_found',
        detail: `This port serves only ${MCP_PATH}`,
      }),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
