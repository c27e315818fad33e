/**
 * `POST /api/hooks/claude-code` against a real server: replaying real transcripts as the hook payloads Claude Code
 * would have sent (in the order it fires them) gives the same action count per session as importing the transcript;
 * plus the endpoint's own contract (idempotency, unknown events, sub-agents, never blocking).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startTestServer, type TestServer } from './helpers.ts';
import { jsonl, tether, TRANSCRIPTS } from './claude-helpers.ts';
import { CLAUDE_CODE_HOOK_EVENTS, CLAUDE_CODE_HOOK_PATH, HOOK_TIME_HEADER } from '../src/index.ts';
import { HOOK_PATH, HOOK_TIME_HEADER as CLI_TIME_HEADER } from '../../cli/src/claude/hook-runner.ts';
import { HOOK_EVENTS } from '../../cli/src/claude/settings.ts';

type Payload = Record<string, unknown>;

/**
 * Hook payloads for a transcript, in the order Claude Code fires them: SessionStart, UserPromptSubmit per prompt,
 * PreToolUse at each tool_use, PostToolUse / PostToolUseFailure at its tool_result, a Task call's sub-agent replayed
 * (SubagentStart, its tool calls with agent_id, SubagentStop) right after the Task's PreToolUse, Stop before each
 * next prompt and at the end, PreCompact at a compaction, SessionEnd.
 */
function replay(file: string): Payload[] {
  const lines = jsonl(file);
  const sid = lines.find((l) => l.sessionId)!.sessionId as string;
  const base = { session_id: sid, transcript_path: file, cwd: '/work', permission_mode: 'default' };
  const links = new Map<string, string>();
  for (const l of lines)
    if (l.type === 'progress' && l.data?.type === 'agent_progress') links.set(l.parentToolUseID, l.data.agentId);
  const out: Payload[] = [{ ...base, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-opus-4-6' }];
  const toolEvents = (ls: Array<Record<string, any>>, extra: Payload, onPre?: (b: any) => void) => {
    const inputs = new Map<string, any>();
    let lastText = '';
    let prompted = false;
    for (const l of ls) {
      if (l.isSidechain === true && !extra.agent_id) continue;
      if (l.type === 'assistant') {
        for (const b of l.message.content) {
          if (b.type === 'text' && b.text.trim()) lastText = b.text;
          if (b.type !== 'tool_use') continue;
          inputs.set(b.id, b);
          out.push({
            ...base,
            ...extra,
            hook_event_name: 'PreToolUse',
            tool_name: b.name,
            tool_input: b.input,
            tool_use_id: b.id,
          });
          onPre?.(b);
        }
      } else if (l.type === 'user') {
        const c = l.message.content;
        if (Array.isArray(c) && c.some((b: any) => b.type === 'tool_result')) {
          for (const r of c.filter((b: any) => b.type === 'tool_result')) {
            const u = inputs.get(r.tool_use_id);
            const common = { ...base, ...extra, tool_name: u.name, tool_input: u.input, tool_use_id: r.tool_use_id };
            out.push(
              r.is_error === true
                ? {
                    ...common,
                    hook_event_name: 'PostToolUseFailure',
                    error: typeof r.content === 'string' ? r.content : JSON.stringify(r.content),
                    is_interrupt: false,
                  }
                : { ...common, hook_event_name: 'PostToolUse', tool_response: l.toolUseResult ?? r.content },
            );
          }
        } else if (!extra.agent_id && !l.isMeta && !l.isCompactSummary && typeof c === 'string') {
          if (prompted)
            out.push({ ...base, hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: lastText });
          prompted = true;
          out.push({ ...base, hook_event_name: 'UserPromptSubmit', prompt: c });
        }
      } else if (l.type === 'system' && l.subtype === 'compact_boundary') {
        out.push({ ...base, hook_event_name: 'PreCompact', trigger: 'auto', custom_instructions: '' });
      }
    }
    return lastText;
  };
  const last = toolEvents(lines, {}, (b) => {
    const agentId = links.get(b.id);
    const subFile = join(file.replace(/\.jsonl$/, ''), 'subagents', `agent-${agentId}.jsonl`);
    if (!agentId || !existsSync(subFile)) return;
    const agent = { agent_id: agentId, agent_type: b.input.subagent_type };
    out.push({ ...base, ...agent, hook_event_name: 'SubagentStart' });
    const text = toolEvents(jsonl(subFile), agent);
    out.push({
      ...base,
      ...agent,
      hook_event_name: 'SubagentStop',
      stop_hook_active: false,
      last_assistant_message: text,
      agent_transcript_path: subFile,
    });
  });
  out.push({ ...base, hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: last });
  out.push({ ...base, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' });
  return out;
}

async function actionCounts(server: TestServer): Promise<Map<string, number>> {
  const { body } = await server.req('GET', '/api/v1/sessions?limit=500');
  return new Map(body.sessions.map((s: any) => [s.sessionId, s.metadata.metrics.actions]));
}

describe('POST /api/hooks/claude-code', () => {
  let hooks: TestServer;
  let imported: TestServer;
  const mains = existsSync(TRANSCRIPTS)
    ? readdirSync(TRANSCRIPTS)
        .filter((n) => n.endsWith('.jsonl'))
        .sort()
        .map((n) => join(TRANSCRIPTS, n))
    : [];

  before(async () => {
    hooks = await startTestServer();
    imported = await startTestServer();
  });
  after(async () => {
    await hooks?.stop();
    await imported?.stop();
  });

  test('the CLI and the server agree on the hook path, time header and event list', () => {
    assert.equal(HOOK_PATH, CLAUDE_CODE_HOOK_PATH);
    assert.equal(CLI_TIME_HEADER, HOOK_TIME_HEADER);
    assert.deepEqual([...HOOK_EVENTS], [...CLAUDE_CODE_HOOK_EVENTS]);
  });

  test('replaying transcripts as hooks gives the same action count per session as importing them', {
    skip: !mains.length && 'shared transcripts not found',
  }, async () => {
    let posted = 0;
    for (const file of mains) {
      for (const p of replay(file)) {
        const r = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, p);
        assert.equal(r.status, 200, `${basename(file)} ${String(p.hook_event_name)}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body, {});
        posted++;
      }
    }
    assert.ok(posted > 400, `${posted} hooks posted (the vendored transcripts give 507)`);
    const imp = await tether(['import', 'claude-code', TRANSCRIPTS, '--url', imported.url, '--json']);
    assert.equal(imp.code, 0, imp.stderr);
    const fromHooks = await actionCounts(hooks);
    const fromImport = await actionCounts(imported);
    let total = 0;
    for (const [sid, n] of fromImport) {
      assert.equal(fromHooks.get(sid) ?? 0, n, `${sid}: actions from hooks = actions from import`);
      total += n;
    }
    for (const [sid, n] of fromHooks) assert.equal(fromImport.get(sid) ?? 0, n, `${sid} from hooks only`);
    assert.ok(total > 200, `${total} actions (the vendored transcripts give 245)`);

    // Every tool call has its duration, nothing is left running, the sessions ended.
    const sid = 'fa812bfe-b295-4cca-9c2f-fdf01028cb46';
    const { body } = await hooks.req('GET', `/api/v1/sessions/${sid}`);
    assert.ok(body.actions.every((a: any) => typeof a.durationMs === 'number' && a.durationMs >= 0 && a.startedAt));
    assert.deepEqual(body.state.claudeCode.running, {});
    assert.equal(body.metadata.status, 'completed');
    assert.equal(body.metadata.type, 'claude-code');
    assert.equal(body.metadata.metadata.model, 'claude-opus-4-6');
    assert.equal(
      body.metadata.metadata.metrics.toolErrors,
      fromImportErrors(await imported.req('GET', `/api/v1/sessions/${sid}`)),
    );
    // Sub-agents: spawned in the parent, linked to the Task call, each with its own completed child session.
    const spawned = body.state.agents.spawned;
    assert.equal(spawned.length, 2);
    for (const a of spawned) {
      assert.equal(a.status, 'completed');
      assert.match(a.toolUseId, /^toolu_/);
      assert.equal(a.type, 'Explore');
      const child = (await hooks.req('GET', `/api/v1/sessions/${encodeURIComponent(a.childSessionId)}`)).body;
      assert.equal(child.metadata.parentSessionId, sid);
      assert.equal(child.metadata.status, 'completed');
      assert.ok(child.responses.some((r: any) => r.role === 'assistant' && r.content.length > 0));
    }
    // Prompts and final messages are responses.
    assert.ok(
      body.responses.some((r: any) => r.role === 'user') && body.responses.some((r: any) => r.role === 'assistant'),
    );

    // Importing the transcript into the same server afterwards adds no tool call: both write cc:tool:<tool_use_id>.
    await tether(['import', 'claude-code', join(TRANSCRIPTS, `${sid}.jsonl`), '--url', hooks.url, '--json']);
    const again = (await hooks.req('GET', `/api/v1/sessions/${sid}`)).body.metadata.metadata.metrics;
    assert.equal(again.actions, fromImport.get(sid));
  });

  test('a re-sent hook is stored once; a tool that never finishes shows as running', async () => {
    const sid = 'hook-idem-1';
    const pre = {
      session_id: sid,
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'sleep 1' },
      tool_use_id: 'toolu_A',
    };
    const post = { ...pre, hook_event_name: 'PostToolUse', tool_response: { stdout: 'ok' } };
    const prompt = { session_id: sid, hook_event_name: 'UserPromptSubmit', prompt: 'hello' };
    const t0 = '2026-03-01T10:00:00.000Z';
    await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, prompt, { [HOOK_TIME_HEADER]: t0 });
    await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, prompt, { [HOOK_TIME_HEADER]: t0 });
    await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, pre, { [HOOK_TIME_HEADER]: t0 });
    await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, pre, { [HOOK_TIME_HEADER]: t0 });
    let s = (await hooks.req('GET', `/api/v1/sessions/${sid}`)).body;
    assert.equal(s.state.claudeCode.running.toolu_A.tool, 'Bash');
    assert.equal(s.state.claudeCode.running.toolu_A.startedAt, t0);
    assert.equal(s.actions.length, 0);
    const r1 = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, post, { [HOOK_TIME_HEADER]: '2026-03-01T10:00:01.250Z' });
    assert.equal(r1.headers.get('x-tether-events'), '2');
    const seq = (await hooks.req('GET', `/api/v1/sessions/${sid}`)).body.metadata.lastSeq;
    const r2 = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, post, { [HOOK_TIME_HEADER]: '2026-03-01T10:00:02.000Z' });
    assert.equal(r2.status, 200);
    assert.equal(r2.headers.get('x-tether-events'), '0');
    s = (await hooks.req('GET', `/api/v1/sessions/${sid}`)).body;
    assert.equal(s.metadata.lastSeq, seq);
    assert.equal(s.actions.length, 1);
    assert.equal(s.actions[0].durationMs, 1250);
    assert.deepEqual(s.actions[0].output, { stdout: 'ok' });
    assert.equal(s.actions[0].timestamp, '2026-03-01T10:00:01.250Z');
    assert.equal(s.responses.filter((r: any) => r.role === 'user').length, 1);
    assert.deepEqual(s.state.claudeCode.running, {});
  });

  test('failures, unknown events and sub-agent tool calls', async () => {
    const sid = 'hook-misc-1';
    const post = async (p: Payload) => {
      const r = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, { session_id: sid, ...p });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {});
    };
    await post({
      hook_event_name: 'PreToolUse',
      tool_name: 'Edit',
      tool_input: { file_path: 'a' },
      tool_use_id: 'toolu_F',
    });
    await post({
      hook_event_name: 'PostToolUseFailure',
      tool_name: 'Edit',
      tool_input: { file_path: 'a' },
      tool_use_id: 'toolu_F',
      error: 'String not found',
      is_interrupt: false,
    });
    await post({ hook_event_name: 'TeammateIdle', teammate: 'x', detail: { a: 1 } });
    await post({
      hook_event_name: 'Notification',
      message: 'Claude needs your permission',
      notification_type: 'permission_prompt',
    });
    await post({ hook_event_name: 'SubagentStart', agent_id: 'ag1', agent_type: 'Plan' });
    await post({
      hook_event_name: 'PreToolUse',
      agent_id: 'ag1',
      agent_type: 'Plan',
      tool_name: 'Read',
      tool_input: { file_path: 'b' },
      tool_use_id: 'toolu_S',
    });
    await post({
      hook_event_name: 'PostToolUse',
      agent_id: 'ag1',
      agent_type: 'Plan',
      tool_name: 'Read',
      tool_input: { file_path: 'b' },
      tool_use_id: 'toolu_S',
      tool_response: 'text',
    });
    await post({
      hook_event_name: 'SubagentStop',
      agent_id: 'ag1',
      agent_type: 'Plan',
      last_assistant_message: 'done',
    });
    await post({ hook_event_name: 'SessionEnd', reason: 'clear' });
    const s = (await hooks.req('GET', `/api/v1/sessions/${sid}`)).body;
    const m = s.metadata.metadata.metrics;
    assert.equal(m.actions, 1);
    assert.equal(m.toolErrors, 1);
    assert.equal(m.filesModified, 1);
    assert.equal(s.actions[0].error, 'String not found');
    assert.equal(s.actions[0].isError, true);
    assert.equal(s.state.claudeCode.lastEvents.TeammateIdle.teammate, 'x');
    assert.equal(s.state.claudeCode.lastEvents.Notification.notification_type, 'permission_prompt');
    assert.equal(s.metadata.status, 'completed');
    assert.deepEqual(s.final, { reason: 'clear' });
    const child = (await hooks.req('GET', `/api/v1/sessions/${encodeURIComponent(`${sid}:agent-ag1`)}`)).body;
    assert.equal(child.metadata.parentSessionId, sid);
    assert.equal(child.metadata.metadata.metrics.actions, 1);
    assert.equal(child.actions[0].tool, 'Read');
    assert.equal(child.metadata.status, 'completed');
    assert.equal(s.state.agents.spawned[0].result, 'done');
  });

  test('bad bodies get problem+json, never a crash', async () => {
    const r1 = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, { hook_event_name: 'Stop' });
    assert.equal(r1.status, 400);
    assert.equal(r1.body.code, 'invalid_session_id');
    assert.match(r1.headers.get('content-type') ?? '', /problem\+json/);
    const r2 = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, '[1,2]');
    assert.equal(r2.status, 400);
    const r3 = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, '{"session_id": ');
    assert.equal(r3.status, 400);
    assert.equal(r3.body.code, 'invalid_json');
    // An event without a name is still stored, as a note.
    const r4 = await hooks.req('POST', CLAUDE_CODE_HOOK_PATH, { session_id: 'hook-noname' });
    assert.equal(r4.status, 200);
    assert.ok((await hooks.req('GET', '/api/v1/sessions/hook-noname')).body.state.claudeCode.lastEvents.Unknown);
  });

  test('with API keys enabled the endpoint needs the ingest scope', async () => {
    const keyed = await startTestServer({}, { TETHER_API_KEYS: 'sekret:ingest' });
    try {
      const p = { session_id: 'k1', hook_event_name: 'UserPromptSubmit', prompt: 'x' };
      assert.equal((await keyed.req('POST', CLAUDE_CODE_HOOK_PATH, p)).status, 401);
      assert.equal((await keyed.req('POST', CLAUDE_CODE_HOOK_PATH, p, { authorization: 'Bearer sekret' })).status, 200);
    } finally {
      await keyed.stop();
    }
  });
});

function fromImportErrors(r: { body: any }): number {
  return r.body.metadata.metadata.metrics.toolErrors;
}
