import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHAPES, envelope, send, type A2AVersion, type CanaryFile, type Reply, type Shape } from './wire.js';
import { a2aMessages, contextSessionId, dumpSession, memoryItems, type TetherConn } from './tether.js';

/** One request/reply pair, kept for the artifacts. */
export interface Exchange {
  contextId: string;
  request: { headers: Record<string, string>; body: Record<string, unknown> };
  reply: Reply;
}

/** A layer diagnostic: what Tether holds for the canary's contexts. */
export interface Finding {
  ok: boolean;
  detail: string;
}

/** The verdict of one canary (at the running runtime) plus its layer diagnostics (in Tether). */
export interface CanaryResult {
  name: string;
  version: A2AVersion;
  ok: boolean;
  reason: string;
  durationMs: number;
  contexts: string[];
  exchanges: Exchange[];
  diagnostics: Finding[];
  memoryNamespace?: string[];
}

/** What every canary needs: where the agent is, how to restart it, where Tether is, where files go. */
export interface CanaryEnv {
  agentUrl: string;
  version: A2AVersion;
  timeoutMs: number;
  runId: string;
  userId: string;
  restart?: () => Promise<void>;
  tether?: TetherConn;
  workspaceDir?: string;
  workspaceUrl?: string;
}

/** The name stated in canary 1 and the fact committed in canary 4 (the seed's values). */
export const NAME = 'Hongming';
export const FACT = 'blue';
export const EMPTY_PROMPT = /\(empty prompt/i;

class Run {
  exchanges: Exchange[] = [];
  contexts: string[] = [];
  constructor(readonly env: CanaryEnv) {}

  context(): string {
    const c = randomUUID();
    this.contexts.push(c);
    return c;
  }

  async turn(contextId: string, shape: Shape, text?: string, file?: CanaryFile): Promise<Reply> {
    const env = envelope(this.env.version, {
      contextId,
      shape,
      metadata: { userId: this.env.userId },
      ...(text !== undefined ? { text } : {}),
      ...(file ? { file } : {}),
    });
    const reply = await send(this.env.agentUrl, env, this.env.timeoutMs);
    this.exchanges.push({ contextId, request: env, reply });
    return reply;
  }
}

const q = (s: string, n = 100) => JSON.stringify(s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Checks the context's session: it exists under the context id, holds `userTexts` (and agent replies) in order, and no
 * session is keyed by one of the task ids instead. */
async function checkContext(
  r: Run,
  contextId: string,
  expect: { userTexts: string[]; fileName?: string; fileContent?: string; mustNotContain?: string },
): Promise<Finding[]> {
  const t = r.env.tether;
  if (!t) return [];
  const out: Finding[] = [];
  const sid = await contextSessionId(t, contextId);
  const dump = await dumpSession(t, sid);
  const taskIds = r.exchanges
    .filter((e) => e.contextId === contextId)
    .map((e) => e.reply.taskId)
    .filter((x): x is string => !!x);
  const byTask: string[] = [];
  for (const id of taskIds) if (await dumpSession(t, t.sessionPrefix + id)) byTask.push(t.sessionPrefix + id);
  if (byTask.length)
    out.push({
      ok: false,
      detail: `session keyed by task id (${byTask.join(', ')}), not by contextId: every message/send gets a new task id`,
    });
  if (!dump) {
    out.push({ ok: false, detail: `no session ${sid} for contextId ${contextId}` });
    return out;
  }
  const msgs = a2aMessages(dump);
  const users = msgs.filter((m) => m.role === 'user');
  const roles = msgs.map((m) => (m.role === 'user' ? 'U' : 'A')).join('');
  const texts = users.map((m) =>
    ((m.parts as Array<Record<string, unknown>>) ?? [])
      .filter((p) => p.kind === 'text')
      .map((p) => p.text)
      .join('\n'),
  );
  const want = expect.userTexts;
  const inOrder = want.length === texts.length && want.every((w, i) => texts[i] === w);
  out.push(
    inOrder && roles === 'UA'.repeat(want.length)
      ? { ok: true, detail: `${sid}: ${msgs.length} messages in order (${roles})` }
      : {
          ok: false,
          detail: `${sid}: expected ${want.length} user turns each answered (${'UA'.repeat(want.length)}), found ${roles || 'none'}: ${q(JSON.stringify(texts), 160)}`,
        },
  );
  const otherCtx = msgs.filter((m) => m.contextId !== contextId);
  if (otherCtx.length) out.push({ ok: false, detail: `${sid} holds ${otherCtx.length} messages of other contexts` });
  if (expect.fileName) {
    const files = users.flatMap((m) =>
      ((m.parts as Array<Record<string, unknown>>) ?? []).filter((p) => p.kind === 'file'),
    );
    const f = files.find((p) => p.filename === expect.fileName);
    const raw = JSON.stringify(dump.events);
    const inline = expect.fileContent ? raw.includes(Buffer.from(expect.fileContent).toString('base64')) : false;
    out.push(
      f && !inline
        ? {
            ok: true,
            detail: `file ${expect.fileName} stored by reference${f.url ? ` (${String(f.url)})` : ` (sha256 ${String(f.sha256).slice(0, 12)}…)`}`,
          }
        : {
            ok: false,
            detail: f
              ? `file ${expect.fileName} stored inline (bytes in the event log)`
              : `no file part ${expect.fileName} in ${sid}`,
          },
    );
  }
  if (expect.mustNotContain && JSON.stringify(dump.events).includes(expect.mustNotContain))
    out.push({ ok: false, detail: `${sid} mentions ${q(expect.mustNotContain)} from another context` });
  return out;
}

function result(
  r: Run,
  name: string,
  t0: number,
  ok: boolean,
  reason: string,
  diagnostics: Finding[],
  extra: Partial<CanaryResult> = {},
): CanaryResult {
  return {
    name,
    version: r.env.version,
    ok,
    reason,
    durationMs: Math.round(performance.now() - t0),
    contexts: r.contexts,
    exchanges: r.exchanges,
    diagnostics,
    ...extra,
  };
}

function failed(reply: Reply, turn: string): string | undefined {
  return reply.error ? `${turn}: ${reply.error}` : reply.text ? undefined : `${turn}: empty reply`;
}

/** 1. Two turns in one context; turn 2's reply names what turn 1 said (optionally across a runtime restart). */
async function nameCanary(env: CanaryEnv): Promise<CanaryResult> {
  const r = new Run(env),
    t0 = performance.now();
  const ctx = r.context();
  const t1 = await r.turn(ctx, SHAPES.full, `Hi, my name is ${NAME}.`);
  const e1 = failed(t1, 'turn 1');
  if (e1)
    return result(r, 'name', t0, false, e1, await checkContext(r, ctx, { userTexts: [`Hi, my name is ${NAME}.`] }));
  if (env.restart) await env.restart();
  const t2 = await r.turn(ctx, SHAPES.noId, 'What is my name?');
  const e2 = failed(t2, 'turn 2');
  const ok = !e2 && t2.text.includes(NAME);
  const reason =
    e2 ??
    (ok
      ? `turn 2 recalled ${NAME}${env.restart ? ' after a restart' : ''}`
      : `turn 2 reply ${q(t2.text)} lacks ${NAME}: the context's history was not loaded`);
  return result(
    r,
    'name',
    t0,
    ok,
    reason,
    await checkContext(r, ctx, { userTexts: [`Hi, my name is ${NAME}.`, 'What is my name?'] }),
  );
}

/** 2. A file with no caption is not an empty prompt: the reply names the file or asks about it. */
async function fileOnlyCanary(env: CanaryEnv): Promise<CanaryResult> {
  const r = new Run(env),
    t0 = performance.now();
  const ctx = r.context();
  const file: CanaryFile = {
    name: `canary-notes-${env.runId}.txt`,
    mimeType: 'text/plain',
    content: 'Meeting notes: ship the canary harness on Friday. Owner: Dana.\n',
  };
  const t = await r.turn(ctx, SHAPES.legacy, undefined, file);
  const e = failed(t, 'reply');
  const asks = /\?/.test(t.text) && /\b(file|attach|document|upload)/i.test(t.text);
  const ok = !e && !EMPTY_PROMPT.test(t.text) && (t.text.includes(file.name) || asks);
  const reason =
    e ??
    (EMPTY_PROMPT.test(t.text)
      ? `answered ${q(t.text)}: the file-only message was dropped to an empty prompt`
      : ok
        ? 'the reply refers to the file'
        : `reply ${q(t.text)} neither names ${file.name} nor asks about it`);
  return result(
    r,
    'file-only',
    t0,
    ok,
    reason,
    await checkContext(r, ctx, { userTexts: [''], fileName: file.name, fileContent: file.content }),
  );
}

/** 3. A file with the caption "summarize this" is answered about the attachment's content. */
async function fileCaptionCanary(env: CanaryEnv): Promise<CanaryResult> {
  const r = new Run(env),
    t0 = performance.now();
  const ctx = r.context();
  const content =
    'Quarterly report: revenue grew 12% to 4.2M EUR; the Lisbon office opened in March.\nHeadcount is 57.\n';
  const file: CanaryFile = {
    name: `quarterly-report-${env.runId}-${env.version}.txt`,
    mimeType: 'text/plain',
    content,
  };
  if (env.workspaceDir) {
    await mkdir(env.workspaceDir, { recursive: true });
    await writeFile(join(env.workspaceDir, file.name), content);
    file.uri = `${(env.workspaceUrl ?? `file://${env.workspaceDir}`).replace(/\/$/, '')}/${file.name}`;
  }
  const t = await r.turn(ctx, SHAPES.full, 'summarize this', file);
  const e = failed(t, 'reply');
  const ok = !e && !EMPTY_PROMPT.test(t.text) && /12%|Lisbon|revenue/i.test(t.text);
  const reason =
    e ??
    (ok
      ? `summarized the attachment${file.uri ? ' (by reference)' : ' (inline)'}`
      : `reply ${q(t.text)} says nothing of the attachment's content (12%, Lisbon, revenue)`);
  return result(
    r,
    'file-caption',
    t0,
    ok,
    reason,
    await checkContext(r, ctx, { userTexts: ['summarize this'], fileName: file.name, fileContent: content }),
  );
}

/** 4. A fact committed in one context is recalled in a new one through the memory tool. */
async function memoryCanary(env: CanaryEnv): Promise<CanaryResult> {
  const r = new Run(env),
    t0 = performance.now();
  const a = r.context();
  const tell = `Please remember that my favorite color is ${FACT}.`;
  const t1 = await r.turn(a, SHAPES.full, tell);
  const e1 = failed(t1, 'turn 1');
  const ns = env.tether ? [...env.tether.memoryNamespace, 'user', env.userId] : undefined;
  if (e1) return result(r, 'memory', t0, false, e1, [], ns ? { memoryNamespace: ns } : {});
  if (env.restart) await env.restart();
  const b = r.context();
  const t2 = await r.turn(b, SHAPES.noId, 'What is my favorite color?');
  const e2 = failed(t2, 'turn 2');
  const ok = !e2 && t2.text.toLowerCase().includes(FACT);
  const reason =
    e2 ??
    (ok
      ? `a new context recalled ${FACT}`
      : `the new context's reply ${q(t2.text)} lacks ${FACT}: nothing was committed to or recalled from memory`);
  const diags: Finding[] = [];
  if (env.tether && ns) {
    const m = await memoryItems(env.tether, ns);
    const hit = m.items.find((it) =>
      JSON.stringify(it.value ?? {})
        .toLowerCase()
        .includes(FACT),
    );
    diags.push(
      !m.available
        ? { ok: false, detail: m.error ?? 'no memory store' }
        : hit
          ? { ok: true, detail: `memory item ${String(hit.key)} in ${ns.join('.')}` }
          : { ok: false, detail: `no memory item mentioning ${FACT} in ${ns.join('.')} (${m.items.length} items)` },
    );
    diags.push(...(await checkContext(r, b, { userTexts: ['What is my favorite color?'], mustNotContain: tell })));
  }
  return result(r, 'memory', t0, ok, reason, diags, ns ? { memoryNamespace: ns } : {});
}

/** 5. A fresh context does not see another context's messages (run after the name canary). */
async function isolationCanary(env: CanaryEnv): Promise<CanaryResult> {
  const r = new Run(env),
    t0 = performance.now();
  const ctx = r.context();
  const t = await r.turn(ctx, SHAPES.bare, 'What is my name?');
  const e = failed(t, 'reply');
  const ok = !e && !t.text.includes(NAME);
  const reason =
    e ??
    (ok
      ? "a fresh context did not see the name canary's context"
      : `a fresh context answered ${q(t.text)}: it saw another context's messages`);
  return result(
    r,
    'isolation',
    t0,
    ok,
    reason,
    await checkContext(r, ctx, { userTexts: ['What is my name?'], mustNotContain: NAME }),
  );
}

/** The canaries in the order they run (isolation after name). */
export const CANARIES: Array<{ name: string; run: (env: CanaryEnv) => Promise<CanaryResult> }> = [
  { name: 'name', run: nameCanary },
  { name: 'file-only', run: fileOnlyCanary },
  { name: 'file-caption', run: fileCaptionCanary },
  { name: 'memory', run: memoryCanary },
  { name: 'isolation', run: isolationCanary },
];
