/**
 * The live timeline of a session's events: virtualized (smooth at 50,000+ events), filter by kind and tool, expand any
 * row into a JSON tree, and follow live (auto-scroll to new events) with pause. Scrolling up pauses following; the
 * "new events" button resumes it.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TetherEvent } from '../../api/types';
import type { SessionData } from './useSession';
import { eventLabel, eventSummary, goalIdOf, isError, KIND_TONES, toolOf, type SummaryContext } from '../../lib/events';
import { formatClock, formatDuration } from '../../lib/format';
import { JsonTree } from '../../components/JsonTree';
import { Empty } from '../../components/ui';

/** Height of a collapsed row in px: .ev-line (34) + its bottom border (1). */
const ROW_H = 35;

export function Timeline({ data }: { data: SessionData }) {
  const { events, version, historyDone } = data;
  const [kinds, setKinds] = useState<Set<string>>(new Set());
  const [tool, setTool] = useState('');
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const seenCount = useRef(0);

  // Kind and tool counts, updated incrementally as events arrive.
  const counts = useRef({
    n: 0,
    kinds: new Map<string, number>(),
    tools: new Map<string, number>(),
    goalNames: new Map<string, string>(),
  });
  const c = counts.current;
  for (; c.n < events.length; c.n++) {
    const e = events[c.n]!;
    c.kinds.set(e.kind, (c.kinds.get(e.kind) ?? 0) + 1);
    const t = toolOf(e);
    if (t) c.tools.set(t, (c.tools.get(t) ?? 0) + 1);
    const g = e.kind === 'goal_added' || e.kind === 'goal_updated' ? goalIdOf(e) : undefined;
    if (g !== undefined && typeof e.data.description === 'string' && e.data.description)
      c.goalNames.set(g, e.data.description);
  }
  // Goals named only in the state (e.g. added before the first loaded page) still get their description.
  for (const goal of data.state?.goals ?? [])
    if (goal.description && !c.goalNames.has(goal.goalId)) c.goalNames.set(goal.goalId, goal.description);
  const summaryCtx = { goalNames: c.goalNames };

  const filtering = kinds.size > 0 || tool !== '' || text !== '';
  const shown = useMemo(() => {
    if (!filtering) return events;
    const needle = text.toLowerCase();
    return events.filter(
      (e) =>
        (kinds.size === 0 || kinds.has(e.kind)) &&
        (!tool || toolOf(e) === tool) &&
        (!needle || JSON.stringify(e.data).toLowerCase().includes(needle)),
    );
  }, [events, version, kinds, tool, text, filtering]); // eslint-disable-line react-hooks/exhaustive-deps

  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 10,
    getItemKey: (i) => shown[i]?.seq ?? i,
  });

  // Following: keep the newest row in view. Setting scrollTop directly is cheaper than scrollToIndex at 200 events/s.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
    if (follow) seenCount.current = shown.length;
  }, [shown.length, follow, virt.getTotalSize()]); // eslint-disable-line react-hooks/exhaustive-deps

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_H * 1.5;
    if (!atBottom && follow) setFollow(false);
    else if (atBottom && !follow) setFollow(true);
  };
  const toggleKind = (k: string) =>
    setKinds((prev) => {
      const n = new Set(prev);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  const toggleRow = (seq: number, index: number) => {
    if (expanded.has(seq)) virt.resizeItem(index, ROW_H); // back to the fixed height; it is no longer measured
    setExpanded((prev) => {
      const n = new Set(prev);
      if (n.has(seq)) n.delete(seq);
      else n.add(seq);
      return n;
    });
  };
  const unseen = follow ? 0 : shown.length - seenCount.current;
  const tools = [...c.tools].sort((a, b) => b[1] - a[1]);

  return (
    <div
      className="timeline"
      data-testid="timeline"
      data-loaded={historyDone ? 'true' : 'false'}
      data-count={events.length}
    >
      <div className="tl-toolbar">
        <div className="kind-filters">
          {[...c.kinds].map(([k, n]) => (
            <button
              key={k}
              className={`chip toggle tone-${KIND_TONES[k] ?? 'gray'}${kinds.has(k) ? ' on' : ''}${kinds.size && !kinds.has(k) ? ' dim' : ''}`}
              onClick={() => toggleKind(k)}
              data-testid={`kind-${k}`}
              aria-pressed={kinds.has(k)}
            >
              {k.replace(/_/g, ' ')} <span className="n">{n.toLocaleString('en-US')}</span>
            </button>
          ))}
        </div>
        <div className="tl-right">
          <select value={tool} onChange={(e) => setTool(e.target.value)} aria-label="Tool" data-testid="tool-filter">
            <option value="">All tools</option>
            {tools.map(([t, n]) => (
              <option key={t} value={t}>
                {t} ({n})
              </option>
            ))}
          </select>
          <input
            placeholder="Find in payloads"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-label="Find in payloads"
          />
          <button
            className={`btn${follow ? ' primary' : ''}`}
            onClick={() => setFollow(!follow)}
            data-testid="follow"
            aria-pressed={follow}
            title="Keep the newest event in view"
          >
            {follow ? '❚❚ Pause' : '▶ Follow live'}
          </button>
        </div>
      </div>
      <div className="tl-head muted small">
        {historyDone ? '' : 'Loading history… '}
        {filtering
          ? `${shown.length.toLocaleString('en-US')} of ${events.length.toLocaleString('en-US')} events`
          : `${events.length.toLocaleString('en-US')} events`}
      </div>
      <div className="tl-scroll" ref={scrollRef} onScroll={onScroll} data-testid="timeline-scroll">
        {historyDone && shown.length === 0 && (
          <Empty>{filtering ? 'No event matches these filters.' : 'No events yet.'}</Empty>
        )}
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {virt.getVirtualItems().map((vi) => {
            const e = shown[vi.index]!;
            return (
              // Collapsed rows have a fixed height; only expanded ones are measured (no ResizeObserver per row).
              <div
                key={vi.key}
                data-index={vi.index}
                ref={expanded.has(e.seq) ? virt.measureElement : undefined}
                className="tl-item"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${vi.start}px)` }}
              >
                <EventRow
                  e={e}
                  ctx={summaryCtx}
                  open={expanded.has(e.seq)}
                  onToggle={() => toggleRow(e.seq, vi.index)}
                />
              </div>
            );
          })}
        </div>
      </div>
      {unseen > 0 && (
        <button className="new-events" onClick={() => setFollow(true)}>
          {unseen.toLocaleString('en-US')} new event{unseen === 1 ? '' : 's'} ↓
        </button>
      )}
    </div>
  );
}

function EventRow({
  e,
  ctx,
  open,
  onToggle,
}: {
  e: TetherEvent;
  ctx: SummaryContext;
  open: boolean;
  onToggle: () => void;
}) {
  const err = e.kind === 'action' && isError(e);
  const dur = typeof e.data.durationMs === 'number' ? e.data.durationMs : null;
  return (
    <div
      className={`ev${open ? ' open' : ''}${err ? ' ev-error' : ''}`}
      data-seq={e.seq}
      data-kind={e.kind}
      data-testid="event-row"
    >
      <div className="ev-line" onClick={onToggle} role="button" aria-expanded={open}>
        <span className="ev-seq mono">#{e.seq}</span>
        <span className="ev-time mono">{formatClock(e.timestamp)}</span>
        <span className={`ev-kind tone-${KIND_TONES[e.kind] ?? 'gray'}`}>
          <i />
          {eventLabel(e)}
        </span>
        <span className="ev-sum">{eventSummary(e, ctx)}</span>
        {dur !== null && <span className="ev-dur mono">{formatDuration(dur)}</span>}
        {err && <span className="ev-err">error</span>}
      </div>
      {open && (
        <div className="ev-detail">
          <div className="ev-meta small muted mono">
            {e.kind} · id {e.id} · client time {e.timestamp} · received {e.receivedAt}
          </div>
          <JsonTree value={e.data} expandDepth={3} />
        </div>
      )}
    </div>
  );
}
