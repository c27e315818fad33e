import type { FastifyInstance } from 'fastify';
import { isValidSessionId } from '@tether/protocol';
import { TetherError } from '../../errors.js';
import type { SessionRecord } from '../../events/record.js';
import { hookSessionIds, mapClaudeHook } from './map-hook.js';
import { CLAUDE_CODE_HOOK_PATH, HOOK_TIME_HEADER, isObj } from './shared.js';

/** Largest hook body accepted (bytes): a PostToolUse carries the whole tool response (a read file, a command's output). */
export const HOOK_BODY_LIMIT = 32 * 1024 * 1024;
/** How far in the future (ms) a forwarder's hook time may be before the receive time is used instead. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The hook's time: a valid ISO 8601 `x-tether-hook-time` not far in the future, else the receive time. */
function hookTime(header: unknown, receivedAt: string): string {
  if (typeof header !== 'string') return receivedAt;
  const t = Date.parse(header);
  if (!Number.isFinite(t) || t > Date.parse(receivedAt) + MAX_CLOCK_SKEW_MS) return receivedAt;
  return new Date(t).toISOString();
}

/**
 * `POST /api/hooks/claude-code`: the JSON Claude Code posts for an `http` hook (the same object a `command` hook reads
 * on stdin), mapped to Tether events by {@link mapClaudeHook} and appended at once. Answers 200 `{}` (an empty decision:
 * Claude Code goes on as if the hook were not there) with `x-tether-events: <events stored>`; events that cannot be
 * stored are logged, never turned into a decision. A body that is not an object with a valid `session_id` gets 400
 * problem+json (`validation_failed` / `invalid_session_id`), which Claude Code treats as a non-blocking error.
 * Scope: `ingest`. Optional header {@link HOOK_TIME_HEADER}: when the hook fired (ISO 8601).
 */
export async function claudeCodeHookRoute(app: FastifyInstance): Promise<void> {
  app.post(
    CLAUDE_CODE_HOOK_PATH,
    {
      bodyLimit: Math.max(HOOK_BODY_LIMIT, app.config.bodyLimit),
      schema: {
        tags: ['integrations'],
        summary: 'Claude Code hook receiver (http or command hooks)',
        description:
          'Body: the hook input JSON (session_id, hook_event_name, tool_name, tool_input, tool_use_id, tool_response, prompt, agent_id, …). ' +
          'Always answers 200 {} so that the agent is never blocked. See docs/claude-code.md.',
        body: { type: 'object', additionalProperties: true },
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async (req, reply) => {
      const p = req.body;
      if (!isObj(p))
        throw new TetherError('validation_failed', 'The body must be the JSON object Claude Code sends to a hook');
      if (!isValidSessionId(p.session_id))
        throw new TetherError('invalid_session_id', 'session_id must be 1–128 characters of A-Za-z0-9._:-');
      const receivedAt = new Date().toISOString();
      const now = hookTime(req.headers[HOOK_TIME_HEADER], receivedAt);
      const { target, child } = hookSessionIds(p);
      const sessions = new Map<string, SessionRecord | undefined>();
      for (const id of child ? [target, child] : [target]) sessions.set(id, await app.store.getSession(id));
      const events = mapClaudeHook(p, now, sessions);
      const outcomes = await app.committer.appendMany(events.map((input) => ({ input, autoCreate: true, receivedAt })));
      let stored = 0;
      outcomes.forEach((o, i) => {
        if (o.ok) {
          if (!o.duplicate) stored++;
        } else if (o.error.code !== 'session_exists') {
          req.log.warn(
            { code: o.error.code, detail: o.error.message, eventId: events[i]?.id, hook: p.hook_event_name },
            'claude-code hook: event not stored',
          );
        }
      });
      return reply.code(200).header('x-tether-events', String(stored)).send({});
    },
  );
}
