import type { FastifyInstance } from 'fastify';
import type { FetchLike } from '@tether/client';

/**
 * A `fetch` for `@tether/client` that answers from this app in-process (`app.inject`: the full route lifecycle with
 * schemas, auth and problem+json errors, no socket), sending `authorization()` (the current MCP caller's header) with each request.
 */
export function injectFetch(app: FastifyInstance, authorization: () => string | undefined): FetchLike {
  return async (input, init = {}) => {
    const url = new URL(input);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const auth = authorization();
    if (auth) headers.authorization = auth;
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET', url: url.pathname + url.search, headers,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : String(v));
    const empty = res.statusCode === 204 || res.statusCode === 304;
    return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers: out });
  };
}
