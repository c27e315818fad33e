/**
 * Sub-agents: a tree (agents of this session → their child sessions → those sessions' agents, loaded on demand) and a
 * waterfall timeline of when each agent ran, linking to child sessions (`state.agents.spawned[].childSessionId`,
 * `GET /api/sessions/:id/children`).
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useTether } from '../../api/context';
import type { AgentRecord, SessionSummary } from '../../api/types';
import type { SessionData } from './useSession';
import { Empty, StatusBadge } from '../../components/ui';
import { formatDuration, preview } from '../../lib/format';
import { useNow } from '../../lib/hooks';

export function AgentsTab({ sessionId, data }: { sessionId: string; data: SessionData }) {
  const { rest } = useTether();
  const agents = data.state?.agents.spawned ?? [];
  const [children, setChildren] = useState<SessionSummary[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    rest.children(sessionId, ac.signal).then(
      (r) => setChildren(r.sessions),
      () => {},
    );
    return () => ac.abort();
  }, [rest, sessionId, agents.length, data.state?.agents.completed.length]);
  const linked = new Set(agents.map((a) => a.childSessionId).filter(Boolean));
  const orphans = children.filter((c) => !linked.has(c.sessionId));
  if (!agents.length && !children.length) return <Empty>This session spawned no sub-agents.</Empty>;
  return (
    <div className="agents-tab" data-testid="agents">
      <div className="card">
        <div className="card-title">Waterfall</div>
        <Waterfall
          agents={agents}
          start={data.summary?.created ?? agents[0]?.spawnedAt ?? new Date().toISOString()}
          end={data.summary?.endedAt ?? null}
        />
      </div>
      <div className="card">
        <div className="card-title">Tree</div>
        <ul className="tree">
          <li>
            <span className="mono">{sessionId}</span> <StatusBadge status={data.summary?.status} />
            <ul>
              {agents.map((a) => (
                <AgentNode key={a.agentId} agent={a} child={children.find((c) => c.sessionId === a.childSessionId)} />
              ))}
              {orphans.map((c) => (
                <li key={c.sessionId}>
                  <ChildLink s={c} /> <span className="muted small">(child session, no agent record)</span>
                  <SubTree sessionId={c.sessionId} />
                </li>
              ))}
            </ul>
          </li>
        </ul>
      </div>
    </div>
  );
}

function ChildLink({ s, id }: { s?: SessionSummary | undefined; id?: string | undefined }) {
  const sid = s?.sessionId ?? id!;
  return (
    <Link className="mono" to={`/sessions/${encodeURIComponent(sid)}`} data-testid="child-link">
      {sid}
    </Link>
  );
}

function AgentNode({ agent: a, child }: { agent: AgentRecord; child: SessionSummary | undefined }) {
  const [open, setOpen] = useState(false);
  return (
    <li data-agent-id={a.agentId}>
      <span className="agent-type">{a.type}</span> <StatusBadge status={a.status} />{' '}
      <span className="muted small mono">{a.agentId}</span>
      {a.durationMs !== undefined && <span className="muted small"> · {formatDuration(a.durationMs)}</span>}
      {a.task !== undefined && <div className="small agent-task">{preview(a.task, 220)}</div>}
      {a.result !== undefined && <div className="small muted">→ {preview(a.result, 220)}</div>}
      {a.childSessionId && (
        <div className="small">
          child session <ChildLink s={child} id={a.childSessionId} />{' '}
          {child && (
            <>
              <StatusBadge status={child.status} /> <span className="muted">{child.lastSeq} events</span>
            </>
          )}{' '}
          <button className="btn link small" onClick={() => setOpen(!open)}>
            {open ? 'hide its agents' : 'show its agents'}
          </button>
          {open && <SubTree sessionId={a.childSessionId} />}
        </div>
      )}
    </li>
  );
}

/** The agents of another session, loaded when expanded. */
function SubTree({ sessionId }: { sessionId: string }) {
  const { rest } = useTether();
  const [agents, setAgents] = useState<AgentRecord[] | null>(null);
  const [children, setChildren] = useState<SessionSummary[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    rest.getState(sessionId, undefined, ac.signal).then(
      (s) => setAgents(s.agents.spawned),
      () => setAgents([]),
    );
    rest.children(sessionId, ac.signal).then(
      (r) => setChildren(r.sessions),
      () => {},
    );
    return () => ac.abort();
  }, [rest, sessionId]);
  if (!agents) return <div className="muted small">loading…</div>;
  if (!agents.length && !children.length) return null;
  return (
    <ul>
      {agents.map((a) => (
        <AgentNode key={a.agentId} agent={a} child={children.find((c) => c.sessionId === a.childSessionId)} />
      ))}
    </ul>
  );
}

/**
 * Where a bar's duration label goes, in % of the track: after the bar when there is room (≥ 15 % left of the track),
 * else before it when there is room there, else inside the bar's right end. Never outside the track, where it would
 * run into the agent's name and id in the label column.
 */
function durPlace(left: number, width: number): 'after' | 'before' | 'inside' {
  if (left + width <= 85) return 'after';
  if (left >= 15) return 'before';
  return 'inside';
}

function durStyle(left: number, width: number): { left?: string; right?: string } {
  switch (durPlace(left, width)) {
    case 'after':
      return { left: `calc(${left + width}% + 6px)` };
    case 'before':
      return { right: `calc(${100 - left}% + 6px)` };
    case 'inside':
      return { right: `calc(${Math.max(0, 100 - left - width)}% + 6px)` };
  }
}

function Waterfall({ agents, start, end }: { agents: AgentRecord[]; start: string; end: string | null }) {
  const now = useNow(1000);
  if (!agents.length) return <div className="muted small">No agent records.</div>;
  const t0 = Math.min(new Date(start).getTime(), ...agents.map((a) => new Date(a.spawnedAt).getTime()));
  const t1 = Math.max(
    end ? new Date(end).getTime() : 0,
    ...agents.map((a) => (a.completedAt ? new Date(a.completedAt).getTime() : now)),
    t0 + 1,
  );
  const span = t1 - t0;
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-axis">
        <span>0</span>
        <span>{formatDuration(span / 2)}</span>
        <span>{formatDuration(span)}</span>
      </div>
      {agents.map((a) => {
        const s = new Date(a.spawnedAt).getTime();
        const e = a.completedAt ? new Date(a.completedAt).getTime() : now;
        const left = ((s - t0) / span) * 100;
        const width = Math.max(0.5, ((e - s) / span) * 100);
        return (
          <div className="wf-row" key={a.agentId}>
            <div className="wf-label" title={typeof a.task === 'string' ? a.task : a.agentId}>
              {a.childSessionId ? (
                <Link to={`/sessions/${encodeURIComponent(a.childSessionId)}`}>{a.type}</Link>
              ) : (
                a.type
              )}
              <span className="muted small"> {a.agentId}</span>
            </div>
            <div className="wf-track">
              <div
                className={`wf-bar status-${a.status}${a.completedAt ? '' : ' running'}`}
                style={{ left: `${left}%`, width: `${width}%` }}
                title={`${a.type}: ${formatDuration(e - s)} (${a.status})`}
              />
              <span
                className={`wf-dur small wf-dur-${durPlace(left, width)}`}
                style={durStyle(left, width)}
                data-testid="wf-dur"
              >
                {formatDuration(e - s)}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}
