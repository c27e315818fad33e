import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../server/test/helpers.ts';
import { TetherClient, NotFoundError } from '../src/index.ts';

test('smoke: REST + log + subscribe', async () => {
  const srv = await startTestServer();
  const c = new TetherClient({ baseUrl: srv.url, logger: false });
  try {
    const created = await c.sessions.create({ sessionId: 'smoke-1', userId: 'u' });
    assert.equal(created.sessionId, 'smoke-1');
    const s = c.session('smoke-1');
    s.logAction({ type: 'x' });
    assert.equal(await c.flush(), true);
    const page = await c.sessions.events('smoke-1');
    assert.deepEqual(
      page.events.map((e) => e.kind),
      ['session_created', 'action'],
    );
    await assert.rejects(c.sessions.get('nope'), NotFoundError);
    const sub = c.subscribe({ sessionId: 'smoke-1', afterSeq: 0 });
    const seen: number[] = [];
    for await (const m of sub) {
      if ('seq' in m) seen.push(m.seq);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [1, 2]);
  } finally {
    await c.close();
    await srv.stop();
  }
});
