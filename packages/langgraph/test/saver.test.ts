/**
 * TetherSaver with a real LangGraph.js graph on a real Tether server: the thread is a `langgraph` session with a
 * `checkpoint` event per super-step, state and history read back through the saver, and a fresh saver (another
 * "process") continues the thread where the first left it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { startTestServer } from '../../server/test/helpers.js';
import { TetherSaver } from '../src/index.js';

const State = Annotation.Root({
  steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  total: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
});

function graph(saver: TetherSaver, ran: string[]) {
  const node = (name: string, add: number) => (s: typeof State.State) => {
    ran.push(name);
    return { steps: [name], total: s.total + add };
  };
  return new StateGraph(State)
    .addNode('a', node('a', 1))
    .addNode('b', node('b', 10))
    .addEdge(START, 'a')
    .addEdge('a', 'b')
    .addEdge('b', END)
    .compile({ checkpointer: saver, interruptBefore: ['b'] });
}

it('a LangGraph.js run is a langgraph session; another saver resumes the thread from its last checkpoint', async () => {
  const s = await startTestServer();
  try {
    const ran: string[] = [];
    const config = { configurable: { thread_id: 'js-thread' } };
    const first = graph(new TetherSaver({ baseUrl: s.url }), ran);
    await first.invoke({ total: 0 }, config); // stops before b (an interrupt: the "crash" point)
    assert.deepEqual(ran, ['a']);
    const second = graph(new TetherSaver({ baseUrl: s.url }), ran);
    assert.deepEqual((await second.getState(config)).next, ['b']);
    const out = await second.invoke(null, config);
    assert.deepEqual(out, { steps: ['a', 'b'], total: 11 });
    assert.deepEqual(ran, ['a', 'b'], 'a did not run again');
    const history = [];
    for await (const h of second.getStateHistory(config)) history.push(h.metadata?.step);
    assert.deepEqual(history, [2, 1, 0, -1]);
    const events = (await s.req('GET', '/api/v1/sessions/lg:js-thread/events')).body.events as Array<{
      kind: string;
      data: any;
    }>;
    const cps = events.filter((e) => e.kind === 'checkpoint');
    assert.equal(cps.length, 4);
    // The first event the second saver wrote (b's pending writes) says where the thread resumed; nothing before it does.
    const resumed = events.findIndex((e) => e.data.resumed);
    assert.equal(events[resumed]?.data.resumed.lastCheckpointId, cps[2]!.data.checkpointId);
    assert.ok(events.slice(resumed + 1).every((e) => !e.data.resumed));
    assert.equal((await s.req('GET', '/api/v1/sessions/lg:js-thread/summary')).body.type, 'langgraph');
  } finally {
    await s.stop();
  }
});
