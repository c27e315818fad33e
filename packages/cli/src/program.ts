import { Command } from 'commander';
import { VERSION } from '@tether/server';
import { serveCommand } from './commands/serve.js';
import { sessionsCommand } from './commands/sessions.js';
import { keysCommand } from './commands/keys.js';
import { hookCommand } from './commands/hook.js';
import { setupCommand } from './commands/setup.js';
import { importCommand } from './commands/import.js';
import { tailCommand } from './commands/tail.js';
import { mcpCommand } from './commands/mcp.js';
import { canaryCommand } from './commands/canary.js';
import { archiveImportCommands, copyCommand, exportCommand } from './commands/archive.js';

/** The `tether` command tree. Each subcommand lives in commands/<name>.ts and registers itself here. */
export function buildProgram(): Command {
  const program = new Command('tether')
    .description('Tether: the session store and live feed for AI agents')
    .version(VERSION)
    .showHelpAfterError();
  program.addCommand(serveCommand());
  program.addCommand(sessionsCommand());
  program.addCommand(keysCommand());
  program.addCommand(hookCommand());
  program.addCommand(setupCommand());
  const imports = importCommand();
  for (const c of archiveImportCommands()) imports.addCommand(c);
  program.addCommand(imports);
  program.addCommand(exportCommand());
  program.addCommand(copyCommand());
  program.addCommand(tailCommand());
  program.addCommand(mcpCommand());
  program.addCommand(canaryCommand());
  return program;
}
