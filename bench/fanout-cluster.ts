/**
 * Cross-server live delivery on PostgreSQL (run through `bench/fanout.ts --servers N`): N `tether serve --storage
 * postgres` processes on one fresh schema; `perServer` WebSocket subscribers of one session on EACH server; a writer
 * appends `rate` events/s through server 1 (POST /api/ingest every 10 ms, send time in the event). Reports delivery
 * latency (send → receipt, same host clock) for subscribers on the writer's server (same-server) and on the others
 * (cross-server: NOTIFY wake-up + a read of the log by pos), and loss/order over every event at every subscriber.
 */
import pg from 'pg';
import WebSocket from 'ws';
import { startServer, type BenchServer } from './lib.js';

const DATABASE_URL = process.env.TETHER_TEST_DATABASE_URL ?? 'postgres://tether:tether@127.0.0.1:5432/tether_test';

function quantile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;
}

export async function runCluster(o: {
  servers: number;
  perServer: number;
  rate: number;
  seconds: number;
  warmup: number;
}): Promise<void> {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  const schema = `tether_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const servers: BenchServer[] = [];
  try {
    for (let i = 0; i < o.servers; i++)
      servers.push(await startServer({ TETHER_STORAGE: 'postgres', TETHER_DATABASE_URL: u.toString() }));
    // startServer waits 10 s for /ready; a loaded machine may need longer.
    for (const s of servers) {
      for (
        let i = 0;
        i < 600 &&
        !(await fetch(`${s.url}/ready`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
    }
    const sid = 'fan-cluster';
    const subs: Array<{ server: number; last: number; bad: number; got: number; lat: number[] }> = [];
    let sampleFrom = Infinity;
    await Promise.all(
      servers.flatMap((s, k) =>
        Array.from(
          { length: o.perServer },
          () =>
            new Promise<void>((resolve, reject) => {
              const sub = { server: k, last: 0, bad: 0, got: 0, lat: [] as number[] };
              subs.push(sub);
              const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/api/v1/ws`);
              ws.on('open', () =>
                ws.send(JSON.stringify({ op: 'subscribe', channel: 'session', sessionId: sid, id: 1 })),
              );
              ws.on('message', (d) => {
                const m = JSON.parse(d.toString()) as { type: string; seq?: number; data?: { t?: number } };
                if (m.type === 'subscribed') return resolve();
                if (typeof m.seq !== 'number') return;
                if (m.seq !== sub.last + 1 && sub.last !== 0) sub.bad++;
                sub.last = m.seq;
                sub.got++;
                const t = m.data?.t;
                if (typeof t === 'number' && t >= sampleFrom) sub.lat.push(Date.now() - t);
              });
              ws.on('error', reject);
            }),
        ),
      ),
    );
    const perTick = Math.max(1, Math.round(o.rate / 100));
    const total = Math.round(o.rate * (o.seconds + o.warmup));
    const start = Date.now();
    sampleFrom = start + o.warmup * 1000;
    let sent = 0;
    let acked = 0;
    const failed = new Map<number, number>();
    const inflight: Array<Promise<void>> = [];
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - start) / 10 + 1) * perTick));
      if (due > sent) {
        const n = Math.min(1000, due - sent); // the ingest limit; a writer that fell behind catches up in several requests
        const now = Date.now();
        const events = Array.from({ length: n }, () => ({
          sessionId: sid,
          kind: 'action',
          data: { tool: 'Bash', t: now },
        }));
        sent += n;
        inflight.push(
          fetch(`${servers[0]!.url}/api/v1/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          }).then(
            async (r) => {
              const text = await r.text();
              const b = (() => {
                try {
                  return JSON.parse(text) as { accepted?: number };
                } catch {
                  return {};
                }
              })();
              if (typeof b.accepted === 'number') acked += b.accepted;
              else failed.set(r.status, (failed.get(r.status) ?? 0) + 1);
            },
            () => failed.set(0, (failed.get(0) ?? 0) + 1),
          ),
        );
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(inflight);
    if (failed.size)
      console.error(
        `ingest requests not answered with a result, by status (0 = network): ${[...failed].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
      );
    const expect = acked + 1; // + session_created
    const deadline = Date.now() + 120_000; // a loaded machine delivers late; "lost" counts what never came in 120 s
    while (subs.some((s) => s.last < expect) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const group = (same: boolean) => {
      const g = subs.filter((s) => (s.server === 0) === same);
      const lat = g.flatMap((s) => s.lat).sort((a, b) => a - b);
      const lost = g.reduce((a, s) => a + Math.max(0, expect - s.got), 0);
      const disorder = g.reduce((a, s) => a + s.bad, 0);
      return {
        subscribers: g.length,
        p50: quantile(lat, 0.5),
        p99: quantile(lat, 0.99),
        max: lat[lat.length - 1] ?? NaN,
        lost,
        disorder,
      };
    };
    const same = group(true);
    const cross = group(false);
    console.log(`| where | subscribers | p50 ms | p99 ms | max ms | lost | out of order |`);
    console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
    console.log(
      `| same server as the writer | ${same.subscribers} | ${same.p50} | ${same.p99} | ${same.max} | ${same.lost} | ${same.disorder} |`,
    );
    console.log(
      `| other server${o.servers > 2 ? 's' : ''} (${o.servers - 1}) | ${cross.subscribers} | ${cross.p50} | ${cross.p99} | ${cross.max} | ${cross.lost} | ${cross.disorder} |`,
    );
    console.log(
      `\n${o.servers} servers on one PostgreSQL, ${o.rate} events/s through server 1 for ${o.seconds} s (+${o.warmup} s warm-up), ${acked} events acknowledged; cross/same p99 = ${(cross.p99 / same.p99).toFixed(2)}`,
    );
    process.exitCode = same.lost + cross.lost + same.disorder + cross.disorder ? 1 : 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
