/**
 * The full-text index thread (see ThreadWriter in writer.ts): reads committed events from the main database file and
 * indexes them into the index's own file (attachFts), in the background and on request (before every search), so
 * that neither the HTTP thread nor the writer thread spends time on indexing, and indexing takes no write lock of the
 * main file.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { attachFts, FtsIndexer, ftsFileFor } from './fts-indexer.js';
import { openConnection, type Durability } from './connection.js';
import type { FtsCommand, FtsRequest, WriterReply } from './threads.js';

/**
 * `offers`: the writer thread's port, over which it sends the texts of the events it committed (`offer`).
 * `progress`: one float64 of shared memory where this thread publishes the newest indexed position after every slice.
 */
const { file, durability, offers, progress } = workerData as {
  file: string;
  durability: Durability;
  offers?: MessagePort;
  progress?: SharedArrayBuffer;
};
const db = openConnection(file, durability);
attachFts(db, ftsFileFor(file), durability === 'full' ? 'FULL' : 'NORMAL');
const fts = new FtsIndexer(db, true);
if (progress) {
  const indexed = new Float64Array(progress);
  indexed[0] = fts.position();
  fts.onIndexed = (pos) => (indexed[0] = pos);
}
const port = parentPort!;
offers?.on('message', (m: FtsCommand) => {
  if (m.t === 'offer') fts.offer(m.positions, m.texts);
});
offers?.unref();

port.on('message', (m: FtsRequest) => {
  try {
    if (m.t === 'forget') return fts.forget(m.positions);
    if (m.t === 'catchUp') return port.postMessage({ id: m.id, ok: true, value: fts.catchUp() } satisfies WriterReply);
    fts.stop();
    fts.catchUp();
    db.pragma('fts.wal_checkpoint(TRUNCATE)');
    db.close();
    port.postMessage({ id: m.id, ok: true, value: 0 } satisfies WriterReply);
  } catch (err) {
    if (m.t !== 'forget')
      port.postMessage({ id: m.id, ok: false, message: (err as Error).message } satisfies WriterReply);
  }
});
