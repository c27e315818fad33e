/** Goals board: a column per status (pending, in progress, completed, failed, others), cards with priority and times. */
import type { Goal } from '../../api/types';
import type { SessionData } from './useSession';
import { Chip, Empty } from '../../components/ui';
import { formatDateTime, formatDuration } from '../../lib/format';

const ORDER = ['pending', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled'];
const PRIORITY_TONE = { critical: 'red', high: 'amber', medium: 'blue', low: 'gray' } as const;

export function GoalsTab({ data }: { data: SessionData }) {
  const goals = data.state?.goals ?? [];
  if (!goals.length) return <Empty>No goals in this session’s state.</Empty>;
  const by = new Map<string, Goal[]>();
  for (const g of goals) by.set(g.status, [...(by.get(g.status) ?? []), g]);
  const cols = [...by.keys()].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  return (
    <div className="board" data-testid="goals-board">
      {cols.map((status) => (
        <div className="board-col" key={status}>
          <div className="board-head">
            <span className={`dot status-${status}`} />
            {status.replace(/_/g, ' ')} <span className="muted">{by.get(status)!.length}</span>
          </div>
          {by.get(status)!.map((g) => (
            <div className="goal card" key={g.goalId} data-goal-id={g.goalId}>
              <div className="goal-desc">{g.description || <span className="muted">(no description)</span>}</div>
              <div className="goal-meta">
                <Chip tone={PRIORITY_TONE[g.priority as keyof typeof PRIORITY_TONE] ?? 'gray'}>{g.priority}</Chip>
                <span className="mono muted small">{g.goalId}</span>
              </div>
              <div className="small muted">
                added {formatDateTime(g.createdAt)}
                {g.completedAt ? (
                  <>
                    {' '}
                    · completed {formatDateTime(g.completedAt)} (
                    {formatDuration(new Date(g.completedAt).getTime() - new Date(g.createdAt).getTime())})
                  </>
                ) : g.updatedAt !== g.createdAt ? (
                  <> · updated {formatDateTime(g.updatedAt)}</>
                ) : null}
              </div>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
