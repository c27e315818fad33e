/**
 * Takes the screenshots in docs/screenshots/ (1280×800 PNGs, dark theme, plus the list in the light theme):
 *   npm run build && npm run build -w @tether/dashboard
 *   node --import tsx packages/dashboard/test/screenshots.ts [outDir]
 * Starts its own `tether serve` on 127.0.0.1 with demo data (seeded sessions, a test session, an imported Claude Code
 * transcript with sub-agents), then removes it.
 */
import { join } from 'node:path';
import { importClaude, launchBrowser, ROOT, seedSessions, startTether } from './helpers.ts';
import { captureViews } from './capture.ts';

const outDir = process.argv[2] ?? join(ROOT, 'docs/screenshots');
const t = await startTether();
const browser = await launchBrowser();
try {
  await seedSessions(t, 16);
  const claude = await importClaude(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(t.url + '/');
  await page.click('[data-testid="create-test-session"]');
  await page.waitForURL(/\/sessions\/test-/);
  const rich = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
  const files = await captureViews(page, t.url, outDir, { richSession: rich, claudeSession: claude.sessionId });
  console.log(files.join('\n'));
} finally {
  await browser.close();
  await t.destroy();
}
