/**
 * Opens the dashboard the service serves at `/` in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core), waits until every given session id is on the page, saves a full-page screenshot and returns the
 * page's visible text for `checkDashboard`.
 */
import { existsSync } from 'node:fs';

/** Where Chromium is looked for: `$CHROMIUM_PATH`, then Debian's and Ubuntu's paths. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => !!p && existsSync(p),
  );
}

export interface DashboardResult {
  text: string;
  screenshot: string;
  /** Console errors and failed requests the page produced, for the artifacts. */
  pageErrors: string[];
}

/**
 * Rejects with a readable message when `/` does not serve HTML (the dashboard is not built), Chromium or
 * playwright-core is missing, or the page fails to load. Waits up to `timeoutMs` (default 20,000 ms) for the ids;
 * a page that never shows them still returns its text (the check then names what is missing).
 */
export async function captureDashboard(
  baseUrl: string,
  sessionIds: string[],
  screenshot: string,
  timeoutMs = 20_000,
): Promise<DashboardResult> {
  const res = await fetch(`${baseUrl}/`);
  const type = res.headers.get('content-type') ?? '';
  if (res.status !== 200 || !type.includes('text/html')) {
    throw new Error(
      `dashboard: GET / answered ${res.status} ${type || '(no content-type)'} instead of the dashboard's HTML (is packages/dashboard built? npm run build -w @tether/dashboard)`,
    );
  }
  const executablePath = findChromium();
  if (!executablePath) throw new Error('dashboard: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('dashboard: playwright-core is not installed (npm ci)');
  }
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => pageErrors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(`${baseUrl}/`, { waitUntil: 'domcontentloaded' });
    await page
      .waitForFunction((ids: string[]) => ids.every((id) => document.body.innerText.includes(id)), sessionIds, {
        timeout: timeoutMs,
      })
      .catch(() => undefined);
    await page.screenshot({ path: screenshot, fullPage: true });
    const text = await page.evaluate(() => document.body.innerText);
    return { text, screenshot, pageErrors };
  } finally {
    await browser.close();
  }
}
