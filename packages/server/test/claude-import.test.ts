/**
 * `tether import claude-code` against a real server: the numbers per session must equal what this test counts from
 * the transcript files on its own (not with the importer's code), a second import must change nothing, and
 * `tether sessions list` must show sub-agents under their parents.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startTestServer, type TestServer } from './helpers.ts';
import { jsonl, tether, TRANSCRIPTS } from './claude-helpers.ts';

interface Expected {
  sessionId: string;
  parent: string | null;
  toolCalls: number;
  toolErrors: number;
  prompts: number;
  subagents: number;
  tokens: { input: number; output: number; cacheRead: number; cacheCreation: number };
}

/** Counts a transcript by hand: distinct tool_use ids, is_error results, typed prompts, and each message's LAST usage. */
function count(file: string, sessionId: string, parent: string | null, subagents: number): Expected {
  const toolUses = new Set<string>();
  const errors = new Set<string>();
  const lastUsage = new Map<string, any>();
  let prompts = 0;
  for (const l of jsonl(file)) {
    if (parent === null && l.isSidechain === true) continue;
    if (l.type === 'assistant') {
      for (const b of l.message.content) if (b.type === 'tool_use') toolUses.add(b.id);
      lastUsage.set(l.message.id, l.message.usage); // later lines of the same message overwrite: the last one wins
    }
    if (l.type === 'user') {
      const c = l.message.content;
      if (Array.isArray(c) && c.some((b: any) => b.type === 'tool_result')) {
        for (const b of c) if (b.type === 'tool_result' && b.is_error === true) errors.add(b.tool_use_id);
        continue;
      }
      if (l.isMeta || l.isCompactSummary) continue;
      const text =
        typeof c === 'string'
          ? c
          : c
              .filter((b: any) => b.type === 'text')
              .map((b: any) => b.text)
              .join('\n');
      if (text.trim() && !text.startsWith('[Request interrupted by user')) prompts++;
    }
  }
  const tokens = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  for (const u of lastUsage.values()) {
    if (!u) continue;
    tokens.input += u.input_tokens ?? 0;
    tokens.output += u.output_tokens ?? 0;
    tokens.cacheRead += u.cache_read_input_tokens ?? 0;
    tokens.cacheCreation += u.cache_creation_input_tokens ?? 0;
  }
  return { sessionId, parent, toolCalls: toolUses.size, toolErrors: errors.size, prompts, subagents, tokens };
}

/** Every session the shared folder holds, counted by hand. */
function expectedAll(): Expected[] {
  const out: Expected[] = [];
  for (const name of readdirSync(TRANSCRIPTS)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const file = join(TRANSCRIPTS, name);
    const sid = jsonl(file).find((l) => l.sessionId)!.sessionId as string;
    const subDir = join(TRANSCRIPTS, basename(name, '.jsonl'), 'subagents');
    const subs = existsSync(subDir) ? readdirSync(subDir).filter((n) => /^agent-.*\.jsonl$/.test(n)) : [];
    out.push(count(file, sid, null, subs.length));
    for (const s of subs)
      out.push(count(join(subDir, s), `${sid}:agent-${s.slice('agent-'.length, -'.jsonl'.length)}`, sid, 0));
  }
  return out;
}

describe('tether import claude-code', { skip: !existsSync(TRANSCRIPTS) && 'shared transcripts not found' }, () => {
  let server: TestServer;
  const expected = existsSync(TRANSCRIPTS) ? expectedAll() : [];
  let firstSummary: any;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('imports every transcript with the numbers counted from the files', async () => {
    const r = await tether(['import', 'claude-code', TRANSCRIPTS, '--url', server.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    firstSummary = JSON.parse(r.stdout);
    assert.equal(firstSummary.totals.rejected, 0);
    assert.equal(firstSummary.totals.malformedLines, 0);
    assert.ok(expected.length >= 5, 'the shared folder holds sessions and sub-agents');
    for (const e of expected) {
      const { status, body } = await server.req('GET', `/api/v1/sessions/${encodeURIComponent(e.sessionId)}`);
      assert.equal(status, 200, `session ${e.sessionId} exists`);
      const s = body.metadata;
      const m = s.metadata.metrics;
      assert.equal(s.type, 'claude-code');
      assert.equal(s.parentSessionId, e.parent, `${e.sessionId} parent`);
      assert.equal(m.toolCalls, e.toolCalls, `${e.sessionId} tool calls`);
      assert.equal(m.actions, e.toolCalls, `${e.sessionId}: exactly one action per tool use`);
      assert.equal(m.toolErrors, e.toolErrors, `${e.sessionId} tool errors`);
      assert.equal(m.agentsSpawned, e.subagents, `${e.sessionId} sub-agents`);
      const prompts = body.responses.filter((x: any) => x.role === 'user').length;
      assert.equal(prompts, e.prompts, `${e.sessionId} prompts`);
      const t = s.metadata.tokenUsage;
      assert.deepEqual(
        { input: t.input, output: t.output, cacheRead: t.cacheRead ?? 0, cacheCreation: t.cacheCreation ?? 0 },
        e.tokens,
        `${e.sessionId} tokens`,
      );
      assert.equal(t.total, e.tokens.input + e.tokens.output);
      if (e.parent === null) {
        const kids = (await server.req('GET', `/api/v1/sessions/${encodeURIComponent(e.sessionId)}/children`)).body
          .sessions;
        assert.equal(kids.length, e.subagents, `${e.sessionId} child sessions`);
      }
    }
  });

  test('keeps the original timestamps and links sub-agents to their Task call', async () => {
    const main = join(TRANSCRIPTS, 'fa812bfe-b295-4cca-9c2f-fdf01028cb46.jsonl');
    const lines = jsonl(main);
    const first = lines
      .map((l) => l.timestamp)
      .filter(Boolean)
      .sort()[0];
    const { body } = await server.req('GET', '/api/v1/sessions/fa812bfe-b295-4cca-9c2f-fdf01028cb46');
    assert.equal(body.metadata.created, first);
    assert.equal(body.metadata.status, 'completed');
    assert.equal(body.metadata.metadata.model, 'claude-opus-4-6');
    // The Task calls by hand: tool_use id → subagent_type, and progress lines agentId → parentToolUseID.
    const tasks = new Map<string, string>();
    for (const l of lines)
      if (l.type === 'assistant')
        for (const b of l.message.content)
          if (b.type === 'tool_use' && b.name === 'Task') tasks.set(b.id, b.input.subagent_type);
    const links = new Map<string, string>();
    for (const l of lines)
      if (l.type === 'progress' && l.data?.type === 'agent_progress') links.set(l.data.agentId, l.parentToolUseID);
    const spawned = body.state.agents.spawned;
    for (const [agentId, toolUseId] of links) {
      const a = spawned.find((x: any) => x.agentId === agentId);
      assert.ok(a, `agent ${agentId} spawned`);
      assert.equal(a.toolUseId, toolUseId);
      assert.equal(a.type, tasks.get(toolUseId));
      assert.equal(a.childSessionId, `fa812bfe-b295-4cca-9c2f-fdf01028cb46:agent-${agentId}`);
      assert.equal(a.status, 'completed');
    }
    const action = body.actions.find((x: any) => x.tool === 'Bash');
    assert.ok(action.durationMs >= 0 && typeof action.startedAt === 'string' && 'output' in action && action.toolUseId);
  });

  test('a second import changes nothing', async () => {
    const before = (await server.req('GET', '/api/v1/sessions?limit=500')).body.sessions
      .map((s: any) => [s.sessionId, s.lastSeq])
      .sort();
    const r = await tether(['import', 'claude-code', TRANSCRIPTS, '--url', server.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.totals.stored, 0);
    assert.equal(summary.totals.duplicates, firstSummary.totals.events);
    const afterList = (await server.req('GET', '/api/v1/sessions?limit=500')).body.sessions
      .map((s: any) => [s.sessionId, s.lastSeq])
      .sort();
    assert.deepEqual(afterList, before);
  });

  test('tether sessions list shows sub-agents under their parents', async () => {
    const r = await tether(['sessions', 'list', '--url', server.url, '--limit', '500']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n');
    for (const e of expected.filter((x) => x.parent)) {
      const child = rows.findIndex((row) => row.includes(`└─ ${e.sessionId}`));
      assert.ok(child > 0, `${e.sessionId} listed as a child`);
      const parentRow = rows.findIndex((row) => row.startsWith(e.parent!));
      assert.ok(parentRow >= 0 && parentRow < child, `${e.sessionId} after its parent`);
      assert.ok(
        rows.slice(parentRow + 1, child).every((row) => row.includes('└─')),
        'only siblings in between',
      );
    }
  });

  test('malformed lines are reported with file:line and skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-cc-bad-'));
    try {
      const file = join(dir, 'broken.jsonl');
      copyFileSync(join(TRANSCRIPTS, 'short.jsonl'), file);
      const good = readFileSync(file, 'utf8').trimEnd().split('\n');
      good.splice(
        4,
        0,
        '{"type": "assistant", "message": ',
        '[1, 2, 3]',
        '{"type":"assistant","timestamp":"2026-02-10T21:12:00.000Z"}',
      );
      writeFileSync(file, good.join('\n') + '\n');
      const r = await tether(['import', 'claude-code', file, '--url', server.url, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /broken\.jsonl:5: not valid JSON/);
      assert.match(r.stderr, /broken\.jsonl:6: not a JSON object/);
      assert.match(r.stderr, /broken\.jsonl:7: assistant line without a message object/);
      const summary = JSON.parse(r.stdout);
      assert.equal(summary.totals.malformedLines, 3);
      // short.jsonl was imported before (same session id, same event ids): nothing new, nothing lost.
      assert.equal(summary.totals.rejected, 0);
      assert.equal(summary.sessions[0].toolCalls, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
