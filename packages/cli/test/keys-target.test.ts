/**
 * `tether keys` refuses a store that the running service does not use (the user ran it in another directory and would
 * have created a fresh ./data nobody reads), and accepts the service's own store. Real `tether serve` processes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { freePort, kill, spawnServer } from '../../client/test/util.ts';

const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const run = promisify(execFile);

/** Runs the CLI in `cwd`; resolves with exit code and output (never rejects). */
async function tether(
  cwd: string,
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const base = { ...process.env };
    delete base.TETHER_DATA_DIR;
    delete base.TETHER_STORAGE;
    delete base.TETHER_URL;
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("tether keys: the store must be the running service's", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tether-keys-target-'));
  const serviceDir = join(tmp, 'service-data');
  const elsewhere = join(tmp, 'elsewhere');
  let port = 0;
  let url = '';
  let child: ChildProcess;

  before(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = await spawnServer(port, serviceDir);
    await run('mkdir', ['-p', elsewhere]);
  });
  after(async () => {
    await kill(child, 'SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  });

  it("refuses ./data in another directory while the service uses its own, naming the service's directory", async () => {
    for (const cmd of [
      ['keys', 'create', '--name', 'x'],
      ['keys', 'list'],
      ['keys', 'revoke', 'nope'],
    ]) {
      const r = await tether(elsewhere, { TETHER_URL: url }, ...cmd);
      assert.equal(r.code, 1, `${cmd.join(' ')}: ${r.stdout}`);
      assert.ok(r.stderr.includes(`uses the data directory ${serviceDir}`), r.stderr);
      assert.ok(r.stderr.includes(join(elsewhere, 'data')), r.stderr);
    }
    assert.equal(existsSync(join(elsewhere, 'data', 'tether.db')), false, 'no new database was created');
  });

  it("accepts the service's own directory (locked by it), and --force skips the check", async () => {
    const ok = await tether(elsewhere, { TETHER_URL: url }, 'keys', 'create', '--data-dir', serviceDir, '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    const forced = await tether(elsewhere, { TETHER_URL: url }, 'keys', 'list', '--force', '--json');
    assert.equal(forced.code, 0, forced.stderr);
  });

  it('with no service answering, a new database is created with a warning that says so', async () => {
    const quiet = `http://127.0.0.1:${await freePort()}`;
    const dir = join(tmp, 'fresh');
    const r = await tether(elsewhere, {}, 'keys', 'create', '--data-dir', dir, '--url', quiet, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: .*fresh holds no Tether database yet; creating a new one \(no service answered at/,
    );
    assert.ok(existsSync(join(dir, 'tether.db')));
    const again = await tether(elsewhere, {}, 'keys', 'list', '--data-dir', dir, '--url', quiet);
    assert.equal(again.stderr, '', 'an existing database needs no warning');
  });
});
