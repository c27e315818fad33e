import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { runA2ACanaries, formatReport } from '../canary/a2a/run.js';
import type { A2AVersion } from '../canary/a2a/wire.js';

/**
 * `tether canary a2a <agent-url>`: the session-continuity canaries against a running A2A runtime (docs/a2a.md).
 * Exit 0 only when the agent card and every canary pass; 1 otherwise.
 */
export function canaryCommand(): Command {
  const cmd = new Command('canary').description('Canary checks against running agent runtimes');
  cmd
    .command('a2a')
    .description(
      'Session-continuity canaries (name, file-only, file + caption, memory, isolation) against an A2A agent',
    )
    .argument('<agent-url>', "the agent's JSON-RPC endpoint, e.g. http://localhost:8000/")
    .addOption(new Option('--a2a-version <v>', 'wire shapes to send').choices(['0.3', '1.0', 'both']).default('0.3'))
    .addOption(
      new Option(
        '--tether-url <url>',
        'Tether the runtime stores in, for layer diagnostics and artifacts [env TETHER_URL]',
      ).env('TETHER_URL'),
    )
    .addOption(
      new Option('--api-key <key>', 'Tether API key with the read scope [env TETHER_API_KEY]').env('TETHER_API_KEY'),
    )
    .option('--no-diagnostics', 'do not read Tether')
    .option('--strict-diagnostics', 'a failed layer diagnostic fails its canary')
    .option('--session-prefix <p>', 'prefix of context sessions in Tether', 'a2a:')
    .option('--memory-namespace <ns>', 'memory namespace root, dot-separated', 'a2a.memories')
    .option('--restart-cmd <cmd>', 'shell command restarting the runtime between turn 1 and turn 2')
    .option('--logs-cmd <cmd>', "shell command printing the runtime's logs (last 200 lines go to the artifacts)")
    .option('--artifacts <dir>', 'where failures are dumped', 'artifacts/a2a-canary')
    .option('--workspace-dir <dir>', 'send the file + caption attachment by reference: write it here')
    .option('--workspace-url <prefix>', 'URL prefix the runtime sees --workspace-dir at (default file://<dir>)')
    .option('--only <names>', 'comma-separated canaries to run (name,file-only,file-caption,memory,isolation)')
    .option('--timeout <ms>', 'per request', (v) => Number(v), 30_000)
    .option('--ready-timeout <ms>', 'wait for the agent card after a restart', (v) => Number(v), 60_000)
    .option('--json', 'print the report as JSON')
    .action(
      async (
        agentUrl: string,
        o: {
          a2aVersion: '0.3' | '1.0' | 'both';
          tetherUrl?: string;
          apiKey?: string;
          diagnostics: boolean;
          strictDiagnostics?: boolean;
          sessionPrefix: string;
          memoryNamespace: string;
          restartCmd?: string;
          logsCmd?: string;
          artifacts: string;
          workspaceDir?: string;
          workspaceUrl?: string;
          only?: string;
          timeout: number;
          readyTimeout: number;
          json?: boolean;
        },
      ) => {
        const versions: A2AVersion[] = o.a2aVersion === 'both' ? ['0.3', '1.0'] : [o.a2aVersion];
        const report = await runA2ACanaries({
          agentUrl,
          versions,
          artifactsDir: resolve(o.artifacts),
          timeoutMs: o.timeout,
          readyTimeoutMs: o.readyTimeout,
          ...(o.tetherUrl && o.diagnostics
            ? {
                tether: {
                  url: o.tetherUrl,
                  ...(o.apiKey ? { apiKey: o.apiKey } : {}),
                  sessionPrefix: o.sessionPrefix,
                  memoryNamespace: o.memoryNamespace.split('.').filter(Boolean),
                },
              }
            : {}),
          ...(o.restartCmd ? { restartCmd: o.restartCmd } : {}),
          ...(o.logsCmd ? { logsCmd: o.logsCmd } : {}),
          ...(o.workspaceDir ? { workspaceDir: resolve(o.workspaceDir) } : {}),
          ...(o.workspaceUrl ? { workspaceUrl: o.workspaceUrl } : {}),
          ...(o.only ? { only: o.only.split(',').map((s) => s.trim()) } : {}),
          strictDiagnostics: !!o.strictDiagnostics,
        });
        process.stdout.write(`${o.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
        process.exitCode = report.ok ? 0 : 1;
      },
    );
  return cmd;
}
