import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { readdir, readFile, rename, unlink, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueuedEvent, Spool } from '../spool.js';

/** Options of {@link FileSpool}. */
export interface FileSpoolOptions {
  /** fsync each batch file before it counts as written (survives power loss, costs a disk flush per batch). Default false: survives process crashes and restarts. */
  fsync?: boolean;
}

let counter = 0;

/**
 * A {@link Spool} in a directory (Node only): one JSON-lines file per undelivered batch, named
 * `<ms since epoch, 15 digits>-<pid>-<counter>.jsonl` so that names sort oldest first; written to `*.tmp` and renamed, so a
 * crash never leaves half a batch. Each line is one ingest item with its client event id, so re-sending a batch after a
 * restart stores nothing twice. Use one directory per agent process at a time (two live processes sharing one would
 * send each other's batches; the server's dedupe keeps that exactly-once, but the work doubles).
 */
export class FileSpool implements Spool {
  readonly dir: string;
  private readonly fsync: boolean;

  constructor(dir: string, options: FileSpoolOptions = {}) {
    this.dir = dir;
    this.fsync = options.fsync ?? false;
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir))
      if (f.endsWith('.tmp'))
        try {
          unlinkSync(join(dir, f));
        } catch {
          /* gone */
        }
  }

  private name(): string {
    return `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(++counter).padStart(9, '0')}.jsonl`;
  }

  private static text(events: QueuedEvent[]): string {
    return events.map((e) => e.json).join('\n') + '\n';
  }

  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((f) => f.endsWith('.jsonl')).sort();
  }

  async read(ref: string): Promise<QueuedEvent[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, ref), 'utf8');
    } catch {
      return [];
    }
    const out: QueuedEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const item = JSON.parse(line) as { id: string; sessionId: string };
        out.push({ id: item.id, sessionId: item.sessionId, json: line });
      } catch {
        /* a torn line cannot happen with rename; skip anything unreadable */
      }
    }
    return out;
  }

  async write(events: QueuedEvent[]): Promise<string> {
    const ref = this.name();
    await this.put(ref, events);
    return ref;
  }

  async rewrite(ref: string, events: QueuedEvent[]): Promise<void> {
    await this.put(ref, events);
  }

  private async put(ref: string, events: QueuedEvent[]): Promise<void> {
    const tmp = join(this.dir, `${ref}.tmp`);
    if (this.fsync) {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(FileSpool.text(events));
        await fh.sync();
      } finally {
        await fh.close();
      }
    } else {
      await writeFile(tmp, FileSpool.text(events));
    }
    await rename(tmp, join(this.dir, ref));
  }

  async remove(ref: string): Promise<void> {
    try {
      await unlink(join(this.dir, ref));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  writeSync(events: QueuedEvent[]): void {
    const ref = this.name();
    const tmp = join(this.dir, `${ref}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, FileSpool.text(events));
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, ref));
  }
}
