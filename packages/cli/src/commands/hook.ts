import { Command, Option } from 'commander';
import { runClaudeHook } from '../claude/hook-runner.js';
import { defaultSpoolDir } from '../claude/spool.js';
import { keyOption, urlOption } from '../http.js';

/**
 * `tether hook claude-code`: a Claude Code `command` hook. Reads the hook payload on stdin and forwards it to
 * `POST /api/v1/hooks/claude-code`; never fails (exit 0, nothing on stdout), gives up after `--budget-ms` and keeps
 * unsent payloads in the spool (`--spool-dir`, $TETHER_SPOOL_DIR, ~/.tether/spool) for a later invocation.
 * `--verbose` prints what it did on stderr.
 */
export function hookCommand(): Command {
  const cmd = new Command('hook').description('Hook receivers for agents (run by the agent, not by hand)');
  cmd
    .command('claude-code')
    .description(
      'Claude Code command hook: forwards the payload on stdin to the service; exit 0 always, spools when the service is down',
    )
    .addOption(urlOption())
    .addOption(keyOption())
    .addOption(
      new Option('--spool-dir <dir>', 'where unsent payloads wait [env TETHER_SPOOL_DIR]').env('TETHER_SPOOL_DIR'),
    )
    .option('--budget-ms <ms>', 'total time allowed, ms', '2000')
    .option('--verbose', 'print what was done on stderr')
    .action(async (o: { url: string; apiKey?: string; spoolDir?: string; budgetMs: string; verbose?: boolean }) => {
      try {
        const r = await runClaudeHook({
          url: o.url,
          ...(o.apiKey ? { apiKey: o.apiKey } : {}),
          spoolDir: o.spoolDir ?? defaultSpoolDir(),
          budgetMs: Number(o.budgetMs) || 2000,
        });
        if (o.verbose)
          process.stderr.write(
            `tether hook: sent ${r.sent}, spooled ${r.spooled}, dropped ${r.dropped}, waiting ${r.pending}\n`,
          );
      } catch {
        /* never fail the agent */
      }
      process.exitCode = 0;
    });
  return cmd;
}
