import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Scope } from '../config.js';
import { TetherError } from '../errors.js';
import type { Store } from '../storage/store.js';

/** SHA-256 hex of a key secret: the only form in which stored keys are kept. */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs when API keys are enabled; `public` needs none. */
    scope?: Scope | 'public';
  }
  interface FastifyRequest {
    /** Scopes of the caller's key (all scopes when keys are disabled). */
    scopes: ReadonlySet<Scope>;
  }
}

const ALL: ReadonlySet<Scope> = new Set(['ingest', 'read', 'admin']);

/**
 * Resolves a bearer secret to its scopes: static keys from TETHER_API_KEYS, then keys in the store
 * (cached 5 s, so a key revoked with `tether keys revoke` stops working within 5 s). `admin` implies all scopes.
 */
export class KeyRing {
  private readonly staticKeys = new Map<string, Set<Scope>>();
  private cache = new Map<string, { scopes: Set<Scope> | null; at: number }>();
  private storeHasKeys = false;
  private checkedAt = 0;

  constructor(
    keys: Array<{ secret: string; scopes: Scope[] }>,
    private readonly store: Store,
  ) {
    for (const k of keys) this.staticKeys.set(hashKey(k.secret), expand(k.scopes));
  }

  /**
   * Whether requests must authenticate, when known without I/O (static keys, or a recent look at the store);
   * `undefined` when the store must be asked (see {@link enabled}).
   */
  enabledSync(): boolean | undefined {
    if (this.staticKeys.size) return true;
    return Date.now() - this.checkedAt > 5000 ? undefined : this.storeHasKeys;
  }

  /** True when requests must authenticate: static keys are configured, or any key was ever created in the store. */
  async enabled(): Promise<boolean> {
    if (this.staticKeys.size) return true;
    if (Date.now() - this.checkedAt > 5000) {
      // Any key ever created (even revoked) keeps authentication on: revoking the last key must not open the service.
      this.storeHasKeys = (await this.store.listKeys()).length > 0;
      this.checkedAt = Date.now();
    }
    return this.storeHasKeys;
  }

  /** Forgets cached lookups (keys changed in the store, e.g. through another server): the next request reads the store. */
  invalidate(): void {
    this.cache = new Map();
    this.checkedAt = 0;
  }

  async scopesFor(secret: string): Promise<Set<Scope> | null> {
    const hash = hashKey(secret);
    const s = this.staticKeys.get(hash);
    if (s) return s;
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.at < 5000) return hit.scopes;
    const rec = (await this.store.listKeys()).find((k) => k.hash === hash && !k.revokedAt);
    const scopes = rec ? expand(rec.scopes as Scope[]) : null;
    if (this.cache.size > 10_000) this.cache = new Map();
    this.cache.set(hash, { scopes, at: Date.now() });
    return scopes;
  }
}

function expand(scopes: Scope[]): Set<Scope> {
  return scopes.includes('admin') ? new Set(ALL) : new Set(scopes);
}

/**
 * True when the route documents `apiKey` in its querystring schema: the live-feed routes (SSE streams; `/ws` checks
 * its upgrade itself), for browsers' EventSource and WebSocket, which cannot send headers. Other routes refuse query
 * keys, which end up in logs, proxies and browser history (issue #12).
 */
function acceptsQueryKey(req: FastifyRequest): boolean {
  const qs = req.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return Boolean(qs?.properties && 'apiKey' in qs.properties);
}

/** The `Authorization` header's bearer secret (the scheme is case-insensitive, RFC 9110 §11.1), or undefined. */
export function headerBearer(h: string | undefined): string | undefined {
  const m = h ? /^bearer[ \t]+(\S.*)$/i.exec(h) : null;
  return m ? m[1]!.trim() : undefined;
}

/** Reads `Authorization: Bearer <key>`, or `?apiKey=` on the live-feed routes ({@link acceptsQueryKey}). */
export function bearer(req: FastifyRequest): string | undefined {
  const h = headerBearer(req.headers.authorization);
  if (h) return h;
  if (!acceptsQueryKey(req)) return undefined;
  const q = (req.query as Record<string, unknown> | undefined)?.apiKey;
  return typeof q === 'string' ? q : undefined;
}

/** True when the request's URL carries `apiKey=` (accepted only where {@link acceptsQueryKey}). */
function hasQueryKey(req: FastifyRequest): boolean {
  return /[?&]apiKey=/i.test(req.url);
}

/** `url` with the value of any `apiKey` query parameter replaced (for logs and problem documents). */
export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(/([?&]apiKey=)[^&#]*/gi, '$1[redacted]') : url;
}

/** Checks the route's scope (route config `scope`; GET/HEAD default `read`, other methods `ingest`). */
export const authPlugin = fp(async (app: FastifyInstance, opts: { keys: KeyRing }) => {
  app.decorateRequest('scopes', null as unknown as ReadonlySet<Scope>);
  const check = async (req: FastifyRequest, need: Scope): Promise<void> => {
    if (!(await opts.keys.enabled())) return;
    const secret = bearer(req);
    if (!secret && hasQueryKey(req) && !acceptsQueryKey(req)) {
      throw new TetherError(
        'unauthorized',
        '?apiKey= is accepted only on the live-feed routes (/ws and the SSE streams); send Authorization: Bearer <key>',
      );
    }
    if (!secret)
      throw new TetherError('unauthorized', 'This service needs an API key: send Authorization: Bearer <key>');
    const scopes = await opts.keys.scopesFor(secret);
    if (!scopes) throw new TetherError('unauthorized', 'Unknown or revoked API key');
    req.scopes = scopes;
    if (!scopes.has(need)) throw new TetherError('forbidden', `This API key lacks the "${need}" scope`);
  };
  // A callback hook with a synchronous fast path: with keys off (the default) no promise is made per request.
  app.addHook('onRequest', (req, _reply, done) => {
    req.scopes = ALL;
    const path = req.url;
    // The dashboard's files, docs and health are public; the dashboard itself asks for a key for the API.
    if (!path.startsWith('/api') && !path.startsWith('/ws') && !path.startsWith('/metrics')) return done();
    const need = req.routeOptions.config?.scope ?? (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'ingest');
    if (need === 'public' || opts.keys.enabledSync() === false) return done();
    check(req, need).then(() => done(), done);
  });
});
