import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CANARIES, type CanaryEnv, type CanaryResult } from './canaries.js';
import { contextSessionId, dumpSession, memoryItems, type TetherConn } from './tether.js';
import type { A2AVersion } from './wire.js';

/** Options of `tether canary a2a` (times in ms). */
export interface CanaryOptions {
  agentUrl: string;
  versions: A2AVersion[];
  tether?: TetherConn;
  restartCmd?: string;
  logsCmd?: string;
  artifactsDir: string;
  timeoutMs: number;
  readyTimeoutMs: number;
  workspaceDir?: string;
  workspaceUrl?: string;
  /** Count failed layer diagnostics as failed canaries. */
  strictDiagnostics?: boolean;
  only?: string[];
}

/** The whole run: one result per canary and version, the agent card check, and where artifacts went. */
export interface CanaryReport {
  ok: boolean;
  agentUrl: string;
  versions: A2AVersion[];
  durationMs: number;
  card: { ok: boolean; detail: string; card?: unknown };
  canaries: CanaryResult[];
  artifactsDir?: string;
}

/** Runs `cmd` in a shell; resolves with exit code and combined output (`timeoutMs`, then SIGKILL). */
export function sh(cmd: string, timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.length > 4_000_000) out = out.slice(-2_000_000);
    });
    p.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output: out });
    });
    p.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, output: String(err) });
    });
  });
}

const cardUrl = (agentUrl: string) => new URL('/.well-known/agent-card.json', agentUrl).toString();

async function fetchCard(agentUrl: string): Promise<{ status: number; card?: Record<string, unknown> }> {
  try {
    const res = await fetch(cardUrl(agentUrl), { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, ...(res.ok ? { card: (await res.json()) as Record<string, unknown> } : {}) };
  } catch {
    return { status: 0 };
  }
}

/** Versions a card lists: 1.0 cards list `supportedInterfaces[].protocolVersion`; 0.3 cards carry `protocolVersion`
 * (and `additionalInterfaces`). */
export function cardVersions(card: Record<string, unknown>): string[] {
  const v = new Set<string>();
  for (const i of (card.supportedInterfaces as Array<Record<string, unknown>> | undefined) ?? [])
    if (typeof i.protocolVersion === 'string') v.add(i.protocolVersion);
  if (typeof card.protocolVersion === 'string') v.add(card.protocolVersion);
  return [...v];
}

async function waitReady(agentUrl: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await fetchCard(agentUrl)).status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the agent did not answer ${cardUrl(agentUrl)} within ${timeoutMs} ms`);
}

async function writeArtifacts(o: CanaryOptions, report: CanaryReport): Promise<void> {
  const dir = o.artifactsDir;
  await mkdir(dir, { recursive: true });
  for (const c of report.canaries.filter((x) => !x.ok || x.diagnostics.some((d) => !d.ok))) {
    const sub = join(dir, `${c.name}@${c.version}`);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'exchanges.json'), JSON.stringify(c.exchanges, null, 2));
    await writeFile(join(sub, 'result.json'), JSON.stringify({ ...c, exchanges: undefined }, null, 2));
    if (o.tether) {
      const t = o.tether;
      const sessions: Record<string, unknown> = {};
      for (const ctx of c.contexts) {
        const sid = await contextSessionId(t, ctx);
        sessions[ctx] = await dumpSession(t, sid).catch((e: Error) => ({ error: e.message }));
        for (const ex of c.exchanges.filter((e) => e.contextId === ctx && e.reply.taskId)) {
          const byTask = await dumpSession(t, t.sessionPrefix + String(ex.reply.taskId)).catch(() => null);
          if (byTask) sessions[`task:${String(ex.reply.taskId)}`] = byTask;
        }
      }
      await writeFile(join(sub, 'sessions.json'), JSON.stringify(sessions, null, 2));
      if (c.memoryNamespace)
        await writeFile(join(sub, 'memory.json'), JSON.stringify(await memoryItems(t, c.memoryNamespace), null, 2));
    }
  }
  if (o.logsCmd) {
    const { output } = await sh(o.logsCmd, 30_000);
    await writeFile(join(dir, 'runtime.log'), output.split('\n').slice(-201).join('\n'));
  }
  await writeFile(
    join(dir, 'report.json'),
    JSON.stringify({ ...report, canaries: report.canaries.map((c) => ({ ...c, exchanges: undefined })) }, null, 2),
  );
}

/** Runs the canaries against the agent (see docs/a2a.md); never throws for a failing agent, only reports. */
export async function runA2ACanaries(o: CanaryOptions): Promise<CanaryReport> {
  const t0 = performance.now();
  await rm(o.artifactsDir, { recursive: true, force: true });
  const runId = randomUUID().slice(0, 8);
  const canaries: CanaryResult[] = [];
  // A runtime started just before the harness may still be booting: wait for its card (up to --ready-timeout).
  await waitReady(o.agentUrl, o.readyTimeoutMs).catch(() => undefined);
  const { status, card } = await fetchCard(o.agentUrl);
  let cardCheck: CanaryReport['card'];
  if (!card)
    cardCheck = { ok: false, detail: `no agent card at ${cardUrl(o.agentUrl)} (HTTP ${status || 'unreachable'})` };
  else {
    const listed = cardVersions(card);
    const missing = o.versions.filter((v) => !listed.some((l) => l === v || l.startsWith(`${v}.`)));
    cardCheck = missing.length
      ? { ok: false, detail: `the card lists ${listed.join(', ') || 'no versions'}, not ${missing.join(', ')}`, card }
      : { ok: true, detail: `card lists ${listed.join(', ')}`, card };
  }
  const restart = o.restartCmd
    ? async () => {
        const r = await sh(o.restartCmd!, 120_000);
        if (r.code !== 0)
          throw new Error(`--restart-cmd exited ${r.code}: ${r.output.trim().split('\n').slice(-3).join(' | ')}`);
        await waitReady(o.agentUrl, o.readyTimeoutMs);
      }
    : undefined;
  if (card) {
    for (const version of o.versions) {
      for (const c of CANARIES) {
        if (o.only && !o.only.includes(c.name)) continue;
        const env: CanaryEnv = {
          agentUrl: o.agentUrl,
          version,
          timeoutMs: o.timeoutMs,
          runId,
          userId: `canary-${runId}-${version.replace('.', '')}`,
          ...(restart ? { restart } : {}),
          ...(o.tether ? { tether: o.tether } : {}),
          ...(o.workspaceDir ? { workspaceDir: o.workspaceDir } : {}),
          ...(o.workspaceUrl ? { workspaceUrl: o.workspaceUrl } : {}),
        };
        const started = performance.now();
        let res: CanaryResult;
        try {
          res = await c.run(env);
        } catch (err) {
          res = {
            name: c.name,
            version,
            ok: false,
            reason: (err as Error).message,
            durationMs: Math.round(performance.now() - started),
            contexts: [],
            exchanges: [],
            diagnostics: [],
          };
        }
        if (o.strictDiagnostics && res.ok && res.diagnostics.some((d) => !d.ok))
          res = {
            ...res,
            ok: false,
            reason: `${res.reason}; but Tether: ${res.diagnostics
              .filter((d) => !d.ok)
              .map((d) => d.detail)
              .join('; ')}`,
          };
        canaries.push(res);
      }
    }
  }
  const ok = cardCheck.ok && canaries.length > 0 && canaries.every((c) => c.ok);
  const report: CanaryReport = {
    ok,
    agentUrl: o.agentUrl,
    versions: o.versions,
    durationMs: 0,
    card: cardCheck,
    canaries,
  };
  report.durationMs = Math.round(performance.now() - t0);
  if (!ok || canaries.some((c) => c.diagnostics.some((d) => !d.ok))) {
    report.artifactsDir = o.artifactsDir;
    await writeArtifacts(o, report);
  }
  return report;
}

/** One line per canary (`ok`/`FAIL`, name@version, why, layer diagnostics) and a closing summary line. */
export function formatReport(r: CanaryReport): string {
  const lines: string[] = [];
  if (!r.card.ok) lines.push(`FAIL card          ${r.card.detail}`);
  for (const c of r.canaries) {
    const bad = c.diagnostics.filter((d) => !d.ok);
    const layer =
      c.diagnostics.length === 0
        ? ''
        : bad.length
          ? ` | tether: ${bad.map((d) => d.detail).join('; ')}`
          : ' | tether: ok';
    lines.push(
      `${c.ok ? 'ok  ' : 'FAIL'} ${`${c.name}@${c.version}`.padEnd(17)} ${c.reason} (${c.durationMs} ms)${layer}`,
    );
  }
  const passed = r.canaries.filter((c) => c.ok).length;
  lines.push(
    `a2a canary: ${passed}/${r.canaries.length} passed in ${(r.durationMs / 1000).toFixed(1)} s${r.artifactsDir ? `; artifacts in ${r.artifactsDir}/` : ''}`,
  );
  return lines.join('\n');
}
