import { Command, Option } from 'commander';
import { keyOption, urlOption, type ConnOpts } from '../http.js';

/** A live-feed message as the SSE routes send it (docs/live-feed.md). */
export interface LiveMessage {
  type: string;
  channel?: string;
  sessionId?: string;
  seq?: number;
  pos?: number;
  kind?: string;
  timestamp?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

const ANSI = { dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', blue: '\x1b[34m', magenta: '\x1b[35m', cyan: '\x1b[36m', reset: '\x1b[0m' };
const KIND_COLOR: Record<string, keyof typeof ANSI> = {
  session_created: 'magenta', session_finalized: 'magenta', session_deleted: 'red', action: 'cyan', response: 'green',
  state_patched: 'blue', metadata_updated: 'blue', goal_added: 'yellow', goal_updated: 'yellow', agent_spawned: 'yellow', agent_completed: 'yellow',
};

function oneLine(v: unknown, max: number): string {
  if (v === undefined || v === null) return '';
  const s = (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The short payload shown for an event: what a reader most wants per kind. */
function summary(kind: string, d: Record<string, unknown>): string {
  const { tool, toolName, ...rest } = d;
  void tool;
  void toolName;
  switch (kind) {
    case 'action': return oneLine(d.error !== undefined ? `error: ${oneLine(d.error, 200)}` : d.input ?? d.details ?? rest, 200);
    case 'response': return oneLine(d.content ?? rest, 200);
    case 'state_patched': case 'metadata_updated': return oneLine(d.patch, 200);
    case 'goal_added': return oneLine(`${d.goalId ?? ''} ${d.description ?? ''}`, 200);
    case 'goal_updated': return oneLine(`${d.goalId ?? ''} ${d.status ?? ''}`, 200);
    case 'agent_spawned': return oneLine(`${d.agentId ?? ''} ${d.type ?? ''} ${oneLine(d.task, 120)}`, 200);
    case 'agent_completed': return oneLine(`${d.agentId ?? ''} ${d.status ?? 'completed'}`, 200);
    case 'session_created': return oneLine([d.userId && `user=${d.userId}`, d.type && `type=${d.type}`, d.autoCreated && 'auto-created'].filter(Boolean).join(' '), 200);
    case 'session_finalized': return oneLine(d.status, 200);
    default: return oneLine(rest, 200);
  }
}

/**
 * One readable line for a live message: local time, position (`#seq`, or `session#seq` on the firehose), kind, tool and
 * a short payload. ANSI colors only when `color` (stdout is a TTY and NO_COLOR is unset). Undefined for control messages.
 */
export function formatMessage(m: LiveMessage, opts: { all: boolean; color: boolean }): string | undefined {
  if (m.type === 'session_deleted') {
    const line = `${new Date(m.timestamp ?? Date.now()).toISOString().slice(11, 23)}  ${opts.all ? `${m.sessionId}  ` : ''}session_deleted`;
    return opts.color ? `${ANSI.red}${line}${ANSI.reset}` : line;
  }
  if (typeof m.seq !== 'number' || !m.kind) return undefined;
  const c = (name: keyof typeof ANSI, s: string) => (opts.color ? `${ANSI[name]}${s}${ANSI.reset}` : s);
  const d = m.data ?? {};
  const time = new Date(m.timestamp ?? Date.now()).toISOString().slice(11, 23);
  const where = opts.all ? `${m.sessionId}#${m.seq}` : `#${m.seq}`;
  const tool = typeof d.tool === 'string' ? d.tool : typeof d.toolName === 'string' ? d.toolName : '';
  const failed = m.kind === 'action' && d.error !== undefined;
  return [c('dim', time), where.padEnd(opts.all ? 24 : 6), c(failed ? 'red' : KIND_COLOR[m.kind] ?? 'reset', m.kind.padEnd(17)), tool ? c('yellow', tool.padEnd(10)) : '', summary(m.kind, d)]
    .filter((p) => p !== '').join('  ').trimEnd();
}

/** Splits an SSE byte stream into messages (`id:` and joined `data:` lines); comments are skipped. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<{ id?: string; data: string }> {
  const dec = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += dec.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { ...(id !== undefined ? { id } : {}), data: data.join('\n') };
    }
  }
}

interface TailOpts extends ConnOpts {
  all?: boolean;
  after?: string;
  last?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows a session (or every session with `all`) over SSE until interrupted, reconnecting with backoff
 * (0.5 s doubling to 10 s) and resuming from the last seq/pos it printed, so nothing is lost or printed twice.
 * Throws on an answer that retrying cannot fix (401, 403, 400): `<status> <code>: <detail>`.
 */
export async function tail(sessionId: string | undefined, o: TailOpts, out: (line: string) => void, note: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const path = sessionId === undefined ? '/api/v1/stream' : `/api/v1/sessions/${encodeURIComponent(sessionId)}/stream`;
  let position: string | undefined = o.after;
  let first = true;
  let backoff = 500;
  const color = !o.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  while (!signal?.aborted) {
    const url = new URL(path, o.url);
    if (first && position === undefined && o.last && Number(o.last) > 0) url.searchParams.set('tail', o.last);
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) };
    if (position !== undefined) headers['last-event-id'] = position;
    try {
      const res = await fetch(url, { headers, ...(signal ? { signal } : {}) });
      if (!res.ok) {
        const text = await res.text();
        let p: { code?: string; detail?: string } = {};
        try {
          p = JSON.parse(text);
        } catch {
          /* not problem+json */
        }
        const msg = `${res.status} ${p.code ?? ''}: ${p.detail ?? text}`;
        if (res.status < 500 && res.status !== 429) throw Object.assign(new Error(msg), { fatal: true });
        throw new Error(msg);
      }
      first = false;
      backoff = 500;
      for await (const ev of readSse(res.body as unknown as AsyncIterable<Uint8Array>)) {
        const m = JSON.parse(ev.data) as LiveMessage;
        if (ev.id !== undefined) position = ev.id;
        if (m.type === 'subscribed') {
          note(`tail: ${m.replayed ? `replayed ${m.replayed} events, ` : ''}live from ${sessionId === undefined ? `pos ${m.lastPos}` : `seq ${m.lastSeq}`}`);
          continue;
        }
        if (m.type === 'close') {
          note(`tail: server closed the stream (${m.code} ${m.reason ?? ''}); resuming`);
          break;
        }
        if (o.json) out(JSON.stringify(m));
        else {
          const line = formatMessage(m, { all: sessionId === undefined, color });
          if (line !== undefined) out(line);
        }
      }
      if (signal?.aborted) return;
      note('tail: stream ended; reconnecting');
    } catch (err) {
      if (signal?.aborted) return;
      if ((err as { fatal?: boolean }).fatal) throw err;
      const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      note(`tail: ${cause}; retrying in ${(backoff / 1000).toFixed(1)} s${position !== undefined ? ` from ${sessionId === undefined ? 'pos' : 'seq'} ${position}` : ''}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
}

/** `tether tail <sessionId>` / `tether tail --all`: follow the live feed in the terminal. */
export function tailCommand(): Command {
  return new Command('tail')
    .description('Follow a session live (or every session with --all); reconnects and resumes by itself')
    .argument('[sessionId]', 'the session to follow')
    .option('--all', 'follow every session (the firehose)')
    .option('--after <position>', 'first replay events after this seq (a session) or pos (--all)')
    .addOption(new Option('-n, --last <count>', 'first replay the last <count> events').default('0'))
    .option('--json', 'print each event as one JSON object per line')
    .addOption(urlOption()).addOption(keyOption())
    .action(async (sessionId: string | undefined, o: TailOpts) => {
      if (!sessionId && !o.all) throw new Error('give a session id, or --all for every session');
      if (sessionId && o.all) throw new Error('give either a session id or --all, not both');
      if (o.after !== undefined && !/^\d+$/.test(o.after)) throw new Error('--after must be a whole number');
      if (o.last !== undefined && !/^\d+$/.test(o.last)) throw new Error('--last must be a whole number');
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      process.stdout.on('error', () => ac.abort()); // `tether tail … | head` closes the pipe
      await tail(o.all ? undefined : sessionId, o, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`), ac.signal);
    });
}
