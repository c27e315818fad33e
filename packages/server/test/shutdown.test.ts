/** Shutdown finishes even when a client holds a connection open without sending a request (idle sockets). */
import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import { startTestServer } from './helpers.js';

it('close() ends connections that never sent a request after the grace period', { timeout: 30_000 }, async () => {
  const s = await startTestServer();
  const sock = net.connect(s.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.on('error', () => {});
  await s.stop(); // without the forced close this waits for Node's 72 s keep-alive timeout, past the test timeout
  await closed;
  assert.ok(sock.destroyed);
});
