/**
 * Issue #12 against a real server: reserved state keys (item 2), JSON depth and overflowing numbers at the edge
 * (item 3), strict parsing (item 6: no coercion, strict query numbers, NUL, If-Match, expectedVersion, Node's own
 * 400/431 as problem+json, case-insensitive bearer).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from './helpers.js';

type Res = { status: number; headers: Headers; body: any };

function assertProblem(r: Res, status: number, code: string, field?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body.code, code);
  if (field) assert.match(JSON.stringify(r.body.errors ?? r.body.detail), field);
}

/** Sends raw bytes on a new connection; resolves with everything the server wrote before it closed. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    sock.setTimeout(10_000, () => sock.destroy());
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
  });
}

describe('hardening: state, depth, strict parsing', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('state patches that would break a reserved key answer 400 naming it; goals and agents keep working', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'rk' });
    const bad: Array<[unknown, RegExp]> = [
      [{ goals: null }, /\/goals/],
      [{ goals: 'x' }, /\/goals/],
      [{ goals: [null] }, /\/goals/],
      [{ goals: [{ description: 'no id' }] }, /\/goals/],
      [{ agents: null }, /\/agents/],
      [{ agents: { active: null } }, /\/agents\/active/],
      [{ agents: { spawned: 'x' } }, /\/agents\/spawned/],
      [{ agents: { completed: 5 } }, /\/agents\/completed/],
      [{ agents: { spawned: [{ agentId: 7 }] } }, /\/agents\/spawned/],
    ];
    for (const [patch, key] of bad)
      assertProblem(await s.req('PATCH', '/api/v1/state/rk', patch), 400, 'validation_failed', key);
    // Allowed: shapes kept; version and sessionId are reset to the server's values.
    const ok = await s.req('PATCH', '/api/v1/state/rk', {
      goals: [{ goalId: 'g1', description: 'set directly' }],
      agents: { note: 'x' },
      version: 99,
      sessionId: 'other',
      phase: 'work',
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.state.sessionId, 'rk');
    assert.equal(ok.body.state.version, 2);
    assert.equal((await s.req('POST', '/api/v1/state/rk/goals', { description: 'after' })).status, 201);
    assert.equal((await s.req('PATCH', '/api/v1/state/rk/goals/g1', { status: 'completed' })).status, 200);
    const agent = await s.req('POST', '/api/v1/state/rk/agents', { agentId: 'a1', type: 'helper' });
    assert.equal(agent.status, 201);
    assert.equal((await s.req('POST', '/api/v1/state/rk/agents/a1/complete', {})).status, 200);
    const state = (await s.req('GET', '/api/v1/state/rk')).body;
    assert.equal(state.goals.length, 2);
    assert.deepEqual(state.agents.completed, ['a1']);
  });

  it('JSON nested deeper than 64 levels answers 400 too_deep on every route; 64 levels are accepted', async () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const within = await s.req('POST', '/api/v1/actions/deep', `{"type":"x","d":${nest(62)}}`); // 1 + 62 + ... = 63 levels
    assert.equal(within.status, 201, JSON.stringify(within.body));
    for (const [method, path, body] of [
      ['POST', '/api/v1/actions/deep', `{"type":"x","d":${nest(1000)}}`],
      ['POST', '/api/v1/actions/deep/responses', `{"d":${nest(65)}}`],
      ['PATCH', '/api/v1/state/deep', `{"x":${nest(100)}}`],
      ['POST', '/api/v1/ingest', `{"events":[{"sessionId":"deep","kind":"action","data":{"d":${nest(70)}}}]}`],
      [
        'POST',
        '/api/v1/hooks/claude-code',
        `{"session_id":"deep","hook_event_name":"PostToolUse","tool_input":${nest(200)}}`,
      ],
      ['POST', '/api/v1/sessions', nest(10_000)],
    ] as const) {
      assertProblem(await s.req(method, path, body), 400, 'too_deep');
    }
    // Brackets inside strings do not count.
    assert.equal(
      (await s.req('POST', '/api/v1/actions/deep', JSON.stringify({ type: 'x', text: '['.repeat(500) }))).status,
      201,
    );
    // Analytics over the range keeps answering (a 1,000-deep action used to make it 500).
    assert.equal((await s.req('GET', '/api/v1/query/analytics')).status, 200);
  });

  it('a number that overflows a double (1e400) answers 400 naming it instead of being stored as null', async () => {
    assertProblem(
      await s.req('POST', '/api/v1/actions/num', '{"type":"x","n":1e400}'),
      400,
      'validation_failed',
      /body\/n/,
    );
    assertProblem(
      await s.req('POST', '/api/v1/actions/num', '{"type":"x","a":[1,-2E+999]}'),
      400,
      'validation_failed',
      /body\/a\/1/,
    );
    assert.equal((await s.req('POST', '/api/v1/actions/num', '{"type":"x","n":1e300,"s":"1e400"}')).status, 201);
  });

  it('querystring numbers are strict: Infinity, 1e400, blank, 1.5 answer 400 naming the field', async () => {
    for (const path of [
      '/api/v1/sessions?limit=Infinity',
      '/api/v1/sessions?limit=1e400',
      '/api/v1/sessions?limit=',
      '/api/v1/sessions?limit=1.5',
      '/api/v1/sessions?limit=0x10',
      '/api/v1/query/recent?limit=Infinity',
      '/api/v1/query/search?q=x&limit=1e400',
    ]) {
      assertProblem(await s.req('GET', path), 400, 'validation_failed', /limit/);
    }
    assert.equal((await s.req('GET', '/api/v1/sessions?limit=5')).status, 200);
  });

  it('a NUL in a query value answers 400, not 500', async () => {
    assertProblem(await s.req('GET', '/api/v1/query/search?q=a%00b'), 400, 'validation_failed', /q/);
  });

  it('body types are not coerced: sessionId false, tags as a string, numbers as strings answer 400 naming the field', async () => {
    assertProblem(await s.req('POST', '/api/v1/sessions', { sessionId: false }), 400, 'validation_failed', /sessionId/);
    assert.equal((await s.req('GET', '/api/v1/sessions/false')).status, 404, 'no session "false" was created');
    const ingest = await s.req('POST', '/api/v1/ingest', { events: [{ sessionId: 1, kind: 'action' }] });
    assert.equal(ingest.body.results[0].status, 400, 'a numeric sessionId is not coerced to "1"');
    assertProblem(
      await s.req('POST', '/api/v1/sessions', { sessionId: 'ok', tags: 'x' }),
      400,
      'validation_failed',
      /tags/,
    );
  });

  it('If-Match must be a version: blank and junk answer 400; expectedVersion must be a whole number', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'ver' });
    assertProblem(
      await s.req('PATCH', '/api/v1/state/ver', { a: 1 }, { 'if-match': '' }),
      400,
      'validation_failed',
      /if-match/i,
    );
    assertProblem(
      await s.req('PATCH', '/api/v1/state/ver', { a: 1 }, { 'if-match': ' ' }),
      400,
      'validation_failed',
      /if-match/i,
    );
    assertProblem(
      await s.req('PATCH', '/api/v1/state/ver', { a: 1, expectedVersion: '1' }),
      400,
      'validation_failed',
      /expectedVersion/,
    );
    assertProblem(
      await s.req('PATCH', '/api/v1/state/ver', { a: 1, expectedVersion: 1.5 }),
      400,
      'validation_failed',
      /expectedVersion/,
    );
    assert.equal((await s.req('PATCH', '/api/v1/state/ver', { a: 1, expectedVersion: 5 })).status, 412);
    assert.equal((await s.req('PATCH', '/api/v1/state/ver', { a: 1 }, { 'if-match': '"1"' })).status, 200);
    assert.equal((await s.req('PATCH', '/api/v1/state/ver', { a: 2 }, { 'if-match': '*' })).status, 200);
  });

  it("Node's own 400 and 431 answers are problem+json", async () => {
    const bad = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    assert.match(bad, /^HTTP\/1\.1 400/);
    assert.match(bad, /content-type: application\/problem\+json/i);
    assert.equal(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4)).code, 'validation_failed');
    const big = await raw(s.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431/);
    assert.equal(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4)).code, 'headers_too_large');
  });

  it('a too-deep live-feed frame is answered too_deep without closing', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api/v1/ws`);
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<any>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.code === 'too_deep' || m.error?.code === 'too_deep' || JSON.stringify(m).includes('too_deep')) resolve(m);
      }),
    );
    ws.send(`{"op":"ping","x":${'['.repeat(100)}${']'.repeat(100)}}`);
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('no too_deep answer')), 10_000).unref(),
    );
    assert.ok(await Promise.race([reply, timeout]));
    ws.close();
  });
});

describe('hardening: the bearer scheme is case-insensitive (RFC 9110)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({}, { TETHER_API_KEYS: 'sekret:read+ingest' });
  });
  after(async () => {
    await s.stop();
  });

  it('accepts bearer, BEARER and Bearer', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR'])
      assert.equal(
        (await s.req('GET', '/api/v1/sessions', undefined, { authorization: `${scheme} sekret` })).status,
        200,
        scheme,
      );
    assert.equal((await s.req('GET', '/api/v1/sessions', undefined, { authorization: 'Basic sekret' })).status, 401);
  });
});
