/**
 * One session: a header (status, type, user, model, duration, tokens, metric counters) and tabs, each with its own URL
 * (`/sessions/:id/timeline|conversation|state|goals|agents|responses`). Claude Code sessions open on the conversation.
 */
import { Link, NavLink, useParams } from 'react-router';
import { useSession } from './useSession';
import { Timeline } from './Timeline';
import { StateTab } from './StateTab';
import { GoalsTab } from './GoalsTab';
import { AgentsTab } from './AgentsTab';
import { ResponsesTab } from './ResponsesTab';
import { ConversationTab } from './ConversationTab';
import { Chip, ErrorBox, StatusBadge } from '../../components/ui';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format';
import { useNow } from '../../lib/hooks';
import type { SessionSummary } from '../../api/types';

const TABS = [
  ['timeline', 'Timeline'],
  ['conversation', 'Conversation'],
  ['state', 'State'],
  ['goals', 'Goals'],
  ['agents', 'Agents'],
  ['responses', 'Responses'],
] as const;

export function SessionView() {
  const { sessionId = '', tab } = useParams();
  const data = useSession(sessionId);
  const isClaude = data.summary?.type === 'claude-code';
  const current = tab ?? (isClaude ? 'conversation' : 'timeline');
  const base = `/sessions/${encodeURIComponent(sessionId)}`;
  if (data.notFound) {
    return (
      <div className="page session-page" data-session-id={sessionId}>
        <div className="card" data-testid="session-not-found">
          <div className="crumbs">
            <Link to="/">Sessions</Link> /
          </div>
          <h1 className="mono">{sessionId}</h1>
          <p>
            Session not found: the service has no session with this id (it may have been deleted, or not created yet).
          </p>
          <p>
            <Link to="/">Back to the sessions</Link>
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="page session-page" data-session-id={sessionId}>
      <SessionHeader sessionId={sessionId} summary={data.summary} goals={data.state?.goals.length ?? 0} />
      <ErrorBox error={data.error} />
      <nav className="tabs" role="tablist">
        {TABS.map(([key, label]) => (
          <NavLink
            key={key}
            to={`${base}/${key}`}
            role="tab"
            className={current === key ? 'active' : ''}
            aria-selected={current === key}
            data-testid={`tab-${key}`}
          >
            {label}
            {key === 'goals' && data.state?.goals.length ? (
              <span className="count">{data.state.goals.length}</span>
            ) : null}
            {key === 'agents' && data.state?.agents.spawned.length ? (
              <span className="count">{data.state.agents.spawned.length}</span>
            ) : null}
          </NavLink>
        ))}
      </nav>
      <div className="tab-body">
        {current === 'timeline' && <Timeline data={data} />}
        {current === 'conversation' && <ConversationTab data={data} />}
        {current === 'state' && <StateTab sessionId={sessionId} data={data} />}
        {current === 'goals' && <GoalsTab data={data} />}
        {current === 'agents' && <AgentsTab sessionId={sessionId} data={data} />}
        {current === 'responses' && <ResponsesTab data={data} />}
      </div>
    </div>
  );
}

function SessionHeader({
  sessionId,
  summary: s,
  goals,
}: {
  sessionId: string;
  summary: SessionSummary | null;
  goals: number;
}) {
  const now = useNow(1000);
  const m = s?.metadata?.metrics;
  const tok = s?.metadata?.tokenUsage;
  const dur = s ? (s.durationMs ?? (s.status === 'active' ? now - new Date(s.created).getTime() : null)) : null;
  return (
    <div className="session-header card">
      <div className="sh-top">
        <div className="sh-title">
          <div className="crumbs">
            <Link to="/">Sessions</Link>
            {s?.parentSessionId && (
              <>
                {' '}
                / <Link to={`/sessions/${encodeURIComponent(s.parentSessionId)}/agents`}>{s.parentSessionId}</Link>
              </>
            )}{' '}
            /
          </div>
          <h1 className="mono" data-testid="session-title">
            {sessionId}
          </h1>
          <div className="sh-chips">
            {s && <StatusBadge status={s.status} />}
            {s?.type && <Chip tone="cyan">{s.type}</Chip>}
            {s?.tags.map((t) => (
              <Chip key={t}>{t}</Chip>
            ))}
          </div>
        </div>
        <dl className="sh-facts">
          <div>
            <dt>User</dt>
            <dd>{s?.userId ?? '—'}</dd>
          </div>
          <div>
            <dt>Model</dt>
            <dd>{(s?.metadata?.model as string | undefined) ?? '—'}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(s?.created)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd data-testid="session-duration">{formatDuration(dur)}</dd>
          </div>
          {s?.endedAt && (
            <div>
              <dt>Ended</dt>
              <dd data-testid="session-ended">{formatDateTime(s.endedAt)}</dd>
            </div>
          )}
          <div>
            <dt>Tokens</dt>
            <dd
              title={
                tok
                  ? `input ${tok.input}, output ${tok.output}${tok.cacheRead ? `, cache read ${tok.cacheRead}` : ''}`
                  : ''
              }
            >
              {formatCount(tok?.total ?? 0)}{' '}
              <span className="muted small">
                ({formatCount(tok?.input ?? 0)} in · {formatCount(tok?.output ?? 0)} out)
              </span>
            </dd>
          </div>
        </dl>
      </div>
      <AdminShellFacts summary={s} />
      <div className="metrics" data-testid="session-metrics">
        <Metric label="events" v={s?.lastSeq} />
        <Metric label="actions" v={m?.actions} />
        <Metric label="responses" v={m?.responses} />
        <Metric label="tool calls" v={m?.toolCalls} />
        <Metric label="tool errors" v={m?.toolErrors} warn />
        <Metric label="bash" v={m?.bashCommands} />
        <Metric label="files modified" v={m?.filesModified} />
        <Metric label="MCP calls" v={m?.mcpCalls} />
        <Metric label="agents" v={m?.agentsSpawned} />
        <Metric label="goals" v={m?.goals ?? goals} />
      </div>
    </div>
  );
}

/** An admin shell's facts (sessions from the MCP tool track_session_start keep them under metadata.admin_shell). */
function AdminShellFacts({ summary: s }: { summary: SessionSummary | null }) {
  const a = s?.metadata?.admin_shell as
    | {
        component_name?: string;
        shell_type?: string;
        hostname?: string;
        pid?: number;
        user?: { username?: string };
        environment?: { python_version?: string; cwd?: string };
      }
    | undefined;
  if (!a || typeof a !== 'object') return null;
  const parts = [
    a.component_name,
    a.shell_type,
    a.hostname && `host ${a.hostname}`,
    a.pid && `pid ${a.pid}`,
    a.environment?.python_version && `Python ${a.environment.python_version}`,
    a.environment?.cwd,
  ].filter(Boolean);
  return (
    <div className="muted small" data-testid="admin-shell-facts">
      Admin shell: {parts.join(' · ')}
    </div>
  );
}

function Metric({ label, v, warn }: { label: string; v: number | undefined; warn?: boolean }) {
  return (
    <div className={`metric${warn && v ? ' warn' : ''}`}>
      <span className="metric-v">{formatCount(v ?? 0)}</span>
      <span className="metric-l">{label}</span>
    </div>
  );
}
