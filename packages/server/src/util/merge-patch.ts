/** Keys never copied by a merge: writing them would reach Object.prototype (prototype pollution). */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON Merge Patch, RFC 7396: returns a new value; inputs are not mutated.
 * `null` in the patch removes a key; arrays and scalars replace. Keys `__proto__`, `constructor` and `prototype`
 * are skipped, and own properties are defined (not assigned), so a patch can never change any object's prototype.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    if (FORBIDDEN.has(key)) continue;
    const value = patch[key];
    if (value === null) {
      delete out[key];
    } else {
      Object.defineProperty(out, key, {
        value: mergePatch(out[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

/** Deep copy of a JSON value, dropping forbidden keys. */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (FORBIDDEN.has(key)) continue;
      Object.defineProperty(out, key, { value: clone(v[key]), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return v;
}

export { isPlainObject };
