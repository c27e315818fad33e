/** Responses: every `response` event, with role, text and token usage, newest at the bottom. */
import { useMemo } from 'react';
import type { SessionData } from './useSession';
import { VirtualList } from './VirtualList';
import { responseText, roleOf } from '../../lib/events';
import { formatClock } from '../../lib/format';
import { JsonTree } from '../../components/JsonTree';
import { Empty } from '../../components/ui';

export function ResponsesTab({ data }: { data: SessionData }) {
  const responses = useMemo(() => data.events.filter((e) => e.kind === 'response'), [data.events, data.version]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!responses.length) return <Empty>{data.historyDone ? 'No responses in this session.' : 'Loading…'}</Empty>;
  return (
    <VirtualList
      testId="responses"
      items={responses}
      estimate={90}
      itemKey={(e) => e.seq}
      render={(e) => {
        const text = responseText(e);
        const usage = e.data.usage as Record<string, number> | undefined;
        return (
          <div className="response card" data-seq={e.seq}>
            <div className="response-head small muted">
              <span className={`role role-${roleOf(e) ?? 'other'}`}>{roleOf(e) ?? 'response'}</span>{' '}
              <span className="mono">#{e.seq}</span> {formatClock(e.timestamp)}
              {usage
                ? ` · ${usage.input ?? usage.input_tokens ?? 0} in / ${usage.output ?? usage.output_tokens ?? 0} out tokens`
                : ''}
            </div>
            {text ? <div className="prose">{text}</div> : <JsonTree value={e.data} expandDepth={1} />}
          </div>
        );
      }}
    />
  );
}
