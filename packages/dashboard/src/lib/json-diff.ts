/**
 * Structural diff of two JSON values, as a map from JSON Pointer (RFC 6901) to the change at that path.
 * Objects are compared key by key; arrays index by index; anything else by value.
 */
export type Change = 'added' | 'removed' | 'changed';

/** Paths that differ between `before` and `after`; parents of a changed path are marked `changed` too. */
export function diffJson(before: unknown, after: unknown): Map<string, Change> {
  const out = new Map<string, Change>();
  walk(before, after, '', out);
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function esc(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

function walk(a: unknown, b: unknown, path: string, out: Map<string, Change>): boolean {
  if (a === undefined && b !== undefined) return mark(out, path, 'added');
  if (b === undefined && a !== undefined) return mark(out, path, 'removed');
  if (isObj(a) && isObj(b)) {
    let any = false;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      any = walk(a[k], b[k], `${path}/${esc(k)}`, out) || any;
    if (any && path) out.set(path, 'changed');
    return any;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    let any = false;
    for (let i = 0; i < Math.max(a.length, b.length); i++) any = walk(a[i], b[i], `${path}/${i}`, out) || any;
    if (any && path) out.set(path, 'changed');
    return any;
  }
  if (a === b) return false;
  return mark(out, path, 'changed');
}

function mark(out: Map<string, Change>, path: string, c: Change): boolean {
  if (path) out.set(path, c);
  return true;
}

/** Values present in `before` but gone in `after`, by path (the tree of `after` cannot show them). */
export function removedValues(before: unknown, diff: Map<string, Change>): Array<{ path: string; value: unknown }> {
  const out: Array<{ path: string; value: unknown }> = [];
  for (const [path, c] of diff) if (c === 'removed') out.push({ path, value: getPath(before, path) });
  return out;
}

/** The value at a JSON Pointer, or undefined. */
export function getPath(v: unknown, path: string): unknown {
  let cur: any = v;
  for (const raw of path.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}
