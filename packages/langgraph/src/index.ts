/**
 * @tether/langgraph — LangGraph.js persistence on Tether: a checkpointer and a long-term memory store.
 * Kept apart from @tether/client so that the core SDK stays free of dependencies. Everything exported here is public API.
 */
export { TetherSaver, TetherSaverError, type TetherSaverOptions } from './saver.js';
export { TetherStore, type TetherStoreOptions } from './store.js';
