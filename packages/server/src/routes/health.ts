import type { FastifyInstance } from 'fastify';
import { clusterStatus } from '../plugins/cluster.js';

/** Liveness (`/health`, the seed's shape) and readiness (`/ready`: 503 while starting or draining). */
export async function healthRoutes(app: FastifyInstance, opts: { version: string; startedAt: number }): Promise<void> {
  app.get('/health', { config: { scope: 'public' }, schema: { tags: ['health'], summary: 'Liveness and basic facts (seed route)' } }, async () => ({
    status: 'ok', uptime: Math.round((Date.now() - opts.startedAt) / 1000), version: opts.version,
    storage: app.store.engine === 'sqlite' ? app.config.dataDir : app.store.engine, engine: app.store.engine,
    websocket: { ...app.hub.stats },
    ...(app.cluster ? { cluster: clusterStatus(app.cluster) } : {}),
  }));
  app.get('/ready', { config: { scope: 'public' }, schema: { tags: ['health'], summary: '200 when the service takes traffic, 503 while starting or shutting down' } }, async (_req, reply) => {
    if (app.draining) return reply.code(503).header('retry-after', '1').send({ ready: false, reason: 'shutting down' });
    if (app.cluster && app.cluster.state !== 'listening') {
      return reply.code(503).header('retry-after', '1').send({ ready: false, reason: `live-feed listener ${app.cluster.state}`, cluster: clusterStatus(app.cluster) });
    }
    return { ready: true };
  });
}
