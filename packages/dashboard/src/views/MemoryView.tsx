/**
 * The memory store page (`/memory`): namespaces of the long-term memory items (POST /api/v1/store/namespaces), the
 * items under a namespace prefix (POST /api/v1/store/items/search) with an optional full-text query and a JSON filter,
 * and the selected item's value. The prefix, query and selected item are in the URL (`?prefix=a.b&q=…&item=ns|key`).
 */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { APIStatusError, type StoreItem } from '@tether/client';
import { useTether } from '../api/context';
import { JsonTree } from '../components/JsonTree';
import { Chip, Empty } from '../components/ui';
import { formatAgo, formatDateTime, preview } from '../lib/format';

const PAGE = 50;
const split = (s: string): string[] =>
  s
    .split('.')
    .map((l) => l.trim())
    .filter(Boolean);
const itemId = (i: StoreItem) => `${i.namespace.join('.')}|${i.key}`;

export function MemoryView() {
  const { rest, generation } = useTether();
  const [params, setParams] = useSearchParams();
  const prefix = params.get('prefix') ?? '';
  const q = params.get('q') ?? '';
  const selected = params.get('item');
  const [prefixInput, setPrefixInput] = useState(prefix);
  const [qInput, setQInput] = useState(q);
  const [filterInput, setFilterInput] = useState('');
  const [filter, setFilter] = useState<Record<string, unknown> | undefined>();
  const [namespaces, setNamespaces] = useState<string[][]>([]);
  const [items, setItems] = useState<StoreItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const update = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next))
      if (v) p.set(k, v);
      else p.delete(k);
    setParams(p, { replace: true });
  };

  useEffect(() => {
    let live = true;
    setError(null);
    const store = rest.client.store;
    Promise.all([
      store.listNamespaces({ limit: 500 }),
      store.searchItems(split(prefix), {
        limit: PAGE,
        ...(q.trim() ? { query: q.trim() } : {}),
        ...(filter ? { filter } : {}),
        refreshTtl: false,
      }),
    ]).then(
      ([ns, found]) => {
        if (!live) return;
        setNamespaces(ns);
        setItems(found);
      },
      (err: unknown) => {
        if (!live) return;
        setItems([]);
        setError(
          err instanceof APIStatusError
            ? `${err.status} ${err.code}: ${err.problem?.detail ?? err.message}`
            : (err as Error).message,
        );
      },
    );
    return () => {
      live = false;
    };
  }, [rest, generation, prefix, q, filter]);

  const applyFilter = () => {
    const text = filterInput.trim();
    if (!text) return setFilter(undefined);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('a filter is a JSON object');
      setFilter(parsed as Record<string, unknown>);
    } catch (err) {
      setError(`Filter: ${(err as Error).message}`);
    }
  };
  const current = items?.find((i) => itemId(i) === selected) ?? null;

  return (
    <div className="page memory-page" data-testid="memory-page">
      <div className="filters card" role="search">
        <input
          className="search"
          placeholder="Namespace prefix, labels joined with . (e.g. users.u-42)"
          aria-label="Namespace prefix"
          data-testid="memory-prefix"
          value={prefixInput}
          onChange={(e) => setPrefixInput(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && update({ prefix: prefixInput.trim(), item: null })}
          onBlur={() => prefixInput.trim() !== prefix && update({ prefix: prefixInput.trim(), item: null })}
        />
        <input
          className="search"
          placeholder="Full-text query"
          aria-label="Query"
          data-testid="memory-query"
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && update({ q: qInput.trim(), item: null })}
          onBlur={() => qInput.trim() !== q && update({ q: qInput.trim(), item: null })}
        />
        <input
          className="search"
          placeholder='Filter, e.g. {"kind": "fact"}'
          aria-label="Filter"
          data-testid="memory-filter"
          value={filterInput}
          onChange={(e) => setFilterInput(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && applyFilter()}
          onBlur={applyFilter}
        />
      </div>
      {error && (
        <div className="card error" role="alert" data-testid="memory-error">
          {error}
        </div>
      )}
      <div
        className="memory-grid"
        style={{
          display: 'grid',
          gridTemplateColumns: 'minmax(180px, 1fr) minmax(280px, 2fr) minmax(280px, 2fr)',
          gap: 12,
        }}
      >
        <div className="card" data-testid="memory-namespaces">
          <h3>Namespaces</h3>
          {namespaces.length === 0 ? (
            <Empty>No memory items yet.</Empty>
          ) : (
            <ul className="plain" style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 4 }}>
              {namespaces.map((ns) => {
                const id = ns.join('.');
                return (
                  <li key={id}>
                    <button
                      className={`btn ghost mono${id === prefix ? ' active' : ''}`}
                      data-namespace={id}
                      onClick={() => {
                        setPrefixInput(id);
                        update({ prefix: id, item: null });
                      }}
                    >
                      {ns.join(' / ')}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        <div className="card" data-testid="memory-items" data-loaded={items !== null}>
          <h3>
            Items {prefix && <Chip>{prefix}</Chip>} {q && <Chip tone="blue">“{q}”</Chip>}
          </h3>
          {items && items.length === 0 && <Empty>No items match.</Empty>}
          {items?.map((i) => (
            <div
              key={itemId(i)}
              className={`srow memory-item${itemId(i) === selected ? ' selected' : ''}`}
              role="row"
              data-key={i.key}
              data-namespace={i.namespace.join('.')}
              onClick={() => update({ item: itemId(i) })}
              style={{
                cursor: 'pointer',
                display: 'block',
                padding: '6px 8px',
                ...(itemId(i) === selected ? { background: 'var(--accent-bg, rgba(90, 140, 255, 0.12))' } : {}),
              }}
            >
              <div>
                <span className="mono">{i.key}</span> <span className="muted">{i.namespace.join(' / ')}</span>
                {i.score !== undefined && (
                  <Chip tone="green" title="full-text score">
                    {i.score.toFixed(2)}
                  </Chip>
                )}
              </div>
              <div className="muted ellipsis">{preview(i.value, 120)}</div>
              <div className="muted" title={i.updatedAt}>
                updated {formatAgo(i.updatedAt)}
                {i.expiresAt ? ` · expires ${formatDateTime(i.expiresAt)}` : ''}
              </div>
            </div>
          ))}
          {items && items.length === PAGE && (
            <div className="muted">Showing the first {PAGE}; narrow the prefix or query.</div>
          )}
        </div>
        <div className="card" data-testid="memory-value">
          <h3>Value</h3>
          {current ? (
            <>
              <div className="muted">
                {current.namespace.join(' / ')} · <span className="mono">{current.key}</span>
              </div>
              <div className="muted">
                created {formatDateTime(current.createdAt)} · updated {formatDateTime(current.updatedAt)}
              </div>
              <JsonTree value={current.value} expandDepth={3} />
            </>
          ) : (
            <Empty>Select an item.</Empty>
          )}
        </div>
      </div>
    </div>
  );
}
