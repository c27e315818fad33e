import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { loadConfig, startServer, type TetherConfig } from '@tether/server';

/** The dashboard build shipped in this checkout (packages/dashboard/dist), found relative to this file. */
export const DEFAULT_DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the Tether service (API, live feed and dashboard) on embedded SQLite or on PostgreSQL')
    .option('-p, --port <port>', 'TCP port, 0 for any free one [env TETHER_PORT, default 9000]')
    .option('-H, --host <host>', 'address to bind [env TETHER_HOST, default 127.0.0.1]')
    .option('-d, --data-dir <dir>', 'directory of the database [env TETHER_DATA_DIR, default ./data]')
    .addOption(
      new Option(
        '--storage <engine>',
        'sqlite: embedded, one server per data dir; postgres: several servers on one database [env TETHER_STORAGE, default sqlite]',
      ).choices(['sqlite', 'postgres']),
    )
    .option(
      '--database-url <url>',
      'PostgreSQL URL for --storage postgres, e.g. postgres://user:pw@host:5432/tether [env TETHER_DATABASE_URL]',
    )
    .addOption(
      new Option(
        '--durability <mode>',
        'normal: survives a process crash; full: also a power loss [env TETHER_DURABILITY]',
      ).choices(['normal', 'full']),
    )
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent [env TETHER_LOG_LEVEL, default info]')
    .option('--insecure', 'allow a non-loopback --host without API keys [env TETHER_INSECURE]')
    .option('--no-dashboard', 'do not serve the dashboard at /')
    .option(
      '--mcp-port <port>',
      "also serve /mcp alone on this port, e.g. 8678 for session-buddy's http://127.0.0.1:8678/mcp [env TETHER_MCP_PORT]",
    )
    .addHelpText('after', "\nEvery setting also reads its environment variable; see the README's configuration table.")
    .action(
      async (opts: {
        port?: string;
        host?: string;
        dataDir?: string;
        storage?: 'sqlite' | 'postgres';
        databaseUrl?: string;
        durability?: 'normal' | 'full';
        logLevel?: string;
        insecure?: boolean;
        dashboard: boolean;
        mcpPort?: string;
      }) => {
        const overrides: Partial<TetherConfig> = {
          ...(opts.port !== undefined ? { port: Number(opts.port) } : {}),
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
          ...(opts.storage ? { storage: opts.storage } : {}),
          ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
          ...(opts.durability ? { durability: opts.durability } : {}),
          ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
          ...(opts.insecure ? { insecure: true } : {}),
          ...(opts.dashboard === false ? { dashboardDir: '' } : {}),
          ...(opts.mcpPort !== undefined ? { mcpPort: Number(opts.mcpPort) } : {}),
        };
        if (
          overrides.mcpPort != null &&
          (!Number.isInteger(overrides.mcpPort) || overrides.mcpPort < 0 || overrides.mcpPort > 65535)
        )
          throw new Error(`--mcp-port must be 0–65535, got ${opts.mcpPort}`);
        if (
          overrides.port !== undefined &&
          (!Number.isInteger(overrides.port) || overrides.port < 0 || overrides.port > 65535)
        )
          throw new Error(`--port must be 0–65535, got ${opts.port}`);
        const config = loadConfig(process.env, overrides, DEFAULT_DASHBOARD_DIR);
        const server = await startServer(config);
        const storage =
          config.storage === 'postgres'
            ? { storage: 'postgres', database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@') }
            : { storage: 'sqlite', dataDir: config.dataDir, durability: config.durability };
        server.app.log.info(
          {
            url: server.url,
            ...storage,
            dashboard: config.dashboardDir || 'off',
            mcp: `${server.url}/mcp`,
            ...(server.mcpPort !== undefined ? { mcpPort: server.mcpPort } : {}),
          },
          `Tether listening on ${server.url}`,
        );
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          server.app.log.info({ signal }, 'shutting down: draining in-flight writes');
          const force = setTimeout(() => process.exit(1), 10_000);
          force.unref();
          server.close().then(
            () => process.exit(0),
            (err) => {
              server.app.log.error({ err }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      },
    );
}
