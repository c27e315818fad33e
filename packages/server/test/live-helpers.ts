/**
 * Real live-feed clients for the live*.test.ts suites: a WebSocket client (the `ws` package) that records every message,
 * and an SSE reader over node:http. Waits are conditions with a generous safety timeout (never timed assertions).
 */
import { get as httpGet, type ClientRequest } from 'node:http';
import WebSocket from 'ws';
import type { TestServer } from './helpers.ts';

export type Msg = Record<string, any>;

/** Waits until `cond()` is true; rejects after `safetyMs` with `what` (a hang guard, not a performance check). */
export async function until(cond: () => boolean, what: string, safetyMs = 20_000): Promise<void> {
  const deadline = Date.now() + safetyMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class WsClient {
  readonly messages: Msg[] = [];
  /** WebSocket frames received; with `?batch=1` one frame holds many messages (flattened into `messages`). */
  frames = 0;
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames++;
      const m = JSON.parse(d.toString()) as Msg;
      if (m.type === 'batch') this.messages.push(...(m.messages as Msg[]));
      else this.messages.push(m);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** Opens `/api/v1/ws` with the query and headers given; rejects with the HTTP status when the upgrade is refused. */
  static connect(server: { url: string }, query = '', headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/ws${query}`, { headers });
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
              status: res.statusCode,
              body: JSON.parse(body || '{}'),
              client,
            }),
          ),
        );
      });
      ws.once('error', (err) => reject(err));
    });
  }

  send(op: Msg): void {
    this.ws.send(JSON.stringify(op));
  }

  /** Event messages (those with a seq) of a channel, in arrival order. */
  events(channel: string, sessionId?: string): Msg[] {
    return this.messages.filter(
      (m) =>
        m.channel === channel && typeof m.seq === 'number' && (sessionId === undefined || m.sessionId === sessionId),
    );
  }

  async waitFor(pred: (m: Msg) => boolean, what: string): Promise<Msg> {
    await until(() => this.messages.some(pred), what);
    return this.messages.find(pred)!;
  }

  /** Subscribes and waits for the `subscribed` reply (after the replay). */
  async subscribe(op: Msg): Promise<Msg> {
    const id = `${op.channel}:${op.sessionId ?? ''}:${Math.random()}`;
    this.send({ op: 'subscribe', ...op, id });
    return this.waitFor((m) => m.id === id && (m.type === 'subscribed' || m.type === 'error'), `subscribed ${id}`);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

/** Appends `n` actions to a session through the batch endpoint, `batch` per request; payload padded to `pad` chars. */
export async function appendActions(
  s: TestServer,
  sessionId: string,
  n: number,
  opts: { batch?: number; pad?: number; from?: number } = {},
): Promise<void> {
  const batch = opts.batch ?? 1000;
  const from = opts.from ?? 0;
  for (let i = 0; i < n; i += batch) {
    const events = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({
      sessionId,
      kind: 'action',
      data: { type: 'tool_use', tool: 'Bash', i: from + i + j, ...(opts.pad ? { pad: 'x'.repeat(opts.pad) } : {}) },
    }));
    const r = await s.req('POST', '/api/v1/ingest', { events });
    if (r.status !== 207 && r.status !== 200) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.body)}`);
    if (r.body.rejected)
      throw new Error(
        `ingest rejected ${r.body.rejected} events: ${JSON.stringify(r.body.results.find((x: Msg) => x.status >= 400))}`,
      );
  }
}

/**
 * A minimal SSE reader over node:http (no connection pool, so dropping it really closes its socket): parses
 * `id:`/`data:` messages and counts `:` comments; `stop()` drops the connection.
 */
export class SseReader {
  readonly messages: Array<{ id?: string; data: Msg }> = [];
  comments = 0;
  ended = false;
  status = 0;
  body: unknown;
  private req: ClientRequest | undefined;
  private constructor() {}

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    return new Promise((resolve, reject) => {
      r.req = httpGet(url, { headers, agent: false }, (res) => {
        r.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          if (r.status !== 200) return;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let id: string | undefined;
            let data: string | undefined;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) r.comments++;
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data = (data === undefined ? '' : `${data}\n`) + line.slice(6);
            }
            if (data !== undefined) r.messages.push({ ...(id !== undefined ? { id } : {}), data: JSON.parse(data) });
          }
        });
        const done = () => {
          r.ended = true;
          if (r.status !== 200 && buf) r.body = JSON.parse(buf);
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
        if (r.status === 200) resolve(r);
        else res.on('end', () => resolve(r));
      });
      r.req.on('error', (err) => (r.status ? (r.ended = true) : reject(err)));
    });
  }

  events(): Msg[] {
    return this.messages.filter((m) => typeof m.data.seq === 'number').map((m) => m.data);
  }

  /** The id of the last message that had one (what EventSource would send as Last-Event-ID). */
  lastId(): string | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--)
      if (this.messages[i]!.id !== undefined) return this.messages[i]!.id;
    return undefined;
  }

  stop(): void {
    this.req?.destroy();
  }
}

/** 1, 2, …, n */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
