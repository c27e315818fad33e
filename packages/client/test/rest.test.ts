import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer } from '../../server/test/helpers.ts';
import {
  TetherClient,
  APIConnectionError,
  APITimeoutError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  APIError,
  type LiveMessage,
} from '../src/index.ts';
import { freePort, range, until, ROOT } from './util.ts';

test('REST: sessions, events, search, stats, ingest round-trip', async () => {
  const srv = await startTestServer();
  const c = new TetherClient({ baseUrl: srv.url + '/', logger: false });
  try {
    await c.sessions.create({ sessionId: 'r-parent', userId: 'alice', type: 'coder', tags: ['t1'] });
    await c.sessions.create({ sessionId: 'r-child', userId: 'alice', parentSessionId: 'r-parent' });
    await c.sessions.create({ sessionId: 'r-other', userId: 'bob' });
    const ing = await c.ingest([
      {
        sessionId: 'r-parent',
        kind: 'action',
        data: { type: 'tool_use', tool: 'Bash', input: { command: 'grep zebra' } },
      },
      { sessionId: 'r-parent', kind: 'state_patched', data: { patch: { phase: 'work' } } },
    ]);
    assert.equal(ing.accepted, 2);
    assert.deepEqual(
      ing.results.map((r) => r.seq),
      [2, 3],
    );
    const restored = await c.sessions.get('r-parent');
    assert.equal(restored.metadata.userId, 'alice');
    assert.equal(restored.actions.length, 1);
    assert.equal((await c.sessions.state('r-parent')).phase, 'work');
    assert.equal(
      (await c.sessions.state('r-parent', 2)).phase,
      (await c.sessions.state('r-other')).phase,
      'replayed before the patch',
    );
    const page = await c.sessions.list({ userId: 'alice', limit: 1 });
    assert.equal(page.sessions.length, 1);
    assert.ok(page.nextCursor);
    const all: string[] = [];
    for await (const s of c.sessions.listAll({ userId: 'alice', limit: 1 })) all.push(s.sessionId);
    assert.deepEqual(all.sort(), ['r-child', 'r-parent']);
    assert.deepEqual(
      (await c.sessions.children('r-parent')).sessions.map((s) => s.sessionId),
      ['r-child'],
    );
    const ev = await c.sessions.events('r-parent', { after: 1, limit: 1 });
    assert.deepEqual(
      ev.events.map((e) => e.seq),
      [2],
    );
    assert.equal(ev.nextAfter, 2);
    const seqs: number[] = [];
    for await (const e of c.iterEvents('r-parent', 0, 1)) seqs.push(e.seq);
    assert.deepEqual(seqs, [1, 2, 3]);
    const hits = await c.search('zebra');
    assert.equal(hits.results[0]?.sessionId, 'r-parent');
    const fin = await c.sessions.finalize('r-parent', { status: 'failed', final: { why: 'test' } });
    assert.equal(fin.status, 'failed');
    const st = await c.stats();
    assert.equal(st.totalSessions, 3);
    assert.equal(st.failedSessions, 1);
    assert.equal((await c.recent(2)).sessions.length, 2);
    assert.equal((await c.health()).status, 'ok');
    const md = await c.sessions.updateMetadata('r-other', { model: 'x' });
    assert.equal(md.metadata.model, 'x');
    await c.sessions.delete('r-other');
    await assert.rejects(c.sessions.get('r-other'), NotFoundError);
  } finally {
    await srv.stop();
  }
});

test('errors: one tree with status, code and request id; connection and timeout apart', async () => {
  const srv = await startTestServer();
  const c = new TetherClient({ baseUrl: srv.url, maxRetries: 0, logger: false });
  try {
    const nf = await c.sessions.get('missing').catch((e: unknown) => e);
    assert.ok(nf instanceof NotFoundError && nf instanceof APIError);
    assert.equal(nf.status, 404);
    assert.equal(nf.code, 'session_not_found');
    assert.match(nf.requestId ?? '', /.+/);
    assert.equal(nf.requestId, nf.headers['x-request-id']);
    await c.sessions.create({ sessionId: 'e-1' });
    await assert.rejects(
      c.sessions.create({ sessionId: 'e-1' }),
      (e: unknown) => e instanceof ConflictError && e.code === 'session_exists',
    );
    await assert.rejects(
      c.sessions.get('bad id!'),
      (e: unknown) => e instanceof BadRequestError && e.code === 'invalid_session_id',
    );
    const down = new TetherClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
    await assert.rejects(
      down.health(),
      (e: unknown) => e instanceof APIConnectionError && !(e instanceof APITimeoutError),
    );
    // A server that accepts and never answers.
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const slow = new TetherClient({
      baseUrl: `http://127.0.0.1:${(hang.address() as { port: number }).port}`,
      timeoutMs: 100,
      maxRetries: 1,
      initialDelayMs: 1,
    });
    await assert.rejects(slow.health(), APITimeoutError);
    hang.closeAllConnections();
    await new Promise<void>((r) => hang.close(() => r()));
  } finally {
    await srv.stop();
  }
});

test('every route, method and query parameter the client uses exists in the served /openapi.json', async () => {
  const srv = await startTestServer();
  const used: Array<{ method: string; path: string; query: string[]; body?: string[] }> = [];
  const f = async (url: string, init?: RequestInit) => {
    const u = new URL(url);
    let body: string[] | undefined;
    try {
      body = init?.body ? Object.keys(JSON.parse(String(init.body)) as object) : undefined;
    } catch {
      /* not JSON */
    }
    used.push({
      method: (init?.method ?? 'GET').toLowerCase(),
      path: u.pathname,
      query: [...u.searchParams.keys()],
      ...(body ? { body } : {}),
    });
    return fetch(url, init);
  };
  const c = new TetherClient({ baseUrl: srv.url, fetch: f, logger: false });
  try {
    const spec = (await srv.req('GET', '/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Array<{ name: string; in: string }>;
            requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
          }
        >
      >;
    };
    await c.sessions.create({
      sessionId: 'o-1',
      userId: 'u',
      type: 't',
      tags: ['a'],
      metadata: {},
      initial: {},
      timestamp: new Date().toISOString(),
    });
    await c.sessions.get('o-1');
    await c.sessions.list({
      userId: 'u',
      status: 'active',
      type: 't',
      tag: 'a',
      parentSessionId: 'none',
      createdAfter: '2000-01-01T00:00:00Z',
      createdBefore: '2100-01-01T00:00:00Z',
      q: 'x',
      sort: 'created',
      limit: 5,
    });
    await c.sessions.events('o-1', { after: 0, limit: 10, kind: 'action' });
    await c.sessions.children('o-1');
    await c.sessions.state('o-1', 1);
    await c.sessions.updateMetadata('o-1', { a: 1 });
    await c.search('x', 5);
    await c.stats();
    await c.recent(5);
    await c.health();
    await c.ingest([{ sessionId: 'o-1', kind: 'action', data: {} }]);
    c.session('o-1').logAction({});
    await c.flush();
    await c.sessions.finalize('o-1', { status: 'completed', final: {}, timestamp: new Date().toISOString() });
    await c.sessions.delete('o-1');
    const sub = c.subscribe({ sessionId: 'o-1', tail: 1 });
    const sub2 = c.subscribe({ afterPos: 0 });
    // Iterators connect on the first next().
    const pending = [sub[Symbol.asyncIterator]().next(), sub2[Symbol.asyncIterator]().next()];
    await until(() => used.filter((u) => u.path.endsWith('/stream')).length >= 2);
    sub.close();
    sub2.close();
    await Promise.all(pending);
    const templates = Object.keys(spec.paths).map((p) => ({
      p,
      re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
    for (const u of used) {
      const t = templates.find((x) => x.re.test(u.path));
      assert.ok(t, `${u.path} is in the OpenAPI document`);
      const op = spec.paths[t.p]![u.method];
      assert.ok(op, `${u.method.toUpperCase()} ${t.p} is in the OpenAPI document`);
      const declared = new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
      for (const q of u.query)
        assert.ok(declared.has(q), `query parameter ${q} of ${u.method.toUpperCase()} ${t.p} is declared`);
      const props = op.requestBody?.content['application/json']?.schema.properties;
      if (u.body && props && !t.p.includes('metadata'))
        for (const k of u.body)
          assert.ok(k in props, `body field ${k} of ${u.method.toUpperCase()} ${t.p} is declared`);
    }
    assert.ok(used.length >= 17);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('subscribe: session and firehose iterators resume across a server restart, each event once and in order', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-sub-'));
  let srv = await startTestServer({ port, dataDir });
  const c = new TetherClient({ baseUrl: srv.url, flushAt: 1, logger: false });
  const sessionSeen: number[] = [];
  const fireSeen: Array<[string, number]> = [];
  const sub = c.subscribe({ sessionId: 'sub-1', afterSeq: 0, initialDelayMs: 10, maxDelayMs: 100 });
  const fire = c.subscribe({ afterPos: 0, initialDelayMs: 10, maxDelayMs: 100 });
  const collect = async (it: AsyncIterable<LiveMessage>, fn: (m: LiveMessage) => void) => {
    for await (const m of it) fn(m);
  };
  const done = Promise.all([
    collect(sub, (m) => {
      if ('seq' in m) sessionSeen.push(m.seq);
    }),
    collect(fire, (m) => {
      if ('pos' in m) fireSeen.push([m.sessionId, m.seq]);
    }),
  ]);
  try {
    const s = c.session('sub-1');
    for (const i of range(5)) void s.logAction({ i });
    await c.flush();
    await until(() => sessionSeen.length === 6 && fireSeen.length === 6);
    await srv.stop();
    srv = await startTestServer({ port, dataDir });
    for (const i of range(5)) void s.logAction({ i: 5 + i });
    void c.session('sub-2').logAction({ i: 0 });
    await c.flush();
    await until(() => sessionSeen.length === 11 && fireSeen.length === 13);
    assert.deepEqual(
      sessionSeen,
      range(11).map((i) => i + 1),
    );
    assert.deepEqual(
      fireSeen.filter(([s]) => s === 'sub-1').map(([, q]) => q),
      range(11).map((i) => i + 1),
    );
    assert.deepEqual(
      fireSeen.filter(([s]) => s === 'sub-2').map(([, q]) => q),
      [1, 2],
    );
    assert.equal(sub.position, 11);
  } finally {
    sub.close();
    fire.close();
    await done;
    await c.close();
    await srv.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the root entry is browser-safe: no node: imports, no process access outside configFromEnv', () => {
  const dist = resolve(ROOT, 'packages/client/dist');
  const files = readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'index.node.js');
  assert.ok(files.includes('index.js'));
  for (const f of files) {
    const src = readFileSync(join(dist, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    assert.doesNotMatch(src, /from ['"]node:|require\(|from ['"]\.\/node\//, `${f} imports nothing Node-only`);
    if (f !== 'config.js') assert.doesNotMatch(src, /\bprocess\./, `${f} does not touch process`);
  }
});
