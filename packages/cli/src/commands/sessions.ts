import { Command } from 'commander';
import type { SessionSummary } from '@tether/protocol';
import { call, keyOption, table, urlOption, type ConnOpts } from '../http.js';

/** A duration in ms as `1h02m03s`, `4m05s`, `6.7s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}h${String(m).padStart(2, '0')}m${sec}s` : `${m}m${sec}s`;
}

/** `--since`: an ISO 8601 time, or a span back from now (`30m`, `2h`, `7d`). */
export function parseSince(v: string, now = Date.now()): string {
  const m = /^(\d+)([smhd])$/.exec(v.trim());
  if (m)
    return new Date(
      now - Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'],
    ).toISOString();
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`--since must be an ISO 8601 time or a span like 30m, 2h, 7d; got "${v}"`);
  return new Date(t).toISOString();
}

function ago(iso: string): string {
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** Orders sessions so that each sub-agent session follows its parent, indented. */
export function asTree(sessions: SessionSummary[]): Array<{ s: SessionSummary; depth: number }> {
  const byId = new Map(sessions.map((s) => [s.sessionId, s]));
  const kids = new Map<string, SessionSummary[]>();
  const roots: SessionSummary[] = [];
  for (const s of sessions) {
    if (s.parentSessionId && byId.has(s.parentSessionId))
      kids.set(s.parentSessionId, [...(kids.get(s.parentSessionId) ?? []), s]);
    else roots.push(s);
  }
  const out: Array<{ s: SessionSummary; depth: number }> = [];
  const walk = (s: SessionSummary, depth: number) => {
    out.push({ s, depth });
    for (const k of kids.get(s.sessionId) ?? []) walk(k, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

export function sessionsCommand(): Command {
  const cmd = new Command('sessions').description('List, show and delete sessions of a running service');
  cmd
    .command('list')
    .description('List sessions, newest first, sub-agent sessions under their parents')
    .addOption(urlOption())
    .addOption(keyOption())
    .option('--user <userId>', 'only this user')
    .option('--status <status>', 'active|completed|failed|abandoned')
    .option('--type <type>', 'only this type (e.g. admin_shell)')
    .option('--tag <tag>', 'only with this tag')
    .option('-q, --query <text>', 'full-text search')
    .option('--since <when>', 'only sessions created since an ISO 8601 time or a span back from now (30m, 2h, 7d)')
    .option('-n, --limit <n>', 'how many (max 500)', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        o: ConnOpts & {
          user?: string;
          status?: string;
          type?: string;
          tag?: string;
          query?: string;
          since?: string;
          limit: string;
        },
      ) => {
        const qs = new URLSearchParams({ limit: o.limit });
        if (o.since) qs.set('createdAfter', parseSince(o.since));
        if (o.user) qs.set('userId', o.user);
        if (o.status) qs.set('status', o.status);
        if (o.type) qs.set('type', o.type);
        if (o.tag) qs.set('tag', o.tag);
        if (o.query) qs.set('q', o.query);
        const { sessions } = await call<{ sessions: SessionSummary[] }>(o, 'GET', `/api/v1/sessions?${qs}`);
        if (o.json) return void process.stdout.write(JSON.stringify(sessions, null, 2) + '\n');
        if (!sessions.length) return void process.stdout.write('no sessions\n');
        const rows = [['SESSION', 'TYPE', 'STATUS', 'USER', 'EVENTS', 'TOOLS', 'STARTED', 'DURATION', 'UPDATED']];
        for (const { s, depth } of asTree(sessions)) {
          rows.push([
            `${depth ? '  '.repeat(depth - 1) + '└─ ' : ''}${s.sessionId}`,
            s.type ?? '-',
            s.status,
            s.userId ?? '-',
            String(s.lastSeq),
            String(s.metadata.metrics?.toolCalls ?? 0),
            s.created,
            s.durationMs !== null ? formatDuration(s.durationMs) : '-',
            ago(s.updated),
          ]);
        }
        process.stdout.write(table(rows) + '\n');
      },
    );
  cmd
    .command('show <sessionId>')
    .description('Show a session: summary, state and its newest events')
    .addOption(urlOption())
    .addOption(keyOption())
    .option('-n, --events <n>', 'how many newest events', '20')
    .option('--json', 'print JSON')
    .action(async (id: string, o: ConnOpts & { events: string }) => {
      const enc = encodeURIComponent(id);
      const restore = await call<{ metadata: SessionSummary; state: Record<string, unknown> }>(
        o,
        'GET',
        `/api/v1/sessions/${enc}`,
      );
      const after = Math.max(0, restore.metadata.lastSeq - Number(o.events));
      const { events } = await call<{
        events: Array<{ seq: number; kind: string; timestamp: string; data: Record<string, unknown> }>;
      }>(o, 'GET', `/api/v1/sessions/${enc}/events?after=${after}`);
      if (o.json)
        return void process.stdout.write(
          JSON.stringify({ session: restore.metadata, state: restore.state, events }, null, 2) + '\n',
        );
      const m = restore.metadata;
      const { metrics: _metrics, tokenUsage: _tokens, ...own } = m.metadata;
      const lines = [
        `${m.sessionId}  ${m.type ?? '-'}  ${m.status}  user=${m.userId ?? '-'}${m.parentSessionId ? `  parent=${m.parentSessionId}` : ''}${m.tags.length ? `  tags=${m.tags.join(',')}` : ''}`,
        `start    ${m.created}`,
        `end      ${m.endedAt ?? '- (still active)'}`,
        `duration ${m.durationMs !== null ? `${formatDuration(m.durationMs)} (${m.durationMs} ms)` : '-'}`,
        `updated  ${m.updated}`,
        `metrics ${JSON.stringify(m.metadata.metrics)}`,
        `tokens  ${JSON.stringify(m.metadata.tokenUsage)}${m.metadata.model ? `  model ${m.metadata.model}` : ''}`,
        `state   phase=${String(restore.state.phase)} step=${String(restore.state.currentStep)} version=${String(restore.state.version)}`,
        ...(Object.keys(own).length
          ? [
              'metadata',
              ...JSON.stringify(own, null, 2)
                .split('\n')
                .map((l) => `  ${l}`),
            ]
          : []),
        '',
        ...events.map((e) => `#${e.seq} ${e.timestamp} ${e.kind} ${JSON.stringify(e.data).slice(0, 120)}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
  cmd
    .command('rm <sessionId...>')
    .description('Delete sessions and their whole logs (needs an admin key when keys are enabled)')
    .addOption(urlOption())
    .addOption(keyOption())
    .option('--json', 'print JSON')
    .action(async (ids: string[], o: ConnOpts) => {
      const out = [];
      for (const id of ids) out.push(await call(o, 'DELETE', `/api/v1/sessions/${encodeURIComponent(id)}`));
      process.stdout.write(
        o.json ? JSON.stringify(out, null, 2) + '\n' : ids.map((i) => `deleted ${i}`).join('\n') + '\n',
      );
    });
  return cmd;
}
