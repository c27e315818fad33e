import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type ErrorCode, type Problem } from '@tether/protocol';
import { TetherError, titleFor } from '../errors.js';
import { isStorageFull } from '../storage/item-errors.js';
import { redactUrl } from './auth.js';
import { STORAGE_FULL_RETRY_AFTER_S } from './storage-health.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_BAD_URL: 'validation_failed',
  FST_ERR_MAX_PARAM_LENGTH: 'validation_failed',
};

/** Maps any thrown error to a stable code; unknown errors become `internal_error` (details only in the log). */
export function toProblem(err: FastifyError | Error, req: FastifyRequest): Problem {
  let code: ErrorCode;
  let detail: string;
  let errors: Problem['errors'];
  const fe = err as FastifyError & { validationContext?: string };
  if (err instanceof TetherError) {
    code = err.code;
    detail = err.message;
    errors = err.errors;
  } else if (isStorageFull(err)) {
    code = 'insufficient_storage';
    detail = `The disk holding the data is full: nothing was written. Retry after ${STORAGE_FULL_RETRY_AFTER_S} s; reads keep working`;
  } else if (fe.validation) {
    errors = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? 'body'}${v.instancePath}`,
      message: v.message ?? 'invalid',
    }));
    const badId = fe.validationContext === 'params' && fe.validation.some((v) => /sessionId/i.test(v.instancePath));
    code = badId ? 'invalid_session_id' : 'validation_failed';
    detail = badId
      ? 'A session id is 1–128 characters of A-Za-z0-9._:-'
      : `Invalid ${fe.validationContext ?? 'request'}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`;
  } else if (fe.code && FASTIFY_CODES[fe.code]) {
    code = FASTIFY_CODES[fe.code]!;
    detail = fe.message;
  } else if (err instanceof SyntaxError || (fe.statusCode === 400 && /JSON|prototype/i.test(err.message))) {
    code = 'invalid_json';
    detail = `The body is not valid JSON: ${err.message}`;
  } else if (fe.statusCode === 429) {
    code = 'rate_limited';
    detail = err.message;
  } else if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    code = 'validation_failed';
    detail = err.message;
  } else {
    code = 'internal_error';
    detail = 'An unexpected error occurred; the server log has the details under this request id';
  }
  const problem: Problem = {
    type: PROBLEM_TYPE_BASE + code,
    title: titleFor(code),
    status: ERROR_CODES[code],
    detail,
    instance: redactUrl(req.url),
    code,
    requestId: String(req.id),
  };
  if (errors) problem.errors = errors;
  return problem;
}

/**
 * The answer for a request no route takes: 405 `method_not_allowed` with `Allow` when the path exists with other
 * methods (RFC 9110 §15.5.6), else 404 `route_not_found`.
 */
export function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = req.url.split('?')[0]!;
  const allowed = req.server.allowedMethods?.(path) ?? [];
  if (allowed.length) {
    reply.header('allow', allowed.join(', '));
    return sendProblem(
      reply,
      toProblem(
        new TetherError(
          'method_not_allowed',
          `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        ),
        req,
      ),
    );
  }
  return sendProblem(reply, toProblem(new TetherError('route_not_found', `No route ${req.method} ${path}`), req));
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

/** RFC 9457 errors for everything: thrown errors, validation, unknown routes. Never HTML, never a stack trace. */
export const problemPlugin = fp(async (app: FastifyInstance, opts: { notFound?: boolean }) => {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // A request no route takes can fail before the not-found handler runs (a body method like QUERY without a
    // Content-Type): it still answers 404/405.
    if (req.is404) return notFound(req, reply);
    const problem = toProblem(err, req);
    if (problem.code === 'insufficient_storage') {
      reply.header('retry-after', String(STORAGE_FULL_RETRY_AFTER_S));
      req.server.storageHealth?.refusedWrite(err);
    } else if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: problem.code, detail: problem.detail }, 'request rejected');
    return sendProblem(reply, problem);
  });
  // `notFound: false` when buildApp serves the dashboard: its own not-found handler also answers deep links with index.html.
  if (opts.notFound !== false) app.setNotFoundHandler(notFound);
});
