/** tooDeep skips strings with indexOf (issue #18): brackets inside strings, escaped quotes and backslashes. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tooDeep } from '../src/util/json-limits.js';

it('tooDeep counts brackets outside strings only, whatever the escapes', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(tooDeep(nest(64), 64), false);
  assert.equal(tooDeep(nest(65), 64), true);
  // Brackets inside strings do not count, also after escaped quotes and escaped backslashes.
  assert.equal(tooDeep(JSON.stringify({ a: '['.repeat(200) }), 64), false);
  assert.equal(tooDeep(JSON.stringify({ a: `\\"${'{'.repeat(200)}\\` }), 64), false);
  assert.equal(tooDeep(JSON.stringify(['\\', nest(70)]), 64), false, 'the nest is a string');
  // A string ending in an escaped backslash closes: what follows is counted.
  assert.equal(tooDeep(`["\\\\",${nest(70)}]`, 64), true);
  assert.equal(tooDeep(`["\\"",${nest(70)}]`, 64), true);
  assert.equal(tooDeep(`["\\"${nest(70)}"]`, 64), false);
  // An unterminated string: no answer worth more than the parser's error.
  assert.equal(tooDeep(`["${nest(70)}`, 64), false);
});
