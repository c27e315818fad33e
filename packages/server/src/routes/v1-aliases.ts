import type { IncomingMessage } from 'node:http';

/**
 * Old unversioned paths of Tether's own (non-seed) routes, kept as aliases of their `/api/v1` routes: the session
 * list, a session's events/summary/children/stream, the firehose stream, batch ingest, search, analytics and the
 * Claude Code hook. The seed routes (the prototype's paths) are not aliases: they answer the prototype's shapes.
 * Deprecated; new clients use /api/v1 (docs/api.md).
 */
const ALIASES: ReadonlyArray<[method: string | undefined, path: RegExp]> = [
  ['GET', /^\/api\/sessions(?=\?|$)/],
  [undefined, /^\/api\/sessions\/(?!user\/)[^/?]+\/(?:events|summary|children|stream)(?=\?|$)/],
  [undefined, /^\/api\/(?:stream|ingest)(?=\?|$)/],
  [undefined, /^\/api\/query\/(?:search|analytics)(?=\?|$)/],
  [undefined, /^\/api\/hooks\//],
];

/** Fastify `rewriteUrl`: maps an aliased old path to its `/api/v1` route; every other URL is left as it is. */
export function rewriteLegacyUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  if (!url.startsWith('/api/') || url.startsWith('/api/v1/')) return url;
  for (const [method, re] of ALIASES)
    if ((method === undefined || method === req.method) && re.test(url)) return `/api/v1${url.slice(4)}`;
  return url;
}
