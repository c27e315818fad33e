/**
 * A readable transcript, made for Claude Code sessions (type `claude-code`) but fine for any agent: user prompts,
 * assistant text (and thinking, folded), tool calls with input, output, error and duration, sub-agents with links to
 * their child sessions. Other events show as small system lines.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { TetherEvent } from '../../api/types';
import type { SessionData } from './useSession';
import { VirtualList } from './VirtualList';
import { eventSummary, isError, responseText, roleOf, textOf, toolOf } from '../../lib/events';
import { formatClock, formatDuration, preview } from '../../lib/format';
import { JsonTree } from '../../components/JsonTree';
import { Empty, KindChip } from '../../components/ui';

const SKIP = new Set(['metadata_updated']);

export function ConversationTab({ data }: { data: SessionData }) {
  const items = useMemo(() => data.events.filter((e) => !SKIP.has(e.kind)), [data.events, data.version]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!items.length) return <Empty>{data.historyDone ? 'Nothing to show yet.' : 'Loading…'}</Empty>;
  return (
    <VirtualList
      testId="conversation"
      items={items}
      estimate={70}
      itemKey={(e) => e.seq}
      startAtEnd={false}
      render={(e) => <Item e={e} />}
    />
  );
}

function Item({ e }: { e: TetherEvent }) {
  if (e.kind === 'response') return <Message e={e} />;
  if (e.kind === 'action') return toolOf(e) ? <ToolCall e={e} /> : <Message e={e} />;
  if (e.kind === 'agent_spawned' || e.kind === 'agent_completed') return <AgentLine e={e} />;
  return (
    <div className="conv-system small muted" data-seq={e.seq}>
      <KindChip kind={e.kind} /> {eventSummary(e)} <span className="mono">#{e.seq}</span>
    </div>
  );
}

function Message({ e }: { e: TetherEvent }) {
  const role = roleOf(e) ?? (e.kind === 'action' ? 'action' : 'assistant');
  const text = responseText(e) || textOf(e.data.details) || '';
  const thinking = textOf(e.data.thinking);
  const [showThinking, setShowThinking] = useState(false);
  return (
    <div
      className={`msg msg-${role}`}
      data-seq={e.seq}
      data-testid={role === 'user' ? 'user-prompt' : 'assistant-text'}
    >
      <div className="msg-head small">
        <span className={`role role-${role}`}>
          {role === 'user' ? 'User' : role === 'assistant' ? 'Assistant' : role}
        </span>{' '}
        <span className="muted mono">
          #{e.seq} · {formatClock(e.timestamp)}
        </span>
      </div>
      {thinking && (
        <button className="btn link small" onClick={() => setShowThinking(!showThinking)}>
          {showThinking ? 'hide thinking' : 'show thinking'}
        </button>
      )}
      {thinking && showThinking && <div className="thinking">{thinking}</div>}
      {text ? <div className="prose">{text}</div> : !thinking && <JsonTree value={e.data} expandDepth={1} />}
    </div>
  );
}

function ToolCall({ e }: { e: TetherEvent }) {
  const [open, setOpen] = useState(false);
  const d = e.data;
  const tool = toolOf(e)!;
  const err = isError(e);
  const input = d.input as Record<string, unknown> | undefined;
  const dur = typeof d.durationMs === 'number' ? d.durationMs : null;
  const headline =
    input && typeof input === 'object'
      ? (input.command ??
        input.file_path ??
        input.pattern ??
        input.path ??
        input.url ??
        input.query ??
        input.description ??
        input.prompt)
      : input;
  const output = d.output ?? d.result;
  const outText = typeof output === 'string' ? output : textOf(output);
  return (
    <div
      className={`tool${err ? ' tool-error' : ''}${open ? ' open' : ''}`}
      data-seq={e.seq}
      data-tool={tool}
      data-testid="tool-call"
    >
      <div className="tool-head" onClick={() => setOpen(!open)} role="button" aria-expanded={open}>
        <span className="tool-icon">{open ? '▾' : '▸'}</span>
        <span className="tool-name">{tool}</span>
        <span className="tool-arg mono">{headline !== undefined ? preview(headline, 120) : ''}</span>
        <span className="grow" />
        {err && <span className="ev-err">error</span>}
        {dur !== null && <span className="muted small mono">{formatDuration(dur)}</span>}
        <span className="muted small mono">#{e.seq}</span>
      </div>
      {!open && (outText || err) && (
        <div className="tool-peek mono small">{err ? preview(d.error, 200) : preview(outText, 200)}</div>
      )}
      {open && (
        <div className="tool-body">
          <div className="tool-section">Input</div>
          {input && typeof input === 'object' && typeof input.command === 'string' ? (
            <pre className="code">{input.command}</pre>
          ) : (
            <JsonTree value={input ?? null} expandDepth={2} />
          )}
          {err && (
            <>
              <div className="tool-section err">Error</div>
              <pre className="code code-error">
                {typeof d.error === 'string' ? d.error : JSON.stringify(d.error, null, 2)}
              </pre>
            </>
          )}
          {output !== undefined && (
            <>
              <div className="tool-section">Output</div>
              {outText ? (
                <pre className="code">
                  {outText.length > 20000
                    ? `${outText.slice(0, 20000)}\n… (${outText.length - 20000} more characters)`
                    : outText}
                </pre>
              ) : (
                <JsonTree value={output} expandDepth={2} />
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}

function AgentLine({ e }: { e: TetherEvent }) {
  const d = e.data;
  const child = typeof d.childSessionId === 'string' ? d.childSessionId : null;
  return (
    <div
      className="conv-agent"
      data-seq={e.seq}
      data-testid={e.kind === 'agent_spawned' ? 'subagent' : 'subagent-done'}
    >
      <KindChip
        kind={e.kind}
        label={e.kind === 'agent_spawned' ? `spawned ${d.type ?? 'agent'}` : `agent ${d.status ?? 'completed'}`}
      />
      <span className="small">
        {e.kind === 'agent_spawned' ? preview(d.task ?? '', 200) : preview(d.result ?? '', 200)}
      </span>
      {child && (
        <Link className="small mono" to={`/sessions/${encodeURIComponent(child)}`}>
          open sub-agent session →
        </Link>
      )}
      {d.durationMs !== undefined && <span className="muted small">{formatDuration(Number(d.durationMs))}</span>}
    </div>
  );
}
