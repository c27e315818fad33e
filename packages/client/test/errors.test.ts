/**
 * The SDK's error tree is the protocol's table (`SDK_ERROR_CLASSES`, `SDK_ERROR_BASES`), with the Python SDK's names
 * (python/tests/test_error_tree.py checks the Python side against the same table).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SDK_ERROR_BASES, SDK_ERROR_CLASSES } from '@tether/protocol';
import * as sdk from '../src/index.ts';
import { makeAPIError } from '../src/errors.ts';

it('maps each status of the protocol table to the class of that name', () => {
  for (const [status, name] of Object.entries(SDK_ERROR_CLASSES)) {
    const Cls = (sdk as unknown as Record<string, new (...a: never[]) => Error>)[name];
    assert.ok(Cls, `${name} is exported`);
    const err = makeAPIError(Number(status), { code: 'x', detail: 'd' });
    assert.equal(err.constructor, Cls, `${status} → ${name}`);
    assert.ok(err instanceof sdk.APIStatusError && err instanceof sdk.APIError && err instanceof sdk.TetherError);
    assert.equal(err.status, Number(status));
  }
  assert.ok(makeAPIError(503, {}) instanceof sdk.InternalServerError);
  assert.equal(makeAPIError(418, {}).constructor, sdk.APIStatusError);
});

it('has the protocol bases in the same tree as the Python SDK', () => {
  for (const name of SDK_ERROR_BASES) assert.ok((sdk as Record<string, unknown>)[name], `${name} is exported`);
  const conn = new sdk.APIConnectionError('refused');
  assert.ok(conn instanceof sdk.APIError && !(conn instanceof sdk.APIStatusError));
  assert.equal(conn.status, undefined);
  assert.equal(conn.code, 'connection_error');
  assert.ok(new sdk.APITimeoutError() instanceof sdk.APIConnectionError);
  // The earlier names are the same classes.
  assert.equal(sdk.RateLimitedError, sdk.RateLimitError);
  assert.equal(sdk.TetherClientError, sdk.TetherError);
});
