import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import sjson from 'secure-json-parse';
import { EventSchema, LIVE_SCHEMAS, MAX_JSON_DEPTH, SessionSummarySchema } from '@tether/protocol';
import type { TetherConfig } from './config.js';
import { TetherError } from './errors.js';
import { LiveHub } from './events/hub.js';
import { authPlugin, KeyRing, redactUrl } from './plugins/auth.js';
import { metricsPlugin } from './plugins/metrics.js';
import { notFound, problemPlugin, sendProblem, toProblem } from './plugins/problem.js';
import { clientErrorHandler } from './plugins/client-errors.js';
import { allowedMethodsPlugin, documentResponses } from './plugins/openapi-responses.js';
import { CHECK_RESPONSES_ENV, responseCheckPlugin } from './plugins/response-check.js';
import { StorageHealth } from './plugins/storage-health.js';
import { strictSchemaController } from './plugins/strict-validation.js';
import { actionRoutes } from './routes/actions.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { memoryRoutes } from './routes/memory.js';
import { queryRoutes } from './routes/query.js';
import { sessionRoutes } from './routes/sessions.js';
import { stateRoutes } from './routes/state.js';
import { rewriteLegacyUrl } from './routes/v1-aliases.js';
import { seedRoutes } from './seed/routes.js';
import { seedWebSocket } from './seed/ws.js';
import { liveRoutes } from './live/index.js';
import { clusterPlugin } from './plugins/cluster.js';
import { integrationRoutes } from './integrations/index.js';
import { langgraphRoutes } from './routes/langgraph.js';
import { mcpRoutes } from './mcp/route.js';
import { GroupCommitter } from './storage/group-commit.js';
import { JSON_MAYBE_HUGE, JSON_TOO_DEEP, nonFiniteNumber, scanJson } from './util/json-limits.js';
import type { Store } from './storage/store.js';
import { VERSION } from './version.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: TetherConfig;
    store: Store;
    committer: GroupCommitter;
    hub: LiveHub;
    keys: KeyRing;
    /** Whether the disk holding the data is full (507 for writes, /ready 503). */
    storageHealth: StorageHealth;
    /** True once shutdown began: /ready answers 503, new writes still complete. */
    draining: boolean;
  }
}

export interface AppDeps {
  store: Store;
  /** Pino logger options or `false`; defaults follow config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  /** Extra plugins registered after the core routes (live transports, integrations). */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
}

/**
 * Parses a JSON body with prototype-poisoning protection; an empty body is `undefined` (a POST with no payload).
 * Refused before parsing: nesting deeper than MAX_JSON_DEPTH (400 `too_deep`); after: a number that overflows a double
 * (`1e400`, 400 `validation_failed` naming it). Every route's JSON body goes through here (ingest and hooks too).
 */
function parseJson(_req: unknown, body: string, done: (err: Error | null, v?: unknown) => void): void {
  if (body === '' || body.trim() === '') return done(null, undefined);
  const flags = scanJson(body, MAX_JSON_DEPTH);
  if (flags & JSON_TOO_DEEP)
    return done(new TetherError('too_deep', `The body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`));
  let value: unknown;
  try {
    value = sjson.parse(body, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    return done(new TetherError('invalid_json', `The body is not valid JSON: ${(err as Error).message}`));
  }
  const huge = flags & JSON_MAYBE_HUGE ? nonFiniteNumber(value) : undefined;
  if (huge !== undefined)
    return done(
      new TetherError('validation_failed', `body${huge} is a number too large to store (beyond ±1.8e308)`, [
        { path: `body${huge}`, message: 'must be a finite number' },
      ]),
    );
  done(null, value);
}

/**
 * Builds the Tether HTTP app without listening (tests build it too, then `listen({port: 0})`).
 * Decorates `config`, `store`, `committer`, `hub`, `keys`; registers problem+json errors, auth, metrics,
 * OpenAPI 3.1 (`/openapi.json`, docs at `/docs`), the API routes, and the dashboard at `/` when it is built.
 */
export async function buildApp(config: TetherConfig, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Request URLs are logged with any ?apiKey= value redacted.
    logger: deps.logger ?? {
      level: config.logLevel,
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
          reqId: req.id,
        }),
      },
    },
    bodyLimit: config.bodyLimit,
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Strict validation: bodies without type coercion, query/path values coerced only from strict spellings.
    schemaController: strictSchemaController,
    clientErrorHandler,
    return503OnClosing: false,
    routerOptions: { maxParamLength: 300 },
    // Router-level failures (bad URL encoding, over-long parameters) answer problem+json like everything else.
    frameworkErrors: (err, req, reply) => sendProblem(reply, toProblem(err, req)),
    forceCloseConnections: 'idle',
    rewriteUrl: rewriteLegacyUrl,
    // Slow or stalled clients (issue #12): the whole request within requestTimeoutMs, its headers within
    // headersTimeoutMs (408 problem+json from clientErrorHandler), checked every second instead of Node's 30 s.
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: config.requestTimeoutMs
        ? Math.min(config.headersTimeoutMs || config.requestTimeoutMs, config.requestTimeoutMs)
        : config.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(1000, Math.floor(Math.min(config.headersTimeoutMs || 1e9, config.requestTimeoutMs || 1e9) / 4)),
      ),
    },
  });
  if (config.maxConnections > 0) app.server.maxConnections = config.maxConnections;
  app.decorate('config', config);
  app.decorate('store', deps.store);
  app.decorate('committer', new GroupCommitter(deps.store, config.groupCommitMax));
  app.decorate('hub', new LiveHub());
  app.decorate('keys', new KeyRing(config.apiKeys, deps.store));
  app.decorate('draining', false);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, parseJson);
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.decorate('storageHealth', new StorageHealth(app.log));
  app.committer.onCommit((outcomes) => {
    app.storageHealth.committed();
    // A store several servers share (PostgreSQL) feeds the hub from its log by pos, every server's commits included
    // (Store.openFeed, plugins/cluster.ts); otherwise the hub hears this server's commits here.
    if (deps.store.openFeed) return;
    for (const o of outcomes)
      if (o.ok) for (const event of o.committed) app.hub.publish({ type: 'event', event, session: o.session });
  });

  const dashboard = Boolean(config.dashboardDir && existsSync(config.dashboardDir));
  await app.register(problemPlugin, { notFound: !dashboard });
  await app.register(allowedMethodsPlugin);
  if (config.corsOrigins.length)
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      exposedHeaders: ['x-request-id', 'etag', 'retry-after'],
    });
  // Shared schemas: referenced by routes as 'Event#' / 'SessionSummary#', listed under components in /openapi.json.
  app.addSchema(EventSchema);
  app.addSchema(SessionSummarySchema);
  // The live feed's messages (WebSocket frames, SSE data lines): documented as components, referenced by the live routes.
  for (const s of LIVE_SCHEMAS) app.addSchema(s);
  await app.register(swagger, {
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    // Every status a route can send is documented (error responses, 201, security per route): see documentResponses.
    transform: ({ schema, url, route }) => ({
      schema: documentResponses(schema as Record<string, unknown>, route) as never,
      url,
    }),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tether API',
        version: VERSION,
        description:
          'Session store and live feed for AI agents. Errors are application/problem+json (RFC 9457) with a stable code.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'API key (when TETHER_API_KEYS or `tether keys` keys exist)',
          },
        },
      },
      // Documented as needing a key only when keys exist at start (keys created later apply all the same).
      ...(config.apiKeys.length || (await deps.store.listKeys()).length ? { security: [{ bearer: [] }] } : {}),
    },
  });
  // Test diagnostic: every response checked against /openapi.json (the node test suite turns it on). After swagger, so
  // that its onReady hook can build the document; before every API route, so that its onSend hook covers them.
  if (process.env[CHECK_RESPONSES_ENV] === '1') await app.register(responseCheckPlugin);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(authPlugin, { keys: app.keys });
  await app.register(metricsPlugin);
  await app.register(healthRoutes, { version: VERSION, startedAt: Date.now() });
  await app.register(sessionRoutes);
  await app.register(actionRoutes);
  await app.register(stateRoutes);
  await app.register(queryRoutes);
  await app.register(ingestRoutes);
  await app.register(seedRoutes);
  await app.register(seedWebSocket);
  await app.register(memoryRoutes);
  await app.register(liveRoutes);
  await app.register(clusterPlugin);
  await app.register(integrationRoutes);
  await app.register(langgraphRoutes);
  await app.register(mcpRoutes);
  for (const p of deps.plugins ?? []) await app.register(p);

  if (dashboard) {
    await app.register(fastifyStatic, {
      root: config.dashboardDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
    });
    // Deep links of the single-page app (/sessions/abc) get index.html; API paths keep problem+json 404s.
    app.setNotFoundHandler((req, reply) => {
      const api = /^\/(api|ws|metrics|health|ready|docs|openapi)/.test(req.url);
      if (req.method === 'GET' && !api && (req.headers.accept ?? '').includes('text/html'))
        return reply.sendFile('index.html');
      return notFound(req, reply);
    });
  }

  let retention: NodeJS.Timeout | undefined;
  if (config.retentionDays > 0) {
    const sweep = async () => {
      const cutoff = new Date(Date.now() - config.retentionDays * 86_400_000).toISOString();
      const n = await deps.store.deleteEndedBefore(cutoff, 3_600_000);
      if (n) app.log.info({ deleted: n, cutoff }, 'retention: deleted sessions that ended before the cutoff');
    };
    retention = setInterval(
      () => void sweep().catch((err) => app.log.error({ err }, 'retention sweep failed')),
      3_600_000,
    );
    retention.unref();
    app.addHook('onReady', sweep);
  }
  app.addHook('preClose', async () => {
    app.draining = true;
  });
  app.addHook('onClose', async () => {
    if (retention) clearInterval(retention);
    await app.committer.drain();
  });
  return app;
}
