/**
 * LangGraph.js's checkpointer conformance suite (@langchain/langgraph-checkpoint-validation) against TetherSaver on a
 * real Tether server. Each checkpointer gets a server of its own (a fresh SQLite file), as the suite asks that one
 * instance never reads another's state. Run: `npx vitest run --globals --root packages/langgraph`
 * (scripts/test.d/55-langgraph.sh); the package's CLI is broken in 1.1.1, so `validate()` is called here.
 */
import { validate } from '@langchain/langgraph-checkpoint-validation';
import { startTestServer, type TestServer } from '../../server/test/helpers.js';
import { TetherSaver } from '../src/index.js';

const servers = new WeakMap<TetherSaver, TestServer>();

validate<TetherSaver>({
  checkpointerName: 'TetherSaver',
  async createCheckpointer() {
    const server = await startTestServer();
    const saver = new TetherSaver({ baseUrl: server.url });
    servers.set(saver, server);
    return saver;
  },
  async destroyCheckpointer(saver) {
    await servers.get(saver)?.stop();
  },
});
