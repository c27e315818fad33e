import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { SqliteStore } from '../src/index.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-store-'));
  const store = new SqliteStore({ file: join(dir, 'tether.db') });
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

it('sqlite: data survives closing and reopening the file (snapshot, seq, cache cold)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-store-'));
  try {
    const a = new SqliteStore({ file: join(dir, 'tether.db') });
    await a.append([{ input: { sessionId: 's', kind: 'goal_added', data: { goalId: 'g' } }, autoCreate: true, receivedAt: new Date().toISOString() }]);
    await a.close();
    const b = new SqliteStore({ file: join(dir, 'tether.db'), durability: 'full' });
    const [o] = await b.append([{ input: { sessionId: 's', kind: 'action', data: {} }, autoCreate: true, receivedAt: new Date().toISOString() }]);
    assert.equal(o?.ok && o.event.seq, 3);
    assert.equal((await b.getSession('s'))?.state.goals[0]?.goalId, 'g');
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
