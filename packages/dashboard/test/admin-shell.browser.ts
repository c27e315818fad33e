/**
 * Admin-shell sessions (tracked over MCP with track_session_start/end) in the dashboard: listed with type admin_shell
 * and their duration, and the session page shows start, end, duration and the shell's facts. Real `tether serve`,
 * real Chromium (scripts/test.d/40-dashboard.sh).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { launchBrowser, startTether, type Tether } from './helpers.ts';

let t: Tether;
let browser: Browser;
let page: Page;
let sid: string;

before(async () => {
  t = await startTether();
  const mcp = new Client({ name: 'dashboard-test', version: '1' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL('/mcp', t.url)));
  const start = await mcp.callTool({
    name: 'track_session_start',
    arguments: {
      event_version: '1.0',
      event_id: randomUUID(),
      event_type: 'session_start',
      component_name: 'mahavishnu',
      shell_type: 'MahavishnuShell',
      timestamp: '2026-02-06T12:00:00.000000+00:00',
      pid: 4321,
      user: { username: 'les', home: '/home/les' },
      hostname: 'box',
      environment: { python_version: '3.13.1', platform: 'Linux', cwd: '/srv/mahavishnu' },
      metadata: { component: 'mahavishnu' },
    },
  });
  sid = (start.structuredContent as { session_id: string }).session_id;
  await mcp.callTool({
    name: 'track_session_end',
    arguments: { session_id: sid, timestamp: '2026-02-06T12:03:25.000000+00:00' },
  });
  await mcp.close();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  await t?.destroy();
});

describe('admin-shell sessions in the dashboard', () => {
  test('the list filtered by type admin_shell shows the shell with its duration', async () => {
    await page.goto(`${t.url}/?type=admin_shell`);
    const row = page.locator(`[data-testid="session-list"] [data-session-id="${sid}"]`);
    await row.waitFor({ timeout: 10_000 });
    const text = await row.innerText();
    assert.match(text, /admin_shell/);
    assert.match(text, /3 m 25 s/);
  });

  test('the session page shows start, end, duration and the shell facts', async () => {
    await page.goto(`${t.url}/sessions/${encodeURIComponent(sid)}`);
    await page.waitForSelector('[data-testid="admin-shell-facts"]', { timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="session-duration"]').innerText(), '3 m 25 s');
    assert.ok((await page.locator('[data-testid="session-ended"]').innerText()).length > 0);
    const facts = await page.locator('[data-testid="admin-shell-facts"]').innerText();
    assert.match(facts, /MahavishnuShell/);
    assert.match(facts, /pid 4321/);
    assert.match(facts, /host box/);
  });
});
