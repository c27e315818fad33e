/** `tether serve` serves a built dashboard at `/`, deep links get index.html, API paths keep problem+json. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startTestServer } from './helpers.js';

it('serves the dashboard with a single-page-app fallback', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-dash-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tether</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  const s = await startTestServer({ dashboardDir: dir }, { TETHER_API_KEYS: 'k:read' });
  try {
    const root = await fetch(`${s.url}/`);
    assert.equal(root.status, 200);
    assert.match(await root.text(), /<title>Tether<\/title>/);
    const asset = await fetch(`${s.url}/assets/app.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    const deep = await fetch(`${s.url}/sessions/abc`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200, 'deep link served without a key: the page asks for one');
    assert.match(await deep.text(), /id="root"/);
    const api = await fetch(`${s.url}/api/v1/nope`, { headers: { accept: 'text/html', authorization: 'Bearer k' } });
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
    const missingAsset = await fetch(`${s.url}/assets/missing.js`);
    assert.equal(missingAsset.status, 404);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
