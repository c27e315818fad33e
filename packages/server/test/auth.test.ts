/** API keys: scopes ingest/read/admin, keys from TETHER_API_KEYS and from the store, refusal to bind openly. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, startServer } from '../src/index.js';
import { startTestServer } from './helpers.js';

const BIN = resolve(import.meta.dirname, '../../cli/dist/bin.js');
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

describe('API keys', () => {
  it('enforces scopes from TETHER_API_KEYS', async () => {
    const s = await startTestServer({}, { TETHER_API_KEYS: 'w-key:ingest,r-key:read,a-key:admin' });
    try {
      assert.equal((await s.req('GET', '/health')).status, 200, 'health is public');
      const anon = await s.req('POST', '/api/v1/actions/k1', { type: 'x' });
      assert.deepEqual([anon.status, anon.body.code], [401, 'unauthorized']);
      assert.equal((await s.req('POST', '/api/v1/actions/k1', { type: 'x' }, bearer('wrong'))).status, 401);
      assert.equal((await s.req('POST', '/api/v1/actions/k1', { type: 'x' }, bearer('w-key'))).status, 201);
      const wRead = await s.req('GET', '/api/v1/sessions/k1', undefined, bearer('w-key'));
      assert.deepEqual([wRead.status, wRead.body.code], [403, 'forbidden']);
      assert.equal((await s.req('GET', '/api/v1/sessions/k1', undefined, bearer('r-key'))).status, 200);
      assert.equal((await s.req('GET', '/api/v1/sessions', undefined)).status, 401);
      assert.equal((await s.req('POST', '/api/v1/actions/k1', { type: 'x' }, bearer('r-key'))).status, 403);
      assert.equal((await s.req('DELETE', '/api/v1/sessions/k1', undefined, bearer('r-key'))).status, 403);
      assert.equal((await s.req('DELETE', '/api/v1/sessions/k1', undefined, bearer('w-key'))).status, 403);
      assert.equal(
        (await s.req('GET', '/api/v1/sessions/k1', undefined, bearer('a-key'))).status,
        200,
        'admin implies read',
      );
      assert.equal((await s.req('DELETE', '/api/v1/sessions/k1', undefined, bearer('a-key'))).status, 200);
      assert.equal((await s.req('GET', '/metrics')).status, 401);
    } finally {
      await s.stop();
    }
  });

  it('`tether keys create|list|revoke` keys work against a running server', async () => {
    const s = await startTestServer();
    try {
      assert.equal((await s.req('GET', '/api/v1/sessions')).status, 200, 'open while no key exists');
      const out = JSON.parse(
        execFileSync(
          process.execPath,
          [BIN, 'keys', 'create', '--data-dir', s.dataDir, '--name', 'ci', '--scopes', 'read', '--json'],
          { encoding: 'utf8' },
        ),
      );
      assert.match(out.secret, /^tth_/);
      const listed = JSON.parse(
        execFileSync(process.execPath, [BIN, 'keys', 'list', '--data-dir', s.dataDir, '--json'], { encoding: 'utf8' }),
      );
      assert.deepEqual(
        listed.map((k: { id: string; scopes: string[] }) => [k.id, k.scopes]),
        [[out.id, ['read']]],
      );
      assert.ok(!JSON.stringify(listed).includes(out.secret), 'secrets are never listed');
      // The key ring re-reads the store within 5 s.
      let status = 0;
      for (let i = 0; i < 120 && status !== 401; i++) {
        status = (await s.req('GET', '/api/v1/sessions')).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 401, 'a key in the store turns authentication on');
      assert.equal((await s.req('GET', '/api/v1/sessions', undefined, bearer(out.secret))).status, 200);
      execFileSync(process.execPath, [BIN, 'keys', 'revoke', out.id, '--data-dir', s.dataDir]);
      let revoked = 0;
      for (let i = 0; i < 120 && revoked !== 401; i++) {
        revoked = (await s.req('GET', '/api/v1/sessions', undefined, bearer(out.secret))).status;
        if (revoked !== 401) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(revoked, 401, 'revoked key refused');
    } finally {
      await s.stop();
    }
  });

  it('refuses a non-loopback host without keys unless insecure', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-auth-'));
    try {
      await assert.rejects(
        startServer(loadConfig({}, { host: '0.0.0.0', port: 0, dataDir, logLevel: 'silent', dashboardDir: '' })),
        /without API keys/,
      );
      const open = await startServer(
        loadConfig({}, { host: '0.0.0.0', port: 0, dataDir, logLevel: 'silent', dashboardDir: '', insecure: true }),
      );
      await open.close();
      const keyed = await startServer(
        loadConfig(
          { TETHER_API_KEYS: 'k' },
          { host: '0.0.0.0', port: 0, dataDir, logLevel: 'silent', dashboardDir: '' },
        ),
      );
      await keyed.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects bad configuration with a clear message', () => {
    assert.throws(() => loadConfig({ TETHER_API_KEYS: 'k:root' }), /unknown scope "root"/);
    assert.throws(() => loadConfig({ TETHER_DURABILITY: 'maybe' }), /normal or full/);
    assert.throws(() => loadConfig({ TETHER_PORT: 'abc' }), /TETHER_PORT/);
  });
});
