/** Every error answers application/problem+json with a stable code; nothing crashes, leaks or escapes. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

function assertProblem(r: { status: number; headers: Headers; body: any }, status: number, code: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body.code, code);
  assert.equal(r.body.status, status);
  assert.ok(r.body.type && r.body.title && r.body.requestId);
  assert.doesNotMatch(JSON.stringify(r.body), /at .*\.(ts|js):\d+|<html/i, 'no stack trace or HTML');
}

describe('errors', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ bodyLimit: 4096 });
  });
  after(async () => {
    await s.stop();
  });

  it('400 invalid_json for malformed JSON (the prototype answered an HTML stack trace)', async () => {
    assertProblem(await s.req('POST', '/api/v1/actions/s1', '{"type": "x",'), 400, 'invalid_json');
    assertProblem(await s.req('POST', '/api/v1/ingest', 'not json'), 400, 'invalid_json');
  });

  it('400 validation_failed names the offending field', async () => {
    const r = await s.req('POST', '/api/v1/sessions', { sessionId: 'ok', tags: 'not-an-array' });
    assertProblem(r, 400, 'validation_failed');
    assert.ok(r.body.errors.some((e: { path: string }) => e.path.includes('tags')));
    assertProblem(await s.req('POST', '/api/v1/actions/s1', [1, 2]), 400, 'validation_failed');
    assertProblem(await s.req('GET', '/api/v1/sessions?limit=0'), 400, 'validation_failed');
    assertProblem(await s.req('GET', '/api/v1/sessions?cursor=garbage'), 400, 'validation_failed');
    assertProblem(await s.req('PATCH', '/api/v1/state/s1', { a: 1 }, { 'if-match': 'abc' }), 400, 'validation_failed');
  });

  it('event data, metadata and state are JSON objects: arrays, null and scalars are refused, item by item', async () => {
    const bad = [[1, 2], null, 'text', 7, true];
    const r = await s.req('POST', '/api/v1/ingest', {
      events: [
        ...bad.map((data) => ({ sessionId: 'data-1', kind: 'action', data })),
        { sessionId: 'data-1', kind: 'action', data: { ok: [1] } },
      ],
    });
    assert.equal(r.status, 207);
    assert.deepEqual(
      r.body.results.map((x: { status: number }) => x.status),
      [400, 400, 400, 400, 400, 201],
    );
    for (const x of r.body.results.slice(0, bad.length)) {
      assert.equal(x.code, 'validation_failed');
      assert.match(x.detail, /\/data/);
    }
    assertProblem(
      await s.req('POST', '/api/v1/sessions', { sessionId: 'data-2', metadata: ['not', 'an', 'object'] }),
      400,
      'validation_failed',
    );
    assertProblem(
      await s.req('POST', '/api/v1/sessions', { sessionId: 'data-2', initial: 'x' }),
      400,
      'validation_failed',
    );
    const stored = await s.req('GET', '/api/v1/sessions/data-1/events');
    assert.deepEqual(
      stored.body.events.filter((e: { kind: string }) => e.kind === 'action').map((e: { data: unknown }) => e.data),
      [{ ok: [1] }],
    );
  });

  it("one event-id rule: REST keys follow the batch items' rule (1–200 printable ASCII, no spaces)", async () => {
    for (const key of ['a b', 'x'.repeat(201)]) {
      const h = await s.req('POST', '/api/v1/actions/ids-1', { type: 'x' }, { 'idempotency-key': key });
      assertProblem(h, 400, 'validation_failed');
      assert.ok(
        h.body.errors.some((e: { path: string }) => e.path === 'headers/idempotency-key'),
        JSON.stringify(h.body),
      );
    }
    const b = await s.req('POST', '/api/v1/actions/ids-1', { type: 'x', eventId: 'a b' });
    assertProblem(b, 400, 'validation_failed');
    assert.ok(b.body.errors.some((e: { path: string }) => e.path === 'body/eventId'));
    const i = await s.req('POST', '/api/v1/ingest', {
      events: [{ sessionId: 'ids-1', kind: 'action', data: {}, eventId: 'a b' }],
    });
    assert.equal(i.body.results[0].status, 400);
    // A valid key is still a key: a retry is a duplicate, not a second event.
    const first = await s.req('POST', '/api/v1/actions/ids-1', { type: 'x' }, { 'idempotency-key': 'ok-key_1' });
    const again = await s.req('POST', '/api/v1/actions/ids-1', { type: 'x' }, { 'idempotency-key': 'ok-key_1' });
    assert.equal(first.body.seq, again.body.seq);
    const events = await s.req('GET', '/api/v1/sessions/ids-1/events');
    assert.equal(events.body.events.filter((e: { kind: string }) => e.kind === 'action').length, 1);
  });

  it('400 invalid_session_id: an encoded %2F never reaches the file system', async () => {
    // fetch() resolves dot segments itself, so send `..` raw, as an attacker's client would.
    for (const raw of ['..', '%2E%2E', '.%2E', '..%2F..']) {
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: s.port, path: `/api/v1/sessions/${raw}` }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      assert.equal(status, 400, raw);
    }
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'a%2Fb', 'x'.repeat(129), 'a%00b', 'sp%20ace']) {
      assertProblem(await s.req('GET', `/api/v1/sessions/${bad}`), 400, 'invalid_session_id');
      assertProblem(await s.req('POST', `/api/v1/actions/${bad}`, { type: 'x' }), 400, 'invalid_session_id');
      assertProblem(await s.req('DELETE', `/api/v1/sessions/${bad}`), 400, 'invalid_session_id');
    }
    const r = await s.req('POST', '/api/v1/ingest', { events: [{ sessionId: '../../x', kind: 'action' }] });
    assert.equal(r.body.results[0].status, 400);
    assert.deepEqual(
      readdirSync(s.dataDir).filter((f) => !f.startsWith('tether')),
      [],
      'nothing but the database in the data dir',
    );
    assert.ok(!existsSync(join(s.dataDir, '..', 'x')));
  });

  it('404 for unknown sessions, goals, agents and routes', async () => {
    assertProblem(await s.req('GET', '/api/v1/sessions/nope'), 404, 'session_not_found');
    assertProblem(await s.req('GET', '/api/v1/state/nope'), 404, 'session_not_found');
    assertProblem(await s.req('GET', '/api/v1/actions/nope'), 404, 'session_not_found');
    await s.req('POST', '/api/v1/sessions', { sessionId: 'e404' });
    assertProblem(await s.req('PATCH', '/api/v1/state/e404/goals/g-x', { status: 'done' }), 404, 'goal_not_found');
    assertProblem(await s.req('POST', '/api/v1/state/e404/agents/a-x/complete', {}), 404, 'agent_not_found');
    assertProblem(await s.req('GET', '/api/v1/nothing-here'), 404, 'route_not_found');
    assertProblem(await s.req('DELETE', '/api/v1/sessions/nope'), 404, 'session_not_found');
  });

  it('409 for an existing session id and a duplicate goal id', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'dup' });
    assertProblem(await s.req('POST', '/api/v1/sessions', { sessionId: 'dup' }), 409, 'session_exists');
    await s.req('POST', '/api/v1/state/dup/goals', { goalId: 'g1', description: 'a' });
    assertProblem(
      await s.req('POST', '/api/v1/state/dup/goals', { goalId: 'g1', description: 'b' }),
      409,
      'duplicate_id',
    );
  });

  it('412 version_mismatch changes nothing', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'v' });
    const before = (await s.req('GET', '/api/v1/state/v')).body;
    assertProblem(
      await s.req('PATCH', '/api/v1/state/v', { phase: 'x' }, { 'if-match': String(before.version + 5) }),
      412,
      'version_mismatch',
    );
    assertProblem(
      await s.req('PATCH', '/api/v1/state/v', { phase: 'x', expectedVersion: before.version + 5 }),
      412,
      'version_mismatch',
    );
    const afterState = (await s.req('GET', '/api/v1/state/v')).body;
    assert.deepEqual(afterState, before);
    const ok = await s.req('PATCH', '/api/v1/state/v', { phase: 'y' }, { 'if-match': `"${before.version}"` });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.state.version, before.version + 1);
  });

  it('413 over the body limit, 415 for other media types', async () => {
    assertProblem(await s.req('POST', '/api/v1/actions/big', { blob: 'x'.repeat(5000) }), 413, 'payload_too_large');
    const r = await fetch(`${s.url}/api/v1/actions/s1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    assertProblem({ status: r.status, headers: r.headers, body: await r.json() }, 415, 'unsupported_media_type');
    const m = await fetch(`${s.url}/api/v1/state/s1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"phase":"mp"}',
    });
    assert.equal(m.status, 200, 'RFC 7396 media type accepted');
  });

  it('prototype pollution through a metadata or state patch is refused and leaks nothing', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'p1' });
    await s.req('POST', '/api/v1/sessions', { sessionId: 'p2' });
    assertProblem(
      await s.req('PATCH', '/api/v1/sessions/p1/metadata', '{"__proto__": {"polluted": true}}'),
      400,
      'invalid_json',
    );
    assertProblem(
      await s.req('PATCH', '/api/v1/state/p1', '{"constructor": {"prototype": {"polluted": true}}}'),
      400,
      'invalid_json',
    );
    const nested = await s.req('POST', '/api/v1/ingest', {
      events: [
        {
          sessionId: 'p1',
          kind: 'metadata_updated',
          data: { patch: JSON.parse('{"a": {"__proto__": {"polluted": true}}}') },
        },
      ],
    });
    assert.equal(nested.status, 400, 'nested __proto__ refused too');
    const p2 = (await s.req('GET', '/api/v1/sessions/p2')).body;
    assert.equal(p2.metadata.metadata.polluted, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('500 internal_error hides internals', async () => {
    s.app.store.getSession = async () => {
      throw new Error('secret internal detail at db.ts:42');
    };
    try {
      const r = await s.req('GET', '/api/v1/sessions/anything');
      assertProblem(r, 500, 'internal_error');
      assert.doesNotMatch(JSON.stringify(r.body), /secret internal detail/);
    } finally {
      delete (s.app.store as { getSession?: unknown }).getSession;
    }
  });
});
