/**
 * Checks on raw JSON text that run before it is parsed (issue #12): nesting depth, and numbers too large for a double.
 * One linear scan without allocation ({@link scanJson}), cheaper than the parse it guards.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** The largest power of ten a double holds is 1e308 (the largest double is ~1.8e308). */
const MAX_DECIMAL_EXPONENT = 308;

/** {@link scanJson} flag: objects/arrays nest deeper than the limit. */
export const JSON_TOO_DEEP = 1;
/**
 * {@link scanJson} flag: a number (outside strings) may be beyond ±1.8e308, i.e. its integer digits plus its exponent
 * exceed 308 (`1e400`, `1${'0'.repeat(300)}e10`, a 309-digit integer). Never missed; may be set for a number that is
 * still finite (`1e308`), so {@link nonFiniteNumber} confirms on the parsed value.
 */
export const JSON_MAYBE_HUGE = 2;

/**
 * Scans JSON text once, before it is parsed: returns {@link JSON_TOO_DEEP} when it nests objects/arrays deeper than
 * `maxDepth` levels (`{"a":[1]}` has depth 2; the scan stops there), ORed with {@link JSON_MAYBE_HUGE} for a number that
 * may overflow a double. Brackets and digits inside strings do not count: strings are skipped with `indexOf` (5×
 * faster than stepping through their characters, which are most of a realistic body; issue #18). Text that is not
 * JSON gives some answer; the parser reports it afterwards.
 */
export function scanJson(text: string, maxDepth: number): number {
  let depth = 0;
  let flags = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // A quote preceded by an odd number of backslashes is escaped: look further.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return flags;
        let backslashes = 0;
        while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
        i = q;
        if ((backslashes & 1) === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return flags | JSON_TOO_DEEP;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c >= ZERO && c <= NINE) {
      // A number (its sign, if any, was skipped as any other character): integer digits, fraction, exponent.
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      const integerDigits = j - i;
      if (text.charCodeAt(j) === DOT) for (j++; j < n && isDigit(text.charCodeAt(j)); ) j++;
      let exponent = 0;
      const e = text.charCodeAt(j);
      if (e === LOWER_E || e === UPPER_E) {
        const sign = text.charCodeAt(++j);
        if (sign === PLUS || sign === MINUS) j++;
        for (; j < n && isDigit(text.charCodeAt(j)); j++)
          if (exponent < 1e9) exponent = exponent * 10 + text.charCodeAt(j) - ZERO;
        if (sign === MINUS) exponent = -exponent;
      }
      // Below 10^(integerDigits + exponent): finite when that power is at most 1e308.
      if (integerDigits + exponent > MAX_DECIMAL_EXPONENT) flags |= JSON_MAYBE_HUGE;
      i = j - 1;
    }
  }
  return flags;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** True when `text` nests objects/arrays deeper than `max` levels (see {@link scanJson}). */
export function tooDeep(text: string, max: number): boolean {
  if (text.length <= max) return false; // max + 1 levels need max + 1 opening brackets
  return (scanJson(text, max) & JSON_TOO_DEEP) !== 0;
}

/**
 * The JSON pointer of the first number in `value` that parsed to ±Infinity (`1e400`: JSON.parse gives Infinity, which
 * would be stored as null), or undefined. Call it only when {@link scanJson} set {@link JSON_MAYBE_HUGE}.
 */
export function nonFiniteNumber(value: unknown): string | undefined {
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
