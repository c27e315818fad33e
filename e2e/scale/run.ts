/**
 * The multi-server test through a real load balancer (scripts/test.d/65-scale.sh starts it with scripts/scale-local.sh):
 * writers spread over all servers (through HAProxy), WebSocket and SSE subscribers on all servers, one server killed
 * with kill -9 mid-run and restarted. Checks: every subscriber got every event of every session exactly once in seq
 * order (and the firehose in pos order), resuming through the balancer after its server died; every acknowledged
 * write is readable at its seq; the restarted server takes traffic again; a dashboard in Chromium behind the balancer
 * shows sessions written through every server. Exits 1 with the failures listed. Artifacts in artifacts/scale/.
 *
 * Environment: TETHER_SCALE_URL (the balancer), TETHER_SCALE_PORTS (the servers' ports), and the settings of
 * scripts/scale-local.sh (used for `kill` and `restart`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { get as httpGet, type ClientRequest } from 'node:http';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { captureDashboard } from '../lib/dashboard.js';

const LB = process.env.TETHER_SCALE_URL ?? 'http://127.0.0.1:9100';
const PORTS = (process.env.TETHER_SCALE_PORTS ?? '9101 9102 9103').split(/\s+/).filter(Boolean).map(Number);
const ROOT = resolve(import.meta.dirname, '../..');
const ART = resolve(ROOT, 'artifacts/scale');
mkdirSync(ART, { recursive: true });
const RUN = Date.now().toString(36);
const SESSIONS = Array.from({ length: 6 }, (_, i) => `lb-${RUN}-${i}`);
const WRITERS = 9;
const PER_WRITER = 60;
const failures: string[] = [];
const log = (m: string) => process.stdout.write(`65-scale: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scale = (...args: string[]) =>
  execFileSync('bash', [resolve(ROOT, 'scripts/scale-local.sh'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();

async function until(cond: () => boolean | Promise<boolean>, what: string, safetyMs = 60_000): Promise<boolean> {
  const end = Date.now() + safetyMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  failures.push(`timed out waiting for ${what}`);
  return false;
}

/** A live subscriber through the balancer that reconnects (through the balancer) and resumes from what it has seen. */
class Subscriber {
  readonly seqs = new Map<string, number[]>(SESSIONS.map((s) => [s, []]));
  readonly pos: number[] = [];
  readonly backends: string[] = [];
  reconnects = 0;
  private ws: WebSocket | undefined;
  private stopped = false;
  constructor(readonly name: string) {}

  last(sessionId: string): number {
    const l = this.seqs.get(sessionId)!;
    return l.length ? l[l.length - 1]! : 0;
  }

  connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${LB.replace(/^http/, 'ws')}/api/v1/ws`);
    this.ws = ws;
    ws.on('upgrade', (res) => this.backends.push(String(res.headers['x-tether-backend'] ?? '?')));
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          op: 'subscribe',
          channel: 'firehose',
          afterPos: this.pos.length ? this.pos[this.pos.length - 1] : 0,
        }),
      );
      for (const s of SESSIONS)
        ws.send(JSON.stringify({ op: 'subscribe', channel: 'session', sessionId: s, afterSeq: this.last(s) }));
    });
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Record<string, any>;
      const msgs = m.type === 'batch' ? (m.messages as Array<Record<string, any>>) : [m];
      for (const x of msgs) {
        if (typeof x.seq !== 'number') continue;
        if (x.channel === 'session' && this.seqs.has(x.sessionId)) this.seqs.get(x.sessionId)!.push(x.seq);
        else if (x.channel === 'firehose' && this.seqs.has(x.sessionId)) this.pos.push(x.pos);
      }
    });
    const again = () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = undefined;
      this.reconnects++;
      setTimeout(() => this.connect(), 200);
    };
    ws.on('close', again);
    ws.on('error', again);
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}

/** An SSE reader of one session through the balancer; on a dropped stream it reconnects with Last-Event-ID. */
class SseSubscriber {
  readonly seqs: number[] = [];
  readonly backends: string[] = [];
  reconnects = 0;
  private req: ClientRequest | undefined;
  private stopped = false;
  constructor(readonly sessionId: string) {}
  connect(): void {
    if (this.stopped) return;
    const headers: Record<string, string> = this.seqs.length
      ? { 'last-event-id': String(this.seqs[this.seqs.length - 1]) }
      : {};
    const req = httpGet(
      `${LB}/api/v1/sessions/${this.sessionId}/stream${this.seqs.length ? '' : '?after=0'}`,
      { headers, agent: false },
      (res) => {
        this.backends.push(String(res.headers['x-tether-backend'] ?? '?'));
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (c: string) => {
          buf += c;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (!data) continue;
            const m = JSON.parse(data) as Record<string, any>;
            if (typeof m.seq === 'number') this.seqs.push(m.seq);
          }
        });
        res.on('close', () => this.retry(req));
      },
    );
    req.on('error', () => this.retry(req));
    this.req = req;
  }
  private retry(req: ClientRequest): void {
    if (this.req !== req || this.stopped) return;
    this.req = undefined;
    this.reconnects++;
    setTimeout(() => this.connect(), 200);
  }
  stop(): void {
    this.stopped = true;
    this.req?.destroy();
  }
}

interface Ack {
  sessionId: string;
  key: string;
  seq: number;
  backend: string;
}

/** One write through the balancer, retried with the same idempotency key until it is acknowledged (201, or 200 duplicate). */
async function write(sessionId: string, key: string, data: Record<string, unknown>, base = LB): Promise<Ack> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${base}/api/v1/actions/${sessionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ ...data, key }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => ({}))) as { seq?: number };
      if ((res.status === 201 || res.status === 200) && typeof body.seq === 'number')
        return {
          sessionId,
          key,
          seq: body.seq,
          backend: res.headers.get('x-tether-backend') ?? `:${new URL(base).port}`,
        };
    } catch {
      /* the server died under the request: retry; the key makes it exactly-once */
    }
    if (attempt > 200) throw new Error(`write ${key} never acknowledged`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const subs = Array.from({ length: 6 }, (_, i) => new Subscriber(`ws${i}`));
  const sse = SESSIONS.slice(0, 3).map((s) => new SseSubscriber(s));
  for (const s of subs) s.connect();
  for (const s of sse) s.connect();
  await until(
    () => subs.every((s) => s.backends.length > 0) && sse.every((s) => s.backends.length > 0),
    'every subscriber connected',
  );
  await sleep(500);
  const wsBackends = new Set(subs.map((s) => s.backends[0]));
  log(
    `WebSocket subscribers on ${[...wsBackends].sort().join(', ')}; SSE on ${sse.map((s) => s.backends[0]).join(', ')}`,
  );
  if (wsBackends.size < Math.min(PORTS.length, subs.length))
    failures.push(`subscribers not on every server: ${[...wsBackends].join(',')}`);

  const acks: Ack[] = [];
  let written = 0;
  const victimAt = Math.floor((WRITERS * PER_WRITER) / 3);
  let killed = false;
  const writers = Array.from({ length: WRITERS }, (_, w) =>
    (async () => {
      for (let i = 0; i < PER_WRITER; i++) {
        const sessionId = SESSIONS[(w + i) % SESSIONS.length]!;
        acks.push(await write(sessionId, `${RUN}-w${w}-${i}`, { type: 'tool_call', tool: 'Bash', w, i }));
        if (++written >= victimAt && !killed) {
          killed = true;
          log(`kill -9 server 2 after ${written} acknowledged writes`);
          scale('kill', '2');
        }
      }
    })(),
  );
  await Promise.all(writers);
  const byBackend = new Map<string, number>();
  for (const a of acks) byBackend.set(a.backend, (byBackend.get(a.backend) ?? 0) + 1);
  log(
    `${acks.length} writes acknowledged, by server: ${[...byBackend]
      .map(([b, n]) => `${b}=${n}`)
      .sort()
      .join(' ')}`,
  );
  if (byBackend.size < PORTS.length)
    failures.push(`writes not spread over every server: ${[...byBackend.keys()].join(',')}`);

  log('restart server 2');
  scale('restart', '2');
  let rejoined = false;
  for (let i = 0; i < 300 && !rejoined; i++) {
    const a = await write(SESSIONS[i % SESSIONS.length]!, `${RUN}-after-${i}`, { type: 'tool_call', tool: 'Read', i });
    acks.push(a);
    rejoined = a.backend === 't2';
  }
  if (!rejoined) failures.push('the restarted server 2 never took a write through the balancer');
  else log('server 2 rejoined: it answered a write through the balancer');
  // And a subscriber on the restarted server gets events written through the others.
  const fresh = new Subscriber('after-restart');
  const direct = new WebSocket(`ws://127.0.0.1:${PORTS[1]}/api/v1/ws`);
  const directSeqs: number[] = [];
  await new Promise<void>((r, j) => {
    direct.once('open', () => r());
    direct.once('error', j);
  });
  direct.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Record<string, any>;
    for (const x of m.type === 'batch' ? m.messages : [m])
      if (x.channel === 'session' && typeof x.seq === 'number') directSeqs.push(x.seq);
  });
  direct.send(JSON.stringify({ op: 'subscribe', channel: 'session', sessionId: SESSIONS[0] }));
  await sleep(300);
  for (let i = 0; i < 6; i++)
    acks.push(await write(SESSIONS[0]!, `${RUN}-t1-${i}`, { type: 'tool_call', i }, `http://127.0.0.1:${PORTS[0]}`));
  await until(() => directSeqs.length >= 6, 'the restarted server delivering events written through server 1');
  direct.close();
  void fresh;

  // Every acknowledged write is readable at its seq; every session is gapless.
  const lastSeq = new Map<string, number>();
  for (const s of SESSIONS) {
    const res = (await (await fetch(`${LB}/api/v1/sessions/${s}/events?limit=10000`)).json()) as {
      events: Array<{ seq: number; data: { key?: string } }>;
    };
    const seqs = res.events.map((e) => e.seq);
    lastSeq.set(s, seqs.length);
    if (seqs.some((q, i) => q !== i + 1)) failures.push(`${s}: stored seqs are not 1..${seqs.length}`);
    const bySeq = new Map(res.events.map((e) => [e.seq, e.data.key]));
    for (const a of acks.filter((x) => x.sessionId === s))
      if (bySeq.get(a.seq) !== a.key) failures.push(`${s}: acknowledged ${a.key} is not at seq ${a.seq}`);
    const keys = res.events.map((e) => e.data.key).filter(Boolean);
    if (new Set(keys).size !== keys.length) failures.push(`${s}: a write was stored twice`);
  }
  const total = [...lastSeq.values()].reduce((x, y) => x + y, 0);
  if (total !== acks.length + SESSIONS.length)
    failures.push(`stored ${total} events, expected ${acks.length} writes + ${SESSIONS.length} session_created`);

  // Every subscriber: every event of every session once, in order, across its reconnects; the firehose in pos order.
  await until(
    () =>
      subs.every((s) => SESSIONS.every((id) => s.seqs.get(id)!.length >= lastSeq.get(id)!) && s.pos.length >= total) &&
      sse.every((s) => s.seqs.length >= lastSeq.get(s.sessionId)!),
    'every subscriber to catch up',
  );
  for (const s of subs) {
    for (const id of SESSIONS) {
      const got = s.seqs.get(id)!;
      const want = Array.from({ length: lastSeq.get(id)! }, (_, i) => i + 1);
      if (got.join(',') !== want.join(','))
        failures.push(
          `${s.name} ${id}: got ${got.length} events (${got.slice(0, 5).join(',')}…), want 1..${want.length} once each in order`,
        );
    }
    if (s.pos.some((p, i) => i > 0 && p <= s.pos[i - 1]!))
      failures.push(`${s.name}: firehose not strictly increasing in pos`);
    if (s.pos.length !== total) failures.push(`${s.name}: firehose has ${s.pos.length} of ${total} events`);
  }
  for (const s of sse) {
    const want = Array.from({ length: lastSeq.get(s.sessionId)! }, (_, i) => i + 1).join(',');
    if (s.seqs.join(',') !== want)
      failures.push(
        `sse ${s.sessionId}: got ${s.seqs.length} events, want 1..${lastSeq.get(s.sessionId)} once each in order`,
      );
  }
  const moved = subs.filter((s) => s.reconnects > 0);
  log(
    `subscribers that lost their server and resumed through the balancer: ${moved.map((s) => `${s.name} (${s.backends.join('→')})`).join(', ') || 'none'}`,
  );
  log(`SSE readers: ${sse.map((s) => `${s.sessionId} (${s.backends.join('→')})`).join(', ')}`);
  if (!moved.length)
    failures.push('no WebSocket subscriber was on the killed server (the test did not exercise a resume)');
  for (const s of subs) s.stop();
  for (const s of sse) s.stop();

  // The dashboard behind the balancer shows sessions written through every server (live list over the balancer).
  const dash = PORTS.map((p, i) => `dash-${RUN}-t${i + 1}`);
  await Promise.all(
    PORTS.map((p, i) =>
      write(dash[i]!, `${RUN}-dash-${i}`, { type: 'tool_call', tool: 'Write', server: i + 1 }, `http://127.0.0.1:${p}`),
    ),
  );
  const shot = resolve(ART, 'dashboard.png');
  const page = await captureDashboard(LB, dash, shot, 30_000);
  for (const id of dash)
    if (!page.text.includes(id)) failures.push(`dashboard behind the balancer does not show ${id}`);
  log(
    `dashboard: ${dash.filter((id) => page.text.includes(id)).length}/${dash.length} sessions written through each server shown (${shot})`,
  );
  writeFileSync(
    resolve(ART, 'result.json'),
    JSON.stringify(
      { acks: acks.length, byBackend: Object.fromEntries(byBackend), lastSeq: Object.fromEntries(lastSeq), failures },
      null,
      2,
    ),
  );
}

main().then(
  () => {
    if (failures.length) {
      for (const f of failures) process.stderr.write(`65-scale: FAIL ${f}\n`);
      process.exit(1);
    }
    log('all checks passed');
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`65-scale: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
