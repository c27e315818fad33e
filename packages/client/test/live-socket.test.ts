/**
 * LiveSocket (the SDK's WebSocket live feed) against a real server on an ephemeral port, with the `ws` package's
 * WebSocket: several subscriptions on one socket; the connection is cut (a TCP proxy drops it and refuses new ones
 * while events are appended) or the service restarts, and each subscription must then deliver the events it missed
 * exactly once and in order, then the live ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../server/test/helpers.ts';
import { hashKey } from '../../server/src/index.ts';
import {
  AuthenticationError,
  LiveSocket,
  TetherClient,
  type LiveEventMessage,
  type LiveListMessage,
  type LiveSocketState,
} from '../src/index.ts';
import { allEvents, range, until } from './util.ts';

/** A TCP proxy to `port` that can drop every connection (`cut`) and refuse new ones (`refuse`). */
async function proxyTo(port: number): Promise<{ url: string; cut(): void; refuse: boolean; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const state = { refuse: false };
  const srv: Server = createServer((down) => {
    if (state.refuse) return void down.destroy();
    const up = connect(port, '127.0.0.1');
    for (const s of [down, up]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        open.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${p}`,
    cut() {
      for (const s of open) s.destroy();
    },
    get refuse() {
      return state.refuse;
    },
    set refuse(v: boolean) {
      state.refuse = v;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        srv.close(() => r());
      }),
  };
}

async function act(server: { url: string }, sessionId: string, i: number | string): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/actions/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tool: 'Bash', input: { i } }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { seq: number }).seq;
}

/** Records what one subscription delivered. */
function recorder() {
  const events: LiveEventMessage[] = [];
  let subscribed = 0;
  return {
    events,
    get subscribed() {
      return subscribed;
    },
    onEvent: (m: LiveEventMessage) => void events.push(m),
    onSubscribed: () => void subscribed++,
    has: (marker: string) => events.some((e) => (e.data.input as { i?: unknown } | undefined)?.i === marker),
  };
}

test('one socket, several subscriptions; a dropped connection resumes each from its position, exactly once, in order', {
  timeout: 120_000,
}, async () => {
  const server = await startTestServer();
  const proxy = await proxyTo(Number(new URL(server.url).port));
  const tether = new TetherClient({ baseUrl: server.url, maxRetries: 0 });
  const live = new LiveSocket({ baseUrl: proxy.url, WebSocket, initialDelayMs: 10, maxDelayMs: 50 });
  try {
    await tether.sessions.create({ sessionId: 'live-a' });
    await tether.sessions.create({ sessionId: 'live-b' });
    for (const i of range(5)) await act(server, 'live-a', i);

    const states: LiveSocketState[] = [];
    live.onStatus((s) => states.push(s.state));
    const a = recorder();
    const b = recorder();
    const all = recorder();
    const list: LiveListMessage[] = [];
    let resyncs = 0;
    const subA = live.session('live-a', { afterSeq: 0, ...a });
    const subB = live.session('live-b', { ...b }); // live only
    live.firehose({ afterPos: 0, ...all });
    live.list({ onMessage: (m) => void list.push(m), onResync: () => void resyncs++ });

    await until(() => a.events.length === 6 && b.subscribed === 1 && all.subscribed === 1);
    assert.equal(subB.position, 1, 'a live-only subscription takes its position from `subscribed`');
    await act(server, 'live-b', 'b-live-1');
    await until(() => b.has('b-live-1'));

    // Drop the connection and keep the socket out while events are committed: these must come by resume.
    proxy.refuse = true;
    proxy.cut();
    await until(() => live.status.state === 'reconnecting' && live.status.attempts >= 2);
    for (const i of range(4)) await act(server, 'live-a', `a-missed-${i}`);
    for (const i of range(3)) await act(server, 'live-b', `b-missed-${i}`);
    await tether.sessions.create({ sessionId: 'live-c' }); // a list message the socket cannot see
    proxy.refuse = false;

    await until(() => a.subscribed === 2 && b.subscribed === 2 && all.subscribed === 2 && resyncs === 1);
    assert.equal(live.status.state, 'open');
    await act(server, 'live-a', 'a-after');
    await act(server, 'live-b', 'b-after');
    await until(() => a.has('a-after') && b.has('b-after') && all.has('b-after'));

    const logA = await allEvents(server.url, 'live-a');
    assert.deepEqual(
      a.events.map((e) => e.seq),
      range(logA.length).map((i) => i + 1),
    );
    assert.deepEqual(
      a.events.map((e) => e.eventId),
      logA.map((e) => e.id),
    );
    assert.equal(subA.position, logA.length);
    const logB = await allEvents(server.url, 'live-b');
    // live-b was subscribed live-only at seq 1: everything after it, once, in order.
    assert.deepEqual(
      b.events.map((e) => e.eventId),
      logB.slice(1).map((e) => e.id),
    );
    assert.deepEqual(
      b.events.map((e) => (e.data.input as { i: string }).i),
      ['b-live-1', 'b-missed-0', 'b-missed-1', 'b-missed-2', 'b-after'],
    );
    // The firehose: every stored event once, in commit (pos) order.
    const pos = all.events.map((e) => e.pos!);
    assert.deepEqual(
      pos,
      [...pos].sort((x, y) => x - y),
    );
    assert.equal(new Set(pos).size, pos.length);
    const logC = await allEvents(server.url, 'live-c');
    assert.deepEqual(new Set(all.events.map((e) => e.eventId)), new Set([...logA, ...logB, ...logC].map((e) => e.id)));
    // The list channel has no replay: live-c's creation is lost across the drop, and onResync told us to reload.
    assert.equal(
      list.some((m) => m.sessionId === 'live-c'),
      false,
    );
    assert.ok(states.includes('reconnecting') && states.at(-1) === 'open', states.join(' '));
  } finally {
    live.close();
    await proxy.close();
    await server.stop();
  }
});

test('a service restart (close 1001) on the same port: the session subscription resumes without loss or doubles', {
  timeout: 120_000,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-live-socket-'));
  let server: TestServer = await startTestServer({ dataDir });
  const port = Number(new URL(server.url).port);
  const live = new LiveSocket({ baseUrl: server.url, WebSocket, initialDelayMs: 10, maxDelayMs: 50 });
  try {
    await new TetherClient({ baseUrl: server.url }).sessions.create({ sessionId: 'restart-1' });
    for (const i of range(3)) await act(server, 'restart-1', i);
    const r = recorder();
    const closes: number[] = [];
    live.onStatus((s) => {
      if (s.closeCode !== undefined) closes.push(s.closeCode);
    });
    live.session('restart-1', { afterSeq: 2, ...r });
    await until(() => r.events.length === 2);

    await server.stop();
    server = await startTestServer({ dataDir, port });
    for (const i of range(5)) await act(server, 'restart-1', `after-restart-${i}`);
    await until(() => r.subscribed >= 2);
    await act(server, 'restart-1', 'last');
    await until(() => r.has('last'));

    const log = await allEvents(server.url, 'restart-1');
    assert.deepEqual(
      r.events.map((e) => e.eventId),
      log.slice(2).map((e) => e.id),
    );
    assert.equal(closes[0], 1001);
  } finally {
    live.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('several subscriptions of one session on one socket: each from its own position, none twice', {
  timeout: 120_000,
}, async () => {
  const server = await startTestServer();
  const live = new LiveSocket({ baseUrl: server.url, WebSocket, initialDelayMs: 10, maxDelayMs: 50 });
  try {
    await new TetherClient({ baseUrl: server.url }).sessions.create({ sessionId: 'multi-1' });
    for (const i of range(4)) await act(server, 'multi-1', i);
    const first = recorder();
    live.session('multi-1', { afterSeq: 3, ...first });
    await until(() => first.events.length === 2 && first.subscribed === 1);
    // A later subscription asking for older events: the channel is resubscribed from seq 1; `first` skips the replay.
    const second = recorder();
    live.session('multi-1', { afterSeq: 1, ...second });
    await until(() => second.events.length === 4 && second.subscribed === 1);
    // A live-only one on a live channel starts where the stream is (no request to the server, no replay).
    const third = recorder();
    const subThird = live.session('multi-1', { ...third });
    assert.equal(subThird.position, 5);
    await act(server, 'multi-1', 'next');
    await until(() => first.has('next') && second.has('next') && third.has('next'));
    assert.deepEqual(
      first.events.map((e) => e.seq),
      [4, 5, 6],
    );
    assert.deepEqual(
      second.events.map((e) => e.seq),
      [2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      third.events.map((e) => e.seq),
      [6],
    );
  } finally {
    live.close();
    await server.stop();
  }
});

test('a revoked key (close 4001) stops the socket for good: AuthenticationError to status and subscriptions', {
  timeout: 120_000,
}, async () => {
  const server = await startTestServer({ heartbeatMs: 100 }, { TETHER_API_KEYS: 'admin-key:admin' });
  const secret = 'live-socket-read-key';
  await server.app.store.createKey({
    id: 'k-live-socket',
    name: 'live-socket',
    hash: hashKey(secret),
    scopes: ['read'],
    created: new Date().toISOString(),
    revokedAt: null,
  });
  const live = new TetherClient({ baseUrl: server.url, apiKey: secret }).live({
    WebSocket,
    initialDelayMs: 10,
    maxDelayMs: 50,
  });
  try {
    const r = recorder();
    const errors: unknown[] = [];
    const sub = live.session('guarded-1', { ...r, onError: (e) => void errors.push(e) });
    await until(() => r.subscribed === 1);
    await server.app.store.revokeKey('k-live-socket');
    await until(() => live.status.state === 'closed');
    assert.equal(live.status.closeCode, 4001);
    assert.ok(live.status.error instanceof AuthenticationError);
    assert.equal(live.status.error.code, 'unauthorized');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof AuthenticationError);
    assert.equal(sub.closed, true);
    assert.throws(() => live.session('guarded-1', { onEvent() {} }), /LiveSocket is closed/);
  } finally {
    live.close();
    await server.stop();
  }
});

test('bad input gets a TypeError at once; a closed socket refuses new subscriptions', async () => {
  const live = new LiveSocket({ baseUrl: 'http://127.0.0.1:1', WebSocket });
  assert.throws(() => live.session('bad id!', { onEvent() {} }), TypeError);
  assert.throws(() => live.session('ok', { afterSeq: -1, onEvent() {} }), /afterSeq must be a whole number >= 0/);
  assert.throws(() => live.firehose({ afterPos: 1.5, onEvent() {} }), /afterPos/);
  assert.throws(() => live.list({} as never), /onMessage must be a function/);
  assert.throws(() => new LiveSocket({ baseUrl: 'ftp://x', WebSocket }), /http\(s\) or ws\(s\)/);
  assert.throws(() => new LiveSocket({ baseUrl: '', WebSocket }), /baseUrl is required/);
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function')
    assert.throws(() => new LiveSocket({ baseUrl: 'http://127.0.0.1:1' }), /pass options\.WebSocket/);
  live.close();
  assert.equal(live.status.state, 'closed');
  assert.throws(() => live.session('ok', { onEvent() {} }), /LiveSocket is closed/);
});
