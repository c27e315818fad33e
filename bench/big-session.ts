/**
 * Big sessions (issue #12 item 4): one session of 200,000 events (about 400 bytes each, like the outside test's), then
 *   1. two restores one after the other, `GET /api/sessions/:id` (the seed route), once the server is idle: server RSS
 *      added (peak sampled every 10 ms from /proc/<pid>/status minus the RSS before), time to the last byte, bytes;
 *   2. p99 (and max) latency of small writes (`POST /api/actions/<other session>`, 4 writers back to back) and of
 *      `/health` while 4 such restores run at once, against the same writes with no restore running.
 * The server is started with TETHER_RESPONSE_MAX_ITEMS=1000000 so that a capped build still sends the whole log in one
 * response (the default cap pages past 10,000 entries; a build without the setting ignores it).
 * Usage: node --import tsx bench/big-session.ts [--events 200000]
 */
import { readFileSync } from 'node:fs';
import { startServer } from './lib.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const N = Number(arg('--events')) || 200_000;
const server = await startServer({ TETHER_RESPONSE_MAX_ITEMS: '1000000' });
for (let i = 0; i < 600; i++) {
  // startServer waits 10 s at most; a busy machine may need longer.
  if (
    await fetch(`${server.url}/ready`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 100));
}
const pid = server.child.pid!;
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const SID = 'big-session';
// An unversioned path that both the old and the new build answer with the batch ingest route.
const ingestPath = process.argv.includes('--v1') ? '/api/v1/ingest' : '/api/ingest';

async function seed(): Promise<void> {
  const t0 = performance.now();
  const pad = 'x'.repeat(220);
  for (let i = 0; i < N; i += 1000) {
    const events = [];
    if (i === 0)
      events.push({ sessionId: SID, kind: 'session_created', data: { userId: 'bench', initial: { task: 'big' } } });
    for (let j = i; j < Math.min(N, i + 1000) - (i === 0 ? 1 : 0); j++) {
      events.push(
        j % 2
          ? {
              sessionId: SID,
              kind: 'response',
              data: { type: 'tool_result', tool: 'Bash', output: `line ${j} ${pad}`, usage: { input: 10, output: 5 } },
            }
          : {
              sessionId: SID,
              kind: 'action',
              data: { type: 'tool_call', tool: 'Bash', input: { command: `echo ${j} ${pad}` } },
            },
      );
    }
    const r = await fetch(server.url + ingestPath, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    if (r.status !== 207) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
  }
  console.error(`seeded ${N.toLocaleString('en')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** One restore read to the end; returns [ms, bytes]. */
async function restore(): Promise<[number, number]> {
  const t = performance.now();
  const r = await fetch(`${server.url}/api/sessions/${SID}`);
  if (!r.ok) throw new Error(`restore answered ${r.status}`);
  let bytes = 0;
  for await (const chunk of r.body!) bytes += (chunk as Uint8Array).length;
  return [performance.now() - t, bytes];
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** Small writes by 4 writers and /health polls until `until` resolves; latencies in ms. */
async function smallWrites(until: Promise<unknown>): Promise<{ writes: number[]; health: number[] }> {
  let done = false;
  void until.then(() => (done = true));
  const writes: number[] = [];
  const health: number[] = [];
  const writer = async (w: number) => {
    let i = 0;
    while (!done) {
      const t = performance.now();
      const r = await fetch(`${server.url}/api/actions/small-${w}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'tool_call', tool: 'Read', n: i++ }),
      });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`small write answered ${r.status}`);
      writes.push(performance.now() - t);
    }
  };
  const poll = async () => {
    while (!done) {
      const t = performance.now();
      await (await fetch(`${server.url}/health`)).arrayBuffer();
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all([writer(0), writer(1), writer(2), writer(3), poll()]);
  return { writes, health };
}

try {
  await seed();
  // Wait until the server is idle (the background full-text indexer has caught up): RSS steady for 3 s, at most 90 s.
  for (let last = rssMb(), steady = 0, t = 0; steady < 3 && t < 90; t++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = rssMb();
    steady = Math.abs(now - last) < 2 ? steady + 1 : 0;
    last = now;
  }
  for (const label of ['first', 'second']) {
    const before = rssMb();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 10);
    const [ms, bytes] = await restore();
    clearInterval(sampler);
    console.log(
      `| ${label} restore of ${N.toLocaleString('en')} events | ${(peak - before).toFixed(0)} MB RSS added (${before.toFixed(0)} → ${peak.toFixed(0)}) | ${(ms / 1000).toFixed(2)} s | ${(bytes / 1e6).toFixed(1)} MB |`,
    );
  }

  const idle = await smallWrites(new Promise((r) => setTimeout(r, 3000)));
  let peak4 = rssMb();
  const sampler4 = setInterval(() => (peak4 = Math.max(peak4, rssMb())), 10);
  const t4 = performance.now();
  const four = Promise.all([restore(), restore(), restore(), restore()]);
  const busy = await smallWrites(four);
  const fourMs = performance.now() - t4;
  clearInterval(sampler4);
  const f = (xs: number[]) =>
    `p50 ${pct(xs, 50).toFixed(1)} / p99 ${pct(xs, 99).toFixed(1)} / max ${Math.max(...xs).toFixed(1)} ms (${xs.length})`;
  console.log(`| small writes, no restore | ${f(idle.writes)} | /health ${f(idle.health)} |`);
  console.log(
    `| small writes, 4 restores at once (${(fourMs / 1000).toFixed(1)} s, peak RSS ${peak4.toFixed(0)} MB) | ${f(busy.writes)} | /health ${f(busy.health)} |`,
  );
} finally {
  await server.stop();
}
