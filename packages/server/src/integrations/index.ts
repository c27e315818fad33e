import type { FastifyInstance } from 'fastify';
import { claudeCodeHookRoute } from './claude-code/route.js';

/** Integration endpoints, registered by buildApp after the core routes: `POST /api/hooks/claude-code`. */
export async function integrationRoutes(app: FastifyInstance): Promise<void> {
  await app.register(claudeCodeHookRoute);
}
