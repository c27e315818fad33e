/**
 * The SQLite writer thread (see ThreadWriter in writer.ts): owns the only write connection of the database file,
 * executes transactions in the order they arrive.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openConnection, type Durability } from './connection.js';
import { eventPositions, TxRunner } from './transaction.js';
import type { FtsCommand, WriterReply, WriterRequest } from './threads.js';

/** `index`: a port to the full-text index thread, for the texts of committed events (FtsIndexer.offer). */
const { file, durability, index } = workerData as { file: string; durability: Durability; index?: MessagePort };
const db = openConnection(file, durability);
// Checkpoints run on their own thread (checkpoint-worker.ts; `autoCheckpoint` if it fails); the final one in `close`.
db.pragma('wal_autocheckpoint = 0');
const runner = new TxRunner(db);
const port = parentPort!;

/** After a failed transaction, those already sent after it are skipped until the owner answers with `reset`. */
let skipping = false;

port.on('message', (m: WriterRequest) => {
  if (m.t === 'reset') {
    skipping = false;
    return;
  }
  if (m.t === 'tx' && skipping) {
    port.postMessage({
      id: m.id,
      ok: false,
      skipped: true,
      message: 'not written: an earlier write it followed failed',
    } satisfies WriterReply);
    return;
  }
  let reply: WriterReply;
  try {
    if (m.t === 'tx') {
      const value = runner.run(m.tx);
      reply = { id: m.id, ok: true, value, ...(runner.forgotten.length ? { forgotten: runner.forgotten } : {}) };
      // After the commit, so that only committed events are offered; before the reply, which may lead to deletions.
      if (index && m.tx.texts?.length)
        index.postMessage({ t: 'offer', positions: eventPositions(m.tx), texts: m.tx.texts } satisfies FtsCommand);
    } else if (m.t === 'autoCheckpoint')
      reply = { id: m.id, ok: true, value: Number(db.pragma('wal_autocheckpoint = 1000', { simple: true })) };
    else {
      runner.close();
      reply = { id: m.id, ok: true, value: 0 };
    }
  } catch (err) {
    if (m.t === 'tx') skipping = true;
    const e = err as Error & { code?: unknown };
    reply = { id: m.id, ok: false, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) };
  }
  port.postMessage(reply);
});
