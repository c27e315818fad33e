import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type ErrorCode, type Problem } from '@tether/protocol';
import { TetherError, titleFor } from '../errors.js';

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
  } else if (fe.validation) {
    errors = fe.validation.map((v) => ({ path: `${fe.validationContext ?? 'body'}${v.instancePath}`, message: v.message ?? 'invalid' }));
    const badId = fe.validationContext === 'params' && fe.validation.some((v) => /sessionId/i.test(v.instancePath));
    code = badId ? 'invalid_session_id' : 'validation_failed';
    detail = badId ? 'A session id is 1–128 characters of A-Za-z0-9._:-' : `Invalid ${fe.validationContext ?? 'request'}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`;
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
    type: PROBLEM_TYPE_BASE + code, title: titleFor(code), status: ERROR_CODES[code], detail,
    instance: req.url, code, requestId: String(req.id),
  };
  if (errors) problem.errors = errors;
  return problem;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

/** RFC 9457 errors for everything: thrown errors, validation, unknown routes. Never HTML, never a stack trace. */
export const problemPlugin = fp(async (app: FastifyInstance, opts: { notFound?: boolean }) => {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const problem = toProblem(err, req);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: problem.code, detail: problem.detail }, 'request rejected');
    return sendProblem(reply, problem);
  });
  // `notFound: false` when buildApp serves the dashboard: its own not-found handler also answers deep links with index.html.
  if (opts.notFound !== false) {
    app.setNotFoundHandler((req, reply) =>
      sendProblem(reply, toProblem(new TetherError('route_not_found', `No route ${req.method} ${req.url.split('?')[0]}`), req)),
    );
  }
});
