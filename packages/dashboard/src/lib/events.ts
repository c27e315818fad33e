/**
 * How events read in the dashboard: a label, a tone (color), the tool, and a one-line summary per kind.
 * Understands the fields the protocol names (packages/protocol/src/events.ts): actions carry `type`, `tool`/`toolName`,
 * `input`, `output`, `error`, `durationMs`; responses `role` and `content`/`text` (string or content blocks).
 */
import { actionTool, isToolError } from '@tether/protocol';
import type { TetherEvent } from '../api/types';
import { preview } from './format';

export type Tone = 'blue' | 'green' | 'amber' | 'red' | 'violet' | 'cyan' | 'gray' | 'pink';

/** Kinds that change the state projection and bump `state.version`: the protocol's set, the service's reducer's too. */
export { STATE_KINDS } from '@tether/protocol';

export const KIND_TONES: Record<string, Tone> = {
  session_created: 'cyan',
  action: 'blue',
  response: 'green',
  state_patched: 'violet',
  goal_added: 'amber',
  goal_updated: 'amber',
  agent_spawned: 'pink',
  agent_completed: 'pink',
  metadata_updated: 'gray',
  session_finalized: 'cyan',
  checkpoint: 'violet',
  checkpoint_writes: 'gray',
};

/** The tool an action called, or null. */
export function toolOf(e: TetherEvent): string | null {
  if (e.kind !== 'action') return null;
  return actionTool(e.data) ?? null;
}

/** True when an action reports an error: `isToolError` of @tether/protocol, the rule the metrics and analytics use. */
export function isError(e: TetherEvent): boolean {
  return isToolError(e.data);
}

/** Plain text of a response/message `content`: a string, or the `text` of content blocks. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v
      .map((b) =>
        typeof b === 'string'
          ? b
          : b && typeof b === 'object' && typeof (b as any).text === 'string'
            ? (b as any).text
            : '',
      )
      .filter(Boolean)
      .join('\n');
  if (v && typeof v === 'object' && typeof (v as any).text === 'string') return (v as any).text;
  return '';
}

/** The role of a response (`user`, `assistant`, …) or null. */
export function roleOf(e: TetherEvent): string | null {
  const r = e.data.role;
  return typeof r === 'string' ? r : null;
}

/** The main text of a response: `content`, `text`, or `message`. */
export function responseText(e: TetherEvent): string {
  const d = e.data;
  return textOf(d.content) || textOf(d.text) || textOf(d.message) || '';
}

/** A short label: the kind, or for actions the tool / action type. */
export function eventLabel(e: TetherEvent): string {
  if (e.kind === 'action') return toolOf(e) ?? (typeof e.data.type === 'string' ? e.data.type : 'action');
  if (e.kind === 'response') return roleOf(e) ?? 'response';
  return e.kind.replace(/_/g, ' ');
}

/** What a summary may look up beyond the event itself. */
export interface SummaryContext {
  /** goalId → description, from the session's `goal_added` events and state (a `goal_updated` carries only the id). */
  goalNames?: ReadonlyMap<string, string>;
}

/** The goal id an event's data names (`goalId`, or the prototype's `id`). */
export function goalIdOf(e: TetherEvent): string | undefined {
  const g = e.data.goalId ?? e.data.id;
  return typeof g === 'string' && g ? g : undefined;
}

/** One-line summary of what the event says; `ctx` names the goal of a `goal_updated`. */
export function eventSummary(e: TetherEvent, ctx: SummaryContext = {}): string {
  const d = e.data;
  switch (e.kind) {
    case 'action': {
      const input = d.input as Record<string, unknown> | undefined;
      const main =
        input && typeof input === 'object'
          ? (input.command ??
            input.file_path ??
            input.path ??
            input.pattern ??
            input.url ??
            input.query ??
            input.description ??
            input.prompt)
          : undefined;
      const base = main !== undefined ? preview(main, 140) : preview(d.details ?? d.input ?? d.description ?? d, 140);
      return isError(e) ? `${base}  ✕ ${preview(d.error, 80)}` : base;
    }
    case 'response':
      return preview(responseText(e) || d, 160);
    case 'state_patched':
      return preview(d.patch ?? d, 160);
    case 'goal_added':
      return (
        [d.description, d.status && `→ ${d.status}`, d.priority && `(${d.priority})`]
          .filter(Boolean)
          .map(String)
          .join(' ') || preview(d)
      );
    case 'goal_updated': {
      const id = goalIdOf(e);
      const name =
        typeof d.description === 'string' && d.description
          ? d.description
          : id !== undefined
            ? ctx.goalNames?.get(id)
            : undefined;
      const which = name !== undefined ? `goal "${name}"` : id !== undefined ? `goal ${id}` : 'goal';
      return [which, d.status && `→ ${d.status}`, d.priority && `(${d.priority})`]
        .filter(Boolean)
        .map(String)
        .join(' ');
    }
    case 'agent_spawned':
      return `${d.type ?? 'agent'}${d.task ? `: ${preview(d.task, 120)}` : ''}`;
    case 'agent_completed':
      return `${d.agentId ?? ''} ${d.status ?? 'completed'}${d.result ? `: ${preview(d.result, 100)}` : ''}`;
    case 'session_created':
      return (
        [d.type && `type ${d.type}`, d.userId && `user ${d.userId}`].filter(Boolean).join(', ') || 'session created'
      );
    case 'session_finalized':
      return `${d.status ?? 'completed'}${d.final !== undefined ? `: ${preview(d.final, 120)}` : ''}`;
    case 'metadata_updated':
      return preview(d.patch ?? d, 160);
    case 'checkpoint': {
      // A LangGraph checkpoint (docs/langgraph.md): step, source, the channels it changed; a resume says so.
      const ns = d.checkpointNs ? ` [${String(d.checkpointNs)}]` : '';
      const resumed = d.resumed ? '  ↻ resumed by another process' : '';
      return `step ${String(d.step)} (${String(d.source)})${ns}: ${Array.isArray(d.channels) ? d.channels.join(', ') : ''}${resumed}`;
    }
    case 'checkpoint_writes':
      return `${preview(d.taskPath ?? d.taskId, 80)} → ${Array.isArray(d.channels) ? d.channels.join(', ') : ''}${d.resumed ? '  ↻ resumed by another process' : ''}`;
    default:
      return preview(d, 160);
  }
}
