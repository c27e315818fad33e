/**
 * The memory page (`/memory`) in real Chromium against a real `tether serve`: namespaces listed, items under a clicked
 * namespace prefix, full-text search, a JSON filter, and the selected item's value. Screenshot: artifacts/dashboard/memory.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, ROOT, startTether, type Tether } from './helpers.ts';

let t: Tether;
let browser: Browser;
let page: Page;

before(async () => {
  t = await startTether();
  const put = (namespace: string[], key: string, value: Record<string, unknown>) =>
    t.api('PUT', '/api/v1/store/items', { namespace, key, value });
  await put(['users', 'ann', 'memories'], 'color', { text: 'favourite colour is blue', kind: 'fact', confidence: 0.9 });
  await put(['users', 'ann', 'memories'], 'pet', { text: 'has a cat named Tom', kind: 'fact' });
  await put(['users', 'ann', 'prefs'], 'tone', { text: 'prefers short answers', kind: 'pref' });
  await put(['users', 'bob', 'memories'], 'city', { text: 'lives in Lisbon', kind: 'fact' });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
});

after(async () => {
  await browser?.close();
  await t?.destroy();
});

const keys = async () =>
  (
    await page
      .locator('[data-testid="memory-items"] .memory-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))
  ).sort();

test('memory page: namespaces, items by prefix, full-text search, filter, value view', async () => {
  await page.goto(t.url + '/');
  await page.click('nav a[href="/memory"]');
  await page.waitForSelector('[data-testid="memory-namespaces"] [data-namespace="users.ann.memories"]', {
    timeout: 10_000,
  });
  assert.deepEqual(
    await page
      .locator('[data-testid="memory-namespaces"] [data-namespace]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-namespace'))),
    ['users.ann.memories', 'users.ann.prefs', 'users.bob.memories'],
  );
  await page.waitForSelector('[data-testid="memory-items"] .memory-item[data-key="city"]');
  assert.deepEqual(await keys(), ['city', 'color', 'pet', 'tone']);

  // A namespace narrows the items to its prefix (and lands in the URL).
  await page.click('[data-testid="memory-namespaces"] [data-namespace="users.ann.memories"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="memory-items"] .memory-item').length === 2);
  assert.deepEqual(await keys(), ['color', 'pet']);
  assert.match(page.url(), /prefix=users\.ann\.memories/);

  // Prefix typed by hand, then a full-text query.
  await page.fill('[data-testid="memory-prefix"]', 'users.ann');
  await page.press('[data-testid="memory-prefix"]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="memory-items"] .memory-item').length === 3);
  await page.fill('[data-testid="memory-query"]', 'cat');
  await page.press('[data-testid="memory-query"]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="memory-items"] .memory-item').length === 1);
  assert.deepEqual(await keys(), ['pet']);

  // A JSON filter on value fields.
  await page.fill('[data-testid="memory-query"]', '');
  await page.press('[data-testid="memory-query"]', 'Enter');
  await page.fill('[data-testid="memory-filter"]', '{"kind": "pref"}');
  await page.press('[data-testid="memory-filter"]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="memory-items"] .memory-item').length === 1);
  assert.deepEqual(await keys(), ['tone']);
  await page.fill('[data-testid="memory-filter"]', '');
  await page.press('[data-testid="memory-filter"]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="memory-items"] .memory-item').length === 3);

  // Selecting an item shows its value as a JSON tree.
  await page.click('[data-testid="memory-items"] .memory-item[data-key="color"]');
  await page.waitForSelector('[data-testid="memory-value"] .json-tree');
  const text = await page.locator('[data-testid="memory-value"]').innerText();
  assert.match(text, /favourite colour is blue/);
  assert.match(text, /confidence/);

  // A new item appears on reload (deep link keeps prefix and selection).
  await t.api('PUT', '/api/v1/store/items', {
    namespace: ['users', 'ann', 'memories'],
    key: 'food',
    value: { text: 'likes ramen' },
  });
  await page.reload();
  await page.waitForSelector('[data-testid="memory-items"] .memory-item[data-key="food"]', { timeout: 10_000 });
  await page.waitForSelector('[data-testid="memory-value"] .json-tree');
  const dir = join(ROOT, 'artifacts/dashboard');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, 'memory.png') });
});
