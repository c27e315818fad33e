import { z } from 'zod';
import type { EventInput } from '@tether/protocol';
import type { TetherBackend } from './backend.js';

/** The session type of sessions that `track_session_start` creates. */
export const ADMIN_SHELL_SESSION_TYPE = 'admin_shell';

/** Largest pid session-buddy accepts (Linux's PID_MAX_LIMIT). */
export const MAX_PID = 4_194_304;

/**
 * `track_session_start` arguments: session-buddy 0.36's names and JSON types. Type errors (a string pid, a missing
 * field) are MCP tool errors naming the field; the value rules below answer `{status: "error"}` like session-buddy.
 */
export const TrackStartArgs = {
  event_version: z.string().describe('Event format version; must be "1.0"'),
  event_id: z.string().describe('Unique event id (a UUID); a repeated id is acknowledged without a second session'),
  event_type: z.string().describe('Must be "session_start"'),
  component_name: z.string().describe('Component name, ^[A-Za-z0-9_-]+$ (e.g. "mahavishnu")'),
  shell_type: z.string().describe('Shell class name (e.g. "MahavishnuShell")'),
  timestamp: z.string().describe('ISO 8601 start time with Z or an offset (datetime.now(UTC).isoformat())'),
  pid: z.number().int().describe(`Process id, 1–${MAX_PID}`),
  user: z
    .object({ username: z.string().describe('≤ 100 characters'), home: z.string().describe('≤ 500 characters') })
    .describe('The user running the shell'),
  hostname: z.string(),
  environment: z.object({
    python_version: z.string(),
    platform: z.string(),
    cwd: z.string().describe('≤ 500 characters'),
  }),
  metadata: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .describe('Anything else (component, version, adapters, …); kept on the session'),
  token: z
    .string()
    .nullable()
    .optional()
    .describe('Ignored: Tether authenticates with Authorization: Bearer <API key>'),
};

export const TrackEndArgs = {
  session_id: z.string().describe('The session_id that track_session_start returned'),
  timestamp: z.string().describe('ISO 8601 end time with Z or an offset'),
  event_type: z.string().default('session_end').describe('Must be "session_end"'),
  metadata: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .describe('Anything else (exit reason, …); kept on the session'),
  token: z
    .string()
    .nullable()
    .optional()
    .describe('Ignored: Tether authenticates with Authorization: Bearer <API key>'),
};

export const TrackStartResult = {
  session_id: z.string().nullable(),
  status: z.enum(['tracked', 'error']),
  error: z.string().nullable(),
};

export const TrackEndResult = {
  session_id: z.string().nullable(),
  status: z.enum(['ended', 'error', 'not_found']),
  error: z.string().nullable(),
};

export type TrackStartInput = z.infer<z.ZodObject<typeof TrackStartArgs>>;
export type TrackEndInput = z.infer<z.ZodObject<typeof TrackEndArgs>>;
export type TrackStartOutput = { session_id: string | null; status: 'tracked' | 'error'; error: string | null };
export type TrackEndOutput = {
  session_id: string | null;
  status: 'ended' | 'error' | 'not_found';
  error: string | null;
};

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const COMPONENT = /^[A-Za-z0-9_-]+$/;
// ISO 8601 date and time (fractional seconds of any length) with Z or a ±hh:mm offset.
const ISO_TZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses an ISO 8601 time with a zone; returns it as UTC ISO (ms) or a message naming the field. */
export function parseTimestamp(field: string, v: string): string | { error: string } {
  if (!ISO_TZ.test(v))
    return {
      error: `${field}: "${v}" is not an ISO 8601 time with Z or an offset (e.g. 2026-02-06T12:34:56.789+00:00)`,
    };
  // JavaScript's Date keeps milliseconds: microseconds (Python's isoformat) are cut, not rounded.
  const t = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(t)) return { error: `${field}: "${v}" is not a valid date and time` };
  return new Date(t).toISOString();
}

/** The value rules session-buddy's Pydantic models apply; the first broken one as a message naming the field. */
export function checkStart(a: TrackStartInput): string | undefined {
  if (a.event_version !== '1.0')
    return `event_version: unsupported event version "${a.event_version}" (expected "1.0")`;
  if (!UUID.test(a.event_id)) return `event_id: "${a.event_id}" is not a UUID`;
  if (a.event_type !== 'session_start') return `event_type: must be "session_start", got "${a.event_type}"`;
  if (!COMPONENT.test(a.component_name)) return `component_name: "${a.component_name}" must match ^[A-Za-z0-9_-]+$`;
  if (a.pid < 1 || a.pid > MAX_PID) return `pid: ${a.pid} is outside 1–${MAX_PID}`;
  if (a.user.username.trim().length > 100) return 'user.username: longer than 100 characters';
  if (a.user.home.trim().length > 500) return 'user.home: longer than 500 characters';
  if (a.environment.cwd.trim().length > 500) return 'environment.cwd: longer than 500 characters';
  return undefined;
}

/**
 * The session id of a shell session: the component and the start event's id. Unique (unlike session-buddy's
 * `<component>-<YYYYmmdd-HHMMSS>`, two shells started in the same second get two sessions) and a function of the event,
 * so a retried start finds the same session.
 */
export function shellSessionId(component: string, eventId: string): string {
  return `${component.slice(0, 64)}-${eventId.toLowerCase()}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `track_session_start`: creates an `admin_shell` session whose metadata keeps the shell's facts
 * (`admin_shell: {component_name, shell_type, pid, hostname, user, environment, event_id, event_version}`) next to the
 * client's own metadata; `userId` is the username, tags are the component and the shell type. The `session_created`
 * event's id is `event_id`, so a repeated start is acknowledged with the same session id.
 */
export async function trackSessionStart(backend: TetherBackend, a: TrackStartInput): Promise<TrackStartOutput> {
  const bad = checkStart(a);
  if (bad) return { session_id: null, status: 'error', error: `Session start tracking failed: ${bad}` };
  const ts = parseTimestamp('timestamp', a.timestamp);
  if (typeof ts !== 'string')
    return { session_id: null, status: 'error', error: `Session start tracking failed: ${ts.error}` };
  const sessionId = shellSessionId(a.component_name, a.event_id);
  const user = { username: a.user.username.trim(), home: a.user.home.trim() };
  const environment = { ...a.environment, cwd: a.environment.cwd.trim() };
  const input: EventInput = {
    id: a.event_id,
    sessionId,
    kind: 'session_created',
    timestamp: ts,
    data: {
      type: ADMIN_SHELL_SESSION_TYPE,
      userId: user.username || undefined,
      tags: [a.component_name, a.shell_type].filter(Boolean),
      metadata: {
        ...(a.metadata ?? {}),
        admin_shell: {
          component_name: a.component_name,
          shell_type: a.shell_type,
          pid: a.pid,
          hostname: a.hostname,
          user,
          environment,
          event_id: a.event_id,
          event_version: a.event_version,
          started_at: a.timestamp,
        },
      },
    },
  };
  try {
    await backend.append(input);
    return { session_id: sessionId, status: 'tracked', error: null };
  } catch (err) {
    return { session_id: null, status: 'error', error: `Session start tracking failed: ${message(err)}` };
  }
}

/**
 * `track_session_end`: finalizes the session (`completed`, ended at `timestamp`, so the duration is end − stored start)
 * and keeps the end metadata as `admin_shell.end_metadata`. Unknown session: `not_found`. Its events have fixed ids
 * (`end:<session>`), so a repeated end (atexit after SIGTERM) changes nothing and is acknowledged `ended`.
 */
export async function trackSessionEnd(backend: TetherBackend, a: TrackEndInput): Promise<TrackEndOutput> {
  const sid = a.session_id;
  if ((a.event_type ?? 'session_end') !== 'session_end')
    return {
      session_id: sid,
      status: 'error',
      error: `Session end tracking failed: event_type: must be "session_end", got "${a.event_type}"`,
    };
  const ts = parseTimestamp('timestamp', a.timestamp);
  if (typeof ts !== 'string')
    return { session_id: sid, status: 'error', error: `Session end tracking failed: ${ts.error}` };
  try {
    const found = await backend.getSession(sid).catch((err: unknown) => {
      if (
        (err as { code?: string }).code === 'invalid_session_id' ||
        (err as { code?: string }).code === 'validation_failed'
      )
        return undefined;
      throw err;
    });
    if (!found) return { session_id: sid, status: 'not_found', error: `Session ${sid} not found` };
    await backend.append({
      id: `end-metadata:${sid}`,
      sessionId: sid,
      kind: 'metadata_updated',
      timestamp: ts,
      data: { patch: { admin_shell: { ended_at: a.timestamp, end_metadata: a.metadata ?? {} } } },
    });
    await backend.append({
      id: `end:${sid}`,
      sessionId: sid,
      kind: 'session_finalized',
      timestamp: ts,
      data: { status: 'completed' },
    });
    return { session_id: sid, status: 'ended', error: null };
  } catch (err) {
    return { session_id: sid, status: 'error', error: `Session end tracking failed: ${message(err)}` };
  }
}
