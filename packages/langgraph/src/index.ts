/**
 * @tether/langgraph — LangGraph.js persistence on Tether. Everything exported here is public API.
 */
export { TetherStore, type TetherStoreOptions } from './store.js';
