import type { FastifyInstance } from 'fastify';

/** Integration endpoints (Claude Code hooks, …). Registered by buildApp after the core routes. */
export async function integrationRoutes(_app: FastifyInstance): Promise<void> {
  // Filled in by the integrations work.
}
