import type { SessionState } from '@tether/protocol';
import { TetherError } from '../errors.js';
import { isPlainObject } from '../util/merge-patch.js';

/**
 * The keys of a session's state that Tether owns, and the shape they keep whatever a merge patch (RFC 7396) sends:
 *
 * - `goals`: an array of objects, each with a non-empty string `goalId` (the goal routes find goals by it);
 * - `agents`: an object whose `spawned` is an array of objects with a non-empty string `agentId`, and whose `active`
 *   and `completed` are arrays of agent ids (strings);
 * - `sessionId` and `version`: set by the server; a patch's values for them are ignored (reset), not an error.
 *
 * A patch that would break one of the first two answers 400 `validation_failed` with the key in `errors[].path`
 * (`/goals`, `/agents/active`, …) and changes nothing. Other keys (`phase`, `workspace`, your own) take any JSON.
 */
export const RESERVED_STATE_KEYS = ['sessionId', 'version', 'goals', 'agents'] as const;

const isIdList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const hasId =
  (key: string) =>
  (v: unknown): boolean =>
    Array.isArray(v) && v.every((x) => isPlainObject(x) && typeof x[key] === 'string' && x[key] !== '');

const AGENT_LISTS: Record<string, { ok: (v: unknown) => boolean; shape: string }> = {
  spawned: { ok: hasId('agentId'), shape: 'an array of agent objects, each with a string agentId' },
  active: { ok: isIdList, shape: 'an array of agent ids (strings)' },
  completed: { ok: isIdList, shape: 'an array of agent ids (strings)' },
};
const goalsOk = hasId('goalId');

/** Throws 400 `validation_failed` naming each reserved key that `patch` (a state merge patch) would break. */
export function checkStatePatch(patch: Record<string, unknown>): void {
  const errors: Array<{ path: string; message: string }> = [];
  if ('goals' in patch && !goalsOk(patch.goals))
    errors.push({
      path: '/goals',
      message: 'must stay an array of goal objects, each with a string goalId (use the goal routes to change goals)',
    });
  if ('agents' in patch) {
    const agents = patch.agents;
    if (!isPlainObject(agents))
      errors.push({ path: '/agents', message: 'must stay an object with spawned, active and completed' });
    else {
      for (const [key, rule] of Object.entries(AGENT_LISTS)) {
        if (key in agents && !rule.ok(agents[key]))
          errors.push({ path: `/agents/${key}`, message: `must stay ${rule.shape}` });
      }
    }
  }
  if (errors.length) {
    throw new TetherError(
      'validation_failed',
      `The patch would break keys Tether owns: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      errors,
    );
  }
}

/**
 * Puts the reserved keys of a patched state back in shape (a log written before these rules were enforced may hold
 * such patches): a broken `goals` or agent list is reset to what it was before the patch; `sessionId` and `version`
 * always keep the server's values. Mutates and returns `next`.
 */
export function keepReservedShape(next: SessionState, before: SessionState): SessionState {
  next.sessionId = before.sessionId;
  next.version = before.version;
  if (!goalsOk(next.goals)) next.goals = before.goals;
  if (!isPlainObject(next.agents)) next.agents = before.agents;
  else {
    for (const [key, rule] of Object.entries(AGENT_LISTS)) {
      const agents = next.agents as unknown as Record<string, unknown>;
      if (!rule.ok(agents[key])) agents[key] = (before.agents as unknown as Record<string, unknown>)[key] ?? [];
    }
  }
  return next;
}
