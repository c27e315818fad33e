/**
 * `tether setup claude-code` on temp directories (real CLI process): merges with existing settings and hooks, is
 * idempotent, switches kinds without duplicating, removes cleanly, refuses broken JSON; the plugin's hooks.json is
 * what setup writes for the default URL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, tether, USE_DIST } from './claude-helpers.ts';
import { CLAUDE_CODE_HOOK_EVENTS } from '../src/index.ts';
import { tetherHooks } from '../../cli/src/claude/settings.ts';

const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
const tetherEntries = (groups: any[] = []) =>
  groups
    .flatMap((g) => g.hooks)
    .filter(
      (h: any) => h.url?.endsWith('/api/v1/hooks/claude-code') || /hook claude-code|hook-main/.test(h.command ?? ''),
    );

describe('tether setup claude-code', () => {
  let dir: string;
  let file: string;
  const existing = {
    permissions: { allow: ['Bash(npm test)'] },
    env: { FOO: '1' },
    hooks: {
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/guard.sh', timeout: 10 }] }],
      Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
    },
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tether-setup-'));
    file = join(dir, '.claude', 'settings.json');
    mkdirSync(join(dir, '.claude'));
    writeFileSync(file, JSON.stringify(existing, null, 2));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('adds http hooks for every event and keeps everything that was there', async () => {
    const r = await tether(['setup', 'claude-code', '--project', '--dir', dir, '--url', 'http://tether.local:9000/']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /updated .*settings\.json/);
    assert.match(r.stdout, /added: SessionStart, UserPromptSubmit, PreToolUse/);
    const s = read(file);
    assert.deepEqual(s.permissions, existing.permissions);
    assert.deepEqual(s.env, existing.env);
    assert.deepEqual(Object.keys(s.hooks).sort(), [...CLAUDE_CODE_HOOK_EVENTS].sort());
    for (const e of CLAUDE_CODE_HOOK_EVENTS) {
      const ours = tetherEntries(s.hooks[e]);
      assert.equal(ours.length, 1, e);
      assert.equal(ours[0].type, 'http');
      assert.equal(ours[0].url, 'http://tether.local:9000/api/v1/hooks/claude-code');
      assert.deepEqual(ours[0].allowedEnvVars, ['TETHER_API_KEY']);
    }
    assert.deepEqual(s.hooks.PreToolUse[0], existing.hooks.PreToolUse[0], "the user's own hook is untouched");
    assert.deepEqual(s.hooks.Stop[0], existing.hooks.Stop[0]);
    assert.equal(s.hooks.PreToolUse.find((g: any) => tetherEntries([g]).length).matcher, '*');
  });

  test('a second run changes nothing', async () => {
    const before = readFileSync(file, 'utf8');
    const r = await tether(['setup', 'claude-code', '--dir', dir, '--url', 'http://tether.local:9000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.changed, false);
    assert.ok(out.changes.every((c: any) => c.change === 'unchanged'));
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('switching to command hooks replaces ours without duplicates; --remove takes them out', async () => {
    const r = await tether([
      'setup',
      'claude-code',
      '--dir',
      dir,
      '--command',
      '--hook-command',
      'tether hook claude-code',
      '--url',
      'http://tether.local:9000',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /updated: SessionStart/);
    let s = read(file);
    for (const e of CLAUDE_CODE_HOOK_EVENTS) {
      const ours = tetherEntries(s.hooks[e]);
      assert.equal(ours.length, 1, e);
      assert.deepEqual(ours[0], { type: 'command', command: 'tether hook claude-code', timeout: 5 });
    }
    const rm = await tether(['setup', 'claude-code', '--dir', dir, '--remove']);
    assert.equal(rm.code, 0, rm.stderr);
    s = read(file);
    assert.deepEqual(s.hooks, existing.hooks);
    assert.deepEqual(s.permissions, existing.permissions);
  });

  test('--user writes ~/.claude/settings.json, creating it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tether-home-'));
    try {
      const r = await tether(['setup', 'claude-code', '--user', '--command'], { env: { HOME: home } });
      assert.equal(r.code, 0, r.stderr);
      const s = read(join(home, '.claude', 'settings.json'));
      const cmd = tetherEntries(s.hooks.PostToolUse)[0].command as string;
      assert.match(cmd, /(tether hook claude-code|hook-main\.js") --url http:\/\/127\.0\.0\.1:9000$/);
      const main = /"([^"]+hook-main\.js)"/.exec(cmd)?.[1];
      if (USE_DIST) assert.ok(main && existsSync(main), 'the built CLI writes its fast hook entry, by absolute path');
      else assert.match(cmd, /^tether hook claude-code/, 'run from source: falls back to the tether command');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a settings file that is not JSON is left alone', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "hooks": ');
    const r = await tether(['setup', 'claude-code', '--settings', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not valid JSON/);
    assert.equal(readFileSync(bad, 'utf8'), '{ "hooks": ');
  });

  test('the plugin folder carries the same hooks setup writes for the default URL', () => {
    const plugin = join(ROOT, 'integrations/claude-code-plugin');
    const manifest = read(join(plugin, '.claude-plugin/plugin.json'));
    assert.equal(manifest.name, 'tether');
    assert.ok(existsSync(join(plugin, 'hooks/hooks.json')));
    assert.deepEqual(
      read(join(plugin, 'hooks/hooks.json')).hooks,
      tetherHooks({ kind: 'http', url: 'http://127.0.0.1:9000' }),
    );
  });
});
