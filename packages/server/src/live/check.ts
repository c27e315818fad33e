import { Ajv, type ValidateFunction } from 'ajv';
import { LIVE_SCHEMAS, SessionSummarySchema, type LiveServerMessage } from '@tether/protocol';
import { CHECK_RESPONSES_ENV, responseViolations } from '../plugins/response-check.js';

let validate: ValidateFunction | undefined;

/**
 * Test diagnostic (`TETHER_CHECK_RESPONSES=1`, as for HTTP responses in plugins/response-check.ts): every live-feed
 * message the server builds is checked against its schema in @tether/protocol (LIVE_SCHEMAS). A message that fails is
 * replaced by an `error` message naming the mismatch (so the test waiting for it fails), written to stderr and kept in
 * `responseViolations`. Off: returns the message as it is, at no cost.
 */
export function checkLiveMessage(body: LiveServerMessage): LiveServerMessage {
  if (process.env[CHECK_RESPONSES_ENV] !== '1') return body;
  if (!validate) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(SessionSummarySchema as object);
    for (const s of LIVE_SCHEMAS) ajv.addSchema(s as object);
    // Outgoing holds single messages (batch frames are built from their texts; client ops come in).
    const ids = LIVE_SCHEMAS.map((s) => (s as { $id?: string }).$id).filter(
      (id) => id !== 'LiveBatchMessage' && id !== 'LiveClientOp',
    );
    validate = ajv.compile({ anyOf: ids.map((id) => ({ $ref: `${id}#` })) });
  }
  if (validate(body)) return body;
  const problem = `live message ${JSON.stringify(body).slice(0, 300)} matches no live-feed schema: ${new Ajv().errorsText(validate.errors?.slice(0, 8), { dataVar: 'message' })}`;
  responseViolations.push({
    method: 'LIVE',
    url: '',
    route: undefined,
    status: 0,
    contentType: 'live message',
    problem,
  });
  process.stderr.write(`[${CHECK_RESPONSES_ENV}] ${problem}\n`);
  return { type: 'error', code: 'internal_error', detail: `Response check (${CHECK_RESPONSES_ENV}=1): ${problem}` };
}
