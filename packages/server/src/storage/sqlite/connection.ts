/** Opening the adapter's SQLite connections, and the settings every thread's connection shares. */
import { setPriority } from 'node:os';
import Database from 'better-sqlite3';

/** `normal`: every acknowledged write survives a crash of the process. `full`: also a power loss (fsync per commit). */
export type Durability = 'normal' | 'full';

/** Opens a connection with the adapter's settings (WAL, synchronous per durability, 64 MiB page cache). */
export function openConnection(file: string, durability: Durability = 'normal'): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536'); // 64 MiB of page cache: indexes of large logs stay in memory
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Lowers the calling thread's priority to nice 10 (the checkpoint thread; not the index thread, which every search
 * waits for), so that the threads answering requests (HTTP, writer) win when the cores are busy. On Linux the nice value is per thread: setpriority(2) for pid 0
 * (os.setPriority's default) changes only the calling thread. Not permitted or not supported: it keeps its priority.
 */
export function asBackgroundThread(): void {
  try {
    setPriority(10);
  } catch {
    /* keep the default priority */
  }
}
