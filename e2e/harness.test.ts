/**
 * Self-test of the end-to-end harness's checks: they must pass on a session that matches its report and fail on
 * every deliberately broken variant — a wrong report, a tampered session at the running service, a live feed that
 * lost, repeated or invented an event, a dashboard that misses a session. Real parts: an in-process Tether server on
 * an ephemeral port (real SQLite), the REST API and a real WebSocket firehose subscriber.
 *
 *   node --import tsx --test e2e/harness.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../packages/server/test/helpers.ts';
import {
  checkDashboard,
  checkLive,
  checkScenario,
  checkSession,
  type ExampleReport,
  type Observed,
} from './lib/checks.ts';
import { subscribeFirehose, type LiveSubscriber } from './lib/live.ts';
import { breakChecks } from './lib/mutations.ts';
import { observe } from './lib/observe.ts';

const SID = 'selftest-main';
const CHILD = 'selftest-main:agent-a1';

/** Writes a small session the way an example would, and returns the report that example would write. */
async function writeSession(srv: TestServer): Promise<ExampleReport> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await srv.req(method, path, body);
    assert.ok(r.status < 300, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
  };
  await ok('POST', '/api/v1/sessions', { sessionId: SID, type: 'selftest', userId: 'harness' });
  await ok('PATCH', `/api/v1/state/${SID}`, { phase: 'initialization' });
  await ok('POST', `/api/v1/state/${SID}/goals`, { goalId: 'g1', description: 'first' });
  await ok('POST', `/api/v1/state/${SID}/goals`, { goalId: 'g2', description: 'second' });
  await ok('POST', '/api/v1/sessions', { sessionId: CHILD, type: 'selftest', parentSessionId: SID });
  await ok('POST', `/api/v1/state/${SID}/agents`, { agentId: 'a1', type: 'helper', childSessionId: CHILD });
  await ok('POST', `/api/v1/actions/${CHILD}`, { type: 'tool_call', tool: 'Read' });
  await ok('POST', `/api/v1/sessions/${CHILD}/finalize`, { status: 'completed' });
  await ok('PATCH', `/api/v1/state/${SID}`, { phase: 'execution' });
  for (const n of [1, 2, 3]) await ok('POST', `/api/v1/actions/${SID}`, { type: 'step', details: { n } });
  await ok('POST', `/api/v1/actions/${SID}/responses`, { role: 'assistant', content: 'done' });
  await ok('PATCH', `/api/v1/state/${SID}/goals/g1`, { status: 'completed' });
  await ok('PATCH', `/api/v1/state/${SID}/goals/g2`, { status: 'failed' });
  await ok('POST', `/api/v1/state/${SID}/agents/a1/complete`, { result: 'ok' });
  await ok('PATCH', `/api/v1/state/${SID}`, { phase: 'ready' });
  await ok('POST', `/api/v1/sessions/${SID}/finalize`, { status: 'failed' });
  return {
    example: 'selftest',
    sessionId: SID,
    sessionType: 'selftest',
    status: 'failed',
    phase: 'ready',
    phases: ['initialization', 'execution', 'ready'],
    counts: { actions: 3, responses: 1, goals: 2, agentsSpawned: 1, agentsCompleted: 1 },
    goals: { g1: 'completed', g2: 'failed' },
    agents: { a1: 'completed' },
    children: { [CHILD]: { actions: 1, responses: 0, status: 'completed' } },
  };
}

describe('e2e harness checks', () => {
  let srv: TestServer;
  let live: LiveSubscriber;
  let report: ExampleReport;
  let observed: Observed;

  before(async () => {
    srv = await startTestServer();
    live = await subscribeFirehose(srv.url);
    report = await writeSession(srv);
    observed = await observe(srv.url, [SID, CHILD]);
    await live.waitFor(
      new Map([
        [SID, observed.get(SID)!.restore.metadata.lastSeq],
        [CHILD, observed.get(CHILD)!.restore.metadata.lastSeq],
      ]),
      10_000,
    );
  });
  after(async () => {
    await live?.close();
    await srv?.stop();
  });

  it('pass on a session that matches its report, a complete live feed and a dashboard that shows it', () => {
    assert.deepEqual(checkSession(report, observed), []);
    assert.deepEqual(checkLive(observed, live.events), []);
    assert.deepEqual(checkDashboard(`Sessions\n${SID}\nfailed`, [SID]), []);
  });

  it('fail on every deliberate break of the report, the stored data, the live feed and the dashboard', () => {
    const res = breakChecks([report], observed, live.events, `Sessions ${SID}`, [SID]);
    assert.ok(res.tried >= 20, `only ${res.tried} breaks tried`);
    assert.deepEqual(res.undetected, []);
  });

  it('name what differs: counts, goals, phases, status, type, sub-agents', () => {
    const wrong: ExampleReport = structuredClone(report);
    wrong.counts.actions = 4;
    wrong.goals.g2 = 'completed';
    wrong.phases = ['initialization', 'ready'];
    wrong.status = 'completed';
    wrong.sessionType = 'other';
    wrong.agents = {};
    const text = checkSession(wrong, observed).join('\n');
    for (const needle of [
      'metrics.actions is 3, the report says 4',
      'goals are',
      'phase transitions',
      'status is failed',
      'type is selftest',
      'sub-agents are',
    ]) {
      assert.ok(text.includes(needle), `no problem mentions "${needle}" in:\n${text}`);
    }
  });

  it('fail when the session at the running service is tampered with after the report was written', async () => {
    const r = await srv.req('POST', `/api/v1/actions/${SID}`, { type: 'intruder' });
    assert.equal(r.status, 201);
    const tampered = await observe(srv.url, [SID, CHILD]);
    const problems = checkSession(report, tampered);
    assert.ok(
      problems.some((p) => p.includes('metrics.actions is 4, the report says 3')),
      problems.join('\n'),
    );
    // …and the live subscriber, which saw the intruder too, is still consistent with what is stored.
    await live.waitFor(new Map([[SID, tampered.get(SID)!.restore.metadata.lastSeq]]), 10_000);
    assert.deepEqual(checkLive(tampered, live.events), []);
  });

  it('fail when a session does not exist at the service', async () => {
    const missing = await observe(srv.url, ['selftest-never-written']);
    assert.equal(missing.get('selftest-never-written'), null);
    const problems = checkSession({ ...report, sessionId: 'selftest-never-written' }, missing);
    assert.match(problems.join('\n'), /no such session/);
  });

  it('hold each example to the scenario, not only to its own report', () => {
    const customer: ExampleReport = {
      example: 'customer-comm',
      sessionId: 'c',
      sessionType: 'customer-communication',
      status: 'completed',
      phase: 'ready',
      phases: ['initialization', 'execution', 'ready'],
      counts: { actions: 10, responses: 6, agentsSpawned: 4, agentsCompleted: 4 },
      goals: { 'goal-batch': 'completed', 'goal-msg-001': 'completed' },
      agents: { governor: 'completed' },
      details: { messages: 6 },
    };
    const problems = checkScenario(customer).join('\n');
    assert.match(problems, /exactly one failed workflow goal/);
    assert.match(problems, /expected status failed/);
    assert.match(problems, /one reply per message but the failed one/);
    const email: ExampleReport = {
      example: 'email-solver',
      sessionId: 'e',
      sessionType: 'email-pipeline',
      status: 'completed',
      phase: 'shutdown',
      phases: [],
      counts: { actions: 61, responses: 5, agentsSpawned: 0, agentsCompleted: 0 },
      goals: { 'goal-inbox': 'completed' },
      agents: {},
      details: { emails: 11, drafts: 6 },
    };
    const ep = checkScenario(email).join('\n');
    assert.match(ep, /11 completed e-mail goals/);
    assert.match(ep, /= 62 actions, got 61/);
    assert.match(ep, /one response per draft/);
  });
});
