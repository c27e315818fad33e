/**
 * The memory store's storage contract and the engine-independent parts of its semantics (namespace matching, value
 * filters, the indexed text), which follow LangGraph's `InMemoryStore` (`langgraph.store.memory`) so that a graph sees
 * the same answers from Tether as from LangGraph's own store.
 */

/** A stored item as the adapters return it. Times are ISO 8601 UTC. */
export interface MemoryItem {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** When a TTL makes the item invisible; null without a TTL. */
  expiresAt: string | null;
  /** Relevance of a full-text hit, higher is better (search with a query only). */
  score?: number;
}

export interface MemoryPut {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  /** Field paths whose text is indexed for full-text search; `false`: none; absent/null: every string in the value. */
  index?: false | string[] | null;
  /** Time to live in minutes (absent/null: none). */
  ttlMinutes?: number | null;
}

export interface MemorySearch {
  /** Items whose namespace starts with these labels (`*` matches any label; empty: all items). */
  namespacePrefix: string[];
  /** LangGraph value filter (see {@link matchesFilter}). */
  filter?: Record<string, unknown> | null;
  query?: string | null;
  limit: number;
  offset: number;
  /** Restart the TTL of the items returned (default true). */
  refreshTtl?: boolean;
}

export interface NamespaceQuery {
  prefix?: string[] | null;
  suffix?: string[] | null;
  maxDepth?: number | null;
  limit: number;
  offset: number;
}

/**
 * One adapter per engine (`SqliteMemory`, `PgMemory`), both checked by test/memory-api.test.ts. Expired items are
 * invisible to every read before {@link MemoryStore.sweep} deletes them. A put or delete is durable when it resolves.
 */
export interface MemoryStore {
  /** Creates or replaces the item (an expired item is replaced as new: its created time restarts). */
  put(item: MemoryPut): Promise<void>;
  /** The item, or undefined when absent or expired; `refreshTtl` (default true) restarts its TTL. */
  get(namespace: string[], key: string, refreshTtl?: boolean): Promise<MemoryItem | undefined>;
  /** Deletes the item; true when it existed. */
  delete(namespace: string[], key: string): Promise<boolean>;
  /** Items under the prefix that match filter and query: best score first with a query, else newest update first. */
  search(q: MemorySearch): Promise<MemoryItem[]>;
  /** Distinct namespaces (cut to `maxDepth` labels), in label order, paged. */
  listNamespaces(q: NamespaceQuery): Promise<string[][]>;
  /** Deletes expired items; returns how many. */
  sweep(): Promise<number>;
}

/** The namespace as stored: labels joined with `.` (labels cannot contain `.`). */
export const joinNamespace = (ns: readonly string[]): string => ns.join('.');
export const splitNamespace = (ns: string): string[] => ns.split('.');

/**
 * The bounds of the stored namespaces that a prefix selects: `exact` itself, or anything in `[from, to)`
 * (`a.b` selects `a.b` and `a.b.*`: '/' follows '.'; `exact` is '' — no stored namespace — when a `*` follows). Only the labels before the first `*` narrow the range.
 */
export function prefixRange(prefix: readonly string[]): { exact: string; from: string; to: string } | undefined {
  const fixed: string[] = [];
  for (const label of prefix) {
    if (label === '*') break;
    fixed.push(label);
  }
  if (!fixed.length) return undefined;
  const exact = joinNamespace(fixed);
  return { exact: fixed.length === prefix.length ? exact : '', from: `${exact}.`, to: `${exact}/` };
}

/** LangGraph's `_does_match` for prefix and suffix conditions (`*` matches any one label). */
export function namespaceMatches(
  ns: readonly string[],
  prefix?: readonly string[] | null,
  suffix?: readonly string[] | null,
): boolean {
  if (prefix?.length) {
    if (ns.length < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (prefix[i] !== '*' && prefix[i] !== ns[i]) return false;
  }
  if (suffix?.length) {
    if (ns.length < suffix.length) return false;
    for (let i = 1; i <= suffix.length; i++)
      if (suffix[suffix.length - i] !== '*' && suffix[suffix.length - i] !== ns[ns.length - i]) return false;
  }
  return true;
}

/** Orders namespaces label by label, as Python orders tuples. */
export function compareNamespaces(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/** Distinct namespaces cut to `maxDepth`, filtered by suffix, sorted and paged: LangGraph's list_namespaces. */
export function pageNamespaces(stored: Iterable<string>, q: NamespaceQuery): string[][] {
  const seen = new Map<string, string[]>();
  for (const s of stored) {
    const ns = splitNamespace(s);
    if (!namespaceMatches(ns, q.prefix, q.suffix)) continue;
    const cut = q.maxDepth ? ns.slice(0, q.maxDepth) : ns;
    seen.set(joinNamespace(cut), cut);
  }
  return [...seen.values()].sort(compareNamespaces).slice(q.offset, q.offset + q.limit);
}

const OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);

/** Throws when a filter uses an operator LangGraph does not define (the route answers 400). */
export function checkFilter(filter: Record<string, unknown>): string | undefined {
  for (const v of Object.values(filter)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.some((k) => k.startsWith('$'))) {
        const bad = keys.find((k) => !OPERATORS.has(k));
        if (bad) return `Unsupported filter operator ${bad} (use $eq, $ne, $gt, $gte, $lt, $lte)`;
      } else {
        const inner = checkFilter(v as Record<string, unknown>);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every(
        (k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}

/** Numbers compare as numbers, strings as strings (PostgreSQL's jsonb order); anything else does not match. */
function ordered(a: unknown, b: unknown, test: (c: number) => boolean): boolean {
  if (typeof a === 'number' && typeof b === 'number') return test(a - b);
  if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
  return false;
}

function applyOperator(value: unknown, op: string, operand: unknown): boolean {
  switch (op) {
    case '$eq':
      return deepEqual(value, operand);
    case '$ne':
      return !deepEqual(value, operand);
    case '$gt':
      return ordered(value, operand, (c) => c > 0);
    case '$gte':
      return ordered(value, operand, (c) => c >= 0);
    case '$lt':
      return ordered(value, operand, (c) => c < 0);
    case '$lte':
      return ordered(value, operand, (c) => c <= 0);
    default:
      return false;
  }
}

/** LangGraph's `_compare_values`: operators, partial match of objects, exact match of arrays, equality otherwise. */
function compareValues(value: unknown, want: unknown): boolean {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    const entries = Object.entries(want);
    if (entries.some(([k]) => k.startsWith('$')))
      return entries.every(([op, operand]) => applyOperator(value, op, operand));
    if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
    return entries.every(([k, v]) => compareValues((value as Record<string, unknown>)[k], v));
  }
  if (Array.isArray(want))
    return Array.isArray(value) && value.length === want.length && want.every((w, i) => compareValues(value[i], w));
  return deepEqual(value, want);
}

/** Whether an item's value passes a LangGraph filter (top-level fields; see {@link compareValues}). */
export function matchesFilter(
  value: Record<string, unknown>,
  filter: Record<string, unknown> | null | undefined,
): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([k, want]) => compareValues(value[k], want));
}

/**
 * The part of a filter that jsonb containment (`value @> x`) can check in the database: plain equality of scalars and
 * objects, and `$eq` of those. Containment is implied by every match, so it only narrows the rows read; matchesFilter decides.
 */
export function containmentOf(filter: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!filter) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, want] of Object.entries(filter)) {
    if (want && typeof want === 'object' && !Array.isArray(want)) {
      const ops = Object.entries(want).filter(([op]) => op.startsWith('$'));
      if (ops.length) {
        const eq = (want as Record<string, unknown>).$eq;
        if (eq !== undefined && eq !== null && typeof eq !== 'object') out[k] = eq;
        continue;
      }
      out[k] = want;
    } else if (want !== null && !Array.isArray(want)) out[k] = want;
  }
  return Object.keys(out).length ? out : undefined;
}

const MAX_TEXT = 16_384;

function collectText(v: unknown, out: string[], depth: number): void {
  if (depth > 16) return;
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) collectText(x, out, depth + 1);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectText(x, out, depth + 1);
}

/** Values at a LangGraph field path: `a.b`, `a[0]`, `a[*]`, `a[-1]`, `*` (a subset of langgraph.store.base.embed's paths). */
function valuesAt(v: unknown, path: string): unknown[] {
  const tokens = path.split('.').flatMap((t) => t.split(/(?=\[)/));
  let cur: unknown[] = [v];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (t === '*' || t === '[*]') {
        if (Array.isArray(c)) next.push(...c);
        else if (c && typeof c === 'object') next.push(...Object.values(c));
      } else if (/^\[-?\d+\]$/.test(t)) {
        if (Array.isArray(c)) {
          const i = Number(t.slice(1, -1));
          const x = c[i < 0 ? c.length + i : i];
          if (x !== undefined) next.push(x);
        }
      } else if (c && typeof c === 'object' && !Array.isArray(c) && Object.hasOwn(c, t))
        next.push((c as Record<string, unknown>)[t]);
    }
    cur = next;
  }
  return cur;
}

/**
 * The text the full-text index gets for an item: the strings (and numbers) at the `index` paths, or in the whole value
 * when `index` is absent; null for `index: false` or no text. Cut at 16 KiB characters.
 */
export function indexedText(value: Record<string, unknown>, index: false | string[] | null | undefined): string | null {
  if (index === false) return null;
  const out: string[] = [];
  if (index && index.length) for (const p of index) for (const x of valuesAt(value, p)) collectText(x, out, 0);
  else collectText(value, out, 0);
  const text = out.join(' ').slice(0, MAX_TEXT);
  return text.trim() ? text : null;
}

/** The time `minutes` after `nowMs`, ISO 8601; null without a TTL. */
export function expiryFor(nowMs: number, minutes: number | null | undefined): string | null {
  return minutes ? new Date(nowMs + minutes * 60_000).toISOString() : null;
}
