import type { Store } from '@tether/server';
import { eventsOf, exportArchive, sessionIdsOf, type ExportOptions } from './export.js';
import { EventChecksum } from './format.js';
import { importArchive, type ImportResult } from './import.js';

/** A session's event count and checksum in one store. */
export async function sessionChecksum(store: Store, sessionId: string): Promise<{ events: number; checksum: string }> {
  const sum = new EventChecksum();
  for await (const ev of eventsOf(store, sessionId)) sum.add(ev);
  return { events: sum.count, checksum: sum.digest() };
}

export interface CopyResult extends ImportResult {
  /** Sessions whose count and checksum differ between source and target after the copy. */
  mismatched: Array<{
    sessionId: string;
    source: { events: number; checksum: string };
    target: { events: number; checksum: string };
  }>;
  verified: number;
}

/**
 * Copies `from` into `to` (export piped into import, no file in between; idempotent, so a copy can be run again after
 * an interruption), then compares every copied session's event count and checksum in both stores.
 */
export async function copyStore(
  from: Store,
  to: Store,
  opts: ExportOptions,
  onProgress?: (r: ImportResult) => void,
): Promise<CopyResult> {
  // A bounded hand-over between the exporter and the importer: the exporter waits while 1,000 lines are queued.
  const queue: string[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  const producer = exportArchive(from, opts, async (line) => {
    queue.push(JSON.stringify(line));
    wake?.();
    if (queue.length >= 1000) await new Promise<void>((r) => (space = r));
  }).finally(() => {
    done = true;
    wake?.();
  });
  async function* lines(): AsyncGenerator<string> {
    for (;;) {
      if (queue.length) {
        yield queue.shift()!;
        if (queue.length < 500 && space) {
          const s = space;
          space = undefined;
          s();
        }
        continue;
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  }
  const [result] = await Promise.all([importArchive(to, lines(), onProgress), producer]);
  const mismatched: CopyResult['mismatched'] = [];
  let verified = 0;
  for await (const id of sessionIdsOf(from, opts)) {
    const [source, target] = await Promise.all([sessionChecksum(from, id), sessionChecksum(to, id)]);
    verified++;
    if (source.events !== target.events || source.checksum !== target.checksum)
      mismatched.push({ sessionId: id, source, target });
  }
  return { ...result, mismatched, verified };
}
