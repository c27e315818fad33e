/**
 * Live-feed fan-out benchmark: S WebSocket subscribers follow one session while a writer appends R events per second
 * through POST /api/ingest (batches every 10 ms); measures delivery latency (writer send time → subscriber receipt,
 * same host clock; sampled on every 10th subscriber) and loss (events a subscriber never got, or got out of order / twice).
 *
 *   node --import tsx bench/fanout.ts [--subscribers 1000] [--rate 1000] [--seconds 10] [--warmup 1] [--sessions 1]
 *                                     [--batch] [--client go|node]
 *
 * The writer appends for `--warmup` + `--seconds`; latency is sampled for events sent after the warm-up (the server's
 * hot paths are compiled by then), loss and order are checked for every event.
 *
 * `--sessions K` spreads the subscribers over K sessions (the writer spreads its events likewise); with K = 1 every
 * event goes to every subscriber (S × R deliveries per second). The server runs in a child process
 * (bench/fanout-server.ts) with default settings (8 MiB buffer limit). The subscribers run in bench/fanout-client (Go,
 * standard library only, built with `go build` on first use; the default when `go` is installed), which also does the
 * appending, or, with `--client node`, in this process with the `ws` package and fetch(). The Node clients used about
 * twice the server's CPU on the same 2 cores, so they measured mostly themselves; fetch() at 100 requests/s ~0.25 core.
 * The result's `cores` gives the CPU each process used, from the first append to the last delivery.
 *
 * `--servers N` (N ≥ 2): the cross-server run instead (bench/fanout-cluster.ts): N servers on one PostgreSQL,
 * `--subscribers` per server, the writer on server 1; latency for subscribers on the writer's server vs the others.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    sessions: { type: 'string', default: '1' },
    batch: { type: 'boolean', default: false },
    client: { type: 'string' },
    servers: { type: 'string' },
  },
});
if (args.servers !== undefined) {
  const { runCluster } = await import('./fanout-cluster.js');
  await runCluster({
    servers: Number(args.servers),
    perServer: Number(args.subscribers),
    rate: Number(args.rate),
    seconds: Number(args.seconds),
    warmup: Number(args.warmup),
  });
  process.exit(process.exitCode ?? 0);
}
const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** `--client go` (default when Go is installed): subscribers in bench/fanout-client; `node`: in this process. */
const CLIENT = args.client ?? (hasGo ? 'go' : 'node');
/** `--batch`: subscribers connect with `?batch=1` (one frame per flush round holding many messages; docs/live-feed.md). */
const BATCH = args.batch === true;
const SUBS = Number(args.subscribers);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
/** Seconds of appending before latency is sampled (JIT warm-up of the server's hot paths); loss counts them too. */
const WARMUP = Number(args.warmup);
const SESSIONS = Number(args.sessions);
const TICK_MS = 10;

const dataDir = mkdtempSync(join(tmpdir(), 'tether-fanout-'));
const server = spawn(
  process.execPath,
  [
    ...(process.env.FANOUT_NODE_ARGS ?? '').split(' ').filter(Boolean),
    '--import',
    'tsx',
    join(import.meta.dirname, 'fanout-server.ts'),
  ],
  {
    env: { ...process.env, FANOUT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d) => {
    out += d;
    const m = /URL (\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

// Latency histogram in whole ms (Date.now() resolution), plus per-subscriber order/loss checks.
const hist = new Uint32Array(60_001);
let delivered = 0;
let sampled_ = 0;
let disorder = 0;
/** Send time (ms) from which the Node clients sample latency: the end of the warm-up. */
let measureFrom = Number.MAX_SAFE_INTEGER;
/** Percentiles reported by the Go client. */
let goResult: Record<string, number> | undefined;
interface Sub {
  ws: WebSocket;
  session: string;
  next: number;
  got: number;
}
const subs: Sub[] = [];
const sessionIds = Array.from({ length: SESSIONS }, (_, i) => `fanout-${i}`);
for (const id of sessionIds) {
  const r = await fetch(`${url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: id }),
  });
  if (r.status !== 201) throw new Error(`create session: ${r.status}`);
}

// Client work is kept small (1M messages/s may arrive): the seq is read from the bytes for every message (loss and
// order checks); the send time `t` only on every 10th subscriber (the latency sample).
const ACTION = Buffer.from('{"type":"action"');
const SEQ = Buffer.from('"seq":');
const T = Buffer.from('"t":');
const SUBSCRIBED = Buffer.from('"type":"subscribed"');
function intAt(buf: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < buf.length; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return n;
}
async function connect(i: number): Promise<Sub> {
  const session = sessionIds[i % SESSIONS]!;
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/v1/ws?session=${session}&user=bench-${i}${BATCH ? '&batch=1' : ''}`,
  );
  const sub: Sub = { ws, session, next: 2, got: 0 };
  const sampled = i % 10 === 0;
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (buf: Buffer) => {
      if (BATCH) {
        // {"type":"batch","messages":[…]}: every event message in it carries "seq": once (and "t": in its data).
        let at = buf.indexOf(SEQ);
        let tAt = sampled ? buf.indexOf(T) : -1;
        const now = sampled ? Date.now() : 0;
        while (at >= 0) {
          const seq = intAt(buf, at + SEQ.length);
          if (seq !== sub.next) disorder++;
          sub.next = seq + 1;
          sub.got++;
          delivered++;
          if (sampled && tAt >= 0) {
            const t = intAt(buf, tAt + T.length);
            if (t >= measureFrom) {
              sampled_++;
              hist[Math.min(60_000, Math.max(0, now - t))]!++;
            }
            tAt = buf.indexOf(T, tAt + T.length);
          }
          at = buf.indexOf(SEQ, at + SEQ.length);
        }
        if (buf.includes(SUBSCRIBED)) resolve();
        return;
      }
      if (buf.compare(ACTION, 0, ACTION.length, 0, ACTION.length) === 0) {
        const seq = intAt(buf, buf.indexOf(SEQ) + SEQ.length);
        if (seq !== sub.next) disorder++;
        sub.next = seq + 1;
        sub.got++;
        delivered++;
        const t = sampled ? intAt(buf, buf.indexOf(T) + T.length) : 0;
        if (sampled && t >= measureFrom) {
          sampled_++;
          hist[Math.min(60_000, Math.max(0, Date.now() - t))]!++;
        }
      } else if (buf.toString().startsWith('{"type":"subscribed"')) resolve();
    });
    ws.once('error', reject);
    ws.once('close', (code) => code !== 1000 && console.error(`subscriber ${i} closed: ${code}`));
  });
  return sub;
}
const t0 = Date.now();
let goClient: ReturnType<typeof spawn> | undefined;
let goLines: AsyncIterator<string> | undefined;
if (CLIENT === 'go') {
  const bin = join(dataDir, 'fanout-client');
  execFileSync('go', ['build', '-o', bin, '.'], { cwd: join(import.meta.dirname, 'fanout-client'), stdio: 'inherit' });
  goClient = spawn(
    bin,
    [
      '-url',
      url,
      '-subscribers',
      String(SUBS),
      '-sessions',
      String(SESSIONS),
      '-rate',
      String(RATE),
      '-seconds',
      String(SECONDS),
      '-warmup',
      `${WARMUP}s`,
      ...(BATCH ? ['-batch'] : []),
      ...(process.env.FANOUT_CLIENT_ARGS ?? '').split(' ').filter(Boolean),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  goLines = createInterface({ input: goClient.stdout! })[Symbol.asyncIterator]();
  const first = await goLines.next();
  if (first.value !== 'READY') throw new Error(`fanout-client: ${first.value ?? 'exited'}`);
} else {
  for (let i = 0; i < SUBS; i += 50)
    subs.push(...(await Promise.all(Array.from({ length: Math.min(50, SUBS - i) }, (_, j) => connect(i + j)))));
}
console.log(`${SUBS} subscribers (${CLIENT} client) on ${SESSIONS} session(s) connected in ${Date.now() - t0} ms`);

// The write phase. Go client: it appends itself (`start` on its stdin) and reports when every subscriber has every
// event; Node client: this process appends RATE events/s as batches every TICK_MS, round-robin over the sessions,
// `t` = send time, then waits for delivery.
const sentPerSession = new Map(sessionIds.map((id) => [id, 0]));
let sent = 0;
let writeErrors = 0;
let writeSeconds = 0;
let expectedTotal = 0;
const start = Date.now();
const cpuStart = { server: cpuOf(server.pid!), client: goClient ? cpuOf(goClient.pid!) : 0, bench: process.cpuUsage() };
let rssPeak = 0;
const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(server.pid!))), 500);
if (goClient && goLines) {
  goClient.stdin!.end('start\n');
  const line = await goLines.next();
  const r = JSON.parse(String(line.value)) as {
    written: number;
    writeErrors: number;
    writeSeconds: number;
    expected: number;
    delivered: number;
    disorder: number;
    samples: number;
    latencyMs: Record<string, number>;
  };
  sent = r.written + r.writeErrors;
  writeErrors = r.writeErrors;
  writeSeconds = r.writeSeconds;
  expectedTotal = r.expected;
  delivered = r.delivered;
  disorder = r.disorder;
  sampled_ = r.samples;
  goResult = r.latencyMs;
} else {
  const ticks = Math.round(((WARMUP + SECONDS) * 1000) / TICK_MS);
  measureFrom = start + WARMUP * 1000;
  const inflight: Array<Promise<void>> = [];
  for (let k = 0; k < ticks; k++) {
    const perTick = Math.floor(((k + 1) * RATE * TICK_MS) / 1000) - sent; // exact rate, also below 100 events/s
    if (perTick === 0) {
      await new Promise((r) => setTimeout(r, Math.max(0, start + (k + 1) * TICK_MS - Date.now())));
      continue;
    }
    const events = Array.from({ length: perTick }, (_, j) => {
      const sessionId = sessionIds[(sent + j) % SESSIONS]!;
      sentPerSession.set(sessionId, sentPerSession.get(sessionId)! + 1);
      return {
        sessionId,
        kind: 'action',
        data: { type: 'tool_use', tool: 'Bash', input: { command: 'echo hello' }, t: Date.now() },
      };
    });
    sent += perTick;
    inflight.push(
      fetch(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      }).then(
        async (r) => {
          const b = (await r.json()) as { rejected: number };
          if (r.status !== 207 && r.status !== 200) writeErrors += perTick;
          else writeErrors += b.rejected;
        },
        () => void (writeErrors += perTick),
      ),
    );
    const wait = start + (k + 1) * TICK_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inflight);
  writeSeconds = (Date.now() - start) / 1000;
  // Drain: wait until every subscriber has its session's events, or 15 s.
  expectedTotal = Array.from({ length: SUBS }, (_, i) => sentPerSession.get(sessionIds[i % SESSIONS]!)!).reduce(
    (a, b) => a + b,
    0,
  );
  const drainStart = Date.now();
  while (delivered < expectedTotal && Date.now() - drainStart < 15_000) await new Promise((r) => setTimeout(r, 20));
}
clearInterval(rssTimer);
rssPeak = Math.max(rssPeak, rssOf(server.pid!));
const phaseSeconds = (Date.now() - start) / 1000;
const benchCpu = process.cpuUsage(cpuStart.bench);
/**
 * Cores used from the first append until the last delivery: the server process (all its threads), the Go client
 * (subscribers and writer), this process (with --client node: the subscribers and the writer).
 */
const cores = {
  server: +((cpuOf(server.pid!) - cpuStart.server) / phaseSeconds).toFixed(2),
  ...(goClient ? { goClient: +((cpuOf(goClient.pid!) - cpuStart.client) / phaseSeconds).toFixed(2) } : {}),
  benchProcess: +((benchCpu.user + benchCpu.system) / 1e6 / phaseSeconds).toFixed(2),
};

function pct(p: number): number {
  if (goResult)
    return goResult[p === 0.5 ? 'p50' : p === 0.9 ? 'p90' : p === 0.99 ? 'p99' : p === 0.999 ? 'p999' : 'max']!;
  const target = Math.ceil(sampled_ * p);
  let n = 0;
  for (let ms = 0; ms < hist.length; ms++) if ((n += hist[ms]!) >= target) return ms;
  return Infinity;
}
const lost = expectedTotal - delivered;
const result = {
  client: CLIENT,
  batched: BATCH,
  subscribers: SUBS,
  sessions: SESSIONS,
  targetRate: RATE,
  seconds: SECONDS,
  warmupSeconds: WARMUP,
  cpus: cpus().length,
  eventsWritten: sent - writeErrors,
  writeErrors,
  achievedRate: Math.round((sent - writeErrors) / writeSeconds),
  deliveriesExpected: expectedTotal,
  delivered,
  lost,
  outOfOrderOrDuplicate: disorder,
  deliveriesPerSecond: Math.round(delivered / ((Date.now() - start) / 1000)),
  latencySamples: sampled_,
  latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), p999: pct(0.999), max: pct(1) },
  serverRssPeakMiB: Math.round(rssPeak / 1048576),
  cores,
};
console.log(JSON.stringify(result, null, 2));
for (const s of subs) s.ws.close(1000);
goClient?.kill();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
process.exit(lost === 0 && disorder === 0 ? 0 : 1);
