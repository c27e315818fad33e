import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { PROBLEM_CONTENT_TYPE } from '@tether/protocol';

/** RFC 9457 problem document with Tether's `code` (see packages/protocol/src/errors.ts); extra members are kept. */
export const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  additionalProperties: true,
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (invalid_json, validation_failed, invalid_session_id, too_deep)',
  401: 'Missing or unknown API key (unauthorized)',
  403: 'The key lacks the scope (forbidden)',
  404: 'Not found (route_not_found, session_not_found, goal_not_found, agent_not_found, key_not_found)',
  408: 'The request did not arrive in time (request_timeout)',
  409: 'Conflict (session_exists, duplicate_id)',
  412: 'State version mismatch (version_mismatch)',
  413: 'Body too large (payload_too_large)',
  415: 'Content-Type not JSON (unsupported_media_type)',
  500: 'Unexpected error (internal_error)',
  503: 'Starting or shutting down (unavailable)',
  507: 'The disk holding the data is full (insufficient_storage); retry after Retry-After',
};

/** Every route may answer these (validation, auth, not found, timeouts, bugs, shutdown). */
const EVERY_ROUTE = [400, 401, 403, 404, 408, 500, 503];
/** Routes with a body or that change data may answer these too. */
const WRITES = [409, 412, 413, 415, 507];

type ResponseMap = Record<string, unknown>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods of the routes whose path pattern matches `path` (for 405 Method Not Allowed and its Allow header). */
    allowedMethods(path: string): string[];
  }
}

/** The route facts {@link documentResponses} needs (what @fastify/swagger's `transform` receives as `route`). */
interface RouteFacts {
  method: string | string[];
  url: string;
  config?: unknown;
}

/**
 * The schema a route is documented with in `/openapi.json`: its own, plus every status it can send, generically
 * (issue #12: schemathesis must find no undocumented status), for routes registered by anyone: the problem+json error
 * responses above, a `200` when the route declares no 2xx, and for POST routes a `201` beside their `200` (same
 * schema; a create answers 201, a repeat with the same event id 200). A route's own entries win. Routes without a key
 * check get `security: []`. Only the document changes: responses are serialised as before (used as @fastify/swagger's
 * `transform`, so that no serializer is compiled per added status).
 */
export function documentResponses(
  schema: Record<string, unknown> | undefined,
  route: RouteFacts,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  if (out.hide || route.url === '*' || route.url.startsWith('/docs')) return out;
  const response: ResponseMap = { ...(out.response as ResponseMap | undefined) };
  out.response = response;
  // Routes the auth hook never checks (public ones, and everything outside /api, /ws, /metrics) need no key.
  const checked =
    /^\/(api|ws|metrics)(\/|$)/.test(route.url) && (route.config as { scope?: string } | undefined)?.scope !== 'public';
  if (!checked) out.security ??= [];
  const methods = [route.method].flat();
  const writes = methods.some((m) => m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS');
  // Without any 2xx entry, @fastify/swagger would have documented a default 200; keep one.
  if (!Object.keys(response).some((k) => k.startsWith('2'))) response['200'] = { description: 'OK' };
  if (methods.includes('POST') && !('201' in response) && !('2xx' in response) && '200' in response)
    response['201'] = response['200'];
  for (const status of writes ? [...EVERY_ROUTE, ...WRITES] : EVERY_ROUTE) {
    if (String(status) in response || `${String(status)[0]}xx` in response) continue;
    response[String(status)] = {
      description: DESCRIPTIONS[status],
      content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
    };
  }
  return out;
}

/** Records every route's path pattern for {@link FastifyInstance.allowedMethods} (405 and its Allow header). */
export const allowedMethodsPlugin = fp(async (app: FastifyInstance) => {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.decorate('allowedMethods', (path: string): string[] => [
    ...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods)),
  ]);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url.includes('*')) return;
    const source = route.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}/?$`), methods: [route.method].flat() });
  });
});
