/**
 * @tether/langgraph — LangGraph.js persistence on Tether. Everything exported here is public API.
 * Kept apart from @tether/client so that the core SDK stays free of dependencies.
 */
export { TetherSaver, TetherSaverError, type TetherSaverOptions } from './saver.js';
