import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { mergeTetherHooks, tetherHooks, type HookChange } from '../claude/settings.js';
import { urlOption } from '../http.js';

interface SetupOpts {
  url: string;
  user?: boolean;
  project?: boolean;
  local?: boolean;
  dir: string;
  settings?: string;
  command?: boolean;
  hookCommand?: string;
  remove?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** The command-hook line: the fast entry (dist/claude/hook-main.js) run by this Node when it exists, else `tether hook claude-code`. */
function defaultHookCommand(url: string): string {
  const main = fileURLToPath(new URL('../claude/hook-main.js', import.meta.url));
  const base = existsSync(main) ? `"${process.execPath}" "${main}"` : 'tether hook claude-code';
  return `${base} --url ${url}`;
}

/** Which settings file: `--settings`, else `--user` (~/.claude/settings.json), `--local` (.claude/settings.local.json) or the project's .claude/settings.json under `--dir`. */
export function settingsPath(o: Pick<SetupOpts, 'settings' | 'user' | 'local' | 'dir'>): string {
  if (o.settings) return resolve(o.settings);
  if (o.user) return join(homedir(), '.claude', 'settings.json');
  return join(resolve(o.dir), '.claude', o.local ? 'settings.local.json' : 'settings.json');
}

/**
 * `tether setup claude-code`: writes Tether's hooks into a Claude Code settings file, merged with what is there
 * (idempotent: a second run changes nothing), and prints what changed. Exit 1 when the file is not valid JSON
 * (it is then left alone).
 */
export function setupCommand(): Command {
  const cmd = new Command('setup').description('Wire an agent to this service');
  cmd
    .command('claude-code')
    .description(
      'Add Tether hooks to Claude Code settings (.claude/settings.json by default), merging with existing hooks',
    )
    .addOption(urlOption())
    .option('--project', 'the project settings, <dir>/.claude/settings.json (default)')
    .option('--user', 'the user settings, ~/.claude/settings.json')
    .option('--local', 'the uncommitted project settings, <dir>/.claude/settings.local.json')
    .option('--dir <dir>', 'project directory', process.cwd())
    .option('--settings <file>', 'an explicit settings file')
    .option(
      '--command',
      'use command hooks (a local program forwards, spooling while the service is down) instead of http hooks',
    )
    .option('--hook-command <cmd>', "the command line for --command (default: this tether's fast hook entry)")
    .option('--remove', 'remove Tether hooks instead')
    .option('--dry-run', 'print the result, write nothing')
    .option('--json', 'print the changes as JSON')
    .action((o: SetupOpts) => {
      const file = settingsPath(o);
      let current: Record<string, unknown> = {};
      if (existsSync(file)) {
        const text = readFileSync(file, 'utf8');
        try {
          current = text.trim() ? JSON.parse(text) : {};
        } catch (err) {
          throw new Error(`${file} is not valid JSON (${(err as Error).message}); not changed`);
        }
        if (typeof current !== 'object' || current === null || Array.isArray(current))
          throw new Error(`${file} does not hold a JSON object; not changed`);
      }
      const ours = tetherHooks(
        o.command
          ? { kind: 'command', url: o.url, command: o.hookCommand ?? defaultHookCommand(o.url) }
          : { kind: 'http', url: o.url },
      );
      const { settings, changes } = mergeTetherHooks(current, ours, o.remove);
      const changed = changes.some((c) => c.change !== 'unchanged');
      if (changed && !o.dryRun) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(`${file}.tmp`, JSON.stringify(settings, null, 2) + '\n');
        renameSync(`${file}.tmp`, file);
      }
      if (o.json)
        return void process.stdout.write(
          JSON.stringify(
            { file, changed, written: changed && !o.dryRun, changes, ...(o.dryRun ? { settings } : {}) },
            null,
            2,
          ) + '\n',
        );
      process.stdout.write(describe(file, changes, changed, o) + '\n');
    });
  return cmd;
}

function describe(file: string, changes: HookChange[], changed: boolean, o: SetupOpts): string {
  if (!changed)
    return `${file}: already up to date (${changes.length ? changes.map((c) => c.event).join(', ') : 'no Tether hooks'})`;
  const by = (k: HookChange['change']) => changes.filter((c) => c.change === k).map((c) => c.event);
  const parts = (['added', 'updated', 'removed', 'unchanged'] as const)
    .filter((k) => by(k).length)
    .map((k) => `  ${k}: ${by(k).join(', ')}`);
  const how = o.remove
    ? ''
    : o.command
      ? ' (command hooks)'
      : ` (http hooks to ${o.url.replace(/\/+$/, '')}/api/v1/hooks/claude-code)`;
  return [`${o.dryRun ? 'would update' : 'updated'} ${file}${how}`, ...parts].join('\n');
}
