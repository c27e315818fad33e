import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HealthSchema, ReadySchema } from '@tether/protocol';
import { bearer } from '../plugins/auth.js';
import { clusterStatus } from '../plugins/cluster.js';

/** Liveness (`/health`, the seed's shape) and readiness (`/ready`: 503 while starting or draining). */
export async function healthRoutes(app: FastifyInstance, opts: { version: string; startedAt: number }): Promise<void> {
  /** With API keys on, only a caller holding `read` sees where the data lives (issue #12: no paths in public answers). */
  const mayRead = async (req: FastifyRequest): Promise<boolean> => {
    if (!(await app.keys.enabled())) return true;
    const secret = bearer(req);
    return secret !== undefined && Boolean((await app.keys.scopesFor(secret))?.has('read'));
  };
  app.get(
    '/health',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and basic facts (seed route)',
        description:
          '`storage` is the data directory only for a caller with the read scope (or with API keys off); else the engine name.',
        response: { 200: HealthSchema },
      },
    },
    async (req) => ({
      status: 'ok',
      uptime: Math.round((Date.now() - opts.startedAt) / 1000),
      version: opts.version,
      storage: app.store.engine === 'sqlite' && (await mayRead(req)) ? app.config.dataDir : app.store.engine,
      engine: app.store.engine,
      websocket: app.hub.websocketStats(),
      ...(app.cluster ? { cluster: clusterStatus(app.cluster) } : {}),
    }),
  );
  app.get(
    '/ready',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['health'],
        summary: '200 when the service takes traffic, 503 while starting, shutting down or while the disk is full',
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (_req, reply) => {
      if (app.draining)
        return reply.code(503).header('retry-after', '1').send({ ready: false, reason: 'shutting down' });
      if (app.cluster && app.cluster.state !== 'listening') {
        return reply
          .code(503)
          .header('retry-after', '1')
          .send({
            ready: false,
            reason: `live-feed listener ${app.cluster.state}`,
            cluster: clusterStatus(app.cluster),
          });
      }
      if (app.storageHealth.full)
        return reply.code(503).header('retry-after', '5').send({ ready: false, reason: 'storage full' });
      return { ready: true };
    },
  );
}
