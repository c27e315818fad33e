/**
 * The batch bodies of the ingest benches (bench/ingest-realistic.ts, bench/ingest-steps.ts): today's small events,
 * realistic tool calls (~400 B with client ids, as the Python client of issue #18 sends them) and the vendored Claude
 * Code transcripts' events (fixtures/claude-code-transcripts, as `tether import` plans them).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventInput } from '@tether/protocol';
import { batches, planImport } from '../packages/cli/src/claude/import-files.ts';

/** One batch body a line for the Go client; `{{C}}` = connection, `{{R}}` = repetition (see bench/ingest-client). */
export interface Payload {
  name: string;
  label: string;
  lines: string[];
  events: number;
  bytesPerEvent: number;
  sample: EventInput[];
}

const OUTPUT =
  'total 48\ndrwxr-xr-x  5 dev dev 4096 Mar  3 10:12 .\ndrwxr-xr-x 12 dev dev 4096 Mar  3 09:58 ..\n-rw-r--r--  1 dev dev  812 Mar  3 10:12 package.json\n-rw-r--r--  1 dev dev 2211 Mar  3 10:11 README.md\n';

/** A payload of one batch body holding `events`. */
function oneBatch(name: string, label: string, events: EventInput[]): Payload {
  const line = JSON.stringify({ events });
  return {
    name,
    label,
    lines: [line],
    events: events.length,
    bytesPerEvent: line.length / events.length,
    sample: events,
  };
}

/** 1,000 tool calls (`action`, ~400 B each, client ids) over 10 sessions: one batch body. */
export function toolCalls(): Payload {
  const events: EventInput[] = [];
  for (let j = 0; j < 1000; j++) {
    const start = new Date(Date.UTC(2026, 2, 3, 10, 0, 0, j * 37));
    events.push({
      id: `tc-{{C}}-{{R}}-${j}`,
      sessionId: `tool-{{C}}-${j % 10}`,
      kind: 'action',
      data: {
        type: 'tool_call',
        tool: j % 3 ? 'Bash' : 'Read',
        input: {
          command: `ls -la /home/dev/project/src/module${j % 17}`,
          cwd: '/home/dev/project',
          timeoutMs: 120000,
          description: 'list files',
        },
        output: `${OUTPUT.slice(0, 190)} w{{C}}x{{R}}y${j}`,
        startedAt: start.toISOString(),
        endedAt: new Date(start.getTime() + 12).toISOString(),
        durationMs: 12,
      },
    });
  }
  return oneBatch('tool', 'tool calls (~400 B, client ids)', events);
}

/** 1,000 small events (~50 B, no ids) over 100 sessions, as bench/append.ts sends them: one batch body. */
export function small(): Payload {
  const events = Array.from({ length: 1000 }, (_, j) => ({
    sessionId: `small-{{C}}-${j % 100}`,
    kind: 'action' as const,
    data: { tool: 'Bash', j, input: { command: 'ls' } },
  }));
  return oneBatch('small', 'small (bench/append.ts, no ids)', events);
}

/** The vendored transcripts' events as `tether import` batches them, with `{{C}}`/`{{R}}` in every id. */
export function claudeCode(): Payload {
  const dir = resolve(import.meta.dirname, '../fixtures/claude-code-transcripts');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(dir, f));
  const plans = planImport(files, []);
  const lines: string[] = [];
  const sample: EventInput[] = [];
  let events = 0;
  let bytes = 0;
  for (const plan of plans) {
    const fresh = (s: string) => `cc-{{C}}-{{R}}-${s}`;
    const evs = plan.events.map((e) => {
      const data =
        e.data && typeof e.data.parentSessionId === 'string'
          ? { ...e.data, parentSessionId: fresh(e.data.parentSessionId) }
          : e.data;
      return {
        ...e,
        sessionId: fresh(e.sessionId),
        ...(e.id ? { id: fresh(e.id) } : {}),
        ...(data ? { data } : {}),
      } as EventInput;
    });
    sample.push(...evs);
    for (const b of batches(evs)) {
      const line = JSON.stringify({ events: b });
      lines.push(line);
      events += b.length;
      bytes += line.length;
    }
  }
  return {
    name: 'cc',
    label: `Claude Code transcripts (tether import of ${files.length} fixtures, ${events} events, ${lines.length} batches)`,
    lines,
    events,
    bytesPerEvent: bytes / events,
    sample,
  };
}
