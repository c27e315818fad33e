#!/usr/bin/env node
/**
 * Fast entry point of the Claude Code `command` hook (what `tether setup claude-code --command` writes): the same as
 * `tether hook claude-code` without loading the rest of the CLI, so it starts in about 0.1 s.
 * Options: `--url <url>` (else $TETHER_URL, else http://127.0.0.1:9000), `--spool-dir <dir>` (else $TETHER_SPOOL_DIR,
 * else ~/.tether/spool), `--budget-ms <n>` (default 2000). API key: $TETHER_API_KEY. Always exits 0, prints nothing.
 */
import { runClaudeHook } from './hook-runner.js';
import { defaultSpoolDir } from './spool.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

runClaudeHook({
  url: arg('--url') ?? process.env.TETHER_URL ?? 'http://127.0.0.1:9000',
  ...(process.env.TETHER_API_KEY ? { apiKey: process.env.TETHER_API_KEY } : {}),
  spoolDir: arg('--spool-dir') ?? defaultSpoolDir(),
  budgetMs: Number(arg('--budget-ms') ?? 2000) || 2000,
})
  .catch(() => undefined)
  .finally(() => process.exit(0));
