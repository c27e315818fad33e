/**
 * A virtualized list of variable-height items that sticks to the bottom while the user is there (new items scroll
 * into view), and offers a "jump to latest" button otherwise.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export function VirtualList<T>({
  items,
  estimate,
  render,
  itemKey,
  testId,
  startAtEnd = false,
}: {
  items: T[];
  estimate: number;
  render: (item: T, index: number) => ReactNode;
  itemKey: (item: T, index: number) => string | number;
  testId?: string;
  startAtEnd?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [stick, setStick] = useState(startAtEnd);
  const virt = useVirtualizer({
    count: items.length,
    getScrollElement: () => ref.current,
    estimateSize: () => estimate,
    overscan: 6,
    getItemKey: (i) => itemKey(items[i]!, i),
  });
  useEffect(() => {
    if (stick && items.length) virt.scrollToIndex(items.length - 1, { align: 'end' });
  }, [items.length, stick]); // eslint-disable-line react-hooks/exhaustive-deps
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (atBottom !== stick) setStick(atBottom);
  };
  return (
    <div className="vlist-wrap">
      <div className="vlist" ref={ref} onScroll={onScroll} data-testid={testId}>
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {virt.getVirtualItems().map((vi) => (
            <div
              key={vi.key}
              data-index={vi.index}
              ref={virt.measureElement}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${vi.start}px)` }}
            >
              {render(items[vi.index]!, vi.index)}
            </div>
          ))}
        </div>
      </div>
      {!stick && items.length > 0 && (
        <button className="new-events" onClick={() => setStick(true)}>
          Jump to latest ↓
        </button>
      )}
    </div>
  );
}
