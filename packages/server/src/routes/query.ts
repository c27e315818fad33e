import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AnalyticsSchema, SearchResultSchema, StatsSchema } from '@tether/protocol';
import { SessionList } from './schemas.js';
import { ANALYTICS_PARTS, type AnalyticsPart } from '../storage/store.js';

/** Queries and analytics: recent, active, stats (seed routes), full-text search and time-range analytics. */
export async function queryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const Limit = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) });

  r.get(
    '/api/v1/query/recent',
    {
      schema: {
        tags: ['query'],
        summary: 'Most recently updated sessions (seed route)',
        querystring: Limit,
        response: { 200: SessionList },
      },
    },
    async (req) => {
      const { sessions } = await app.store.listSessions({ sort: 'updated', limit: req.query.limit ?? 50 });
      return { sessions, count: sessions.length };
    },
  );

  r.get(
    '/api/v1/query/active',
    {
      schema: {
        tags: ['query'],
        summary: 'Active sessions (seed route)',
        querystring: Limit,
        response: { 200: SessionList },
      },
    },
    async (req) => {
      const { sessions } = await app.store.listSessions({
        status: 'active',
        sort: 'updated',
        limit: req.query.limit ?? 500,
      });
      return { sessions, count: sessions.length };
    },
  );

  r.get(
    '/api/v1/query/stats',
    { schema: { tags: ['query'], summary: 'Totals by status and type (seed route)', response: { 200: StatsSchema } } },
    async () => app.store.stats(),
  );

  r.get(
    '/api/v1/query/search',
    {
      schema: {
        tags: ['query'],
        summary:
          'Full-text search over event content (FTS5 on SQLite, tsquery on PostgreSQL; words ANDed, "phrases", prefix*)',
        description: 'Words are ANDed; "quoted phrases" and prefix* work. Results are ranked by relevance.',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 500 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: SearchResultSchema },
      },
    },
    async (req) => ({ query: req.query.q, results: await app.store.search(req.query.q, req.query.limit ?? 50) }),
  );

  r.get(
    '/api/v1/query/analytics',
    {
      schema: {
        tags: ['query'],
        summary: 'Tool usage, error rate, events and tokens over time, durations, busiest sessions for a time range',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: 24 hours before `to`' })),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
          bucketMs: Type.Optional(
            Type.Integer({ minimum: 1000, description: 'Bucket width in ms; default (to-from)/48' }),
          ),
          include: Type.Optional(
            Type.String({
              pattern: `^(${ANALYTICS_PARTS.join('|')})(,(${ANALYTICS_PARTS.join('|')}))*$`,
              description: `Comma-separated parts to compute (default all): ${ANALYTICS_PARTS.join(', ')}; the others come back empty`,
            }),
          ),
        }),
        response: { 200: AnalyticsSchema },
      },
    },
    async (req) => {
      const to = req.query.to ? new Date(req.query.to) : new Date();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 86_400_000);
      const bucketMs = req.query.bucketMs ?? Math.max(1000, Math.ceil((to.getTime() - from.getTime()) / 48));
      const include = req.query.include ? new Set(req.query.include.split(',') as AnalyticsPart[]) : undefined;
      return app.store.analytics({
        from: from.toISOString(),
        to: to.toISOString(),
        bucketMs,
        ...(include ? { include } : {}),
      });
    },
  );
}
