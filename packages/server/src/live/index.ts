import type { FastifyInstance } from 'fastify';

/**
 * Live transports (WebSocket `/ws`, Server-Sent Events). Registered by buildApp after the core routes;
 * they read committed events from `app.hub` and history from `app.store`.
 */
export async function liveRoutes(_app: FastifyInstance): Promise<void> {
  // Filled in by the live-feed work.
}
