/**
 * The TypeScript SDK outside the repository, as docs/sdk.md tells a user to install it: `npm pack` of @tether/protocol
 * and @tether/client, `npm install <the two tarballs>` into an empty project in a temp dir (no workspace, no repo
 * node_modules; `--prefer-offline`: typebox comes from the npm cache when it is there), then a script in that project
 * imports the client, logs events to a real server and reads them back, and `tsc` type-checks a TypeScript user of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer } from '../../server/test/helpers.ts';
import { allEvents, ROOT } from './util.ts';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm-packed @tether/client (+ @tether/protocol) installs in an empty project and works against a real server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-pack-'));
  const srv = await startTestServer();
  try {
    const out = join(dir, 'tarballs');
    const app = join(dir, 'app');
    await run('mkdir', ['-p', out, app]);
    await run(NPM, ['pack', '-w', '@tether/protocol', '-w', '@tether/client', '--pack-destination', out, '--silent'], {
      cwd: ROOT,
    });
    const tarballs = readdirSync(out)
      .filter((f) => f.endsWith('.tgz'))
      .sort();
    assert.deepEqual(tarballs, ['tether-client-0.1.0.tgz', 'tether-protocol-0.1.0.tgz']);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'tether-pack-check', private: true, type: 'module' }),
    );
    await run(
      NPM,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', ...tarballs.map((t) => join(out, t))],
      { cwd: app },
    );

    writeFileSync(
      join(app, 'use.mjs'),
      `
import { TetherClient } from '@tether/client';
const c = new TetherClient({ baseUrl: process.argv[2], logger: false });
await c.sessions.create({ sessionId: 'packed-1', type: 'pack-check' });
const s = c.session('packed-1');
for (let i = 0; i < 3; i++) s.logAction({ tool: 'Bash', i });
if (!(await c.flush())) throw new Error('not flushed');
const page = await c.sessions.events('packed-1');
console.log(JSON.stringify({ kinds: page.events.map((e) => e.kind) }));
await c.close();
`,
    );
    const used = await run(process.execPath, ['use.mjs', srv.url], { cwd: app });
    assert.deepEqual(JSON.parse(used.stdout).kinds, ['session_created', 'action', 'action', 'action']);
    const stored = await allEvents(srv.url, 'packed-1');
    assert.equal(stored.filter((e) => e.kind === 'action').length, 3);

    // A TypeScript user: the declarations resolve from the installed packages alone.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['check.ts'],
      }),
    );
    writeFileSync(
      join(app, 'check.ts'),
      `
import { TetherClient, type TetherEvent } from '@tether/client';
const c = new TetherClient({ baseUrl: 'http://127.0.0.1:1' });
export async function first(): Promise<TetherEvent | undefined> { return (await c.sessions.events('x')).events[0]; }
`,
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app });
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
