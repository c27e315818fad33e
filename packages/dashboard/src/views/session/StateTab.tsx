/**
 * The state as a JSON tree with a diff against the previous version, and a time-travel slider: at position N it shows
 * `GET /api/state/:id?atSeq=N` and what the last state-changing event at or before N changed.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTether } from '../../api/context';
import type { SessionState } from '../../api/types';
import type { SessionData } from './useSession';
import { JsonTree } from '../../components/JsonTree';
import { KindChip } from '../../components/ui';
import { diffJson, removedValues } from '../../lib/json-diff';
import { eventSummary, STATE_KINDS } from '../../lib/events';
import { formatDateTime, preview } from '../../lib/format';
import { useDebounced } from '../../lib/hooks';

export function StateTab({ sessionId, data }: { sessionId: string; data: SessionData }) {
  const { rest } = useTether();
  const { events, version } = data;
  const lastSeq = events.length ? events[events.length - 1]!.seq : 0;
  const [pos, setPos] = useState<number | null>(null); // null = live (latest)
  const at = pos ?? lastSeq;
  const debouncedAt = useDebounced(at, 120);
  const [showDiff, setShowDiff] = useState(true);

  // Seqs of state-changing events (the state's versions), ascending.
  const stateSeqs = useMemo(() => events.filter((e) => STATE_KINDS.has(e.kind)).map((e) => e.seq), [events, version]); // eslint-disable-line react-hooks/exhaustive-deps
  const changeSeq = lastAtOrBefore(stateSeqs, debouncedAt);
  const prevSeq = changeSeq ? lastAtOrBefore(stateSeqs, changeSeq - 1) : 0;
  const changeEvent = changeSeq
    ? events[changeSeq - 1]?.seq === changeSeq
      ? events[changeSeq - 1]
      : events.find((e) => e.seq === changeSeq)
    : undefined;

  const [shownState, setShownState] = useState<SessionState | null>(null);
  const [prevState, setPrevState] = useState<SessionState | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    const cur =
      pos === null && data.state
        ? Promise.resolve(data.state)
        : rest.getState(sessionId, Math.max(1, debouncedAt), ac.signal);
    const prev =
      changeSeq && prevSeq >= 0
        ? rest.getState(sessionId, Math.max(1, changeSeq - 1), ac.signal)
        : Promise.resolve(null);
    Promise.all([cur, prev]).then(
      ([c, p]) => {
        setShownState(withoutAtSeq(c));
        setPrevState(p && withoutAtSeq(p));
        setLoading(false);
      },
      () => setLoading(false),
    );
    return () => ac.abort();
  }, [rest, sessionId, debouncedAt, changeSeq, pos === null ? data.state : null]); // eslint-disable-line react-hooks/exhaustive-deps

  const diff = useMemo(
    () => (showDiff && shownState && prevState ? diffJson(prevState, shownState) : undefined),
    [shownState, prevState, showDiff],
  );
  const removed = diff && prevState ? removedValues(prevState, diff) : [];
  const atEvent = events.find((e) => e.seq === at);

  return (
    <div className="state-tab">
      <div className="card travel" data-testid="time-travel">
        <div className="travel-top">
          <strong>Time travel</strong>
          <span className="muted">
            seq{' '}
            <span className="mono" data-testid="travel-seq">
              {at}
            </span>{' '}
            of {lastSeq}
          </span>
          {atEvent && (
            <span className="muted small">
              {formatDateTime(atEvent.timestamp)} · <KindChip kind={atEvent.kind} />
            </span>
          )}
          <span className="grow" />
          <button
            className="btn small"
            onClick={() => setPos(Math.max(1, (pos ?? lastSeq) - 1))}
            disabled={at <= 1}
            aria-label="Previous event"
          >
            ◀
          </button>
          <button
            className="btn small"
            onClick={() => setPos(Math.min(lastSeq, at + 1))}
            disabled={pos === null}
            aria-label="Next event"
          >
            ▶
          </button>
          <button
            className={`btn small${pos === null ? ' primary' : ''}`}
            onClick={() => setPos(null)}
            data-testid="travel-live"
          >
            Live
          </button>
        </div>
        <input
          type="range"
          min={1}
          max={Math.max(1, lastSeq)}
          value={Math.max(1, at)}
          onChange={(e) => {
            const v = Number(e.target.value);
            setPos(v >= lastSeq ? null : v);
          }}
          aria-label="State at seq"
          data-testid="travel-slider"
          className="slider"
        />
        <Ticks stateSeqs={stateSeqs} lastSeq={lastSeq} onPick={(s) => setPos(s >= lastSeq ? null : s)} />
      </div>
      <div className="state-grid">
        <div className="card">
          <div className="card-title">
            State{' '}
            {shownState ? (
              <span className="mono" data-testid="state-version">
                v{shownState.version}
              </span>
            ) : null}{' '}
            {pos === null ? (
              <span className="chip tone-green">live</span>
            ) : (
              <span className="chip tone-amber">at seq {at}</span>
            )}
            {loading && <span className="muted small"> loading…</span>}
            <span className="grow" />
            <label className="small muted">
              <input type="checkbox" checked={showDiff} onChange={(e) => setShowDiff(e.target.checked)} /> highlight
              changes
            </label>
          </div>
          <div data-testid="state-tree">
            {shownState ? <JsonTree value={shownState} expandDepth={2} diff={diff} /> : <div className="muted">…</div>}
          </div>
        </div>
        <div className="card change-card">
          <div className="card-title">Change that made this version</div>
          {changeEvent ? (
            <>
              <div>
                <KindChip kind={changeEvent.kind} /> <span className="mono">#{changeEvent.seq}</span>{' '}
                <span className="muted small">{formatDateTime(changeEvent.timestamp)}</span>
              </div>
              <p className="small">{eventSummary(changeEvent)}</p>
              {diff && diff.size > 0 && (
                <ul className="diff-list small mono" data-testid="diff-list">
                  {[...diff]
                    .filter(
                      ([p]) =>
                        !diff.has(p) ||
                        diff.get(p) !== 'changed' ||
                        ![...diff.keys()].some((q) => q.startsWith(p + '/')),
                    )
                    .slice(0, 40)
                    .map(([p, c]) => (
                      <li key={p} className={`jt-${c}`}>
                        {c === 'added' ? '+' : c === 'removed' ? '−' : '~'} {p}
                      </li>
                    ))}
                </ul>
              )}
              {removed.length > 0 && (
                <div className="small muted">
                  Removed: {removed.map((r) => `${r.path} = ${preview(r.value, 60)}`).join(', ')}
                </div>
              )}
            </>
          ) : (
            <div className="muted small">No state change at or before seq {at}: this is the initial state.</div>
          )}
        </div>
      </div>
    </div>
  );
}

/** The replayed state echoes `atSeq`; it is not part of the state, so it is left out of the tree and the diff. */
function withoutAtSeq(s: SessionState): SessionState {
  if (!('atSeq' in s)) return s;
  const { atSeq: _drop, ...rest } = s;
  return rest as SessionState;
}

function lastAtOrBefore(sorted: number[], x: number): number {
  let lo = 0,
    hi = sorted.length - 1,
    ans = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      ans = sorted[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Marks where the state changed along the slider; click one to jump there. */
function Ticks({
  stateSeqs,
  lastSeq,
  onPick,
}: {
  stateSeqs: number[];
  lastSeq: number;
  onPick: (seq: number) => void;
}) {
  if (lastSeq < 2) return null;
  const step = Math.max(1, Math.ceil(stateSeqs.length / 300));
  return (
    <div className="ticks" aria-hidden>
      {stateSeqs
        .filter((_, i) => i % step === 0)
        .map((s) => (
          <span
            key={s}
            style={{ left: `${((s - 1) / (lastSeq - 1)) * 100}%` }}
            title={`state change at seq ${s}`}
            onClick={() => onPick(s)}
          />
        ))}
    </div>
  );
}
