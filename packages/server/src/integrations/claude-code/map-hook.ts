import type { EventInput } from '@tether/protocol';
import {
  capStrings,
  ccEventId,
  childSessionId,
  CLAUDE_CODE_SESSION_TYPE,
  isObj,
  shortHash,
  SPAWN_TOOLS,
  str,
} from './shared.js';

/**
 * The pure mapping from one Claude Code hook payload (the JSON an `http` hook posts, or a `command` hook reads on
 * stdin) to Tether events. No I/O: the caller loads the sessions named by {@link hookSessionIds} and appends the
 * returned events in order.
 *
 * | hook event | Tether events |
 * |---|---|
 * | any, for a session not stored yet | `session_created` (`type: claude-code`; a sub-agent's session gets `parentSessionId`) |
 * | SessionStart | `metadata_updated` (`model`, `cwd`, `permissionMode`, `claudeCode.{source, transcriptPath}`) |
 * | UserPromptSubmit | `response` `{role: 'user', content}` |
 * | PreToolUse | `state_patched` adding `state.claudeCode.running[<tool_use_id>]` `{tool, startedAt, input}` |
 * | PostToolUse / PostToolUseFailure | the one `action` of the call (`tool`, `toolUseId`, `input`, `output` or `error`, `isError`, `durationMs` since PreToolUse) and a `state_patched` removing it from `running` |
 * | SubagentStart | `agent_spawned` in the parent (linked to the running Task/Agent call of the same `subagent_type`) and the child session |
 * | SubagentStop | `agent_completed` in the parent; the final message as a `response` of the child, which is finalized |
 * | Stop | `response` `{role: 'assistant', content: last_assistant_message}` |
 * | SessionEnd | `session_finalized` `{status: 'completed', final: {reason}}` |
 * | PreCompact, Notification, any other event | `state_patched` setting `state.claudeCode.lastEvents[<event>]` `{at, …payload fields}` |
 *
 * Tool events that carry `agent_id` (newer Claude Code versions, inside a sub-agent) go to the sub-agent's session.
 * Event ids come from the payload (`cc:tool:<tool_use_id>`, `cc:agent:<agent_id>`, …); events without an id of their own
 * (prompts, Stop, notes) are keyed by the payload's hash and the second the hook fired, so a re-sent hook is stored once.
 */

/** The parts of a stored session the mapping reads (a `SessionRecord` fits). */
export interface HookSessionView {
  state: Record<string, unknown>;
}

/** A tool call in flight, as kept in `state.claudeCode.running[<tool_use_id>]`. */
export interface RunningTool {
  tool?: string;
  startedAt?: string;
  input?: unknown;
  agentId?: string;
}

const COMMON_FIELDS = new Set(['session_id', 'transcript_path', 'cwd', 'permission_mode', 'hook_event_name']);
/** Longest tool input kept in the `running` note (characters per string); the action keeps the full input. */
const RUNNING_INPUT_MAX = 2000;

/** The session ids a payload touches: the target session, and for Subagent* events the sub-agent's session. */
export function hookSessionIds(p: Record<string, unknown>): { target: string; child?: string } {
  const sid = String(p.session_id);
  const agentId = str(p.agent_id);
  const event = str(p.hook_event_name);
  if (event === 'SubagentStart' || event === 'SubagentStop')
    return agentId ? { target: sid, child: childSessionId(sid, agentId) } : { target: sid };
  return { target: agentId ? childSessionId(sid, agentId) : sid };
}

function running(s: HookSessionView | undefined): Record<string, RunningTool> {
  const cc = s?.state.claudeCode;
  return isObj(cc) && isObj(cc.running) ? (cc.running as Record<string, RunningTool>) : {};
}

function spawnedAgents(s: HookSessionView | undefined): Array<Record<string, unknown>> {
  const a = s?.state.agents;
  return isObj(a) && Array.isArray(a.spawned) ? (a.spawned as Array<Record<string, unknown>>) : [];
}

/** Payload fields other than the ones every event carries. */
function own(p: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([k]) => !COMMON_FIELDS.has(k)));
}

/**
 * Maps one hook payload to the events to append, in order.
 * @param p the hook payload; `session_id` must be a valid session id (the caller checks).
 * @param now ISO 8601 time the hook fired; every event gets it as `timestamp`.
 * @param sessions the stored sessions named by {@link hookSessionIds} (missing ones are created).
 */
export function mapClaudeHook(
  p: Record<string, unknown>,
  now: string,
  sessions: ReadonlyMap<string, HookSessionView | undefined>,
): EventInput[] {
  const sid = String(p.session_id);
  const event = str(p.hook_event_name) ?? 'Unknown';
  const agentId = str(p.agent_id);
  const { target, child } = hookSessionIds(p);
  const second = Math.floor(Date.parse(now) / 1000);
  const keyed = (prefix: string) => `cc:${prefix}:${second}:${shortHash(p)}`;
  const out: EventInput[] = [];
  const ev = (sessionId: string, kind: EventInput['kind'], id: string, data: Record<string, unknown>) =>
    out.push({ id, sessionId, kind, timestamp: now, data });
  const ensure = (sessionId: string, parent?: string) => {
    if (sessions.get(sessionId)) return;
    const metadata: Record<string, unknown> = parent
      ? { agentId, ...(str(p.agent_type) ? { agentType: p.agent_type } : {}) }
      : {
          ...(str(p.cwd) ? { cwd: p.cwd } : {}),
          ...(str(p.permission_mode) ? { permissionMode: p.permission_mode } : {}),
          claudeCode: { source: 'hooks', ...(str(p.transcript_path) ? { transcriptPath: p.transcript_path } : {}) },
        };
    ev(sessionId, 'session_created', ccEventId.session, {
      type: CLAUDE_CODE_SESSION_TYPE,
      ...(parent ? { parentSessionId: parent } : {}),
      metadata,
    });
  };
  const note = (sessionId: string, name: string, fields: Record<string, unknown>) =>
    ev(sessionId, 'state_patched', keyed(`note:${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}`), {
      patch: { claudeCode: { lastEvents: { [name]: capStrings({ at: now, ...fields }, 4000) } } },
    });

  ensure(target, target !== sid ? sid : undefined);
  switch (event) {
    case 'SessionStart': {
      const patch: Record<string, unknown> = {
        ...(str(p.model) ? { model: p.model } : {}),
        ...(str(p.cwd) ? { cwd: p.cwd } : {}),
        ...(str(p.permission_mode) ? { permissionMode: p.permission_mode } : {}),
        claudeCode: {
          ...(str(p.source) ? { source: p.source } : {}),
          ...(str(p.transcript_path) ? { transcriptPath: p.transcript_path } : {}),
          ...(str(p.agent_type) ? { agentType: p.agent_type } : {}),
        },
      };
      ev(target, 'metadata_updated', keyed('start'), { patch });
      break;
    }
    case 'UserPromptSubmit':
      ev(target, 'response', keyed('prompt'), {
        role: 'user',
        content: capStrings(typeof p.prompt === 'string' ? p.prompt : ''),
        source: 'UserPromptSubmit',
      });
      break;
    case 'PreToolUse': {
      const id = str(p.tool_use_id) ?? `h${shortHash([p.tool_name, p.tool_input])}`;
      const entry: RunningTool = {
        tool: str(p.tool_name) ?? 'unknown',
        startedAt: now,
        input: capStrings(p.tool_input, RUNNING_INPUT_MAX),
        ...(agentId ? { agentId } : {}),
      };
      ev(target, 'state_patched', ccEventId.toolStart(id), { patch: { claudeCode: { running: { [id]: entry } } } });
      break;
    }
    case 'PostToolUse':
    case 'PostToolUseFailure': {
      const id = str(p.tool_use_id) ?? `h${shortHash([p.tool_name, p.tool_input])}`;
      const started = running(sessions.get(target))[id];
      const failed = event === 'PostToolUseFailure';
      const startedAt = str(started?.startedAt);
      const data: Record<string, unknown> = {
        type: 'tool_call',
        tool: str(p.tool_name) ?? 'unknown',
        toolUseId: id,
        input: capStrings(p.tool_input ?? null),
        isError: failed,
        ...(failed
          ? { error: capStrings(p.error ?? 'failed'), ...(p.is_interrupt === true ? { isInterrupt: true } : {}) }
          : { output: capStrings(p.tool_response ?? null) }),
        ...(startedAt ? { startedAt, durationMs: Math.max(0, Date.parse(now) - Date.parse(startedAt)) } : {}),
        ...(agentId ? { agentId } : {}),
        source: 'hooks',
      };
      ev(target, 'action', ccEventId.tool(id), data);
      if (started)
        ev(target, 'state_patched', ccEventId.toolEnd(id), { patch: { claudeCode: { running: { [id]: null } } } });
      break;
    }
    case 'SubagentStart':
    case 'SubagentStop': {
      if (!agentId || !child) {
        note(target, event, own(p));
        break;
      }
      const parent = sessions.get(target);
      const known = spawnedAgents(parent).some((a) => a.agentId === agentId);
      if (!known) {
        // Link to the Task/Agent call in flight that no agent is linked to yet, preferring the same subagent_type.
        const linked = new Set(spawnedAgents(parent).map((a) => a.toolUseId));
        const calls = Object.entries(running(parent))
          .filter(([id, r]) => SPAWN_TOOLS.has(r.tool ?? '') && !linked.has(id))
          .sort(([, a], [, b]) => String(a.startedAt).localeCompare(String(b.startedAt)));
        const sameType = ([, r]: [string, RunningTool]) => isObj(r.input) && r.input.subagent_type === p.agent_type;
        const call = calls.find(sameType) ?? calls[0];
        const input = call && isObj(call[1].input) ? call[1].input : {};
        ev(target, 'agent_spawned', ccEventId.agent(agentId), {
          agentId,
          type: str(p.agent_type) ?? 'agent',
          childSessionId: child,
          ...(call ? { toolUseId: call[0] } : {}),
          ...(str(input.description) ? { task: input.description } : {}),
        });
      }
      ensure(child, sid);
      if (event === 'SubagentStop') {
        const last = typeof p.last_assistant_message === 'string' ? p.last_assistant_message : undefined;
        ev(target, 'agent_completed', ccEventId.agentDone(agentId), {
          agentId,
          status: 'completed',
          ...(last !== undefined ? { result: capStrings(last, 4000) } : {}),
          ...(str(p.agent_transcript_path) ? { transcriptPath: p.agent_transcript_path } : {}),
        });
        if (last)
          ev(child, 'response', keyed('stop'), {
            role: 'assistant',
            content: capStrings(last),
            source: 'SubagentStop',
          });
        ev(child, 'session_finalized', 'cc:end', { status: 'completed', final: { reason: 'SubagentStop' } });
      }
      break;
    }
    case 'Stop':
      if (typeof p.last_assistant_message === 'string' && p.last_assistant_message) {
        ev(target, 'response', keyed('stop'), {
          role: 'assistant',
          content: capStrings(p.last_assistant_message),
          source: 'Stop',
        });
      } else note(target, event, own(p));
      break;
    case 'SessionEnd':
      ev(target, 'session_finalized', keyed('end'), {
        status: 'completed',
        final: { reason: str(p.reason) ?? 'other' },
      });
      break;
    default:
      note(target, event, own(p));
  }
  return out;
}
