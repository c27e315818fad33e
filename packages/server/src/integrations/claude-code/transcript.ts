import type { EventInput } from '@tether/protocol';
import {
  capStrings,
  ccEventId,
  CLAUDE_CODE_SESSION_TYPE,
  contentText,
  isObj,
  SPAWN_TOOLS,
  str,
  toUsage,
} from './shared.js';

/**
 * The pure mapping from a Claude Code transcript (`~/.claude/projects/<project>/<session>.jsonl`, one JSON object a
 * line; sub-agents in `<session>/subagents/agent-<id>.jsonl`) to Tether events. No I/O: `tether import claude-code`
 * reads the files, calls {@link describeTranscript} and {@link transcriptToEvents}, and posts the events to
 * `POST /api/ingest`. Event ids come from the transcript (`cc:<uuid>`, `cc:msg:<message.id>`, `cc:tool:<tool_use_id>`,
 * `cc:agent:<agentId>`), so importing the same file again stores nothing new.
 */

/** One parsed line: its 1-based line number and the JSON object on it. */
export interface TranscriptLine {
  line: number;
  value: Record<string, unknown>;
}

/** What a transcript says about itself, read before mapping (for linking parents and sub-agents). */
export interface TranscriptInfo {
  /** Claude Code's `sessionId` (sub-agent transcripts carry their parent's). */
  sessionId?: string;
  /** `agentId` of a sub-agent transcript. */
  agentId?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  /** Sub-agent id → the Task/Agent `tool_use` id that spawned it (progress lines `data.type: agent_progress`, Task results). */
  agentLinks: Map<string, string>;
  /** Task/Agent `tool_use` id → its `subagent_type`. */
  spawnTypes: Map<string, string>;
  /** The last assistant text of the transcript (a sub-agent's result). */
  finalText?: string;
}

/** A sub-agent transcript of a session, as the parent's mapping needs it. */
export interface SubagentRef {
  agentId: string;
  /** The child session id (see childSessionId). */
  sessionId: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  finalText?: string;
}

export interface TranscriptOptions {
  /** Tether session id for this transcript. */
  sessionId: string;
  /** Set for a sub-agent transcript: the parent's session id. */
  parentSessionId?: string;
  agentId?: string;
  /** Sub-agent type (the Task call's `subagent_type`), for the child's metadata. */
  agentType?: string;
  /** Sub-agent transcripts of this session: each becomes `agent_spawned` / `agent_completed` here. */
  subagents?: SubagentRef[];
  /** File name, kept in the session metadata. */
  file?: string;
  /** Skip `isSidechain: true` lines (inline sub-agent traffic of old transcripts); true for main transcripts. */
  skipSidechain?: boolean;
}

/** Counts of what was mapped (the importer's summary). Token counts are each message's final usage, once per message id. */
export interface TranscriptCounts {
  prompts: number;
  assistantMessages: number;
  toolCalls: number;
  toolErrors: number;
  agents: number;
  tokens: { input: number; output: number; cacheRead: number; cacheCreation: number };
}

/** A line the mapping could not use: reported as `file:line: message` and skipped. */
export interface TranscriptProblem {
  line: number;
  message: string;
}

function timeOf(v: Record<string, unknown>): string | undefined {
  const t = str(v.timestamp);
  return t && Number.isFinite(Date.parse(t)) ? t : undefined;
}

/** Reads ids, time span, sub-agent links and the final text of a transcript. */
export function describeTranscript(lines: TranscriptLine[]): TranscriptInfo {
  const info: TranscriptInfo = { agentLinks: new Map(), spawnTypes: new Map() };
  for (const { value: v } of lines) {
    info.sessionId ??= str(v.sessionId);
    info.agentId ??= str(v.agentId);
    const t = timeOf(v);
    if (t) {
      if (!info.firstTimestamp || t < info.firstTimestamp) info.firstTimestamp = t;
      if (!info.lastTimestamp || t > info.lastTimestamp) info.lastTimestamp = t;
    }
    const data = v.data;
    if (
      v.type === 'progress' &&
      isObj(data) &&
      data.type === 'agent_progress' &&
      str(data.agentId) &&
      str(v.parentToolUseID)
    ) {
      if (!info.agentLinks.has(data.agentId as string))
        info.agentLinks.set(data.agentId as string, v.parentToolUseID as string);
    }
    const msg = v.message;
    if (
      v.type === 'user' &&
      isObj(msg) &&
      Array.isArray(msg.content) &&
      isObj(v.toolUseResult) &&
      str(v.toolUseResult.agentId)
    ) {
      const block = msg.content.find((b) => isObj(b) && b.type === 'tool_result');
      const agentId = v.toolUseResult.agentId as string;
      if (isObj(block) && str(block.tool_use_id) && !info.agentLinks.has(agentId))
        info.agentLinks.set(agentId, block.tool_use_id as string);
    }
    if (v.type === 'assistant' && isObj(msg) && Array.isArray(msg.content)) {
      const text = msg.content
        .filter((b) => isObj(b) && b.type === 'text')
        .map((b) => String((b as { text?: unknown }).text ?? ''))
        .join('\n')
        .trim();
      if (text) info.finalText = text;
      for (const b of msg.content) {
        if (isObj(b) && b.type === 'tool_use' && SPAWN_TOOLS.has(String(b.name)) && str(b.id)) {
          info.spawnTypes.set(b.id as string, (isObj(b.input) && str(b.input.subagent_type)) || 'agent');
        }
      }
    }
  }
  return info;
}

/** The prompt text of a `user` line, or undefined when the line is not a typed prompt (tool results, meta lines, compaction summaries, interruption markers). */
export function promptOf(v: Record<string, unknown>): string | undefined {
  if (v.type !== 'user' || v.isMeta === true || v.isCompactSummary === true || !isObj(v.message)) return undefined;
  const c = v.message.content;
  let text: string;
  if (typeof c === 'string') text = c;
  else if (Array.isArray(c)) {
    if (c.some((b) => isObj(b) && b.type === 'tool_result')) return undefined;
    text = c
      .filter((b) => isObj(b) && b.type === 'text')
      .map((b) => String((b as { text?: unknown }).text ?? ''))
      .join('\n');
  } else return undefined;
  if (!text.trim() || text.startsWith('[Request interrupted by user')) return undefined;
  return text;
}

interface Message {
  key: string;
  texts: string[];
  usage: unknown;
  model?: string;
  lastTs: string;
  lastLine: number;
  toolUseIds: string[];
}
interface ToolUse {
  id: string;
  name: string;
  input: unknown;
  ts: string;
  line: number;
  messageKey: string;
}
interface ToolResult {
  content: unknown;
  isError: boolean;
  ts: string;
  line: number;
}
type Keyed = { ms: number; line: number; sub: number; ev: EventInput };

/**
 * Maps a transcript's lines to Tether events, ordered by time: `session_created` (type `claude-code`, original first
 * timestamp), prompts as `response {role: 'user'}`, each assistant message (by `message.id`, with its LAST line's
 * usage and its model) as `response {role: 'assistant'}` when it has text, each `tool_use` + `tool_result` as one
 * `action` (`tool`, `toolUseId`, `input`, `output`, `error`, `isError`, `durationMs`, `startedAt`) at the result's time,
 * Task/Agent calls and sub-agent transcripts as `agent_spawned` / `agent_completed`, and `session_finalized` last.
 * A message without text puts its usage on its first tool action (or on an empty response), so every message's
 * tokens are counted exactly once.
 */
export function transcriptToEvents(
  lines: TranscriptLine[],
  info: TranscriptInfo,
  opts: TranscriptOptions,
): { events: EventInput[]; problems: TranscriptProblem[]; counts: TranscriptCounts } {
  const problems: TranscriptProblem[] = [];
  const counts: TranscriptCounts = {
    prompts: 0,
    assistantMessages: 0,
    toolCalls: 0,
    toolErrors: 0,
    agents: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
  };
  const sid = opts.sessionId;
  const out: Keyed[] = [];
  const push = (
    ts: string,
    line: number,
    sub: number,
    kind: EventInput['kind'],
    id: string,
    data: Record<string, unknown>,
  ) => out.push({ ms: Date.parse(ts), line, sub, ev: { id, sessionId: sid, kind, timestamp: ts, data } });
  const messages = new Map<string, Message>();
  const uses = new Map<string, ToolUse>();
  const results = new Map<string, ToolResult>();
  const meta: Record<string, unknown> = {};
  let lastTs = info.firstTimestamp;

  for (const { line, value: v } of lines) {
    if (opts.skipSidechain && v.isSidechain === true) continue;
    const type = v.type;
    if (type !== 'user' && type !== 'assistant' && type !== 'summary') continue;
    if (type === 'summary') {
      if (str(v.summary))
        out.push({
          ms: -Infinity,
          line,
          sub: 1,
          ev: {
            id: `cc:summary:${str(v.leafUuid) ?? line}`,
            sessionId: sid,
            kind: 'metadata_updated',
            data: { patch: { title: v.summary } },
          },
        });
      continue;
    }
    const ts = timeOf(v) ?? lastTs;
    if (!ts) {
      problems.push({ line, message: `${type} line without a timestamp` });
      continue;
    }
    lastTs = ts;
    if (!isObj(v.message)) {
      problems.push({ line, message: `${type} line without a message object` });
      continue;
    }
    for (const k of ['cwd', 'gitBranch', 'version', 'slug'] as const) if (str(v[k])) meta[k] = v[k];
    const msg = v.message;
    if (type === 'assistant') {
      if (!Array.isArray(msg.content)) {
        problems.push({ line, message: 'assistant message.content is not an array' });
        continue;
      }
      const key = str(msg.id) ?? str(v.uuid) ?? `line${line}`;
      const m = messages.get(key) ?? { key, texts: [], usage: undefined, lastTs: ts, lastLine: line, toolUseIds: [] };
      messages.set(key, m);
      if (msg.usage !== undefined) m.usage = msg.usage; // the LAST line of a message carries its final usage
      if (str(msg.model) && msg.model !== '<synthetic>') m.model = msg.model as string;
      m.lastTs = ts;
      m.lastLine = line;
      for (const b of msg.content) {
        if (!isObj(b)) continue;
        if (b.type === 'text' && typeof b.text === 'string' && b.text.trim()) m.texts.push(b.text);
        if (b.type === 'tool_use' && str(b.id) && !uses.has(b.id as string)) {
          uses.set(b.id as string, {
            id: b.id as string,
            name: str(b.name) ?? 'unknown',
            input: b.input ?? null,
            ts,
            line,
            messageKey: key,
          });
          m.toolUseIds.push(b.id as string);
        }
      }
      continue;
    }
    const prompt = promptOf(v);
    if (prompt !== undefined) {
      counts.prompts++;
      push(ts, line, 0, 'response', `cc:${str(v.uuid) ?? `line${line}`}`, {
        role: 'user',
        content: capStrings(prompt),
        ...(str(v.uuid) ? { uuid: v.uuid } : {}),
      });
      continue;
    }
    if (Array.isArray(msg.content)) {
      for (const b of msg.content) {
        if (isObj(b) && b.type === 'tool_result' && str(b.tool_use_id) && !results.has(b.tool_use_id as string)) {
          results.set(b.tool_use_id as string, { content: b.content, isError: b.is_error === true, ts, line });
        }
      }
    }
  }

  // Where each message's usage goes: its text response, else its first tool action, else an empty response.
  const usageOnTool = new Map<string, Message>();
  for (const m of messages.values()) {
    const usage = toUsage(m.usage);
    if (usage) for (const k of Object.keys(usage) as Array<keyof typeof usage>) counts.tokens[k] += usage[k];
    const extra = { ...(usage ? { usage } : {}), ...(m.model ? { model: m.model } : {}), messageId: m.key };
    if (m.texts.length) {
      counts.assistantMessages++;
      push(m.lastTs, m.lastLine, 0, 'response', `cc:msg:${m.key}`, {
        role: 'assistant',
        content: capStrings(m.texts.join('\n')),
        ...extra,
      });
    } else if (m.toolUseIds.length) usageOnTool.set(m.toolUseIds[0]!, m);
    else if (usage)
      push(m.lastTs, m.lastLine, 0, 'response', `cc:msg:${m.key}`, { role: 'assistant', content: '', ...extra });
  }

  const agentOfCall = new Map<string, string>();
  for (const [agentId, toolUseId] of info.agentLinks) agentOfCall.set(toolUseId, agentId);
  const subs = new Map((opts.subagents ?? []).map((s) => [s.agentId, s]));
  const linkedAgents = new Set<string>();
  for (const u of uses.values()) {
    const r = results.get(u.id);
    const text = r ? contentText(r.content) : '';
    counts.toolCalls++;
    if (r?.isError) counts.toolErrors++;
    const m = usageOnTool.get(u.id);
    const usage = m ? toUsage(m.usage) : undefined;
    push(r?.ts ?? u.ts, r?.line ?? u.line, 0, 'action', ccEventId.tool(u.id), {
      type: 'tool_call',
      tool: u.name,
      toolUseId: u.id,
      input: capStrings(u.input),
      ...(r
        ? { output: capStrings(typeof r.content === 'string' ? r.content : text), isError: r.isError }
        : { isError: false, unfinished: true }),
      ...(r?.isError ? { error: capStrings(text || 'error', 4000) } : {}),
      startedAt: u.ts,
      ...(r ? { durationMs: Math.max(0, Date.parse(r.ts) - Date.parse(u.ts)) } : {}),
      ...(m ? { ...(usage ? { usage } : {}), ...(m.model ? { model: m.model } : {}), messageId: m.key } : {}),
    });
    if (!SPAWN_TOOLS.has(u.name)) continue;
    const input = isObj(u.input) ? u.input : {};
    const agentId = agentOfCall.get(u.id) ?? `task-${u.id}`;
    const sub = subs.get(agentId);
    linkedAgents.add(agentId);
    counts.agents++;
    push(u.ts, u.line, 1, 'agent_spawned', ccEventId.agent(agentId), {
      agentId,
      type: str(input.subagent_type) ?? 'agent',
      toolUseId: u.id,
      ...(str(input.description) ? { task: input.description } : {}),
      ...(sub ? { childSessionId: sub.sessionId } : {}),
    });
    if (r)
      push(r.ts, r.line, 1, 'agent_completed', ccEventId.agentDone(agentId), {
        agentId,
        status: r.isError ? 'failed' : 'completed',
        result: capStrings(text, 4000),
      });
  }
  // Sub-agent transcripts no Task call spawned (context compaction agents `acompact-…`, or a call not in this file).
  for (const s of subs.values()) {
    if (linkedAgents.has(s.agentId) || !s.firstTimestamp) continue;
    counts.agents++;
    const type = s.agentId.startsWith('acompact') ? 'compact' : 'agent';
    push(s.firstTimestamp, Number.MAX_SAFE_INTEGER, 1, 'agent_spawned', ccEventId.agent(s.agentId), {
      agentId: s.agentId,
      type,
      childSessionId: s.sessionId,
    });
    push(
      s.lastTimestamp ?? s.firstTimestamp,
      Number.MAX_SAFE_INTEGER,
      2,
      'agent_completed',
      ccEventId.agentDone(s.agentId),
      { agentId: s.agentId, status: 'completed', ...(s.finalText ? { result: capStrings(s.finalText, 4000) } : {}) },
    );
  }

  out.sort((a, b) => a.ms - b.ms || a.line - b.line || a.sub - b.sub);
  const first = info.firstTimestamp ?? out.find((k) => k.ev.timestamp)?.ev.timestamp;
  if (!first) return { events: [], problems, counts };
  const last = out.reduce(
    (t, k) => (k.ev.timestamp && k.ev.timestamp > t ? k.ev.timestamp : t),
    info.lastTimestamp ?? first,
  );
  const created: EventInput = {
    id: ccEventId.session,
    sessionId: sid,
    kind: 'session_created',
    timestamp: first,
    data: {
      type: CLAUDE_CODE_SESSION_TYPE,
      ...(opts.parentSessionId ? { parentSessionId: opts.parentSessionId } : {}),
      metadata: {
        ...(meta.cwd ? { cwd: meta.cwd } : {}),
        ...(meta.gitBranch ? { gitBranch: meta.gitBranch } : {}),
        claudeCode: {
          source: 'transcript',
          ...(opts.file ? { file: opts.file } : {}),
          ...(meta.version ? { version: meta.version } : {}),
          ...(meta.slug ? { slug: meta.slug } : {}),
        },
        ...(opts.agentId ? { agentId: opts.agentId } : {}),
        ...(opts.agentType ? { agentType: opts.agentType } : {}),
      },
    },
  };
  const events = [created, ...out.map((k) => (k.ev.timestamp ? k.ev : { ...k.ev, timestamp: first }))];
  events.push({
    id: 'cc:import:end',
    sessionId: sid,
    kind: 'session_finalized',
    timestamp: last,
    data: {
      status: 'completed',
      final: { source: 'transcript', ...(info.finalText ? { lastMessage: capStrings(info.finalText, 2000) } : {}) },
    },
  });
  return { events, problems, counts };
}
