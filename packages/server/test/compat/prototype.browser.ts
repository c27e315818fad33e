/**
 * The prototype dashboard's flows in real Chromium (issue #11): ./prototype-page.html makes the prototype dashboard's
 * calls from another origin against a real `tether serve` (CORS allowed for that origin); the prototype's Node agent
 * calls (axios) drive it. Sessions listed, counts shown, state/actions/responses/goals/agents filled, and the
 * WebSocket message types session_created, action, response, state_updated, goal_added, agent_spawned arriving live.
 * Run by scripts/test.d/42-compat-browser.sh.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboard, nodeAgent } from './prototype-clients.ts';
import { freePort, serve, type Served } from './serve.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PAGE = readFileSync(new URL('./prototype-page.html', import.meta.url), 'utf8');

describe('prototype dashboard page in Chromium', () => {
  let srv: Served;
  let web: Server;
  let pageOrigin: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const port = await freePort();
    pageOrigin = `http://127.0.0.1:${port}`;
    web = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => web.listen(port, '127.0.0.1', r));
    srv = await serve({ TETHER_CORS_ORIGINS: pageOrigin });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    web?.close();
  });

  const text = (sel: string) => page.locator(sel).allTextContents();
  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const feedHas = (type: string) =>
    until(`a live ${type} message`, async () => (await page.locator(`#liveFeed [data-type="${type}"]`).count()) > 0);

  it('lists sessions, shows counts, fills state, actions, responses, goals and agents; messages arrive live', async () => {
    const sid = 'browser-1';
    await dashboard(srv.url).createTestSession(sid);
    const agent = nodeAgent(srv.url, sid);
    await agent.logAction({ type: 'tool_call', tool: 'Bash' });
    await agent.logResponse({ type: 'text', content: 'ok' });
    await agent.addGoal({ description: 'Ship it', priority: 'high' });
    await agent.spawnAgent({ type: 'coder', task: 'write code' });

    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(srv.url)}`);
    await until('the WebSocket', async () => (await page.textContent('#wsStatus')) === 'Connected');
    await until(
      'the counts',
      async () =>
        (await page.textContent('#totalSessions')) === '1' && (await page.textContent('#activeSessions')) === '1',
    );
    assert.deepEqual(await text('.session-item .session-id'), [sid]);
    assert.deepEqual(await text('.session-item .user'), ['test-user']);

    await page.click(`.session-item[data-id="${sid}"]`);
    await until('the state', async () =>
      ((await page.textContent('#stateContent')) ?? '').includes('"$schema": "session-state-v1"'),
    );
    await until('the actions', async () => (await text('#actionsContent .type')).join() === 'tool_call');
    assert.deepEqual(await text('#actionsContent .seq'), ['#1']);
    assert.deepEqual(await text('#responsesContent .type'), ['text']);
    assert.deepEqual(await text('.goal-id'), ['goal-1']);
    assert.deepEqual(await text('.goal-priority'), ['high']);
    assert.deepEqual(await text('.agent-type'), ['coder']);
    assert.deepEqual(await text('.agent-status'), ['spawned']);
    await until('the session socket', async () => (await page.getAttribute('body', 'data-session-live')) === sid);

    await dashboard(srv.url).createTestSession('browser-2');
    await feedHas('session_created');
    await until('the new session in the list', async () => (await text('.session-item .session-id')).length === 2);
    await until('the new counts', async () => (await page.textContent('#totalSessions')) === '2');

    await agent.logAction({ type: 'bash_exec', command: 'ls' });
    await feedHas('action');
    await until('the new action', async () => (await text('#actionsContent .seq')).join() === '#1,#2');
    await agent.logResponse({ type: 'text', content: 'again' });
    await feedHas('response');
    await agent.updateState({ phase: 'execution' });
    await feedHas('state_updated');
    await until('the patched state', async () =>
      ((await page.textContent('#stateContent')) ?? '').includes('"phase": "execution"'),
    );
    await agent.addGoal({ description: 'Test it' });
    await feedHas('goal_added');
    await until('the new goal', async () => (await text('.goal-id')).join() === 'goal-1,goal-2');
    assert.deepEqual(await text('.goal-priority'), ['high', 'normal']);
    await agent.spawnAgent({ type: 'reviewer', task: 'review' });
    await feedHas('agent_spawned');
    await until('the new agent', async () => (await text('.agent-type')).join() === 'coder,reviewer');
    assert.match((await text('#liveFeed [data-type="goal_added"]'))[0]!, /Goal added: Test it/);
    assert.match((await text('#liveFeed [data-type="agent_spawned"]'))[0]!, /Agent spawned: reviewer/);
  });
});
