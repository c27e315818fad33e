/**
 * TetherSaver (TypeScript, @tether/langgraph) latency: put and getTuple of a checkpoint with 10 channels of 1 KB
 * (one channel new per put), against `tether serve` as a child process (loopback HTTP) and, for comparison in the same
 * run, against LangGraph.js's in-memory MemorySaver (no SqliteSaver for JS is installed here). Reports p50 / p90 / p99
 * in ms over N operations after a warm-up.
 *
 *   node --import tsx bench/langgraph.ts [--ops 1000]
 */
import { MemorySaver, emptyCheckpoint, type BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { TetherSaver } from '../packages/langgraph/src/index.js';
import { startServer } from './lib.js';

const CHANNELS = Array.from({ length: 10 }, (_, i) => `c${i}`);
const VALUE = 'x'.repeat(1024);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const sum = (xs: number[]) => ({
  p50: +pct(xs, 0.5).toFixed(3),
  p90: +pct(xs, 0.9).toFixed(3),
  p99: +pct(xs, 0.99).toFixed(3),
});

async function micro(saver: BaseCheckpointSaver, thread: string, ops: number) {
  let config: any = { configurable: { thread_id: thread, checkpoint_ns: '' } };
  const versions: Record<string, number> = Object.fromEntries(CHANNELS.map((c) => [c, 1]));
  const first = {
    ...emptyCheckpoint(),
    channel_values: Object.fromEntries(CHANNELS.map((c) => [c, VALUE])),
    channel_versions: { ...versions },
  };
  config = await saver.put(config, first, { source: 'input', step: -1, parents: {} }, { ...versions });
  const puts: number[] = [];
  const gets: number[] = [];
  const trips: number[] = [];
  for (let i = -Math.floor(ops / 10); i < ops; i++) {
    const ch = CHANNELS[(i + 100) % 10]!;
    versions[ch]! += 1;
    const cp = {
      ...emptyCheckpoint(),
      channel_values: Object.fromEntries(CHANNELS.map((c) => [c, c === ch ? `${i}${VALUE}` : VALUE])),
      channel_versions: { ...versions },
    };
    const t0 = performance.now();
    config = await saver.put(config, cp, { source: 'loop', step: i, parents: {} }, { [ch]: versions[ch]! });
    const t1 = performance.now();
    const tup = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: '' } });
    const t2 = performance.now();
    if (tup?.checkpoint.id !== cp.id) throw new Error('read back another checkpoint');
    if (i >= 0) puts.push(t1 - t0), gets.push(t2 - t1), trips.push(t2 - t0);
  }
  return { put: sum(puts), getTuple: sum(gets), roundTrip: sum(trips) };
}

const i = process.argv.indexOf('--ops');
const ops = i >= 0 ? Number(process.argv[i + 1]) : 1000;
const server = await startServer();
try {
  const tether = await micro(new TetherSaver({ baseUrl: server.url }), 'bench-ts', ops);
  const memory = await micro(new MemorySaver(), 'bench-ts', ops);
  console.log(JSON.stringify({ ops, state: '10 channels x 1 KB', tether, memory }, null, 2));
} finally {
  await server.stop();
}
