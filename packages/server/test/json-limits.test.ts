/** The JSON prechecks (issues #12, #18): depth and too-large numbers in one scan that skips strings with indexOf. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { JSON_MAYBE_HUGE, JSON_TOO_DEEP, nonFiniteNumber, scanJson, tooDeep } from '../src/util/json-limits.js';

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

it('scanJson flags every number that may overflow a double, outside strings only', () => {
  const huge = (text: string) => (scanJson(text, 64) & JSON_MAYBE_HUGE) !== 0;
  for (const text of ['1e400', '[-1E+309]', '{"a":0.5e309}', `[1${'0'.repeat(300)}e10]`, `{"n":${'9'.repeat(309)}}`]) {
    assert.equal(huge(text), true, text);
    assert.notEqual(nonFiniteNumber(JSON.parse(text)), undefined, `${text} parses to ±Infinity`);
  }
  // Finite numbers: near the limit (flagged, confirmed finite after the parse) and far from it (not flagged).
  assert.equal(huge('1e308'), true);
  assert.equal(nonFiniteNumber(JSON.parse('[1e308]')), undefined);
  for (const text of ['1e-400', '[1.5e307, -12.25, 0]', `{"n":${'9'.repeat(308)}}`, `[0.${'9'.repeat(400)}]`])
    assert.equal(huge(text), false, text);
  // Digits in strings are text: a UUID's hex or "e+400" in a tool output.
  assert.equal(huge(JSON.stringify({ id: '0190e123-e400-7000-8000-000000000000', out: '1e+400' })), false);
  assert.equal(nonFiniteNumber(JSON.parse('{"a":[1,{"b/c":1e400}]}')), '/a/1/b~1c');
  // Depth and numbers in one scan: the depth answer holds whatever the numbers.
  assert.equal(scanJson('[[[1e400]]]', 2), JSON_TOO_DEEP);
  assert.equal(scanJson('[[[1e400]]]', 3), JSON_MAYBE_HUGE);
});
