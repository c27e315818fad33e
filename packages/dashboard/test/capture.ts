/**
 * Screenshots of every dashboard view at 1280×800, used by the browser tests (artifacts/dashboard/) and by
 * `screenshots.ts` (docs/screenshots/).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export interface CaptureTargets {
  /** A session with goals, state changes and a sub-agent (e.g. the "Test session"). */
  richSession: string;
  /** A Claude Code session (type claude-code) with sub-agents. */
  claudeSession: string;
}

/** Writes sessions.png, sessions-light.png, session-timeline.png, …, analytics.png, settings.png into `outDir`; returns the paths. */
export async function captureViews(page: Page, base: string, outDir: string, t: CaptureTargets): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  const out: string[] = [];
  const shot = async (name: string, path: string, ready: string, prep?: () => Promise<void>) => {
    await page.goto(base + path);
    await page.waitForSelector(ready, { timeout: 10_000 });
    if (prep) await prep();
    await page.waitForTimeout(400);
    const file = join(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    out.push(file);
  };
  const rich = `/sessions/${encodeURIComponent(t.richSession)}`;
  const cc = `/sessions/${encodeURIComponent(t.claudeSession)}`;
  await shot('sessions', '/', '[data-session-id]');
  await shot(
    'session-timeline',
    `${rich}/timeline`,
    '.timeline[data-loaded="true"] [data-testid="event-row"]',
    async () => {
      await page.locator('[data-testid="event-row"][data-kind="action"] .ev-line').first().click();
    },
  );
  await shot('session-state', `${rich}/state`, '[data-testid="state-version"]', async () => {
    await page.waitForSelector('[data-testid="diff-list"]');
  });
  await shot('session-goals', `${rich}/goals`, '[data-testid="goals-board"]');
  await shot('session-agents', `${cc}/agents`, '[data-testid="waterfall"]', async () => {
    await page.waitForSelector('[data-testid="child-link"]');
  });
  await shot('session-conversation', `${cc}/conversation`, '[data-testid="tool-call"]', async () => {
    await page.locator('[data-testid="tool-call"] .tool-head').first().click();
  });
  await shot('session-responses', `${cc}/responses`, '.response');
  await shot('analytics', '/analytics?range=24h', '[data-testid="chart-tools"]');
  await shot('settings', '/settings', '[data-testid="server-url"]');
  // The light theme, on the sessions list.
  await page.evaluate(() => localStorage.setItem('tether.theme', 'light'));
  await shot('sessions-light', '/', '[data-session-id]');
  await page.evaluate(() => localStorage.setItem('tether.theme', 'dark'));
  return out;
}
