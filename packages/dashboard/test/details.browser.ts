/**
 * Browser tests of details a new user hit (issue 11), each against a real `tether serve` in real Chromium:
 * the agents waterfall's duration label never overlaps the agent's name/id, `goal updated` rows name the goal, a
 * session that does not exist says so (instead of "Loading history…" forever), the connection badge does not claim
 * "Live (polling)" while every request answers 401, and analytics' tool usage counts the tool calls the session
 * metrics count. Screenshot of the waterfall: artifacts/dashboard/waterfall-long-agent.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ingest, launchBrowser, ROOT, startTether, type Tether } from './helpers.ts';

let t: Tether;
let browser: Browser;
let page: Page;
const SHOTS = join(ROOT, 'artifacts/dashboard');

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  t = await startTether();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
});
after(async () => {
  await browser?.close();
  await t?.destroy();
});

describe('dashboard details', () => {
  test("the waterfall's duration label stays clear of the agent name and id, for a bar that spans the session", async () => {
    const t0 = Date.now() - 120_000;
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const sid = 'wf-long';
    await ingest(t, [
      { sessionId: sid, kind: 'session_created', timestamp: at(0), data: { type: 'langgraph' } },
      // Spans almost all of the session: before the fix its label was put left of the bar, over the label column.
      {
        sessionId: sid,
        kind: 'agent_spawned',
        timestamp: at(200),
        data: { agentId: 'agent-spanning-everything-0001', type: 'researcher', task: 'long' },
      },
      {
        sessionId: sid,
        kind: 'agent_spawned',
        timestamp: at(60_000),
        data: { agentId: 'agent-late-0002', type: 'writer' },
      },
      {
        sessionId: sid,
        kind: 'agent_spawned',
        timestamp: at(1_000),
        data: { agentId: 'agent-short-0003', type: 'checker' },
      },
      { sessionId: sid, kind: 'agent_completed', timestamp: at(5_000), data: { agentId: 'agent-short-0003' } },
      { sessionId: sid, kind: 'agent_completed', timestamp: at(118_000), data: { agentId: 'agent-late-0002' } },
      {
        sessionId: sid,
        kind: 'agent_completed',
        timestamp: at(119_800),
        data: { agentId: 'agent-spanning-everything-0001' },
      },
      { sessionId: sid, kind: 'session_finalized', timestamp: at(120_000), data: { status: 'completed' } },
    ]);
    await page.goto(`${t.url}/sessions/${sid}/agents`);
    await page.waitForSelector('[data-testid="waterfall"] .wf-row .wf-dur', { timeout: 5000 });
    assert.equal(await page.locator('.wf-row').count(), 3);
    await page.locator('[data-testid="waterfall"]').screenshot({ path: join(SHOTS, 'waterfall-long-agent.png') });
    // Plain loops only inside evaluate (tsx would wrap named helpers in __name(), unknown in the page).
    const rows = await page.locator('.wf-row').evaluateAll((els) =>
      els.map((row) => {
        const out: Record<string, { left: number; right: number }> = {};
        for (const [key, sel] of [
          ['label', '.wf-label'],
          ['track', '.wf-track'],
          ['dur', '.wf-dur'],
        ]) {
          const r = row.querySelector(sel!)!.getBoundingClientRect();
          out[key!] = { left: r.left, right: r.right };
        }
        return {
          label: out.label!,
          track: out.track!,
          dur: out.dur!,
          text: row.querySelector('.wf-label')!.textContent,
        };
      }),
    );
    for (const r of rows) {
      assert.ok(
        r.dur.left >= r.label.right,
        `${r.text}: duration label starts at ${r.dur.left}px, inside the label column ending at ${r.label.right}px`,
      );
      assert.ok(
        r.dur.left >= r.track.left - 0.5 && r.dur.right <= r.track.right + 0.5,
        `${r.text}: duration label within its track`,
      );
    }
  });

  test('a `goal updated` row names the goal it updates', async () => {
    const sid = 'goals-named';
    await t.api('POST', '/api/v1/sessions', { sessionId: sid });
    const added = await t.api('POST', `/api/v1/state/${sid}/goals`, {
      description: 'Answer the customer about billing',
      priority: 'high',
    });
    const goalId = added.goal?.goalId ?? added.goalId;
    assert.ok(goalId, JSON.stringify(added));
    await t.api('PATCH', `/api/v1/state/${sid}/goals/${goalId}`, { status: 'completed' });
    await page.goto(`${t.url}/sessions/${sid}/timeline`);
    const row = page.locator('[data-testid="event-row"][data-kind="goal_updated"]');
    await row.waitFor({ timeout: 5000 });
    const text = await row.innerText();
    assert.match(text, /Answer the customer about billing/, text);
    assert.match(text, /completed/, text);
  });

  test('a session that does not exist says "not found" instead of loading forever', async () => {
    await page.goto(`${t.url}/sessions/no-such-session-anywhere/timeline`);
    await page.waitForSelector('[data-testid="session-not-found"]', { timeout: 5000 });
    assert.match(await page.locator('[data-testid="session-not-found"]').innerText(), /not found/i);
    assert.equal(
      await page.getByText('Loading history').count(),
      0,
      'no "Loading history…" for a session that does not exist',
    );
  });

  test("analytics' tool usage counts the tool calls the session metrics count", async () => {
    const sid = 'tools-mixed';
    await t.api('POST', '/api/v1/sessions', { sessionId: sid });
    for (const data of [
      { type: 'task_start', details: { task: 'x' } },
      { tool: 'Bash', input: { command: 'ls' } },
      { type: 'decision', details: { choice: 'a' } },
      { type: 'bash_command', details: { command: 'make' } },
      { tool: 'Read' },
    ]) {
      await t.api('POST', `/api/v1/actions/${sid}`, data);
    }
    await page.goto(`${t.url}/sessions/${sid}/timeline`);
    const metric = page
      .locator('[data-testid="session-metrics"] .metric', { hasText: 'tool calls' })
      .locator('.metric-v');
    await page
      .waitForFunction(
        () => document.querySelector('[data-testid="session-metrics"]')?.textContent?.includes('5actions'),
        undefined,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    assert.equal(await metric.innerText(), '3');
    await page.goto(`${t.url}/analytics?range=1h`);
    await page.waitForSelector('[data-testid="chart-tools"] .hbar-row', { timeout: 5000 });
    const labels = await page.locator('[data-testid="chart-tools"] .hbar-label').allInnerTexts();
    assert.deepEqual(labels.sort(), ['Bash', 'Read', 'bash_command'], `tool usage rows: ${labels.join(', ')}`);
    const stat = page.locator('.stat', { hasText: 'Tool calls' }).locator('.stat-value');
    assert.equal(await stat.innerText(), '3', "the Tool calls total equals the session's tool calls");
  });
});

describe('dashboard with every request refused (401)', () => {
  let k: Tether;
  before(async () => {
    k = await startTether({ env: { TETHER_API_KEYS: 'only-key:read' } });
  });
  after(async () => k?.destroy());

  test('the connection badge never says "Live (polling)" while every request answers 401', async () => {
    const p = await browser.newPage();
    try {
      await p.goto(k.url + '/');
      await p.waitForSelector('[data-testid="key-prompt"]', { timeout: 5000 });
      // Sample the badge for a few poll rounds (the poller runs every 500 ms, the list every 3 s).
      const seen = new Set<string>();
      const labels = new Set<string>();
      for (let i = 0; i < 28; i++) {
        seen.add((await p.locator('.conn').getAttribute('data-state')) ?? '');
        labels.add(await p.locator('.conn .conn-label').innerText());
        await p.waitForTimeout(250);
      }
      assert.ok(
        !seen.has('polling') && !labels.has('Live (polling)'),
        `badge states seen: ${[...seen].join(', ')} (${[...labels].join(', ')})`,
      );
      assert.equal(await p.locator('.conn').getAttribute('data-state'), 'offline');
    } finally {
      await p.close();
    }
  });
});
