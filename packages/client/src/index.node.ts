/**
 * The root entry as Node resolves it (package.json "exports" condition `node`): the same public API as index.ts, plus
 * the seed-compatible default client gets Node's extras — `TETHER_SPOOL_DIR` and flushing at exit / on SIGTERM.
 */
import { setDefaultClientFactory } from './compat.js';
import { createNodeClient, nodeConfigFromEnv } from './node/index.js';

setDefaultClientFactory((options) => createNodeClient({ ...nodeConfigFromEnv(), ...options }));

// Same public surface as the browser entry (listed in index.ts).
export * from './index.js';
export { default } from './index.js';
