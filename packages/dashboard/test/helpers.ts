/**
 * Helpers for the dashboard's browser tests, screenshots and benchmark: a real `tether serve` process (the CLI, with the
 * built dashboard) on a chosen free port — so it can be stopped and started again on the same port and data dir — and
 * headless Debian Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'packages/cli/dist/bin.js');
export const DASHBOARD_DIST = join(ROOT, 'packages/dashboard/dist');
/** Debian's chromium (apt-get install chromium); override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface Tether {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** JSON request against the service; throws on a non-2xx answer. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** SIGTERM and wait for exit (data dir kept). */
  stop(): Promise<void>;
  /** stop() and remove the data dir. */
  destroy(): Promise<void>;
}

/** Starts `tether serve` on `port` (default: a free one) with `dataDir` (default: a new temp dir); resolves when /ready answers. */
export async function startTether(
  o: { port?: number; dataDir?: string; env?: Record<string, string> } = {},
): Promise<Tether> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  if (!existsSync(join(DASHBOARD_DIST, 'index.html')))
    throw new Error('packages/dashboard/dist is missing: run npm run build -w @tether/dashboard first');
  const port = o.port ?? (await freePort());
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'tether-dash-'));
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'],
    {
      env: { ...process.env, TETHER_DASHBOARD_DIR: DASHBOARD_DIST, ...o.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`tether serve exited with ${proc.exitCode}: ${stderr}`);
    try {
      const r = await fetch(`${url}/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`tether serve did not get ready on ${url}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const api: Tether['api'] = async (method, path, body, headers = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((res) => {
      proc.once('exit', () => res());
      proc.kill('SIGTERM');
    });
  };
  return {
    url,
    port,
    dataDir,
    proc,
    api,
    stop,
    async destroy() {
      await stop();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium from Debian's package. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.d/40-dashboard.sh does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Posts events through `POST /api/ingest` in chunks of 1,000; throws if any is rejected. */
export async function ingest(t: Tether, events: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const r = await t.api<{ rejected: number; results: unknown[] }>('POST', '/api/v1/ingest', {
      events: events.slice(i, i + 1000),
    });
    if (r.rejected)
      throw new Error(
        `ingest rejected ${r.rejected}: ${JSON.stringify(r.results.filter((x: any) => x.status >= 300).slice(0, 3))}`,
      );
  }
}

export const TRANSCRIPTS = process.env.TETHER_TRANSCRIPTS ?? resolve(ROOT, 'fixtures/claude-code-transcripts');

/**
 * A Claude Code session with sub-agents, built from a real transcript (`short.jsonl`): user prompts and assistant text
 * become `response` events (role, content), tool_use blocks `action` events (tool, input, output/error, durationMs from
 * the matching tool_result). Two sub-agents (Task tool) with child sessions are added, as `tether import claude-code`
 * records them. Used when the importer is not available; returns the parent session id.
 */
export async function seedClaudeSession(
  t: Tether,
  sessionId = 'cc-short',
): Promise<{ sessionId: string; children: string[]; tools: string[] }> {
  const lines = readFileSync(join(TRANSCRIPTS, 'short.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const events: Array<Record<string, unknown>> = [];
  const first = lines.find((l) => l.timestamp)?.timestamp ?? new Date().toISOString();
  events.push({
    sessionId,
    kind: 'session_created',
    timestamp: first,
    data: {
      type: 'claude-code',
      userId: 'marco',
      tags: ['claude-code', 'import'],
      metadata: { model: 'claude-opus-4-5', cwd: lines.find((l) => l.cwd)?.cwd ?? null },
    },
  });
  const results = new Map<string, { content: unknown; isError: boolean; ts: string }>();
  for (const l of lines) {
    if (l.type === 'user' && Array.isArray(l.message?.content))
      for (const b of l.message.content)
        if (b.type === 'tool_result')
          results.set(b.tool_use_id, { content: b.content, isError: !!b.is_error, ts: l.timestamp });
  }
  const tools: string[] = [];
  for (const l of lines) {
    const ts = l.timestamp ?? first;
    const c = l.message?.content;
    if (l.type === 'user' && typeof c === 'string')
      events.push({ sessionId, kind: 'response', timestamp: ts, data: { role: 'user', content: c } });
    if (l.type !== 'assistant' || !Array.isArray(c)) continue;
    for (const b of c) {
      if (b.type === 'text' && b.text.trim())
        events.push({
          sessionId,
          kind: 'response',
          timestamp: ts,
          data: {
            role: 'assistant',
            content: b.text,
            model: l.message.model,
            usage: l.message.usage
              ? { input: l.message.usage.input_tokens ?? 0, output: l.message.usage.output_tokens ?? 0 }
              : undefined,
          },
        });
      if (b.type === 'thinking')
        events.push({
          sessionId,
          kind: 'response',
          timestamp: ts,
          data: { role: 'assistant', type: 'thinking', thinking: b.thinking },
        });
      if (b.type === 'tool_use') {
        const r = results.get(b.id);
        tools.push(b.name);
        events.push({
          sessionId,
          kind: 'action',
          timestamp: ts,
          data: {
            type: 'tool_use',
            tool: b.name,
            toolUseId: b.id,
            input: b.input,
            ...(r
              ? r.isError
                ? { error: typeof r.content === 'string' ? r.content : JSON.stringify(r.content) }
                : { output: r.content }
              : {}),
            ...(r ? { durationMs: Math.max(0, Date.parse(r.ts) - Date.parse(ts)) } : {}),
          },
        });
      }
    }
  }
  const children: string[] = [];
  const base = Date.parse(events[events.length - 1]!.timestamp as string);
  for (const [i, kind] of [
    ['Explore', 'general-purpose'],
    ['Plan', 'Plan'],
  ].entries()) {
    const child = `${sessionId}:agent-${i + 1}`;
    const at = (ms: number) => new Date(base + i * 4000 + ms).toISOString();
    children.push(child);
    const useId = `toolu_task_${i + 1}`;
    tools.push('Task');
    events.push({
      sessionId,
      kind: 'action',
      timestamp: at(0),
      data: {
        type: 'tool_use',
        tool: 'Task',
        toolUseId: useId,
        input: {
          subagent_type: kind[1],
          description: `${kind[0]} the Phoenix setup`,
          prompt: 'Find why mix phx.server does not start',
        },
      },
    });
    events.push({
      sessionId,
      kind: 'agent_spawned',
      timestamp: at(10),
      data: {
        agentId: `agent-${i + 1}`,
        type: kind[1],
        task: `${kind[0]} the Phoenix setup`,
        childSessionId: child,
        toolUseId: useId,
      },
    });
    events.push({
      sessionId: child,
      kind: 'session_created',
      timestamp: at(20),
      data: { type: 'claude-code', userId: 'marco', parentSessionId: sessionId, tags: ['claude-code', 'subagent'] },
    });
    events.push({
      sessionId: child,
      kind: 'response',
      timestamp: at(30),
      data: { role: 'user', content: 'Find why mix phx.server does not start' },
    });
    events.push({
      sessionId: child,
      kind: 'action',
      timestamp: at(500),
      data: {
        type: 'tool_use',
        tool: 'Read',
        input: { file_path: '/home/marco/projects/spotter/mix.exs' },
        output: 'defmodule Spotter.MixProject do …',
        durationMs: 15,
      },
    });
    events.push({ sessionId: child, kind: 'session_finalized', timestamp: at(2500), data: { status: 'completed' } });
    events.push({
      sessionId,
      kind: 'agent_completed',
      timestamp: at(2600),
      data: {
        agentId: `agent-${i + 1}`,
        status: 'completed',
        result: 'The server needs the database to be created first.',
      },
    });
  }
  await ingest(t, events);
  return { sessionId, children, tools: [...new Set(tools)] };
}

/** A varied set of sessions for list, filter and analytics views. */
export async function seedSessions(t: Tether, n = 12): Promise<string[]> {
  const ids: string[] = [];
  const types = ['coder', 'researcher', 'support'];
  const users = ['alice', 'bob', 'carol'];
  const events: Array<Record<string, unknown>> = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const id = `seed-${String(i).padStart(3, '0')}-${types[i % 3]}`;
    ids.push(id);
    const at = (ms: number) => new Date(now - (n - i) * 60_000 + ms).toISOString();
    events.push({
      sessionId: id,
      kind: 'session_created',
      timestamp: at(0),
      data: {
        type: types[i % 3],
        userId: users[i % 3],
        tags: i % 2 ? ['nightly'] : ['prod'],
        metadata: { model: i % 2 ? 'gpt-5' : 'claude-sonnet-4-5' },
      },
    });
    for (let k = 0; k < 3 + (i % 4); k++)
      events.push({
        sessionId: id,
        kind: 'action',
        timestamp: at(1000 + k * 500),
        data: {
          type: 'tool_use',
          tool: ['Bash', 'Read', 'Edit', 'Grep'][k % 4],
          input: { command: `step ${k}` },
          durationMs: 100 + k * 40,
          ...(k === 2 && i % 3 === 0 ? { error: 'exit 1' } : {}),
          usage: { input: 500 + k * 10, output: 40 },
        },
      });
    events.push({
      sessionId: id,
      kind: 'response',
      timestamp: at(4000),
      data: { role: 'assistant', content: i === 3 ? 'The kraken migration finished' : `Done with task ${i}` },
    });
    events.push({
      sessionId: id,
      kind: 'goal_added',
      timestamp: at(4100),
      data: { goalId: 'g1', description: `Goal of ${id}`, priority: 'high', status: 'pending' },
    });
    if (i % 4 !== 0)
      events.push({
        sessionId: id,
        kind: 'session_finalized',
        timestamp: at(5000 + i * 3000),
        data: { status: i % 4 === 3 ? 'failed' : 'completed' },
      });
  }
  await ingest(t, events);
  return ids;
}

/** The transcript imported by tests and screenshots: a real session with two sub-agents and a compaction agent. */
export const CLAUDE_TRANSCRIPT = 'fa812bfe-b295-4cca-9c2f-fdf01028cb46';

/**
 * Imports a real Claude Code transcript (with its subagents/ folder) through `tether import claude-code`.
 * Falls back to {@link seedClaudeSession} when this checkout's CLI has no importer. Returns the parent session id,
 * its child session ids, and whether the importer was used.
 */
export async function importClaude(t: Tether): Promise<{ sessionId: string; children: string[]; importer: boolean }> {
  const { execFileSync } = await import('node:child_process');
  const file = join(TRANSCRIPTS, `${CLAUDE_TRANSCRIPT}.jsonl`);
  try {
    const out = execFileSync(
      process.execPath,
      [CLI, 'import', 'claude-code', file, join(TRANSCRIPTS, CLAUDE_TRANSCRIPT), '--url', t.url, '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const summary = JSON.parse(out) as { sessions: Array<{ sessionId: string; parentSessionId: string | null }> };
    const parent = summary.sessions.find((s) => !s.parentSessionId)!.sessionId;
    return {
      sessionId: parent,
      children: summary.sessions.filter((s) => s.parentSessionId === parent).map((s) => s.sessionId),
      importer: true,
    };
  } catch (err) {
    if (!/unknown command|error: unknown/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
    const r = await seedClaudeSession(t);
    return { sessionId: r.sessionId, children: r.children, importer: false };
  }
}
