import { createHash } from 'node:crypto';
import type { StoreResource } from '@tether/client';

/** Whose memories: one user's or a whole workspace's. */
export interface MemoryScope {
  kind: 'user' | 'workspace';
  id: string;
}

const STOP = new Set([
  'a',
  'an',
  'the',
  'is',
  'are',
  'was',
  'my',
  'me',
  'i',
  'you',
  'your',
  'what',
  'which',
  'who',
  'of',
  'to',
  'and',
  'that',
  'this',
  'do',
  'does',
  'did',
]);
const words = (s: string) => new Set((s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !STOP.has(w)));

/**
 * `commitMemory` / `recallMemory` on Tether's memory store (`client.store`): namespace `[...root, scope.kind, scope.id]`
 * (default root `a2a.memories`), key `m-<sha256(text)[:24]>`, value `{text, contextId, source: "a2a"}` — the same items
 * as Python's `tether.a2a.MemoryTool`, so a Python and a TypeScript runtime share memories.
 */
export class MemoryTool {
  constructor(
    readonly store: StoreResource,
    readonly root: readonly string[] = ['a2a', 'memories'],
  ) {}

  namespace(scope: MemoryScope): string[] {
    return [...this.root, scope.kind, scope.id];
  }

  async commitMemory(text: string, scope: MemoryScope, contextId?: string): Promise<string> {
    const t = text.trim();
    const key = `m-${createHash('sha256').update(t.toLowerCase()).digest('hex').slice(0, 24)}`;
    await this.store.putItem(this.namespace(scope), key, { text: t, contextId: contextId ?? null, source: 'a2a' });
    return key;
  }

  /** Up to `limit` remembered texts sharing words with `query`, best first. */
  async recallMemory(query: string, scope: MemoryScope, limit = 5): Promise<string[]> {
    const ns = this.namespace(scope);
    let items = await this.store.searchItems(ns, { query, limit });
    if (!items.length) items = await this.store.searchItems(ns, { limit: 100 });
    const want = words(query);
    return items
      .map((it) => String((it.value as Record<string, unknown>)?.text ?? ''))
      .map((text) => ({ text, score: [...words(text)].filter((w) => want.has(w)).length }))
      .filter((x) => x.text && x.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((x) => x.text);
  }
}
