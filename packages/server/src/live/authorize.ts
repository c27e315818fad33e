import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type ErrorCode } from '@tether/protocol';
import { titleFor } from '../errors.js';
import { headerBearer, type KeyRing } from '../plugins/auth.js';

/** The outcome of checking a live-feed client's key: allowed, or the stable error code and a detail. */
export type LiveAuth =
  | { ok: true }
  | { ok: false; code: Extract<ErrorCode, 'unauthorized' | 'forbidden'>; detail: string };

/**
 * Checks that `secret` may read the live feed: always allowed while no API key exists; otherwise the key must be known,
 * not revoked, and hold the `read` scope (`admin` implies it). Used at connect time and again on every heartbeat, so a
 * revoked key stops a long-lived connection (KeyRing caches lookups for 5 s).
 */
export async function authorizeLive(keys: KeyRing, secret: string | undefined): Promise<LiveAuth> {
  if (!(await keys.enabled())) return { ok: true };
  if (!secret)
    return {
      ok: false,
      code: 'unauthorized',
      detail: 'This service needs an API key: send Authorization: Bearer <key> (browsers: ?apiKey=<key>)',
    };
  const scopes = await keys.scopesFor(secret);
  if (!scopes) return { ok: false, code: 'unauthorized', detail: 'Unknown or revoked API key' };
  if (!scopes.has('read')) return { ok: false, code: 'forbidden', detail: 'This API key lacks the "read" scope' };
  return { ok: true };
}

/** The key of a raw request (the WebSocket upgrade): `Authorization: Bearer <key>`, else `?apiKey=`. */
export function rawBearer(req: IncomingMessage, url: URL): string | undefined {
  return headerBearer(req.headers.authorization) ?? url.searchParams.get('apiKey') ?? undefined;
}

/**
 * Cross-site WebSocket hijacking guard: browsers always send `Origin` on a WebSocket upgrade, and a page on another
 * site must not read the feed of a service on the user's machine (no key needed there). Allowed: no Origin (not a
 * browser), the same host as `Host`, or an origin in TETHER_CORS_ORIGINS (`*` allows all).
 */
export function originAllowed(req: IncomingMessage, corsOrigins: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || corsOrigins.includes('*') || corsOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Refuses a WebSocket upgrade (Tether's `/api/v1/ws` and the prototype's `/ws`): writes an HTTP response whose status is
 * the code's (`ERROR_CODES`) and whose body is an RFC 9457 problem+json with that stable `code`, `instance` set to the
 * path of `url` (the upgrade request's), then ends the socket (destroyed after 1 s if the peer does not close).
 */
export function refuseUpgrade(socket: Duplex, url: URL, code: ErrorCode, detail: string): void {
  const status = ERROR_CODES[code];
  const title = titleFor(code);
  const body = JSON.stringify({ type: PROBLEM_TYPE_BASE + code, title, status, detail, instance: url.pathname, code });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
