import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { PROBLEM_CONTENT_TYPE } from '@tether/protocol';
import { Problem } from './openapi-responses.js';

// ajv-formats is CommonJS; its default export arrives as the module object under some loaders.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as unknown as (
  ajv: Ajv,
) => Ajv;

/** The environment variable that turns the check on (`1`); the node test suite sets it (`npm run test:node`). */
export const CHECK_RESPONSES_ENV = 'TETHER_CHECK_RESPONSES';
/** Streamed JSON bodies longer than this (bytes) are passed through unchecked, to keep memory bounded. */
const MAX_CHECKED_STREAM = 64 * 1024 * 1024;

/** One response that `/openapi.json` does not describe. */
export interface ResponseViolation {
  method: string;
  url: string;
  route: string | undefined;
  status: number;
  contentType: string;
  problem: string;
}

/** Every violation seen in this process (tests may read it; each is also written to stderr). */
export const responseViolations: ResponseViolation[] = [];

/** `/api/v1/sessions/:sessionId` → `/api/v1/sessions/{sessionId}` (how @fastify/swagger names paths). */
function openapiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');
}

/** A JSON pointer token, URI-escaped for a `$ref` fragment. */
const token = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

/**
 * Test diagnostic (off unless `TETHER_CHECK_RESPONSES=1`): every response this server sends is checked against
 * `/openapi.json` (the document built from the route schemas): the route must be documented, its status declared
 * (exactly, as `2XX`-style range, or `default`), its content type listed for that status, and a JSON body (buffered or
 * streamed) must validate against the declared schema (ajv, all errors). A body that fails is replaced by a 500
 * problem+json `internal_error` naming the mismatch (a streamed one is cut off: the socket is dropped before its last chunk), so the test that
 * made the request fails; every violation is also written to stderr and kept in {@link responseViolations}.
 * Not checked: HEAD, routes hidden from the document (`/openapi.json`, `/docs`, dashboard files), hijacked replies
 * (WebSocket, SSE, MCP: they write to the socket themselves), non-JSON answers to unmatched URLs (the dashboard's deep
 * links). JSON answers to unmatched URLs (404/405 from the not-found handler) must be problem+json documents.
 */
export const responseCheckPlugin = fp(
  async function responseCheck(app: FastifyInstance): Promise<void> {
    let doc:
      | {
          paths: Record<
            string,
            Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
          >;
        }
      | undefined;
    let ajv: Ajv | undefined;
    const compiled = new Map<string, ValidateFunction>();
    const validator = (ref: string): ValidateFunction => {
      let v = compiled.get(ref);
      if (!v) compiled.set(ref, (v = ajv!.compile({ $ref: ref })));
      return v;
    };
    const init = () => {
      if (doc) return;
      doc = JSON.parse(JSON.stringify(app.swagger())) as NonNullable<typeof doc>;
      ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
      ajv.addSchema(doc as object, 'tether-openapi.json');
      ajv.addSchema(Problem as object, 'tether-problem.json');
    };

    // Built at start (not on the first request, which would then take a few hundred ms longer than without the check).
    app.addHook('onReady', async () => init());

    const violation = (req: FastifyRequest, reply: FastifyReply, contentType: string, problem: string) => {
      const v: ResponseViolation = {
        method: req.method,
        url: req.url,
        route: req.routeOptions.url,
        status: reply.statusCode,
        contentType,
        problem,
      };
      responseViolations.push(v);
      process.stderr.write(
        `[${CHECK_RESPONSES_ENV}] ${v.method} ${v.url} (route ${v.route ?? 'none'}) answered ${v.status} ${contentType}: ${problem}\n`,
      );
      return v;
    };

    /** The `$ref` of the schema for this reply, or a string saying why there is none. */
    const schemaRef = (
      req: FastifyRequest,
      reply: FastifyReply,
      mediaType: string,
    ): { ref: string } | { error: string } | undefined => {
      const url = req.routeOptions.url;
      if (url === undefined || url === '*' || url.includes('*')) {
        if (reply.statusCode >= 400 && mediaType === PROBLEM_CONTENT_TYPE) return { ref: 'tether-problem.json' };
        // The dashboard's deep links (index.html from the not-found handler) are not part of the API.
        if (!mediaType.includes('json')) return undefined;
        return { error: 'the URL matched no route and the JSON answer is not a problem+json error' };
      }
      const schema = req.routeOptions.schema as { hide?: boolean } | undefined;
      if (schema?.hide || url.startsWith('/docs')) return undefined;
      const path = openapiPath(url);
      const method = req.method.toLowerCase();
      const op = doc!.paths[path]?.[method];
      if (!op) return { error: `${req.method} ${path} is not in /openapi.json` };
      const status = String(reply.statusCode);
      const key = [status, `${status[0]}XX`, `${status[0]}xx`, 'default'].find((k) => op.responses?.[k]);
      if (!key)
        return { error: `status ${status} is not declared (declared: ${Object.keys(op.responses ?? {}).join(', ')})` };
      const content = op.responses![key]!.content;
      if (!content)
        return mediaType
          ? { error: `status ${key} declares no body, but one of type ${mediaType} was sent` }
          : undefined;
      if (!mediaType)
        return { error: `status ${key} declares a body (${Object.keys(content).join(', ')}), but none was sent` };
      if (!content[mediaType])
        return {
          error: `content type ${mediaType} is not declared for status ${key} (declared: ${Object.keys(content).join(', ')})`,
        };
      if (!content[mediaType]!.schema) return undefined;
      return {
        ref: `tether-openapi.json#/paths/${token(path)}/${method}/responses/${token(key)}/content/${token(mediaType)}/schema`,
      };
    };

    const check = (ref: string, text: string): string | undefined => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        return `the body is not JSON: ${(err as Error).message}`;
      }
      const v = validator(ref);
      if (v(body)) return undefined;
      return `the body does not match the schema: ${ajv!.errorsText(v.errors, { dataVar: 'body' })}; body: ${text.slice(0, 300)}`;
    };

    app.addHook('onSend', async (req, reply, payload) => {
      if (req.method === 'HEAD') return payload;
      init();
      const ct = String(reply.getHeader('content-type') ?? '');
      const mediaType = ct.split(';')[0]!.trim().toLowerCase();
      // Node sends no body with 204 and 304, whatever the payload.
      const empty =
        payload === null ||
        payload === undefined ||
        payload === '' ||
        reply.statusCode === 204 ||
        reply.statusCode === 304;
      const found = schemaRef(req, reply, empty ? '' : mediaType);
      if (!found) return payload;
      if ('error' in found) {
        violation(req, reply, ct, found.error);
        return payload instanceof Readable ? payload : fail(reply, found.error);
      }
      if (!mediaType.includes('json')) return payload;
      if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
        const problem = check(found.ref, String(payload));
        if (!problem) return payload;
        violation(req, reply, ct, problem);
        return fail(reply, problem);
      }
      if (payload instanceof Readable) {
        // Pass the stream through, keeping a copy; check it at the end and fail the stream on a mismatch.
        const chunks: Buffer[] = [];
        let size = 0;
        const out = new PassThrough({
          transform(chunk: Buffer | string, _enc, done) {
            const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
            size += b.length;
            if (size <= MAX_CHECKED_STREAM) chunks.push(b);
            done(null, b);
          },
          flush(done) {
            if (size > MAX_CHECKED_STREAM) return done();
            const problem = check(found.ref, Buffer.concat(chunks).toString('utf8'));
            if (!problem) return done();
            violation(req, reply, ct, problem);
            // The chunked body's last chunk is not written yet: dropping the socket leaves the client a cut-off body.
            reply.raw.destroy(new Error(`response check: ${problem}`));
            done();
          },
        });
        payload.on('error', (err) => out.destroy(err));
        return payload.pipe(out);
      }
      return payload;
    });
  },
  { name: 'tether-response-check' },
);

/** Replaces the reply by a 500 problem naming the mismatch (the test that made the request then fails). */
function fail(reply: FastifyReply, problem: string): string {
  reply.code(500).header('content-type', PROBLEM_CONTENT_TYPE);
  return JSON.stringify({
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    code: 'internal_error',
    detail: `Response check (${CHECK_RESPONSES_ENV}=1): ${problem}`,
  });
}
