/** Small shared pieces: status badges, kind chips, tag chips, stat cards, empty and error states. */
import type { ReactNode } from 'react';
import { KIND_TONES, type Tone } from '../lib/events';
import { APIConnectionError, APIStatusError } from '@tether/client';
import { problemDetail } from '../api/rest';

const STATUS_TONES: Record<string, Tone> = {
  active: 'blue',
  completed: 'green',
  failed: 'red',
  abandoned: 'gray',
  pending: 'gray',
  in_progress: 'blue',
  running: 'blue',
  error: 'red',
  cancelled: 'gray',
};

/** A colored status badge (active pulses). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const s = status ?? 'unknown';
  return (
    <span
      className={`badge tone-${STATUS_TONES[s] ?? 'gray'}${s === 'active' || s === 'running' || s === 'in_progress' ? ' badge-live' : ''}`}
      data-status={s}
    >
      {s.replace(/_/g, ' ')}
    </span>
  );
}

/** An event-kind chip in the kind's color. */
export function KindChip({ kind, label }: { kind: string; label?: string }) {
  return <span className={`chip tone-${KIND_TONES[kind] ?? 'gray'}`}>{label ?? kind.replace(/_/g, ' ')}</span>;
}

/** A neutral chip (tags, types). */
export function Chip({ children, tone = 'gray', title }: { children: ReactNode; tone?: Tone; title?: string }) {
  return (
    <span className={`chip tone-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A labelled number. */
export function Stat({ label, value, tone, sub }: { label: string; value: ReactNode; tone?: Tone; sub?: ReactNode }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

/** Centered message for empty views. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** An error box that says what failed, with the stable code for API errors. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  let msg: string;
  if (error instanceof APIStatusError)
    msg =
      error.code === 'session_not_found'
        ? 'This session does not exist (or was deleted).'
        : `${problemDetail(error)} (${error.status} ${error.code})`;
  else if (error instanceof APIConnectionError) msg = `Cannot reach the Tether service: ${error.message}`;
  else msg = (error as Error).message ?? String(error);
  return (
    <div className="error-box" role="alert">
      {msg}
    </div>
  );
}
