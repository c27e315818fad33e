/**
 * Analytics over a chosen time range, all computed by the service (`GET /api/query/analytics?from&to&bucketMs`):
 * events and tokens over time, tool usage with errors, error rate, session durations, busiest sessions.
 * The range lives in the URL (`?range=24h` or `?from=…&to=…`).
 */
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTether } from '../api/context';
import type { Analytics } from '../api/types';
import { HBars, Histogram, TimeBars, type Series } from '../components/charts';
import { Empty, ErrorBox, Stat, StatusBadge } from '../components/ui';
import { formatCount, formatDuration } from '../lib/format';
import { KIND_TONES } from '../lib/events';

const RANGES: Record<string, number> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};
const BUCKETS = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000];
const TONE_COLORS: Record<string, string> = {
  blue: 'var(--blue)',
  green: 'var(--green)',
  amber: 'var(--amber)',
  red: 'var(--red)',
  violet: 'var(--violet)',
  cyan: 'var(--cyan)',
  gray: 'var(--gray)',
  pink: 'var(--pink)',
};

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function AnalyticsView() {
  const { rest } = useTether();
  const [params, setParams] = useSearchParams();
  const rangeKey = params.get('range') ?? (params.get('from') ? 'custom' : '24h');
  const [refresh, setRefresh] = useState(0);
  const { from, to } = useMemo(() => {
    if (rangeKey === 'custom') {
      const f = Date.parse(params.get('from') ?? '');
      const t = Date.parse(params.get('to') ?? '') || Date.now();
      return { from: Number.isNaN(f) ? t - 86_400_000 : f, to: t };
    }
    const now = Date.now();
    const span = RANGES[rangeKey] ?? 86_400_000;
    const bucket = BUCKETS.find((b) => span / b <= 72) ?? 86_400_000;
    const end = Math.ceil(now / bucket) * bucket;
    return { from: end - span, to: end };
  }, [rangeKey, params, refresh]); // eslint-disable-line react-hooks/exhaustive-deps
  const bucketMs = BUCKETS.find((b) => (to - from) / b <= 72) ?? 86_400_000;
  const [data, setData] = useState<Analytics | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    rest
      .analytics({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucketMs }, ac.signal)
      .then(setData, (err) => (err as Error).name !== 'AbortError' && setError(err));
    return () => ac.abort();
  }, [rest, from, to, bucketMs]);
  useEffect(() => {
    const t = setInterval(() => setRefresh((r) => r + 1), 30_000);
    return () => clearInterval(t);
  }, []);

  const kinds = useMemo(() => [...new Set((data?.eventsOverTime ?? []).map((r) => r.kind))], [data]);
  const eventSeries: Series[] = kinds.map((k) => ({
    key: k,
    label: k.replace(/_/g, ' '),
    color: TONE_COLORS[KIND_TONES[k] ?? 'gray']!,
  }));
  const eventPoints = useMemo(() => {
    const m = new Map<number, Record<string, number>>();
    for (const r of data?.eventsOverTime ?? []) m.set(r.t, { ...(m.get(r.t) ?? {}), [r.kind]: r.n });
    return [...m].map(([t, values]) => ({ t, values }));
  }, [data]);
  const tokenPoints = (data?.tokensOverTime ?? []).map((r) => ({
    t: r.t,
    values: { input: r.input ?? 0, output: r.output ?? 0 },
  }));
  const totalEvents = (data?.eventsOverTime ?? []).reduce((s, r) => s + r.n, 0);
  const totalTokens = (data?.tokensOverTime ?? []).reduce((s, r) => s + (r.input ?? 0) + (r.output ?? 0), 0);
  const bins = durationBins(data?.durations.map((d) => d.durationMs) ?? []);

  return (
    <div className="page analytics-page">
      <div className="page-head">
        <h1>Analytics</h1>
        <div className="range" role="group" aria-label="Time range">
          {Object.keys(RANGES).map((k) => (
            <button
              key={k}
              className={`btn small${rangeKey === k ? ' primary' : ''}`}
              onClick={() => setParams({ range: k })}
              data-testid={`range-${k}`}
            >
              {k}
            </button>
          ))}
          <input
            type="datetime-local"
            value={toLocalInput(from)}
            onChange={(e) =>
              e.target.value &&
              setParams({ from: new Date(e.target.value).toISOString(), to: new Date(to).toISOString() })
            }
            aria-label="From"
          />
          <span className="muted">→</span>
          <input
            type="datetime-local"
            value={toLocalInput(to)}
            onChange={(e) =>
              e.target.value &&
              setParams({ from: new Date(from).toISOString(), to: new Date(e.target.value).toISOString() })
            }
            aria-label="To"
          />
        </div>
      </div>
      <ErrorBox error={error} />
      {data && (
        <>
          <div className="stats-grid">
            <Stat label="Events" value={formatCount(totalEvents)} />
            <Stat label="Tool calls" value={formatCount(data.toolCalls)} tone="blue" />
            <Stat label="Tool errors" value={formatCount(data.toolErrors)} tone="red" />
            <Stat
              label="Error rate"
              value={`${(data.errorRate * 100).toFixed(1)}%`}
              tone={data.errorRate > 0.1 ? 'red' : data.errorRate > 0.02 ? 'amber' : 'green'}
            />
            <Stat label="Tokens" value={formatCount(totalTokens)} tone="violet" />
          </div>
          <div className="grid-2">
            <div className="card" data-testid="chart-events">
              <div className="card-title">
                Events over time <span className="muted small">per {formatDuration(bucketMs)}</span>
              </div>
              <TimeBars
                label="Events over time"
                points={eventPoints}
                series={eventSeries.length ? eventSeries : [{ key: 'x', label: 'events', color: 'var(--accent)' }]}
                from={from}
                to={to}
                bucketMs={bucketMs}
              />
            </div>
            <div className="card" data-testid="chart-tokens">
              <div className="card-title">
                Tokens over time <span className="muted small">per {formatDuration(bucketMs)}</span>
              </div>
              <TimeBars
                label="Tokens over time"
                points={tokenPoints}
                series={[
                  { key: 'input', label: 'input', color: 'var(--violet)' },
                  { key: 'output', label: 'output', color: 'var(--pink)' },
                ]}
                from={from}
                to={to}
                bucketMs={bucketMs}
              />
            </div>
            <div className="card" data-testid="chart-tools">
              <div className="card-title">
                Tool usage <span className="muted small">calls · errors</span>
              </div>
              {data.tools.length ? (
                <HBars
                  valueLabel="calls"
                  partLabel="errors"
                  rows={data.tools.slice(0, 15).map((t) => ({
                    key: t.tool ?? '(none)',
                    label: t.tool ?? <span className="muted">(no tool)</span>,
                    value: t.calls,
                    part: t.errors,
                  }))}
                />
              ) : (
                <Empty>No tool calls in this range.</Empty>
              )}
            </div>
            <div className="card" data-testid="chart-durations">
              <div className="card-title">
                Session durations <span className="muted small">{data.durations.length} ended sessions</span>
              </div>
              {data.durations.length ? <Histogram bins={bins} /> : <Empty>No session ended in this range.</Empty>}
            </div>
          </div>
          <div className="card" data-testid="busiest">
            <div className="card-title">Busiest sessions</div>
            {data.busiest.length ? (
              <table className="simple">
                <thead>
                  <tr>
                    <th>Session</th>
                    <th>Type</th>
                    <th>Status</th>
                    <th className="num">Events in range</th>
                  </tr>
                </thead>
                <tbody>
                  {data.busiest.map((b) => (
                    <tr key={b.sessionId}>
                      <td>
                        <Link className="mono" to={`/sessions/${encodeURIComponent(b.sessionId)}`}>
                          {b.sessionId}
                        </Link>
                      </td>
                      <td>{b.type ?? '—'}</td>
                      <td>
                        <StatusBadge status={b.status} />
                      </td>
                      <td className="num">{formatCount(b.events)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty>No events in this range.</Empty>
            )}
          </div>
        </>
      )}
    </div>
  );
}

function durationBins(ms: number[]): Array<{ label: string; count: number }> {
  const edges: Array<[string, number]> = [
    ['<10s', 10_000],
    ['<1m', 60_000],
    ['<5m', 300_000],
    ['<15m', 900_000],
    ['<1h', 3_600_000],
    ['<4h', 14_400_000],
    ['≥4h', Infinity],
  ];
  const counts = edges.map(([label]) => ({ label, count: 0 }));
  for (const v of ms) counts[edges.findIndex(([, e]) => v < e)]!.count++;
  return counts;
}
