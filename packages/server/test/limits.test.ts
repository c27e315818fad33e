/**
 * Issue #12 against a real server: timeouts and the connection cap (item 8), query keys only on the live-feed routes
 * and redacted (item 7), the public /health without the data directory (item 7), a zombie's stale lock (item 9),
 * 405 with Allow for a known path with another method (item 10).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from './helpers.js';

/** Writes `bytes` on a new connection and never sends more; resolves with what the server wrote before closing. */
function stall(port: number, bytes: string, giveUpMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    let out = '';
    sock.setTimeout(giveUpMs, () => sock.destroy(new Error(`no answer within ${giveUpMs} ms`)));
    sock.on('data', (d) => (out += d.toString()));
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
  });
}

describe('timeouts and the connection cap', () => {
  it('a request whose body never arrives gets 408 request_timeout (problem+json) and is closed', async () => {
    const s = await startTestServer({ requestTimeoutMs: 1500, headersTimeoutMs: 1000 });
    try {
      const out = await stall(
        s.port,
        'POST /api/actions/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":',
      );
      assert.match(out, /^HTTP\/1\.1 408/);
      assert.match(out, /application\/problem\+json/);
      assert.equal(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)).code, 'request_timeout');
      // Partial headers: the same.
      const partial = await stall(s.port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      assert.match(partial, /^HTTP\/1\.1 408/);
      assert.equal((await s.req('GET', '/health')).status, 200, 'others are served meanwhile');
    } finally {
      await s.stop();
    }
  });

  it('connections beyond TETHER_MAX_CONNECTIONS are closed on arrival; the others keep working', async () => {
    const s = await startTestServer({ maxConnections: 3 });
    const open: net.Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const sock = net.connect(s.port, '127.0.0.1');
        await new Promise((r) => sock.once('connect', r));
        open.push(sock);
      }
      await new Promise((r) => setTimeout(r, 200));
      const extra = await stall(s.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 10_000);
      assert.equal(extra, '', 'the fourth connection is closed without an answer');
      open.shift()!.destroy();
      await new Promise((r) => setTimeout(r, 200));
      const ok = await stall(s.port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 10_000);
      assert.match(ok, /^HTTP\/1\.1 200/);
    } finally {
      for (const sock of open) sock.destroy();
      await s.stop();
    }
  });
});

describe('secrets', () => {
  it('?apiKey= works only on the live-feed routes; it is redacted in problem documents and logs', async () => {
    const lines: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-secrets-'));
    // The logger binds to stdout when it is created: capture first.
    const origWrite = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const s = await startTestServer(
      { dataDir, logLevel: 'info', logRequests: true },
      { TETHER_API_KEYS: 'topsecret:admin' },
    );
    try {
      const r = await s.req('GET', '/api/v1/sessions?apiKey=topsecret');
      assert.equal(r.status, 401);
      assert.match(r.body.detail, /live-feed/);
      assert.doesNotMatch(JSON.stringify(r.body), /topsecret/);
      assert.match(r.body.instance, /apiKey=\[redacted\]/);
      assert.equal(
        (await s.req('DELETE', '/api/v1/sessions/x?apiKey=topsecret')).status,
        401,
        'no admin DELETE by query key',
      );
      // The SSE stream takes it (EventSource cannot send headers).
      const ctl = new AbortController();
      const sse = await fetch(`${s.url}/api/v1/stream?apiKey=topsecret`, { signal: ctl.signal });
      assert.equal(sse.status, 200);
      ctl.abort();
      assert.equal(
        (await s.req('GET', '/api/v1/sessions', undefined, { authorization: 'Bearer topsecret' })).status,
        200,
      );
    } finally {
      process.stdout.write = origWrite;
      await s.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const log = lines.join('');
    assert.match(log, /apiKey=\[redacted\]/, 'request URLs are logged (redacted)');
    assert.doesNotMatch(log, /topsecret/, 'the secret never reaches the log');
  });

  it('public /health shows no data directory; with a read key it does', async () => {
    const s = await startTestServer({}, { TETHER_API_KEYS: 'reader:read' });
    try {
      const pub = await s.req('GET', '/health');
      assert.equal(pub.status, 200);
      assert.doesNotMatch(JSON.stringify(pub.body), new RegExp(s.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.equal(pub.body.storage, 'sqlite');
      const priv = await s.req('GET', '/health', undefined, { authorization: 'Bearer reader' });
      assert.equal(priv.body.storage, s.dataDir);
    } finally {
      await s.stop();
    }
  });
});

describe('restart', () => {
  it("a zombie's pid in the lock file does not block a restart", async () => {
    // `sleep 0.2` becomes a zombie: its parent exec's into `sleep 30`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(
      await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString().trim()))),
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-zombie-'));
    try {
      for (let i = 0; i < 100; i++) {
        const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0], 'Z', 'the child is a zombie');
      writeFileSync(join(dataDir, 'tether.lock'), String(zombie));
      const s = await startTestServer({ dataDir });
      assert.equal((await s.req('GET', '/health')).status, 200);
      await s.stop();
      // A live pid still blocks.
      writeFileSync(join(dataDir, 'tether.lock'), String(parent.pid));
      await assert.rejects(startTestServer({ dataDir }), /Another Tether server/);
    } finally {
      parent.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('405 for a known path with another method', () => {
  it('answers 405 method_not_allowed with Allow', async () => {
    const s = await startTestServer();
    try {
      const r = await s.req('DELETE', '/health');
      assert.equal(r.status, 405);
      assert.equal(r.body.code, 'method_not_allowed');
      assert.match(r.headers.get('allow') ?? '', /GET/);
      assert.equal((await s.req('PUT', '/api/v1/sessions/abc')).headers.get('allow'), 'GET, HEAD, DELETE');
      assert.equal((await s.req('GET', '/nope')).status, 404);
    } finally {
      await s.stop();
    }
  });
});
