/**
 * Issue #12, item 5: a full disk, for real. The data directory is a tmpfs of a few MB mounted by this test (needs
 * root or password-less sudo; CI runners have it), filled by writes until they are refused. Then: writes answer 507
 * insufficient_storage with Retry-After, reads (lists, stats, analytics, search) keep working, /ready answers 503,
 * the log has a line per interval, not per request. The file system is grown again: writes recover, and every
 * acknowledged write is there, also after a restart. The mount is always removed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

/** Runs mount/umount directly as root, else through `sudo -n`; returns false when neither is permitted. */
function privileged(args: string[]): boolean {
  for (const [cmd, argv] of [
    [args[0]!, args.slice(1)],
    ['sudo', ['-n', ...args]],
  ] as const) {
    try {
      execFileSync(cmd, argv, { stdio: 'ignore' });
      return true;
    } catch {
      /* try the next way */
    }
  }
  return false;
}

const canMount = (() => {
  const probe = mkdtempSync(join(tmpdir(), 'tether-mount-probe-'));
  const ok = privileged(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tether-probe', probe]);
  if (ok) privileged(['umount', probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

it('full disk: 507 with Retry-After, reads work, /ready 503, one log line per interval, recovery keeps every acknowledged write', {
  skip: canMount ? false : 'mounting a tmpfs needs root or sudo -n',
}, async () => {
  const mnt = mkdtempSync(join(tmpdir(), 'tether-full-'));
  assert.ok(privileged(['mount', '-t', 'tmpfs', '-o', 'size=3m', 'tether-full', mnt]));
  const logs: string[] = [];
  const origWrite = process.stdout.write.bind(process.stdout);
  let s: TestServer | undefined;
  try {
    process.stdout.write = ((chunk: string | Uint8Array) => {
      logs.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    s = await startTestServer({ dataDir: mnt, logLevel: 'warn' });
    const acknowledged: Array<{ session: string; n: number }> = [];
    const payload = 'x'.repeat(20_000);
    let refused: Awaited<ReturnType<TestServer['req']>> | undefined;
    for (let n = 0; n < 2000 && !refused; n++) {
      const session = `fill-${n % 10}`;
      const r = await s.req('POST', `/api/v1/actions/${session}`, { type: 'tool_call', n, payload });
      if (r.status === 201) acknowledged.push({ session, n });
      else refused = r;
    }
    assert.ok(refused, 'the disk filled up');
    assert.ok(acknowledged.length > 10, `some writes were stored first (${acknowledged.length})`);
    assert.equal(refused.status, 507, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'insufficient_storage');
    assert.match(refused.headers.get('content-type') ?? '', /problem\+json/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After');
    // More refused writes of every kind: each 507, never 500.
    for (let i = 0; i < 30; i++) {
      const r = await s.req('POST', `/api/v1/actions/more-${i}`, { type: 'x', payload });
      assert.equal(r.status, 507, JSON.stringify(r.body));
    }
    const ingest = await s.req('POST', '/api/v1/ingest', {
      events: [{ sessionId: 'fill-0', kind: 'action', data: { payload } }],
    });
    assert.equal(ingest.status, 507);
    // Reads keep working.
    for (const path of [
      '/api/v1/sessions',
      '/api/v1/query/stats',
      '/api/v1/query/analytics',
      '/api/v1/query/recent',
      '/api/v1/query/search?q=tool_call',
      '/api/v1/actions/fill-1',
      '/health',
    ]) {
      const r = await s.req('GET', path);
      assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    const ready = await s.req('GET', '/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.reason, 'storage full');
    const diskLines = logs
      .join('')
      .split('\n')
      .filter((l) => /disk|full|SQLITE_FULL|507/i.test(l));
    assert.ok(
      diskLines.length >= 1 && diskLines.length <= 3,
      `one log line per interval, not per request (${diskLines.length}):\n${diskLines.join('\n').slice(0, 2000)}`,
    );

    // Free space: grow the file system. Writes commit again (after at most a Retry-After), /ready is 200 again.
    assert.ok(privileged(['mount', '-o', 'remount,size=64m', mnt]));
    let after = 0;
    for (let i = 0; i < 50 && after !== 201; i++) {
      after = (await s.req('POST', '/api/v1/actions/fill-0', { type: 'after', n: -1 })).status;
      if (after !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(after, 201, 'writes recover');
    acknowledged.push({ session: 'fill-0', n: -1 });
    assert.equal((await s.req('GET', '/ready')).status, 200);

    const check = async (srv: TestServer) => {
      for (let k = 0; k < 10; k++) {
        const want = acknowledged
          .filter((a) => a.session === `fill-${k}`)
          .map((a) => a.n)
          .sort((a, b) => a - b);
        const got = (await srv.req('GET', `/api/v1/actions/fill-${k}`)).body.actions
          .map((a: { n: number }) => a.n)
          .sort((a: number, b: number) => a - b);
        for (const n of want) assert.ok(got.includes(n), `fill-${k}: acknowledged action ${n} kept`);
      }
    };
    await check(s);
    await s.stop();
    s = await startTestServer({ dataDir: mnt, logLevel: 'warn' });
    await check(s);
  } finally {
    process.stdout.write = origWrite;
    await s?.stop().catch(() => undefined);
    privileged(['umount', '-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});
