import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { MCP_PATH, McpRequestSchema, McpResponseSchema } from '@tether/protocol';
import { isLoopback, type Scope } from '../config.js';
import { originAllowed } from '../live/authorize.js';
import { TetherError } from '../errors.js';
import { bearer } from '../plugins/auth.js';
import { McpServerPool } from './pool.js';

/**
 * The caller's key scopes, checked like the REST API's (`Authorization: Bearer <key>` when keys exist): undefined when
 * keys are off (every tool allowed). Throws `unauthorized` for a missing or unknown key; the tools check `read`/`ingest`.
 */
async function callerScopes(app: FastifyInstance, req: FastifyRequest): Promise<ReadonlySet<Scope> | undefined> {
  if (!(await app.keys.enabled())) return undefined;
  const secret = bearer(req);
  if (!secret) throw new TetherError('unauthorized', 'This service needs an API key: send Authorization: Bearer <key>');
  const scopes = await app.keys.scopesFor(secret);
  if (!scopes) throw new TetherError('unauthorized', 'Unknown or revoked API key');
  return scopes;
}

/**
 * DNS-rebinding guard (MCP Streamable HTTP security warning): a service bound to a loopback address answers only
 * `Host: localhost | 127.x.x.x | [::1]` (any port), and a browser `Origin` must be the same host or in
 * TETHER_CORS_ORIGINS, so a web page cannot drive the local, key-less MCP endpoint. Throws `forbidden`.
 */
function checkHostAndOrigin(app: FastifyInstance, req: FastifyRequest): void {
  if (isLoopback(app.config.host)) {
    let hostname = '';
    try {
      hostname = new URL(`http://${req.headers.host ?? ''}`).hostname.replace(/^\[|\]$/g, '');
    } catch {
      hostname = '';
    }
    if (!isLoopback(hostname))
      throw new TetherError(
        'forbidden',
        `Host "${req.headers.host ?? ''}" is not this loopback service (DNS rebinding protection)`,
      );
  }
  if (!originAllowed(req.raw, app.config.corsOrigins))
    throw new TetherError(
      'forbidden',
      `Origin "${String(req.headers.origin)}" may not call this MCP endpoint (add it to TETHER_CORS_ORIGINS)`,
    );
}

/**
 * `POST /mcp`: the Model Context Protocol over Streamable HTTP (MCP 2025-06-18), stateless (no Mcp-Session-Id; each
 * request gets its own server and transport) with JSON responses. Same API keys as the REST API; read tools need the
 * `read` scope, write tools `ingest`. `GET` and `DELETE /mcp` answer 405 (no server-initiated stream, no MCP sessions).
 */
export async function mcpRoutes(app: FastifyInstance): Promise<void> {
  const pool = new McpServerPool(app);
  app.post(
    MCP_PATH,
    {
      config: { scope: 'public' },
      schema: {
        tags: ['mcp'],
        summary: 'Model Context Protocol endpoint (Streamable HTTP, stateless, JSON responses)',
        description:
          'JSON-RPC 2.0 per MCP 2025-06-18. Send Accept: application/json, text/event-stream. Tools: track_session_start, track_session_end, health_check (session-buddy compatible) and the session API; see docs/mcp.md. Errors before MCP (401) are problem+json.',
        body: McpRequestSchema,
        response: { 200: McpResponseSchema, 406: McpResponseSchema },
      },
    },
    async (req, reply) => {
      checkHostAndOrigin(app, req);
      const scopes = await callerScopes(app, req);
      const pooled = pool.acquire(scopes);
      const { server } = pooled;
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.hijack();
      reply.raw.once('close', () => {
        // Closing the server closes the transport and detaches it, so the server can take the next request.
        server.close().then(
          () => pool.release(pooled),
          (err: unknown) => req.log.warn({ err }, 'closing an MCP server failed'),
        );
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(req.raw, reply.raw, req.body);
      } catch (err) {
        req.log.error({ err }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(
            JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null }),
          );
        }
      }
    },
  );
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: MCP_PATH,
      config: { scope: 'public' },
      schema: {
        tags: ['mcp'],
        summary: `${method} /mcp is not supported: stateless endpoint without server-initiated streams (405)`,
        response: { 405: McpResponseSchema },
      },
      handler: async (_req, reply) =>
        reply
          .code(405)
          .header('allow', 'POST')
          .type('application/json')
          .send({
            jsonrpc: '2.0',
            error: {
              code: -32000,
              message: 'Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages',
            },
            id: null,
          }),
    });
  }
}
