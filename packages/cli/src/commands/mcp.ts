import { Command } from 'commander';
import { TetherClient } from '@tether/client';
import { serveStdio } from '@tether/mcp';
import { VERSION } from '@tether/server';
import { keyOption, urlOption, type ConnOpts } from '../http.js';

/**
 * `tether mcp`: the Tether MCP server on stdio (for Claude Desktop, Claude Code `--transport stdio`, agent frameworks),
 * talking to a running service over its REST API with `--url` and `--api-key`, so it works from inside a container.
 * stdout carries only MCP messages; diagnostics go to stderr.
 */
export function mcpCommand(): Command {
  return new Command('mcp')
    .description('Serve the Tether MCP tools on stdio, talking to a running service (--url, --api-key)')
    .addOption(urlOption())
    .addOption(keyOption())
    .option('--timeout-ms <ms>', 'per-request timeout towards the service', '10000')
    .addHelpText(
      'after',
      '\nThe service itself serves the same tools over Streamable HTTP at <url>/mcp; see docs/mcp.md.',
    )
    .action(async (o: ConnOpts & { timeoutMs: string }) => {
      const client = new TetherClient({
        baseUrl: o.url,
        ...(o.apiKey ? { apiKey: o.apiKey } : {}),
        timeoutMs: Number(o.timeoutMs) || 10_000,
        maxRetries: 1,
      });
      process.stderr.write(`tether mcp: serving MCP on stdio for ${o.url}\n`);
      await serveStdio(client, VERSION);
    });
}
