import { spoolClaim, spoolDone, spoolList, spoolRelease, spoolWrite, type SpoolEntry } from './spool.js';

/**
 * The `command` hook: reads the payload Claude Code writes on stdin and forwards it to the service's hook endpoint
 * (the server does the mapping, the same as for an `http` hook). It must never slow or break Claude Code: it prints
 * nothing on stdout (stdout of some hooks becomes context), always exits 0, and gives up after `budgetMs`. What cannot
 * be sent is kept in the spool and sent, oldest first, by a later invocation, before the new payload (so PreToolUse
 * still comes before its PostToolUse). Kept free of heavy imports: it runs on every tool call.
 */

/** Must equal CLAUDE_CODE_HOOK_PATH and HOOK_TIME_HEADER of @tether/server (a test checks). */
export const HOOK_PATH = '/api/v1/hooks/claude-code';
export const HOOK_TIME_HEADER = 'x-tether-hook-time';

export interface HookRunOptions {
  /** Service base URL, e.g. http://127.0.0.1:9000. */
  url: string;
  apiKey?: string;
  spoolDir: string;
  /** Total time allowed (ms), reading stdin included. Default 2,000. */
  budgetMs?: number;
  /** Where the payload comes from; default process.stdin. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** What one invocation did: payloads sent (spooled ones included), newly spooled, dropped (rejected as bad or spool full). */
export interface HookRunResult {
  sent: number;
  spooled: number;
  dropped: number;
  pending: number;
}

function readStdin(stream: NodeJS.ReadableStream & { isTTY?: boolean }, ms: number): Promise<string> {
  if (stream.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      (stream as { destroy?: () => void }).destroy?.(); // a pipe left open must not keep the process alive
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, Math.max(1, ms));
    stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stream.once('end', done);
    stream.once('error', done);
  });
}

type SendResult = 'sent' | 'retry' | 'drop';

async function send(o: HookRunOptions, entry: SpoolEntry, timeoutMs: number): Promise<SendResult> {
  if (timeoutMs < 20) return 'retry';
  try {
    const res = await fetch(new URL(HOOK_PATH, o.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [HOOK_TIME_HEADER]: entry.firedAt,
        ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
      },
      body: JSON.stringify(entry.payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return 'sent';
    // A payload the service refuses as malformed will never be accepted: drop it. Auth, 404 (older service), 429, 5xx: retry later.
    return res.status === 400 || res.status === 413 || res.status === 415 ? 'drop' : 'retry';
  } catch {
    return 'retry';
  }
}

/** Runs the hook once. Never throws. */
export async function runClaudeHook(o: HookRunOptions): Promise<HookRunResult> {
  const end = Date.now() + (o.budgetMs ?? 2000);
  const left = () => end - Date.now();
  const result: HookRunResult = { sent: 0, spooled: 0, dropped: 0, pending: 0 };
  const firedAt = new Date().toISOString();
  let current: SpoolEntry | undefined;
  try {
    const text = await readStdin(o.stdin ?? process.stdin, Math.min(1000, left() / 2));
    const payload = text.trim() ? JSON.parse(text) : undefined;
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) current = { firedAt, payload };
  } catch {
    /* not JSON: nothing to forward */
  }
  let healthy = true;
  for (const name of spoolList(o.spoolDir)) {
    if (left() < 50) {
      healthy = false;
      break;
    }
    const c = spoolClaim(o.spoolDir, name);
    if (!c) continue;
    const r = await send(o, c.entry, Math.min(1000, left() - 20));
    if (r === 'retry') {
      spoolRelease(o.spoolDir, name, c.claimed);
      healthy = false;
      break;
    }
    spoolDone(c.claimed);
    if (r === 'sent') result.sent++;
    else result.dropped++;
  }
  if (current) {
    const r = healthy ? await send(o, current, Math.min(1500, left() - 20)) : 'retry';
    if (r === 'sent') result.sent++;
    else if (r === 'drop') result.dropped++;
    else if (spoolWrite(o.spoolDir, current)) result.spooled++;
    else result.dropped++;
  }
  result.pending = spoolList(o.spoolDir).length;
  return result;
}
