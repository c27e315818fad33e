/**
 * The server half of bench/fanout.ts: a Tether server on a free port with a fresh data directory, in its own process
 * so that its CPU use is apart from the benchmark's clients. Prints `URL <url>` on stdout once it listens; stops on
 * SIGTERM. Env: FANOUT_DATA_DIR (required).
 */
import { loadConfig, startServer } from '../packages/server/src/index.js';

const dataDir = process.env.FANOUT_DATA_DIR;
if (!dataDir) throw new Error('FANOUT_DATA_DIR is required');
const server = await startServer(loadConfig(process.env, { port: 0, dataDir, logLevel: 'warn', dashboardDir: '' }));
process.stdout.write(`URL ${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
