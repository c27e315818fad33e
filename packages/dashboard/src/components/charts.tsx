/**
 * Hand-written SVG charts (no chart library): stacked bars over time, horizontal bars, a histogram.
 * Each measures its container's width (ResizeObserver) so text is never stretched.
 */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** Width of an element in CSS px, kept current. */
function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(600);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setW(el.clientWidth || 600);
    const ro = new ResizeObserver(() => setW(el.clientWidth || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface TimePoint {
  /** Bucket start, epoch ms. */
  t: number;
  values: Record<string, number>;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function tickLabel(t: number, spanMs: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  if (spanMs > 3 * 86_400_000) return `${d.getDate()} ${d.toLocaleString('en-GB', { month: 'short' })}`;
  return `${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Stacked bars per time bucket over [from, to) with `bucketMs` buckets (missing buckets are zero).
 * Hovering a bar shows its bucket's values.
 */
export function TimeBars({
  points,
  series,
  from,
  to,
  bucketMs,
  height = 160,
  label,
}: {
  points: TimePoint[];
  series: Series[];
  from: number;
  to: number;
  bucketMs: number;
  height?: number;
  label: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const start = Math.floor(from / bucketMs) * bucketMs;
  const n = Math.max(1, Math.min(400, Math.ceil((to - start) / bucketMs)));
  const byT = new Map(points.map((p) => [p.t, p.values]));
  const buckets = Array.from({ length: n }, (_, i) => ({
    t: start + i * bucketMs,
    values: byT.get(start + i * bucketMs) ?? {},
  }));
  const totals = buckets.map((b) => series.reduce((s, x) => s + (b.values[x.key] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const padL = 40,
    padB = 20,
    padT = 8;
  const plotW = Math.max(10, width - padL - 4),
    plotH = height - padB - padT;
  const bw = plotW / n;
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const xTicks = Math.min(6, n);
  const hb = hover !== null ? buckets[hover] : null;
  return (
    <div className="chart" ref={ref} aria-label={label}>
      <svg width={width} height={height} role="img" aria-label={label}>
        {ticks.map((v) => {
          const y = padT + plotH - (v / max) * plotH;
          return (
            <g key={v}>
              <line x1={padL} x2={padL + plotW} y1={y} y2={y} className="grid" />
              <text x={padL - 6} y={y + 4} textAnchor="end" className="axis">
                {v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : +v.toFixed(1)}
              </text>
            </g>
          );
        })}
        {buckets.map((b, i) => {
          let y = padT + plotH;
          return (
            <g key={b.t} onMouseEnter={() => setHover(i)} onMouseLeave={() => setHover(null)}>
              <rect x={padL + i * bw} y={padT} width={bw} height={plotH} fill="transparent" />
              {series.map((s) => {
                const v = b.values[s.key] ?? 0;
                if (!v) return null;
                const h = (v / max) * plotH;
                y -= h;
                return (
                  <rect
                    key={s.key}
                    x={padL + i * bw + Math.min(1, bw * 0.1)}
                    y={y}
                    width={Math.max(1, bw - Math.min(2, bw * 0.2))}
                    height={Math.max(0.5, h)}
                    fill={s.color}
                    opacity={hover === null || hover === i ? 1 : 0.55}
                  />
                );
              })}
            </g>
          );
        })}
        {Array.from({ length: xTicks }, (_, k) => {
          const i = Math.round((k * (n - 1)) / Math.max(1, xTicks - 1));
          const anchor = k === 0 ? 'start' : k === xTicks - 1 ? 'end' : 'middle';
          const x = k === 0 ? padL + i * bw : k === xTicks - 1 ? padL + (i + 1) * bw : padL + i * bw + bw / 2;
          return (
            <text key={k} x={x} y={height - 4} textAnchor={anchor} className="axis">
              {tickLabel(start + i * bucketMs, to - from)}
            </text>
          );
        })}
      </svg>
      {hb && (
        <div className="chart-tip" style={{ left: Math.min(width - 170, padL + (hover ?? 0) * bw + 8) }}>
          <div className="muted">{new Date(hb.t).toLocaleString('en-GB')}</div>
          {series.map((s) =>
            hb.values[s.key] ? (
              <div key={s.key}>
                <i style={{ background: s.color }} /> {s.label}: {hb.values[s.key]!.toLocaleString('en-US')}
              </div>
            ) : null,
          )}
          {!series.some((s) => hb.values[s.key]) && <div className="muted">no data</div>}
        </div>
      )}
      <Legend series={series} />
    </div>
  );
}

/** Colored legend of series. */
export function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <div className="legend">
      {series.map((s) => (
        <span key={s.key}>
          <i style={{ background: s.color }} />
          {s.label}
        </span>
      ))}
    </div>
  );
}

/** Horizontal bars: `value` with an optional highlighted `part` (e.g. errors) per row. */
export function HBars({
  rows,
  valueLabel,
  partLabel,
}: {
  rows: Array<{ key: string; label: ReactNode; value: number; part?: number }>;
  valueLabel: string;
  partLabel?: string;
}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <div className="hbars">
      {rows.map((r) => (
        <div className="hbar-row" key={r.key}>
          <div className="hbar-label" title={typeof r.label === 'string' ? r.label : undefined}>
            {r.label}
          </div>
          <div className="hbar-track">
            <div className="hbar-fill" style={{ width: `${(r.value / max) * 100}%` }}>
              {r.part ? <div className="hbar-part" style={{ width: `${(r.part / r.value) * 100}%` }} /> : null}
            </div>
          </div>
          <div
            className="hbar-value"
            title={`${r.value} ${valueLabel}${r.part ? `, ${r.part} ${partLabel ?? ''}` : ''}`}
          >
            {r.value.toLocaleString('en-US')}
            {r.part ? <span className="err"> · {r.part} ✕</span> : null}
          </div>
        </div>
      ))}
    </div>
  );
}

/** A histogram of values into labelled bins. */
export function Histogram({
  bins,
  height = 140,
  color = 'var(--accent)',
}: {
  bins: Array<{ label: string; count: number }>;
  height?: number;
  color?: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const max = niceMax(Math.max(0, ...bins.map((b) => b.count)));
  const padB = 20,
    padT = 14;
  const bw = width / Math.max(1, bins.length);
  const plotH = height - padB - padT;
  return (
    <div className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-label="histogram">
        {bins.map((b, i) => {
          const h = (b.count / max) * plotH;
          return (
            <g key={b.label}>
              <rect x={i * bw + 3} y={padT + plotH - h} width={Math.max(1, bw - 6)} height={h} fill={color} rx={2}>
                <title>{`${b.label}: ${b.count}`}</title>
              </rect>
              {b.count > 0 && (
                <text x={i * bw + bw / 2} y={padT + plotH - h - 3} textAnchor="middle" className="axis">
                  {b.count}
                </text>
              )}
              <text x={i * bw + bw / 2} y={height - 4} textAnchor="middle" className="axis">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
