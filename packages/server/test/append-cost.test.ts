/**
 * The prototype re-read a session's whole log on every append (7 appends/s at 50,000 events). Here an append reads
 * only the cached session record and unique-index lookups: checked structurally (query plans), not by timing;
 * bench/append.ts measures the speed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type Database from 'better-sqlite3';
import { SqliteStore } from '../src/index.js';

it('appending to a 50,000-event session never scans its log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-cost-'));
  const store = new SqliteStore({ file: join(dir, 'tether.db') });
  try {
    const at = new Date().toISOString();
    for (let b = 0; b < 50; b++) {
      await store.append(Array.from({ length: 1000 }, (_, i) => ({ input: { sessionId: 'big', kind: 'action' as const, data: { i: b * 1000 + i } }, autoCreate: true, receivedAt: at })));
    }
    const stmts = (store as unknown as { stmt: Record<string, Database.Statement> }).stmt;
    const onAppendPath = ['getSession', 'findEvent', 'findEvents', 'insertEvent', 'updateSession', 'updateSessionStatus', 'insertSession'];
    for (const name of onAppendPath) {
      const stmt = stmts[name];
      assert.ok(stmt, `statement ${name} exists`);
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...params(stmt.source)) as Array<{ detail: string }>;
      for (const step of plan) assert.doesNotMatch(step.detail, /^SCAN (events|sessions)\b/, `${name} must not scan: ${step.detail}`);
    }
    // Reading the record must not touch the log either: evict the cache and append.
    (store as unknown as { cache: Map<string, unknown> }).cache.clear();
    const listEvents = store.listEvents.bind(store);
    let logReads = 0;
    store.listEvents = async (...args) => { logReads++; return listEvents(...args); };
    const [o] = await store.append([{ input: { sessionId: 'big', kind: 'action', data: {}, id: 'probe' }, autoCreate: true, receivedAt: at }]);
    assert.equal(o?.ok && o.event.seq, 50_002);
    assert.equal(logReads, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Null arguments for a statement: one per `?`, or an object with every `@name`. */
function params(sql: string): unknown[] {
  const named = sql.match(/@\w+/g);
  if (named) return [Object.fromEntries(named.map((n) => [n.slice(1), null]))];
  return Array((sql.match(/\?/g) ?? []).length).fill(null);
}
