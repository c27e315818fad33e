/** Totals (GET /api/query/stats) and events per minute over the last hour (GET /api/query/analytics), refreshed every 10 s. */
import { useEffect, useState } from 'react';
import { useTether } from '../api/context';
import type { Analytics, Stats } from '../api/types';
import { Stat } from '../components/ui';
import { TimeBars } from '../components/charts';
import { formatCount } from '../lib/format';

export function StatsHeader() {
  const { rest, status } = useTether();
  const [stats, setStats] = useState<Stats | null>(null);
  const [an, setAn] = useState<Analytics | null>(null);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
      const from = new Date(to.getTime() - 60 * 60_000);
      const [s, a] = await Promise.allSettled([
        rest.stats(),
        rest.analytics({
          from: from.toISOString(),
          to: to.toISOString(),
          bucketMs: 60_000,
          include: ['eventsOverTime'],
        }),
      ]);
      if (stop) return;
      if (s.status === 'fulfilled') setStats(s.value);
      if (a.status === 'fulfilled') setAn(a.value);
    };
    void load();
    const t = setInterval(() => void load(), 10_000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [rest, status.state === 'live']); // eslint-disable-line react-hooks/exhaustive-deps

  const perMin = new Map<number, number>();
  for (const r of an?.eventsOverTime ?? []) perMin.set(r.t, (perMin.get(r.t) ?? 0) + r.n);
  const lastMin = an ? (perMin.get(Math.floor(Date.now() / 60_000) * 60_000 - 60_000) ?? 0) : null;
  return (
    <div className="stats-header" data-testid="stats-header">
      <div className="stats-grid">
        <Stat label="Active" value={formatCount(stats?.activeSessions)} tone="blue" />
        <Stat label="Completed" value={formatCount(stats?.completedSessions)} tone="green" />
        <Stat label="Failed" value={formatCount(stats?.failedSessions)} tone="red" />
        <Stat label="Sessions" value={formatCount(stats?.totalSessions)} />
        <Stat
          label="Events"
          value={formatCount(stats?.totalEvents)}
          sub={lastMin !== null ? `${formatCount(lastMin)} last minute` : undefined}
        />
      </div>
      <div className="card epm">
        <div className="card-title">Events per minute · last hour</div>
        {an && (
          <TimeBars
            label="Events per minute"
            points={[...perMin].map(([t, n]) => ({ t, values: { n } }))}
            series={[{ key: 'n', label: 'events', color: 'var(--accent)' }]}
            from={new Date(an.from).getTime()}
            to={new Date(an.to).getTime()}
            bucketMs={60_000}
            height={92}
          />
        )}
      </div>
    </div>
  );
}
