/**
 * A collapsible JSON tree. Children render only when expanded, so large payloads stay cheap.
 * `diff` (JSON Pointer → added/changed/removed, see lib/json-diff) highlights what changed against a previous version.
 */
import { memo, useState } from 'react';
import type { Change } from '../lib/json-diff';

export interface JsonTreeProps {
  value: unknown;
  /** Levels expanded at first (default 2). */
  expandDepth?: number;
  diff?: Map<string, Change> | undefined;
  /** Name shown for the root; none by default. */
  rootName?: string;
}

/** Renders `value` as an expandable tree. */
export function JsonTree({ value, expandDepth = 2, diff, rootName }: JsonTreeProps) {
  return (
    <div className="json-tree" role="tree">
      <Node name={rootName} value={value} path="" depth={0} expandDepth={expandDepth} diff={diff} />
    </div>
  );
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

const PAGE = 200;

const Node = memo(function Node({
  name,
  value,
  path,
  depth,
  expandDepth,
  diff,
}: {
  name: string | undefined;
  value: unknown;
  path: string;
  depth: number;
  expandDepth: number;
  diff: Map<string, Change> | undefined;
}) {
  const change = diff?.get(path);
  const hasChangeBelow = diff ? [...diff.keys()].some((p) => p.startsWith(path + '/')) : false;
  const [open, setOpen] = useState(depth < expandDepth || (hasChangeBelow && depth < 6));
  const [shown, setShown] = useState(PAGE);
  const cls = `jt-row${change ? ` jt-${change}` : ''}`;
  const label = name !== undefined ? <span className="jt-key">{name}</span> : null;

  if (!isContainer(value)) {
    return (
      <div className={cls} role="treeitem" data-path={path}>
        {label}
        {label && <span className="jt-colon">: </span>}
        <Scalar v={value} />
      </div>
    );
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  const [ob, cb] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <div className="jt-node" role="treeitem" aria-expanded={open} data-path={path}>
      <div className={cls}>
        <button className="jt-toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse' : 'Expand'}>
          {open ? '▾' : '▸'}
        </button>
        {label}
        {label && <span className="jt-colon">: </span>}
        <span className="jt-brace">{ob}</span>
        {!open && (
          <span className="jt-summary" onClick={() => setOpen(true)}>
            {entries.length
              ? `${entries.length} ${Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}`
              : ''}
          </span>
        )}
        {!open && <span className="jt-brace">{cb}</span>}
      </div>
      {open && (
        <div className="jt-children">
          {entries.slice(0, shown).map(([k, v]) => (
            <Node
              key={k}
              name={k}
              value={v}
              path={`${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`}
              depth={depth + 1}
              expandDepth={expandDepth}
              diff={diff}
            />
          ))}
          {entries.length > shown && (
            <button className="jt-more" onClick={() => setShown(shown + PAGE * 5)}>
              show {Math.min(PAGE * 5, entries.length - shown)} more of {entries.length - shown}
            </button>
          )}
          <div className="jt-brace">{cb}</div>
        </div>
      )}
    </div>
  );
});

function Scalar({ v }: { v: unknown }) {
  const [full, setFull] = useState(false);
  if (v === null) return <span className="jt-null">null</span>;
  if (typeof v === 'boolean') return <span className="jt-bool">{String(v)}</span>;
  if (typeof v === 'number') return <span className="jt-num">{v}</span>;
  if (typeof v === 'string') {
    const long = v.length > 300 || v.includes('\n');
    if (long && !full)
      return (
        <span className="jt-str jt-clip" title="Click to show all" onClick={() => setFull(true)}>
          "{v.slice(0, 300).replace(/\n/g, '⏎')}
          {v.length > 300 ? '…' : ''}"
        </span>
      );
    return <span className={`jt-str${long ? ' jt-multiline' : ''}`}>"{v}"</span>;
  }
  return <span className="jt-null">{String(v)}</span>;
}
