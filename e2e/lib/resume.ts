/**
 * Crash and resume (issue 14): an example graph checkpointed by TetherSaver is killed with SIGKILL in the middle of its
 * run, started again with the same thread id, and checked at the service against an uninterrupted run of the same
 * batch: it continued from each thread's last checkpoint, no node that had finished ran again, the final state of every
 * thread equals the uninterrupted run's, and the logs show the gap (the process died; the graph resumed).
 * The checks are pure functions over what the service holds, so the harness can break them on purpose.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pythonFor, runExample, type ExampleSpec } from './examples.js';
import { observe } from './observe.js';
import type { StoredEvent } from './checks.js';

/** What the service holds after the runs: the thread sessions' logs, newest checkpoints, and the agent sessions' logs. */
export interface ResumeObserved {
  messageIds: string[];
  /** Per message id: the crashed-and-resumed thread's log. */
  crashLogs: Map<string, StoredEvent[]>;
  /** Per message id: channel → blob (base64) of the newest root checkpoint, for the resumed run and the reference. */
  crashFinal: Map<string, Record<string, string>>;
  refFinal: Map<string, Record<string, string>>;
  /** The agent session of the crashed-and-resumed run. */
  agentLog: StoredEvent[];
  /** What the second process found per thread (its report's `details.threads`). */
  threadsAtRestart: Record<string, string>;
}

async function json(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

async function finalOf(url: string, thread: string): Promise<Record<string, string>> {
  const { checkpoints } = await json(
    `${url}/api/v1/langgraph/checkpoints?threadId=${encodeURIComponent(thread)}&checkpointNs=&limit=1`,
  );
  const c = checkpoints[0];
  if (!c) return {};
  return {
    ...Object.fromEntries(c.blobs.map((b: any) => [b.channel, `${b.type}:${b.data}`])),
    __step: String(c.metadata.step),
  };
}

const writerOf = (e: StoredEvent) => String(e.data.writer ?? '');

/** Problems with "it continued from the last checkpoint". */
export function checkContinued(o: ResumeObserved): string[] {
  const problems: string[] = [];
  if (!Object.values(o.threadsAtRestart).includes('resumed'))
    problems.push(
      `no thread was mid-way at the restart (${JSON.stringify(o.threadsAtRestart)}): the kill did not land in the middle of a graph`,
    );
  for (const id of o.messageIds) {
    const log = o.crashLogs.get(id) ?? [];
    const lg = log.filter((e) => e.kind === 'checkpoint' || e.kind === 'checkpoint_writes');
    const first = lg[0] ? writerOf(lg[0]) : '';
    const i = lg.findIndex((e) => writerOf(e) !== first);
    const state = o.threadsAtRestart[id];
    if (state === 'done' && i >= 0)
      problems.push(`thread ${id} was finished before the kill but got ${lg.length - i} new events after the restart`);
    if (state === 'resumed') {
      if (i < 0) {
        problems.push(`thread ${id} was resumed but the service shows no event of the second process`);
        continue;
      }
      const lastBefore = lg
        .slice(0, i)
        .filter((e) => e.kind === 'checkpoint')
        .at(-1);
      const marker = lg[i]!.data.resumed as { lastCheckpointId?: string } | undefined;
      if (!marker) problems.push(`thread ${id}: the first event of the second process carries no resumed marker`);
      else if (marker.lastCheckpointId !== lastBefore?.data.checkpointId)
        problems.push(
          `thread ${id} resumed after ${marker.lastCheckpointId}, but the last checkpoint before the kill was ${String(lastBefore?.data.checkpointId)}`,
        );
    }
  }
  return problems;
}

/** Problems with "no node that had finished ran twice": a task whose writes the first process stored is never written again. */
export function checkNoRerun(o: ResumeObserved): string[] {
  const problems: string[] = [];
  for (const id of o.messageIds) {
    const writes = (o.crashLogs.get(id) ?? []).filter((e) => e.kind === 'checkpoint_writes');
    const first = writes[0] ? writerOf(writes[0]) : '';
    const key = (e: StoredEvent) => `${String(e.data.checkpointId)} ${String(e.data.taskPath ?? e.data.taskId)}`;
    const done = new Set(writes.filter((e) => writerOf(e) === first).map(key));
    for (const e of writes)
      if (writerOf(e) !== first && done.has(key(e)))
        problems.push(`thread ${id}: task ${key(e)} had finished before the kill and ran again`);
  }
  return problems;
}

/** Problems with "the final state equals an uninterrupted run's". */
export function checkSameFinal(o: ResumeObserved): string[] {
  const problems: string[] = [];
  for (const id of o.messageIds) {
    const a = JSON.stringify(o.crashFinal.get(id) ?? {}, Object.keys(o.crashFinal.get(id) ?? {}).sort());
    const b = JSON.stringify(o.refFinal.get(id) ?? {}, Object.keys(o.refFinal.get(id) ?? {}).sort());
    if (a === '{}' || a !== b)
      problems.push(
        `thread ${id}: final state differs from the uninterrupted run's (${a.slice(0, 120)} vs ${b.slice(0, 120)})`,
      );
  }
  return problems;
}

/** Problems with "the log shows the gap honestly": the agent's session says the process was resumed, then completed. */
export function checkGapShown(o: ResumeObserved): string[] {
  const problems: string[] = [];
  const resumed = o.agentLog.findIndex((e) => e.kind === 'action' && (e.data as any).type === 'process_resumed');
  const finalized = o.agentLog.findIndex((e) => e.kind === 'session_finalized');
  if (resumed < 0) problems.push('the agent session has no process_resumed action: the crash is invisible in its log');
  if (finalized >= 0 && resumed > finalized) problems.push('the session was finalized before the process was resumed');
  if (finalized < 0 || o.agentLog[finalized]!.data.status !== 'completed')
    problems.push('the resumed run did not complete the session');
  if (![...o.crashLogs.values()].some((log) => log.some((e) => e.data.resumed)))
    problems.push('no thread log marks where the graph resumed');
  return problems;
}

export const RESUME_CHECKS = { checkContinued, checkNoRerun, checkSameFinal, checkGapShown } as const;

/** Breaks the observations four ways; returns the breaks that the checks did not notice. */
export function breakResumeChecks(o: ResumeObserved): string[] {
  const copy = (): ResumeObserved => structuredClone(o);
  const undetected: string[] = [];
  const a = copy();
  for (const log of a.crashLogs.values()) for (const e of log) delete e.data.resumed;
  if (!checkContinued(a).length) undetected.push('resume without markers');
  const b = copy();
  for (const log of b.crashLogs.values()) {
    const w = log.filter((e) => e.kind === 'checkpoint_writes');
    if (w.length) log.push({ ...structuredClone(w[0]!), data: { ...w[0]!.data, writer: 'another-process' } });
  }
  if (!checkNoRerun(b).length) undetected.push('a finished task written again');
  const c = copy();
  const [first] = c.messageIds;
  if (first) c.crashFinal.set(first, { ...c.crashFinal.get(first), reply: 'json:changed' });
  if (!checkSameFinal(c).length) undetected.push('a different final state');
  const d = copy();
  d.agentLog = d.agentLog.filter((e) => (e.data as any).type !== 'process_resumed');
  if (!checkGapShown(d).length) undetected.push('a crash without process_resumed');
  return undetected;
}

/** The examples the scenario runs: module, the env variable of the scripted model's latency, extra arguments. */
const RESUMABLE = {
  // killAfter: a count of checkpoints that falls inside the second thread (customer-comm writes 5 per message,
  // email-solver 6 per e-mail), so that one thread is finished, one is mid-way and the rest have not started.
  'customer-comm': {
    module: 'customer_comm',
    latencyEnv: 'CUSTOMER_COMM_MODEL_LATENCY_MS',
    killAfter: 7,
    extra: (_out: string): string[] => [],
  },
  // Both runs file into one folder, so the paths in their states are equal.
  'email-solver': {
    module: 'email_solver',
    latencyEnv: 'EMAIL_SOLVER_MODEL_LATENCY_MS',
    killAfter: 9,
    extra: (out: string) => ['--out', join(out, 'email-resume-out')],
  },
} as const;

/**
 * Runs the scenario with `example`: the uninterrupted reference (`<ex>-ref-<ts>`), then the crash run
 * (`<ex>-crash-<ts>`), killed with SIGKILL once the service holds `killAfter` checkpoints of it, then the same command
 * again. Returns the observations (for the checks) or throws when a run failed.
 */
export async function runCrashResume(
  root: string,
  url: string,
  outDir: string,
  ts: number,
  example: keyof typeof RESUMABLE,
  killAfter: number = RESUMABLE[example].killAfter,
): Promise<ResumeObserved> {
  const ex = RESUMABLE[example];
  const env = { [ex.latencyEnv]: '250' };
  const refId = `${example}-ref-${ts}`;
  const crashId = `${example}-crash-${ts}`;
  const ref: ExampleSpec = { name: example, sessionId: refId, extraArgs: ['--thread-id', refId, ...ex.extra(outDir)] };
  const refRun = await runExample(root, ref, url, outDir, 240_000, env, `${example}-ref`);
  if (!refRun.report) throw new Error(`the uninterrupted run failed (exit ${refRun.exitCode}, see ${refRun.logFile})`);
  const messageIds = Object.keys((refRun.report as any).details.threads as Record<string, string>);

  const crash: ExampleSpec = {
    name: example,
    sessionId: crashId,
    extraArgs: ['--thread-id', crashId, ...ex.extra(outDir)],
  };
  const log = createWriteStream(join(outDir, `${example}-crash-killed.log`));
  const args = ['-m', ex.module, '--url', url, '--session-id', crash.sessionId, ...crash.extraArgs!];
  const child = spawn(pythonFor(root), args, {
    cwd: join(root, `examples/${example}`),
    env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { checkpoints } = await json(`${url}/api/v1/langgraph/checkpoints?limit=10000`);
    const n = (checkpoints as Array<{ threadId: string }>).filter((c) => c.threadId.startsWith(`${crashId}:`)).length;
    if (n >= killAfter) break;
    if (child.exitCode !== null)
      throw new Error(`the crash run ended (exit ${child.exitCode}) before ${killAfter} checkpoints`);
    if (Date.now() > deadline) throw new Error('the crash run did not reach the kill point in 120 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;

  const again = await runExample(root, crash, url, outDir, 240_000, env, `${example}-crash-resumed`);
  if (!again.report) throw new Error(`the resumed run failed (exit ${again.exitCode}, see ${again.logFile})`);
  const o: ResumeObserved = {
    messageIds,
    crashLogs: new Map(),
    crashFinal: new Map(),
    refFinal: new Map(),
    agentLog: [],
    threadsAtRestart: (again.report as any).details.threads,
  };
  const threadSessions = await observe(
    url,
    messageIds.map((id) => `lg:${crashId}:${id}`),
  );
  for (const id of messageIds) {
    o.crashLogs.set(id, threadSessions.get(`lg:${crashId}:${id}`)?.events ?? []);
    o.crashFinal.set(id, await finalOf(url, `${crashId}:${id}`));
    o.refFinal.set(id, await finalOf(url, `${refId}:${id}`));
  }
  o.agentLog = (await observe(url, [crash.sessionId])).get(crash.sessionId)?.events ?? [];
  return o;
}
