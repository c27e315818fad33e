/**
 * The response check (TETHER_CHECK_RESPONSES=1, plugins/response-check.ts) that the node test suite runs with: every
 * response is checked against /openapi.json. Here: it passes documented answers and fails a body that breaks its
 * schema (buffered and streamed), an undeclared status, and a live-feed message that breaks its schema.
 */
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { loadConfig, startServer } from '../src/index.js';
import type { LiveServerMessage } from '@tether/protocol';
import { checkLiveMessage } from '../src/live/check.js';
import { responseViolations } from '../src/plugins/response-check.js';

const Broken = Type.Object({ n: Type.Integer() });

/** Routes that answer what their schema does not say (sent as text, so the serializer does not shape them). */
async function brokenRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/test/buffered', { schema: { response: { 200: Broken } } }, async (_req, reply) =>
    reply.type('application/json').send('{"n":"not a number"}'),
  );
  app.get('/api/v1/test/streamed', { schema: { response: { 200: Broken } } }, async (_req, reply) =>
    reply.type('application/json').send(Readable.from(['{"n":', '1.5}'])),
  );
  app.get('/api/v1/test/good-stream', { schema: { response: { 200: Broken } } }, async (_req, reply) =>
    reply.type('application/json').send(Readable.from(['{"n":', '2}'])),
  );
  app.get('/api/v1/test/status', { schema: { response: { 200: Broken } } }, async (_req, reply) =>
    reply.code(202).send({ n: 1 }),
  );
  app.get('/api/v1/test/hidden', { schema: { hide: true } }, async () => ({ anything: true }));
}

test('TETHER_CHECK_RESPONSES=1 passes documented answers and fails undocumented ones', async () => {
  const before = process.env.TETHER_CHECK_RESPONSES;
  process.env.TETHER_CHECK_RESPONSES = '1';
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-check-'));
  const server = await startServer(loadConfig({}, { port: 0, logLevel: 'silent', dashboardDir: '', dataDir }), {
    plugins: [brokenRoutes],
  });
  const seen = responseViolations.length;
  try {
    const get = (path: string) => fetch(server.url + path);
    // Documented answers pass unchanged: a real route, an error, the not-found handler.
    const created = await fetch(server.url + '/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sessionId":"c1"}',
    });
    assert.equal(created.status, 201);
    assert.equal((await get('/api/v1/sessions/c1')).status, 200);
    assert.equal((await get('/api/v1/sessions/nope')).status, 404);
    assert.equal((await get('/no/such/route')).status, 404);
    assert.equal((await get('/api/v1/test/good-stream')).status, 200);
    assert.equal((await get('/api/v1/test/hidden')).status, 200);
    assert.equal(responseViolations.length, seen, JSON.stringify(responseViolations.slice(seen)));

    // A buffered body against its schema: replaced by a 500 naming the mismatch.
    const buffered = await get('/api/v1/test/buffered');
    assert.equal(buffered.status, 500);
    assert.match((await buffered.json()).detail, /Response check.*body\/n must be integer/);
    // An undeclared status.
    const status = await get('/api/v1/test/status');
    assert.equal(status.status, 500);
    assert.match((await status.json()).detail, /status 202 is not declared/);
    // A streamed body is cut off: the client never gets a whole document.
    await assert.rejects(async () => JSON.parse(await (await get('/api/v1/test/streamed')).text()));
    assert.deepEqual(
      responseViolations.slice(seen).map((v) => v.route),
      ['/api/v1/test/buffered', '/api/v1/test/status', '/api/v1/test/streamed'],
    );
  } finally {
    responseViolations.length = seen;
    if (before === undefined) delete process.env.TETHER_CHECK_RESPONSES;
    else process.env.TETHER_CHECK_RESPONSES = before;
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('TETHER_CHECK_RESPONSES=1 checks live-feed messages against their schemas', () => {
  const before = process.env.TETHER_CHECK_RESPONSES;
  process.env.TETHER_CHECK_RESPONSES = '1';
  const seen = responseViolations.length;
  try {
    const good = { type: 'pong' as const, id: 7 };
    assert.equal(checkLiveMessage(good), good);
    // An event message without eventId, kind, timestamp, receivedAt: replaced by an error message.
    const bad = checkLiveMessage({
      type: 'action',
      channel: 'session',
      sessionId: 's',
      seq: 1,
      data: {},
    } as unknown as LiveServerMessage);
    assert.equal(bad.type, 'error');
    assert.match((bad as { detail: string }).detail, /matches no live-feed schema/);
    assert.equal(responseViolations.length, seen + 1);
  } finally {
    responseViolations.length = seen;
    if (before === undefined) delete process.env.TETHER_CHECK_RESPONSES;
    else process.env.TETHER_CHECK_RESPONSES = before;
  }
});
