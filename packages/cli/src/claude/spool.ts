import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory of hook payloads waiting to be sent, one JSON file per payload (`{firedAt, payload}`), named so that
 * sorting the names gives the order the hooks fired in. Files are claimed by renaming before they are sent, so two
 * hook processes draining at once do not send the same payload twice; a claim older than {@link STALE_CLAIM_MS} is
 * given back (its process died).
 */

/** One spooled hook: when it fired (ISO 8601) and the payload Claude Code gave the hook. */
export interface SpoolEntry {
  firedAt: string;
  payload: unknown;
}

/** Most files kept; past it new payloads are dropped (with a line on stderr), so a long outage cannot fill the disk. */
export const SPOOL_MAX_FILES = 20_000;
const STALE_CLAIM_MS = 60_000;
const CLAIM = '.sending';

/** The spool directory: `$TETHER_SPOOL_DIR`, else `~/.tether/spool`. */
export function defaultSpoolDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TETHER_SPOOL_DIR || join(homedir(), '.tether', 'spool');
}

let counter = 0;

/** Writes an entry; false when the spool is full or cannot be written. */
export function spoolWrite(dir: string, entry: SpoolEntry): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (readdirSync(dir).length >= SPOOL_MAX_FILES) return false;
    const ms = String(Date.parse(entry.firedAt) || Date.now()).padStart(15, '0');
    const name = `${ms}-${String(process.pid).padStart(7, '0')}-${String(counter++).padStart(4, '0')}.json`;
    writeFileSync(join(dir, `${name}.tmp`), JSON.stringify(entry), { mode: 0o600 });
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/** Names of the waiting entries, oldest first; gives back stale claims first. */
export function spoolList(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const now = Date.now();
  for (const n of names) {
    if (!n.endsWith(CLAIM)) continue;
    try {
      if (now - statSync(join(dir, n)).mtimeMs > STALE_CLAIM_MS)
        renameSync(join(dir, n), join(dir, n.slice(0, n.indexOf('.json') + 5)));
    } catch {
      /* another process took it */
    }
  }
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
}

/** Claims an entry (renames it) and reads it; undefined when another process has it or it is unreadable (then removed). */
export function spoolClaim(dir: string, name: string): { entry: SpoolEntry; claimed: string } | undefined {
  const claimed = join(dir, `${name}.${process.pid}${CLAIM}`);
  try {
    renameSync(join(dir, name), claimed);
  } catch {
    return undefined;
  }
  try {
    return { entry: JSON.parse(readFileSync(claimed, 'utf8')) as SpoolEntry, claimed };
  } catch {
    try {
      unlinkSync(claimed);
    } catch {
      /* gone */
    }
    return undefined;
  }
}

/** Removes a sent entry. */
export function spoolDone(claimed: string): void {
  try {
    unlinkSync(claimed);
  } catch {
    /* gone */
  }
}

/** Gives a claimed entry back (not sent). */
export function spoolRelease(dir: string, name: string, claimed: string): void {
  try {
    renameSync(claimed, join(dir, name));
  } catch {
    /* gone */
  }
}
