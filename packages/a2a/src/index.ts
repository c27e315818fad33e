/**
 * Tether as the session store of A2A runtimes on `@a2a-js/sdk` 1.3 (protocol 1.0 and 0.3): a conversation store keyed
 * by `contextId`, the SDK's `TaskStore`, and a memory tool. The same storage layout as Python's `tether.a2a`
 * (docs/a2a.md). Everything exported here is public API.
 */
export { ConversationStore, DEFAULT_PREFIX, contextSessionId, storedPart } from './conversation-store.js';
export type { ConversationStoreOptions, StoredMessage, StoredPart } from './conversation-store.js';
export { TetherTaskStore, taskSessionId } from './task-store.js';
export { MemoryTool } from './memory-tool.js';
export type { MemoryScope } from './memory-tool.js';
