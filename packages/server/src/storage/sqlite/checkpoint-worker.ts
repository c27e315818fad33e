/**
 * The SQLite checkpoint thread (see ThreadWriter in writer.ts): every {@link EVERY_MS} ms it copies the pages committed
 * to the WAL back into the database file (`PRAGMA wal_checkpoint(PASSIVE)`, which never blocks the writer or readers),
 * so the writer thread's commits never wait for a checkpoint and its fsyncs. SQLite starts the WAL over from the
 * beginning once a checkpoint has copied all of it. If writes never pause long enough for that and the WAL passes
 * {@link RESTART_FRAMES} frames, a `RESTART` checkpoint briefly holds the writer back so that the WAL file stays bounded.
 */
import { workerData } from 'node:worker_threads';
import { asBackgroundThread, openConnection, type Durability } from './connection.js';

/** Interval between checkpoints, in ms. */
const EVERY_MS = 100;
/** WAL length, in frames (pages of 4 KiB), past which a blocking RESTART checkpoint runs: about 256 MiB. */
const RESTART_FRAMES = 65_536;

const { file, durability } = workerData as { file: string; durability: Durability };
asBackgroundThread();
const db = openConnection(file, durability);
db.pragma('wal_autocheckpoint = 0');

setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (r && r.log > RESTART_FRAMES) db.pragma('wal_checkpoint(RESTART)');
  } catch {
    /* busy or closing: the next interval tries again */
  }
}, EVERY_MS);
