/**
 * Sessions: a live list with filters (status, type, user, tag), full-text search, sort, totals and an events-per-minute
 * chart. Rows are virtualized and pages come from `GET /api/sessions` cursors as you scroll, so 100,000 sessions stay
 * smooth. New sessions and status changes arrive over the live feed's `list` channel. Filters live in the URL.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTether } from '../api/context';
import type { SessionListQuery, SessionSummary } from '../api/types';
import type { ListChange } from '../api/live';
import { ErrorBox, StatusBadge, Chip, Empty } from '../components/ui';
import { formatAgo, formatCount, formatDuration } from '../lib/format';
import { useDebounced, useNow } from '../lib/hooks';
import { StatsHeader } from './StatsHeader';

const PAGE = 100;
const ROW_H = 52;

/** True when a session satisfies the filters we can check locally (all but `q`). */
function matches(s: SessionSummary, f: SessionListQuery): boolean {
  if (f.status && s.status !== f.status) return false;
  if (f.type && s.type !== f.type) return false;
  if (f.userId && s.userId !== f.userId) return false;
  if (f.tag && !s.tags.includes(f.tag)) return false;
  return true;
}

export function SessionsView() {
  const { rest, live } = useTether();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filters = useMemo<SessionListQuery>(() => {
    const f: SessionListQuery = { sort: params.get('sort') === 'created' ? 'created' : 'updated' };
    for (const [k, p] of [
      ['status', 'status'],
      ['type', 'type'],
      ['userId', 'user'],
      ['tag', 'tag'],
      ['q', 'q'],
    ] as const) {
      const v = params.get(p);
      if (v) f[k] = v;
    }
    return f;
  }, [params]);
  const [qInput, setQInput] = useState(filters.q ?? '');
  const debouncedQ = useDebounced(qInput, 300);
  const setFilter = useCallback(
    (key: string, value: string) => {
      setParams(
        (p) => {
          const n = new URLSearchParams(p);
          if (value) n.set(key, value);
          else n.delete(key);
          return n;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  useEffect(() => {
    if ((debouncedQ || '') !== (filters.q ?? '')) setFilter('q', debouncedQ.trim());
  }, [debouncedQ]); // eslint-disable-line react-hooks/exhaustive-deps

  const [rows, setRows] = useState<SessionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const loadingMore = useRef(false);
  const filterKey = JSON.stringify(filters);

  // First page whenever the filters change (or after a reconnect: the list channel has no replay).
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    rest.listSessions({ ...filters, limit: PAGE }, ac.signal).then(
      (page) => {
        setRows(page.sessions);
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (err) => {
        if ((err as Error).name !== 'AbortError') {
          setError(err);
          setLoading(false);
        }
      },
    );
    return () => ac.abort();
  }, [rest, filterKey, reloadKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // Live changes: upsert, move updated sessions to the top when sorted by update.
  useEffect(() => {
    const onChange = (c: ListChange) => {
      setRows((prev) => {
        const idx = prev.findIndex((s) => s.sessionId === c.sessionId);
        if (c.type === 'session_deleted' || !c.session) return idx >= 0 ? prev.filter((_, i) => i !== idx) : prev;
        const s = c.session;
        const old = idx >= 0 ? prev[idx]! : null;
        if (old && old.lastSeq > s.lastSeq) return prev;
        if (!matches(s, filters)) return idx >= 0 ? prev.filter((_, i) => i !== idx) : prev;
        if (!old && filters.q) return prev; // cannot tell whether a new session matches the search
        if (filters.sort === 'updated') {
          const rest2 = idx >= 0 ? prev.filter((_, i) => i !== idx) : prev;
          return [s, ...rest2];
        }
        if (old) {
          const next = prev.slice();
          next[idx] = s;
          return next;
        }
        return prev.length === 0 || s.created >= prev[0]!.created ? [s, ...prev] : prev;
      });
    };
    return live.watchList(onChange, () => setReloadKey((k) => k + 1));
  }, [live, filterKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadMore = useCallback(async () => {
    if (!cursor || loadingMore.current) return;
    loadingMore.current = true;
    try {
      const page = await rest.listSessions({ ...filters, limit: PAGE, cursor });
      setRows((prev) => {
        const seen = new Set(prev.map((s) => s.sessionId));
        return [...prev, ...page.sessions.filter((s) => !seen.has(s.sessionId))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      loadingMore.current = false;
    }
  }, [rest, cursor, filterKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count: rows.length + (cursor ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });
  const items = virt.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (cursor && lastIndex >= rows.length - 20) void loadMore();
  }, [lastIndex, rows.length, cursor, loadMore]);
  const now = useNow(5000);
  const active = Object.entries(filters).filter(([k, v]) => k !== 'sort' && v).length;

  return (
    <div className="page sessions-page">
      <StatsHeader />
      <div className="filters card" role="search">
        <input
          className="search"
          placeholder="Search sessions and event content…"
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          aria-label="Search"
          data-testid="filter-q"
        />
        <select
          value={filters.status ?? ''}
          onChange={(e) => setFilter('status', e.target.value)}
          aria-label="Status"
          data-testid="filter-status"
        >
          <option value="">All statuses</option>
          <option value="active">Active</option>
          <option value="completed">Completed</option>
          <option value="failed">Failed</option>
          <option value="abandoned">Abandoned</option>
        </select>
        <FilterInput
          label="Type"
          value={filters.type ?? ''}
          onCommit={(v) => setFilter('type', v)}
          testId="filter-type"
        />
        <FilterInput
          label="User"
          value={filters.userId ?? ''}
          onCommit={(v) => setFilter('user', v)}
          testId="filter-user"
        />
        <FilterInput label="Tag" value={filters.tag ?? ''} onCommit={(v) => setFilter('tag', v)} testId="filter-tag" />
        <select
          value={filters.sort}
          onChange={(e) => setFilter('sort', e.target.value === 'created' ? 'created' : '')}
          aria-label="Sort"
          data-testid="sort"
        >
          <option value="updated">Recently updated</option>
          <option value="created">Newest first</option>
        </select>
        {active > 0 && (
          <button
            className="btn ghost"
            onClick={() => {
              setQInput('');
              setParams(new URLSearchParams(), { replace: true });
            }}
          >
            Clear {active}
          </button>
        )}
      </div>
      <ErrorBox error={error} />
      <div className="table sessions-table card">
        <div className="thead srow">
          <div>Status</div>
          <div>Session</div>
          <div>Type</div>
          <div>User</div>
          <div>Model</div>
          <div className="num">Events</div>
          <div className="num">Tokens</div>
          <div className="num">Duration</div>
          <div className="num">Updated</div>
        </div>
        <div className="tbody" ref={scrollRef} data-testid="session-list">
          {!loading && rows.length === 0 && (
            <Empty>
              {active
                ? 'No session matches these filters.'
                : 'No sessions yet. Point an agent at this service, or create a test session.'}
            </Empty>
          )}
          <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
            {items.map((vi) => {
              const s = rows[vi.index];
              if (!s)
                return (
                  <div
                    key="more"
                    className="srow loading-row"
                    style={{ position: 'absolute', top: 0, transform: `translateY(${vi.start}px)`, height: ROW_H }}
                  >
                    Loading more…
                  </div>
                );
              const dur = s.durationMs ?? (s.status === 'active' ? now - new Date(s.created).getTime() : null);
              return (
                <div
                  key={s.sessionId}
                  className="srow"
                  role="row"
                  data-session-id={s.sessionId}
                  style={{ position: 'absolute', top: 0, transform: `translateY(${vi.start}px)`, height: ROW_H }}
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a'))
                      navigate(`/sessions/${encodeURIComponent(s.sessionId)}`);
                  }}
                >
                  <div>
                    <StatusBadge status={s.status} />
                  </div>
                  <div className="sid">
                    <Link to={`/sessions/${encodeURIComponent(s.sessionId)}`} className="mono">
                      {s.sessionId}
                    </Link>
                    <div className="tags">
                      {s.parentSessionId && (
                        <Chip tone="pink" title={`sub-agent of ${s.parentSessionId}`}>
                          sub-agent
                        </Chip>
                      )}
                      {s.tags.slice(0, 4).map((t) => (
                        <Chip key={t}>{t}</Chip>
                      ))}
                    </div>
                  </div>
                  <div className="ellipsis">{s.type ?? '—'}</div>
                  <div className="ellipsis">{s.userId ?? '—'}</div>
                  <div className="ellipsis muted">{(s.metadata?.model as string) ?? '—'}</div>
                  <div className="num">{formatCount(s.lastSeq)}</div>
                  <div className="num">{formatCount(s.metadata?.tokenUsage?.total ?? 0)}</div>
                  <div className="num">{formatDuration(dur)}</div>
                  <div className="num muted" title={s.updated}>
                    {formatAgo(s.updated, now)}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
        <div className="tfoot muted">
          {loading
            ? 'Loading…'
            : `${rows.length.toLocaleString('en-US')}${cursor ? '+' : ''} sessions${active ? ' match' : ''}`}
        </div>
      </div>
    </div>
  );
}

/** A text filter applied on Enter or blur (so typing does not refetch on every key). */
function FilterInput({
  label,
  value,
  onCommit,
  testId,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  testId: string;
}) {
  const [v, setV] = useState(value);
  useEffect(() => setV(value), [value]);
  return (
    <input
      className="filter-input"
      placeholder={label}
      aria-label={label}
      value={v}
      data-testid={testId}
      onChange={(e) => setV(e.target.value)}
      onBlur={() => v.trim() !== value && onCommit(v.trim())}
      onKeyDown={(e) => e.key === 'Enter' && onCommit(v.trim())}
    />
  );
}
