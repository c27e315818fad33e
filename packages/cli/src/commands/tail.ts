import { Command, Option } from 'commander';
import { TetherClient, type LiveEvent, type LiveMessage } from '@tether/client';
import { actionTool, isToolError } from '@tether/protocol';
import { keyOption, urlOption, type ConnOpts } from '../http.js';

export type { LiveMessage } from '@tether/client';

const ANSI = {
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
  reset: '\x1b[0m',
};
const KIND_COLOR: Record<string, keyof typeof ANSI> = {
  session_created: 'magenta',
  session_finalized: 'magenta',
  session_deleted: 'red',
  action: 'cyan',
  response: 'green',
  state_patched: 'blue',
  metadata_updated: 'blue',
  goal_added: 'yellow',
  goal_updated: 'yellow',
  agent_spawned: 'yellow',
  agent_completed: 'yellow',
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
    case 'action':
      return oneLine(
        isToolError(d) ? `error: ${oneLine(d.error ?? d.status, 200)}` : (d.input ?? d.details ?? rest),
        200,
      );
    case 'response':
      return oneLine(d.content ?? rest, 200);
    case 'state_patched':
    case 'metadata_updated':
      return oneLine(d.patch, 200);
    case 'goal_added':
      return oneLine(`${d.goalId ?? ''} ${d.description ?? ''}`, 200);
    case 'goal_updated':
      return oneLine(`${d.goalId ?? ''} ${d.status ?? ''}`, 200);
    case 'agent_spawned':
      return oneLine(`${d.agentId ?? ''} ${d.type ?? ''} ${oneLine(d.task, 120)}`, 200);
    case 'agent_completed':
      return oneLine(`${d.agentId ?? ''} ${d.status ?? 'completed'}`, 200);
    case 'session_created':
      return oneLine(
        [d.userId && `user=${d.userId}`, d.type && `type=${d.type}`, d.autoCreated && 'auto-created']
          .filter(Boolean)
          .join(' '),
        200,
      );
    case 'session_finalized':
      return oneLine(d.status, 200);
    default:
      return oneLine(rest, 200);
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
  const ev = m as LiveEvent;
  if (typeof ev.seq !== 'number' || !ev.kind) return undefined;
  const c = (name: keyof typeof ANSI, s: string) => (opts.color ? `${ANSI[name]}${s}${ANSI.reset}` : s);
  const d = ev.data ?? {};
  const time = new Date(ev.timestamp ?? Date.now()).toISOString().slice(11, 23);
  const where = opts.all ? `${ev.sessionId}#${ev.seq}` : `#${ev.seq}`;
  const tool = actionTool(d) ?? '';
  const failed = ev.kind === 'action' && isToolError(d);
  return [
    c('dim', time),
    where.padEnd(opts.all ? 24 : 6),
    c(failed ? 'red' : (KIND_COLOR[ev.kind] ?? 'reset'), ev.kind.padEnd(17)),
    tool ? c('yellow', tool.padEnd(10)) : '',
    summary(ev.kind, d),
  ]
    .filter((p) => p !== '')
    .join('  ')
    .trimEnd();
}

interface TailOpts extends ConnOpts {
  all?: boolean;
  after?: string;
  last?: string;
}

/**
 * Follows a session (or every session with `all`) until interrupted, through `@tether/client`'s live subscription (SSE,
 * reconnects with backoff and resumes from the last seq/pos it yielded, so nothing is lost or printed twice).
 * Throws on an answer that retrying cannot fix (401, 403, 400) with the SDK's error: `<status> <code>: <detail>`.
 */
export async function tail(
  sessionId: string | undefined,
  o: TailOpts,
  out: (line: string) => void,
  note: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const color = !o.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const client = new TetherClient({ baseUrl: o.url, ...(o.apiKey ? { apiKey: o.apiKey } : {}) });
  const after = o.after !== undefined ? Number(o.after) : undefined;
  const where = sessionId === undefined ? 'pos' : 'seq';
  const sub = client.subscribe({
    ...(sessionId !== undefined
      ? { sessionId, ...(after !== undefined ? { afterSeq: after } : {}) }
      : after !== undefined
        ? { afterPos: after }
        : {}),
    ...(after === undefined && o.last && Number(o.last) > 0 ? { tail: Number(o.last) } : {}),
    ...(signal ? { signal } : {}),
    onSubscribed: (s) =>
      note(
        `tail: ${s.replayed ? `replayed ${s.replayed} events, ` : ''}live from ${where} ${sessionId === undefined ? s.lastPos : s.lastSeq}`,
      ),
    onReconnect: (err) => {
      const e = err as Error;
      const cause = e.cause instanceof Error ? e.cause.message : e.message;
      note(`tail: ${cause}; reconnecting${sub.position !== undefined ? ` from ${where} ${sub.position}` : ''}`);
    },
  });
  try {
    for await (const m of sub) {
      if (o.json) out(JSON.stringify(m));
      else {
        const line = formatMessage(m, { all: sessionId === undefined, color });
        if (line !== undefined) out(line);
      }
    }
  } finally {
    sub.close();
    await client.close();
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
    .addOption(urlOption())
    .addOption(keyOption())
    .action(async (sessionId: string | undefined, o: TailOpts) => {
      if (!sessionId && !o.all) throw new Error('give a session id, or --all for every session');
      if (sessionId && o.all) throw new Error('give either a session id or --all, not both');
      if (o.after !== undefined && !/^\d+$/.test(o.after)) throw new Error('--after must be a whole number');
      if (o.last !== undefined && !/^\d+$/.test(o.last)) throw new Error('--last must be a whole number');
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      process.stdout.on('error', () => ac.abort()); // `tether tail … | head` closes the pipe
      await tail(
        o.all ? undefined : sessionId,
        o,
        (l) => process.stdout.write(`${l}\n`),
        (l) => process.stderr.write(`${l}\n`),
        ac.signal,
      );
    });
}
