import type { FastifyInstance } from 'fastify';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createTetherMcpServer, type McpCaller } from '@tether/mcp';
import { VERSION } from '../version.js';
import { AppBackend } from './backend.js';

/** A pooled MCP server with the per-request parts it reads at call time. */
export interface PooledServer {
  server: McpServer;
  caller: McpCaller;
  backend: AppBackend;
}

/** Most idle servers kept; more concurrent requests build extra ones that are dropped after use. */
const MAX_IDLE = 32;

/**
 * Idle MCP servers for the stateless endpoint. Building an McpServer with every tool costs milliseconds (the SDK
 * compiles its request schemas per instance); a server serves one request (one transport) at a time, then is closed,
 * which detaches the transport, and comes back here.
 */
export class McpServerPool {
  private readonly idle: PooledServer[] = [];

  constructor(private readonly app: FastifyInstance) {}

  acquire(scopes: McpCaller['scopes']): PooledServer {
    const p = this.idle.pop() ?? this.create();
    p.caller.scopes = scopes;
    return p;
  }

  release(p: PooledServer): void {
    p.caller.scopes = new Set();
    if (this.idle.length < MAX_IDLE) this.idle.push(p);
  }

  private create(): PooledServer {
    const caller: McpCaller = { scopes: new Set() };
    const backend = new AppBackend(this.app);
    return { server: createTetherMcpServer(backend, { version: VERSION, caller }), caller, backend };
  }
}
