/**
 * Claude Code hook configuration for Tether, and merging it into a settings.json
 * (`{"hooks": {"<Event>": [{"matcher": "<tool regex>", "hooks": [{"type": "http", "url": …}]}]}}`) without touching
 * anything else in the file. Pure functions; `tether setup claude-code` does the file I/O.
 */

import {
  CLAUDE_CODE_HOOK_EVENTS as HOOK_EVENTS,
  CLAUDE_CODE_HOOK_PATH as HOOK_PATH,
  CLAUDE_CODE_TOOL_EVENTS as TOOL_EVENTS,
} from '@tether/server';

/** The hook events Tether configures: the server's own list (one home: @tether/server's `integrations/claude-code`). */
export { HOOK_EVENTS };

/** One hook handler as Claude Code's settings spell it. `timeout` is in seconds. */
export type HookEntry =
  | { type: 'http'; url: string; timeout?: number; headers?: Record<string, string>; allowedEnvVars?: string[] }
  | { type: 'command'; command: string; timeout?: number };
export interface MatcherGroup {
  matcher?: string;
  hooks: HookEntry[];
}
export type HooksConfig = Record<string, MatcherGroup[]>;

export interface TetherHookOptions {
  /** `http` (Claude Code posts to the service; default) or `command` (runs `command`, which forwards). */
  kind: 'http' | 'command';
  /** Service base URL (http kind). */
  url: string;
  /** The command line (command kind), e.g. `tether hook claude-code`. */
  command?: string;
}

/**
 * The hook entry Tether needs: for `http`, a POST to `<url>/api/v1/hooks/claude-code` with `Authorization: Bearer
 * $TETHER_API_KEY` (Claude Code fills it from the environment; the key never lands in the file), 5 s timeout; for
 * `command`, the given command with a 5 s timeout (it gives up after 2 s by itself).
 */
export function tetherHookEntry(o: TetherHookOptions): HookEntry {
  if (o.kind === 'command') return { type: 'command', command: o.command ?? 'tether hook claude-code', timeout: 5 };
  return {
    type: 'http',
    url: o.url.replace(/\/+$/, '') + HOOK_PATH,
    timeout: 5,
    headers: { Authorization: 'Bearer ${TETHER_API_KEY}' },
    allowedEnvVars: ['TETHER_API_KEY'],
  };
}

/** The whole `hooks` block: every event of {@link HOOK_EVENTS}, tool events with matcher `*`. */
export function tetherHooks(o: TetherHookOptions): HooksConfig {
  const entry = tetherHookEntry(o);
  return Object.fromEntries(
    HOOK_EVENTS.map((e) => [e, [{ ...(TOOL_EVENTS.has(e) ? { matcher: '*' } : {}), hooks: [entry] }]]),
  );
}

/** True for a hook entry Tether wrote (either kind, any URL or command spelling). */
export function isTetherHook(h: unknown): boolean {
  if (!h || typeof h !== 'object') return false;
  const e = h as Record<string, unknown>;
  if (e.type === 'http' && typeof e.url === 'string') return e.url.replace(/\/+$/, '').endsWith(HOOK_PATH);
  if (e.type === 'command' && typeof e.command === 'string')
    return /hook claude-code|claude[\\/]hook-main\.js/.test(e.command);
  return false;
}

/** What a merge did to one event. */
export interface HookChange {
  event: string;
  change: 'added' | 'updated' | 'unchanged' | 'removed';
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Merges Tether's hooks into a settings object (returns a new object; the input is not changed). Other keys and other
 * hooks stay as they are; a Tether hook already there with the same settings is left alone ("unchanged"), a different
 * one (other URL, other kind) is replaced ("updated"). With `remove`, Tether's hooks are taken out instead.
 * Throws when `settings.hooks` exists and is not an object.
 */
export function mergeTetherHooks(
  settings: Record<string, unknown>,
  ours: HooksConfig,
  remove = false,
): { settings: Record<string, unknown>; changes: HookChange[] } {
  const out = structuredClone(settings);
  if (out.hooks !== undefined && (typeof out.hooks !== 'object' || out.hooks === null || Array.isArray(out.hooks))) {
    throw new Error('"hooks" in the settings file is not an object; fix it by hand first');
  }
  const hooks = (out.hooks ?? {}) as Record<string, unknown>;
  const changes: HookChange[] = [];
  const events = remove ? Object.keys(hooks) : Object.keys(ours);
  for (const event of events) {
    const groups: MatcherGroup[] = Array.isArray(hooks[event]) ? (hooks[event] as MatcherGroup[]) : [];
    const want = ours[event]?.[0];
    const ourCount = groups.reduce(
      (n, g) => n + (Array.isArray(g?.hooks) ? g.hooks.filter(isTetherHook).length : 0),
      0,
    );
    const inPlace =
      want !== undefined &&
      ourCount === 1 &&
      groups.some(
        (g) => same(g?.matcher, want.matcher) && Array.isArray(g.hooks) && g.hooks.some((h) => same(h, want.hooks[0])),
      );
    if (!remove && inPlace) {
      changes.push({ event, change: 'unchanged' });
      continue;
    }
    const kept = groups
      .map((g) => (Array.isArray(g?.hooks) ? { ...g, hooks: g.hooks.filter((h) => !isTetherHook(h)) } : g))
      .filter((g) => !Array.isArray(g?.hooks) || g.hooks.length > 0);
    if (remove) {
      if (!ourCount) continue;
      if (kept.length) hooks[event] = kept;
      else delete hooks[event];
      changes.push({ event, change: 'removed' });
      continue;
    }
    hooks[event] = [...kept, ...(want ? [want] : [])];
    changes.push({ event, change: ourCount ? 'updated' : 'added' });
  }
  if (Object.keys(hooks).length || out.hooks !== undefined) out.hooks = hooks;
  return { settings: out, changes };
}
