/**
 * The prototype re-read a session's whole log on every append (7 appends/s at 50,000 events). Here an append reads
 * only the cached session record and unique-index lookups: checked structurally (query plans, and the statements an
 * append runs with the rows they return, counted), not by timing; bench/append.ts measures the speed. Shown to fail:
 * loading the record by replaying the log from seq 0 reads 50,001 events and fails the count.
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
      await store.append(
        Array.from({ length: 1000 }, (_, i) => ({
          input: { sessionId: 'big', kind: 'action' as const, data: { i: b * 1000 + i } },
          autoCreate: true,
          receivedAt: at,
        })),
      );
    }
    const stmts = (store as unknown as { stmt: Record<string, Database.Statement> }).stmt;
    const onAppendPath = [
      'getSession',
      'eventsAfter',
      'findEvent',
      'findEvents',
      'insertEvent',
      'updateSession',
      'updateSessionStatus',
      'insertSession',
    ];
    for (const name of onAppendPath) {
      const stmt = stmts[name];
      assert.ok(stmt, `statement ${name} exists`);
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...params(stmt.source)) as Array<{
        detail: string;
      }>;
      for (const step of plan)
        assert.doesNotMatch(step.detail, /^SCAN (events|sessions)\b/, `${name} must not scan: ${step.detail}`);
    }
    // Reading the record must not touch the log either: evict the cache and append, counting every statement the
    // adapter runs on this connection (and any it prepares) and the rows each returns. Loading the record reads the
    // row and only the events after its last_seq (a row lags its log by at most the last few events).
    // The row catches up with its log every 200 ms (LAG_FLUSH_MS): wait for that, so the read below is the row alone.
    await new Promise((r) => setTimeout(r, 600));
    (store as unknown as { cache: { clear(): void } }).cache.clear();
    const ran = new Map<string, number>();
    for (const [name, stmt] of Object.entries(stmts)) {
      for (const m of ['get', 'all', 'run', 'iterate'] as const) {
        const orig = (stmt as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!.bind(stmt);
        (stmt as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
          const out = orig(...a);
          const rows = Array.isArray(out) ? out.length : out === undefined ? 0 : 1;
          ran.set(name, (ran.get(name) ?? 0) + rows);
          return out;
        };
      }
    }
    const prepared: string[] = [];
    const prepare = store.db.prepare.bind(store.db);
    (store.db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => (
      prepared.push(sql), prepare(sql)
    );
    const listEvents = store.listEvents.bind(store);
    let logReads = 0;
    store.listEvents = async (...args) => {
      logReads++;
      return listEvents(...args);
    };
    const [o] = await store.append([
      { input: { sessionId: 'big', kind: 'action', data: {}, id: 'probe' }, autoCreate: true, receivedAt: at },
    ]);
    assert.equal(o?.ok && o.event.seq, 50_002);
    assert.equal(logReads, 0);
    assert.deepEqual(
      prepared.filter((sql) => /^\s*(SELECT|WITH)\b/i.test(sql) && /\bevents\b/.test(sql)),
      [],
      'no read of events prepared on the append path',
    );
    for (const name of ran.keys())
      assert.ok(onAppendPath.includes(name), `${name} ran on the append path (plan not checked)`);
    assert.ok(ran.has('getSession'), 'the record was loaded from its row');
    assert.ok(
      (ran.get('eventsAfter') ?? 0) <= 10,
      `loading the record read ${ran.get('eventsAfter')} events of the log`,
    );
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
