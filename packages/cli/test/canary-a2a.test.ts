/**
 * `tether canary a2a` wire shapes: the envelopes real 0.3 and 1.0 clients send (with and without jsonrpc/id/messageId,
 * legacy `type` parts) and the reading of replies (Task or Message, 0.3 `kind` or 1.0 `{task}`/`{message}`, errors).
 * The canaries themselves run against the reference runtime in scripts/test.d/62-a2a.sh (e2e/a2a/break-matrix.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHAPES, envelope, parseReply } from '../src/canary/a2a/wire.ts';
import { cardVersions, formatReport } from '../src/canary/a2a/run.ts';

const file = { name: 'a.txt', mimeType: 'text/plain', content: 'hello' };

test('0.3 envelopes: message/send, kind parts, no A2A-Version header; shapes drop jsonrpc/id/messageId or use type', () => {
  const full = envelope('0.3', { contextId: 'c', text: 'hi', file, shape: SHAPES.full });
  assert.equal(full.body.method, 'message/send');
  assert.equal(full.body.jsonrpc, '2.0');
  assert.ok(full.body.id);
  assert.equal(full.headers['A2A-Version'], undefined);
  const m = (full.body.params as { message: Record<string, unknown> }).message;
  assert.equal(m.role, 'user');
  assert.ok(m.messageId);
  assert.deepEqual(m.parts, [
    { kind: 'text', text: 'hi' },
    { kind: 'file', file: { name: 'a.txt', mimeType: 'text/plain', bytes: Buffer.from('hello').toString('base64') } },
  ]);
  const bare = envelope('0.3', { contextId: 'c', text: 'hi', shape: SHAPES.bare });
  assert.deepEqual(Object.keys(bare.body).sort(), ['method', 'params']);
  assert.equal((bare.body.params as { message: Record<string, unknown> }).message.messageId, undefined);
  const legacy = envelope('0.3', { contextId: 'c', file: { ...file, uri: 'file:///w/a.txt' }, shape: SHAPES.legacy });
  assert.deepEqual((legacy.body.params as { message: { parts: unknown[] } }).message.parts, [
    { type: 'file', file: { name: 'a.txt', mimeType: 'text/plain', uri: 'file:///w/a.txt' } },
  ]);
});

test('1.0 envelopes: SendMessage, ROLE_USER, {text}/{raw|url, mediaType, filename}, A2A-Version: 1.0', () => {
  const e = envelope('1.0', {
    contextId: 'c',
    text: 'summarize this',
    file,
    shape: SHAPES.noId,
    metadata: { userId: 'u' },
  });
  assert.equal(e.body.method, 'SendMessage');
  assert.equal(e.headers['A2A-Version'], '1.0');
  assert.equal(e.body.id, undefined);
  const m = (e.body.params as { message: Record<string, unknown> }).message;
  assert.equal(m.role, 'ROLE_USER');
  assert.deepEqual(m.metadata, { userId: 'u' });
  assert.deepEqual(m.parts, [
    { text: 'summarize this' },
    { raw: Buffer.from('hello').toString('base64'), mediaType: 'text/plain', filename: 'a.txt' },
  ]);
});

test('replies: 0.3 task, 1.0 task, messages, errors', () => {
  const t03 = parseReply(
    200,
    {
      jsonrpc: '2.0',
      id: 1,
      result: {
        kind: 'task',
        id: 't1',
        contextId: 'c',
        status: {
          state: 'completed',
          message: { kind: 'message', parts: [{ kind: 'text', text: 'Your name is Hongming.' }] },
        },
      },
    },
    5,
  );
  assert.deepEqual([t03.text, t03.taskId, t03.contextId, t03.error], ['Your name is Hongming.', 't1', 'c', undefined]);
  const t10 = parseReply(
    200,
    {
      result: {
        task: {
          id: 't2',
          contextId: 'c',
          status: { state: 'TASK_STATE_COMPLETED', message: { parts: [{ text: 'a' }] } },
          artifacts: [{ parts: [{ text: 'b' }] }],
        },
      },
    },
    5,
  );
  assert.deepEqual([t10.text, t10.taskId], ['a\nb', 't2']);
  assert.equal(
    parseReply(200, { result: { message: { taskId: 't3', contextId: 'c', parts: [{ text: 'm' }] } } }, 1).text,
    'm',
  );
  assert.equal(parseReply(200, { result: { kind: 'message', parts: [{ kind: 'text', text: 'k' }] } }, 1).text, 'k');
  assert.match(parseReply(200, { error: { code: -32600, message: 'Invalid Request' } }, 1).error ?? '', /-32600/);
  assert.equal(parseReply(502, 'bad gateway', 1).error, 'HTTP 502');
});

test('card versions and the one-line summary', () => {
  assert.deepEqual(
    cardVersions({
      supportedInterfaces: [{ protocolVersion: '1.0' }, { protocolVersion: '0.3' }],
      protocolVersion: '0.3',
    }).sort(),
    ['0.3', '1.0'],
  );
  const text = formatReport({
    ok: false,
    agentUrl: 'x',
    versions: ['0.3'],
    durationMs: 1234,
    card: { ok: true, detail: '' },
    artifactsDir: '/a',
    canaries: [
      {
        name: 'name',
        version: '0.3',
        ok: false,
        reason: 'turn 2 reply lacks Hongming',
        durationMs: 5,
        contexts: [],
        exchanges: [],
        diagnostics: [{ ok: false, detail: 'session keyed by task id' }],
      },
      {
        name: 'memory',
        version: '0.3',
        ok: true,
        reason: 'recalled',
        durationMs: 5,
        contexts: [],
        exchanges: [],
        diagnostics: [{ ok: true, detail: 'item' }],
      },
    ],
  });
  assert.deepEqual(text.split('\n'), [
    'FAIL name@0.3          turn 2 reply lacks Hongming (5 ms) | tether: session keyed by task id',
    'ok   memory@0.3        recalled (5 ms) | tether: ok',
    'a2a canary: 1/2 passed in 1.2 s; artifacts in /a/',
  ]);
});
