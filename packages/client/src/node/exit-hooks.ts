import type { TetherClient } from '../client.js';

/** Options of {@link installExitHooks}. */
export interface ExitHookOptions {
  /** How long to keep trying to deliver at exit, in ms. Default 5000. */
  timeoutMs?: number;
  /** Signals to flush on. Default ['SIGTERM']. */
  signals?: NodeJS.Signals[];
}

/**
 * Flushes a client when the Node process ends (Node only):
 * - normal end (`beforeExit`: the event loop ran dry): `close(timeoutMs)`, which delivers what is pending;
 * - each signal in `signals` (default SIGTERM): `close(timeoutMs)`, then, if no other listener handles that signal, the
 *   signal is raised again so the process ends as it would have (exit status 128+signal);
 * - `exit` (also after `process.exit()`): whatever is still only in memory is written synchronously to the spool when
 *   there is one (and sent on the next start), else reported lost.
 * Returns a function that removes the hooks.
 */
export function installExitHooks(client: TetherClient, options: ExitHookOptions = {}): () => void {
  const timeoutMs = options.timeoutMs ?? 5000;
  const signals = options.signals ?? ['SIGTERM'];
  let closing: Promise<boolean> | undefined;
  const close = () => (closing ??= client.close(timeoutMs));
  const onBeforeExit = () => {
    void close();
  };
  const onExit = () => {
    client.saveSync();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    void close().finally(() => {
      uninstall();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  };
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const s of signals) process.on(s, onSignal);
  function uninstall() {
    process.off('beforeExit', onBeforeExit);
    process.off('exit', onExit);
    for (const s of signals) process.off(s, onSignal);
  }
  return uninstall;
}
