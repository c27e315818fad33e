/** Routes beyond the seed: list/filter/paginate, events, children, ingest, search, replay, ready, metrics, OpenAPI. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';
import { loadConfig } from '../src/index.js';

describe('beyond the seed', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('POST /api/ingest answers 207 per item: stored, duplicate, invalid, failed', async () => {
    const r = await s.req('POST', '/api/v1/ingest', {
      events: [
        {
          id: 'i1',
          sessionId: 'ing',
          kind: 'session_created',
          data: { userId: 'bob', type: 'langgraph', tags: ['x'] },
          timestamp: '2026-01-01T00:00:00Z',
        },
        { id: 'i2', sessionId: 'ing', kind: 'action', data: { tool: 'Bash' }, timestamp: '2026-01-01T00:00:01Z' },
        { id: 'i2', sessionId: 'ing', kind: 'action', data: { tool: 'Bash' } },
        { sessionId: 'ing', kind: 'no_such_kind' },
        { id: 'i3', sessionId: 'ing', kind: 'goal_updated', data: { goalId: 'missing' } },
        'not an object',
        { id: 'i4', sessionId: 'ing', kind: 'response', data: { content: 'hi' } },
      ],
    });
    assert.equal(r.status, 207);
    assert.deepEqual(
      r.body.results.map((x: { status: number }) => x.status),
      [201, 201, 200, 400, 404, 400, 201],
    );
    assert.deepEqual(
      r.body.results.map((x: { seq?: number }) => x.seq ?? null),
      [1, 2, 2, null, null, null, 3],
    );
    assert.equal(r.body.results[4].code, 'goal_not_found');
    assert.equal(r.body.accepted, 4);
    assert.equal(r.body.rejected, 3);
    const sess = (await s.req('GET', '/api/v1/sessions/ing')).body.metadata;
    assert.equal(sess.created, '2026-01-01T00:00:00.000Z', 'client timestamps kept');
    assert.equal(sess.userId, 'bob');
  });

  it('the client event id is eventId in batch items as in REST bodies; id is accepted for it (issue #18)', async () => {
    const r = await s.req('POST', '/api/v1/ingest', {
      events: [
        { eventId: 'n1', sessionId: 'names', kind: 'action', data: { n: 1 } },
        { id: 'n2', sessionId: 'names', kind: 'action', data: { n: 2 } },
        { eventId: 'n3', id: 'n3', sessionId: 'names', kind: 'action' },
        { eventId: 'n4', id: 'other', sessionId: 'names', kind: 'action' },
      ],
    });
    assert.equal(r.status, 207);
    assert.deepEqual(
      r.body.results.map((x: { status: number }) => x.status),
      [201, 201, 201, 400],
    );
    assert.deepEqual(
      r.body.results.slice(0, 3).map((x: { id: string }) => x.id),
      ['n1', 'n2', 'n3'],
    );
    assert.equal(r.body.results[3].code, 'validation_failed');
    assert.match(r.body.results[3].detail, /eventId and \/id/);
    // The same ids again, under the other name and through REST: duplicates with the original seqs.
    const again = await s.req('POST', '/api/v1/ingest', {
      events: [
        { id: 'n1', sessionId: 'names', kind: 'action', data: { n: 1 } },
        { eventId: 'n2', sessionId: 'names', kind: 'action', data: { n: 2 } },
      ],
    });
    assert.deepEqual(
      again.body.results.map((x: { status: number; seq: number }) => [x.status, x.seq]),
      [
        [200, 2],
        [200, 3],
      ],
      'seq 1 is the auto-created session',
    );
    const rest = await s.req('POST', '/api/v1/actions/names', { eventId: 'n1', n: 1 });
    assert.equal(rest.status, 200);
    assert.equal(rest.body.duplicate, true);
    assert.equal(rest.body.seq, 2);
    const events = (await s.req('GET', '/api/v1/sessions/names/events')).body.events as Array<{
      id: string;
      data: Record<string, unknown>;
    }>;
    assert.deepEqual(
      events.slice(1).map((e) => e.id),
      ['n1', 'n2', 'n3'],
    );
    assert.ok(
      events.every((e) => !('eventId' in e.data)),
      'eventId is not stored as data',
    );
  });

  it('a batch resent with its client ids is all duplicates with the original seqs (one lookup for the batch)', async () => {
    const events = Array.from({ length: 40 }, (_, i) => ({
      eventId: `re-${i}`,
      sessionId: `resend-${i % 3}`,
      kind: 'action',
      data: { i },
    }));
    const first = await s.req('POST', '/api/v1/ingest', { events });
    assert.equal(first.body.accepted, 40);
    // Half of them again, mixed with new ones and with ids of another session (not duplicates there).
    const mixed = [
      ...events.slice(0, 20),
      ...Array.from({ length: 10 }, (_, i) => ({ eventId: `re-${i}`, sessionId: 'resend-other', kind: 'action' })),
    ];
    const second = await s.req('POST', '/api/v1/ingest', { events: mixed });
    const got = second.body.results.map((x: { status: number; seq: number }) => [x.status, x.seq]);
    assert.deepEqual(
      got.slice(0, 20),
      first.body.results.slice(0, 20).map((x: { seq: number }) => [200, x.seq]),
    );
    assert.deepEqual(
      got.slice(20),
      Array.from({ length: 10 }, (_, i) => [201, i + 2]),
    );
  });

  it('POST /api/ingest takes at most 1,000 events', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      sessionId: `bulk-${i % 10}`,
      kind: 'action',
      data: { i },
    }));
    const ok = await s.req('POST', '/api/v1/ingest', { events });
    assert.equal(ok.body.accepted, 1000);
    const tooMany = await s.req('POST', '/api/v1/ingest', { events: [...events, events[0]] });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.code, 'validation_failed');
  });

  it('GET /api/sessions/:id/events pages the unified log by seq and kind', async () => {
    for (let i = 0; i < 25; i++) await s.req('POST', '/api/v1/actions/evlog', { i });
    await s.req('POST', '/api/v1/actions/evlog/responses', { content: 'r' });
    const p1 = (await s.req('GET', '/api/v1/sessions/evlog/events?limit=10')).body;
    assert.deepEqual(
      p1.events.map((e: { seq: number }) => e.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(p1.nextAfter, 10);
    assert.equal(p1.lastSeq, 27);
    const p2 = (await s.req('GET', `/api/v1/sessions/evlog/events?after=${p1.nextAfter}&limit=100`)).body;
    assert.equal(p2.events[0].seq, 11);
    assert.equal(p2.nextAfter, null);
    const responses = (await s.req('GET', '/api/v1/sessions/evlog/events?kind=response')).body;
    assert.deepEqual(
      responses.events.map((e: { seq: number }) => e.seq),
      [27],
    );
    for (const key of ['id', 'sessionId', 'seq', 'kind', 'timestamp', 'receivedAt', 'data'])
      assert.ok(key in p1.events[0], key);
  });

  it('sub-agent sessions: childSessionId creates a linked child; /children lists it', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'gov', type: 'langgraph' });
    const a = await s.req('POST', '/api/v1/state/gov/agents', {
      type: 'billing',
      task: 'refund',
      childSessionId: 'gov.billing',
    });
    assert.equal(a.body.agent.childSessionId, 'gov.billing');
    const summary = await s.req('GET', '/api/v1/sessions/gov/summary');
    assert.deepEqual(
      [summary.status, summary.body.sessionId, summary.body.metadata.metrics.agentsSpawned, 'actions' in summary.body],
      [200, 'gov', 1, false],
    );
    assert.equal((await s.req('GET', '/api/v1/sessions/nope/summary')).status, 404);
    const kids = (await s.req('GET', '/api/v1/sessions/gov/children')).body.sessions;
    assert.deepEqual(
      kids.map((k: { sessionId: string; parentSessionId: string }) => [k.sessionId, k.parentSessionId]),
      [['gov.billing', 'gov']],
    );
    const onlyTop = (await s.req('GET', '/api/v1/sessions?parentSessionId=none&limit=500')).body.sessions;
    assert.ok(!onlyTop.some((x: { sessionId: string }) => x.sessionId === 'gov.billing'));
  });

  it('GET /api/sessions filters by user, status, type, tag, created range and q', async () => {
    await s.req('POST', '/api/v1/sessions', {
      sessionId: 'f1',
      userId: 'carol',
      type: 'claude-code',
      tags: ['red'],
      timestamp: '2025-06-01T00:00:00Z',
    });
    await s.req('POST', '/api/v1/sessions', {
      sessionId: 'f2',
      userId: 'carol',
      type: 'langgraph',
      tags: ['blue'],
      timestamp: '2025-07-01T00:00:00Z',
    });
    await s.req('POST', '/api/v1/actions/f2', { note: 'flamingo migration' });
    await s.req('POST', '/api/v1/sessions/f2/finalize', { status: 'failed' });
    const ids = async (qs: string) =>
      (await s.req('GET', `/api/v1/sessions?${qs}`)).body.sessions.map((x: { sessionId: string }) => x.sessionId);
    assert.deepEqual(await ids('userId=carol'), ['f2', 'f1']);
    assert.deepEqual(await ids('userId=carol&status=failed'), ['f2']);
    assert.deepEqual(await ids('type=claude-code'), ['f1']);
    assert.deepEqual(await ids('tag=blue'), ['f2']);
    assert.deepEqual(await ids('userId=carol&createdBefore=2025-06-15T00:00:00Z'), ['f1']);
    assert.deepEqual(await ids('userId=carol&createdAfter=2025-06-15T00:00:00Z'), ['f2']);
    assert.deepEqual(await ids('q=flamingo'), ['f2']);
    assert.deepEqual(await ids('q=' + encodeURIComponent('"flamingo migration"')), ['f2']);
    assert.deepEqual(await ids('q=flamin*'), ['f2']);
    assert.deepEqual(await ids('q=' + encodeURIComponent('AND OR ( "')), [], 'FTS syntax cannot break the query');
    const search = (await s.req('GET', '/api/v1/query/search?q=flamingo')).body;
    assert.equal(search.results[0].sessionId, 'f2');
    assert.match(search.results[0].snippet, /flamingo/);
  });

  it('GET /api/state/:id?atSeq=N replays the log to that point', async () => {
    await s.req('POST', '/api/v1/sessions', { sessionId: 'tt' });
    await s.req('PATCH', '/api/v1/state/tt', { phase: 'one' });
    await s.req('PATCH', '/api/v1/state/tt', { phase: 'two' });
    await s.req('POST', '/api/v1/state/tt/goals', { goalId: 'g', description: 'x' });
    assert.equal((await s.req('GET', '/api/v1/state/tt?atSeq=1')).body.phase, 'initialization');
    assert.equal((await s.req('GET', '/api/v1/state/tt?atSeq=2')).body.phase, 'one');
    const at3 = (await s.req('GET', '/api/v1/state/tt?atSeq=3')).body;
    assert.deepEqual([at3.phase, at3.goals.length, at3.version, at3.atSeq], ['two', 0, 3, 3]);
    const now = (await s.req('GET', '/api/v1/state/tt')).body;
    assert.deepEqual([now.phase, now.goals.length], ['two', 1]);
  });

  it('GET /api/query/analytics computes tool usage, errors and time series in the service', async () => {
    await s.req('POST', '/api/v1/ingest', {
      events: [
        { sessionId: 'an', kind: 'action', data: { tool: 'Read' } },
        { sessionId: 'an', kind: 'action', data: { tool: 'Read', error: 'ENOENT' } },
        { sessionId: 'an', kind: 'action', data: { tool: 'Bash' } },
        { sessionId: 'an', kind: 'response', data: { usage: { input: 100, output: 7 } } },
      ],
    });
    const a = (await s.req('GET', '/api/v1/query/analytics')).body;
    const read = a.tools.find((t: { tool: string }) => t.tool === 'Read');
    assert.deepEqual([read.calls, read.errors], [2, 1]);
    assert.ok(a.toolErrors >= 1 && a.errorRate > 0);
    assert.ok(a.eventsOverTime.length > 0);
    assert.ok(a.tokensOverTime.some((t: { input: number }) => t.input >= 100));
    assert.ok(a.busiest.length > 0);
    const only = (await s.req('GET', '/api/v1/query/analytics?include=eventsOverTime')).body;
    assert.ok(only.eventsOverTime.length > 0);
    assert.deepEqual([only.tools, only.tokensOverTime, only.durations, only.busiest], [[], [], [], []]);
    assert.equal((await s.req('GET', '/api/v1/query/analytics?include=nonsense')).status, 400);
  });

  it('/ready, /metrics (Prometheus), /openapi.json (3.1) and /docs', async () => {
    assert.deepEqual((await s.req('GET', '/ready')).body, { ready: true });
    const m = await fetch(`${s.url}/metrics`);
    const text = await m.text();
    assert.match(m.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(text, /tether_events_appended_total\{kind="action"\} \d+/);
    assert.match(text, /tether_http_requests_total/);
    const doc = (await s.req('GET', '/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const p of [
      '/api/v1/sessions',
      '/api/v1/sessions/{sessionId}',
      '/api/v1/ingest',
      '/api/v1/state/{sessionId}',
      '/api/v1/actions/{sessionId}',
      '/api/v1/query/stats',
      '/health',
    ])
      assert.ok(doc.paths[p], `OpenAPI documents ${p}`);
    assert.ok(doc.components.schemas.Event && doc.components.schemas.SessionSummary, 'shared schemas are components');
    assert.equal(
      doc.paths['/api/v1/sessions'].get.responses['200'].content['application/json'].schema.properties.sessions.items
        .$ref,
      '#/components/schemas/SessionSummary',
    );
    const docs = await fetch(`${s.url}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });
});

describe('settings', () => {
  it('TETHER_SQLITE_WRITER_THREAD=false commits on the HTTP thread; junk is refused at start', async () => {
    assert.throws(() => loadConfig({ TETHER_SQLITE_WRITER_THREAD: 'maybe' }), /expected a boolean/);
    assert.equal(loadConfig({}).sqliteWriterThread, true);
    for (const [value, writer] of [
      ['false', 'InlineWriter'],
      ['true', 'ThreadWriter'],
    ] as const) {
      const s = await startTestServer({}, { TETHER_SQLITE_WRITER_THREAD: value });
      try {
        assert.equal((s.app.store as unknown as { writer: object }).writer.constructor.name, writer);
        await s.req('POST', '/api/v1/sessions', { sessionId: `wt-${value}` });
        assert.equal((await s.req('POST', `/api/v1/actions/wt-${value}`, { tool: 'Bash' })).status, 201);
        assert.equal((await s.req('GET', `/api/v1/sessions/wt-${value}/events`)).body.events.length, 2);
      } finally {
        await s.stop();
      }
    }
  });

  it('TETHER_AUTO_CREATE=false answers 404 for events of unknown sessions', async () => {
    const s = await startTestServer({ autoCreate: false });
    try {
      const r = await s.req('POST', '/api/v1/actions/unknown', { type: 'x' });
      assert.equal(r.status, 404);
      assert.equal(r.body.code, 'session_not_found');
      await s.req('POST', '/api/v1/sessions', { sessionId: 'known' });
      assert.equal((await s.req('POST', '/api/v1/actions/known', { type: 'x' })).status, 201);
    } finally {
      await s.stop();
    }
  });

  it('CORS allows only configured origins', async () => {
    const s = await startTestServer({ corsOrigins: ['http://allowed.test'] });
    try {
      const ok = await fetch(`${s.url}/health`, { headers: { origin: 'http://allowed.test' } });
      assert.equal(ok.headers.get('access-control-allow-origin'), 'http://allowed.test');
      const no = await fetch(`${s.url}/health`, { headers: { origin: 'http://evil.test' } });
      assert.equal(no.headers.get('access-control-allow-origin'), null);
    } finally {
      await s.stop();
    }
    const none = await startTestServer();
    try {
      assert.equal(
        (await fetch(`${none.url}/health`, { headers: { origin: 'http://allowed.test' } })).headers.get(
          'access-control-allow-origin',
        ),
        null,
      );
    } finally {
      await none.stop();
    }
  });
});
