import { TetherError } from '../errors.js';
import { clone, isPlainObject } from '../util/merge-patch.js';

/**
 * One key of the prototype's `PATCH /api/sessions/:id/metadata` body, as its `updateMetadata` applied it
 * (matemorotz/claude-session-infrastructure, session-storage-service/src/persistence.js): `path` is the key split on
 * dots (`"tokenUsage.input"` → `["tokenUsage", "input"]`); `value` replaces what is at the path (no merge), or `inc`
 * adds to the number there (the prototype's `"+N"` strings). Carried by `metadata_updated` events as `data.set`.
 */
export interface MetadataSet {
  path: string[];
  value?: unknown;
  inc?: number;
}

/** Most keys in one body, and the deepest dotted path (the body's own size and depth limits apply too). */
export const MAX_METADATA_SETS = 200;
export const MAX_METADATA_PATH = 16;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** Keys Tether derives from the log (docs/api.md): a set there is refused rather than silently lost. */
const DERIVED = new Set(['metrics']);

/**
 * The prototype's body `{"a.b": v, "c": "+1"}` as a set list: dotted keys become paths, a string `"+N"` (N a whole
 * number) becomes an increment. Throws 400 `validation_failed` naming the key for an empty segment, a forbidden name
 * (`__proto__`, `constructor`, `prototype`), a derived key (`metrics`) or too many keys.
 */
export function metadataSetsFromBody(body: Record<string, unknown>): MetadataSet[] {
  const entries = Object.entries(body);
  if (entries.length > MAX_METADATA_SETS)
    throw new TetherError('validation_failed', `At most ${MAX_METADATA_SETS} metadata keys per request`);
  return entries.map(([key, value]) => {
    const path = key.split('.');
    const inc = typeof value === 'string' && /^\+\d{1,15}$/.test(value) ? Number(value.slice(1)) : undefined;
    return inc === undefined ? { path, value } : { path, inc };
  });
}

/**
 * Checks a `metadata_updated` event's `data.set` against the session's current metadata: every path is 1–16 non-empty
 * segments, none forbidden or derived, an increment is a finite number and lands on a number (or nothing), and every
 * segment before the last is an object (or absent). Throws 400 `validation_failed` naming the key.
 */
export function checkMetadataSets(sets: unknown, metadata: Record<string, unknown> | undefined): void {
  if (!Array.isArray(sets) || sets.length > MAX_METADATA_SETS)
    throw new TetherError(
      'validation_failed',
      `data.set must be an array of at most ${MAX_METADATA_SETS} {path, value | inc}`,
    );
  for (const s of sets) {
    const path = isPlainObject(s) && Array.isArray(s.path) ? (s.path as unknown[]) : [];
    const key = path.join('.');
    if (!path.length || path.length > MAX_METADATA_PATH || !path.every((p) => typeof p === 'string' && p !== '')) {
      throw new TetherError(
        'validation_failed',
        `Metadata key "${key}" must be 1–${MAX_METADATA_PATH} non-empty dot-separated names`,
        [{ path: `/${key}`, message: 'bad key' }],
      );
    }
    const names = path as string[];
    if (names.some((p) => FORBIDDEN.has(p)))
      throw new TetherError('validation_failed', `Metadata key "${key}" is not allowed`, [
        { path: `/${key}`, message: 'forbidden name' },
      ]);
    if (DERIVED.has(names[0]!))
      throw new TetherError(
        'validation_failed',
        `Metadata key "${key}": metrics are counted from the session's events and cannot be set`,
        [{ path: `/${key}`, message: 'derived key' }],
      );
    const inc = (s as MetadataSet).inc;
    if (inc !== undefined && (typeof inc !== 'number' || !Number.isFinite(inc)))
      throw new TetherError('validation_failed', `Metadata key "${key}": inc must be a number`, [
        { path: `/${key}`, message: 'bad increment' },
      ]);
    let at: unknown = metadata ?? {};
    for (const [i, name] of names.entries()) {
      if (at === undefined) break;
      if (!isPlainObject(at))
        throw new TetherError(
          'validation_failed',
          `Metadata key "${key}": "${names.slice(0, i).join('.')}" is not an object`,
          [{ path: `/${key}`, message: 'parent is not an object' }],
        );
      at = at[name];
    }
    if (inc !== undefined && at !== undefined && typeof at !== 'number')
      throw new TetherError('validation_failed', `Metadata key "${key}" holds no number to add to`, [
        { path: `/${key}`, message: 'not a number' },
      ]);
  }
}

/** `metadata` with `sets` applied in order (a copy; missing parents are created). Checked by {@link checkMetadataSets}. */
export function applyMetadataSets(metadata: Record<string, unknown>, sets: MetadataSet[]): Record<string, unknown> {
  const next = clone(metadata) as Record<string, unknown>;
  for (const { path, value, inc } of sets) {
    let obj = next;
    for (const name of path.slice(0, -1)) {
      if (!isPlainObject(obj[name])) obj[name] = {};
      obj = obj[name] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    obj[last] = inc !== undefined ? (typeof obj[last] === 'number' ? (obj[last] as number) : 0) + inc : clone(value);
  }
  return next;
}
