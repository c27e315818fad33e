/**
 * The list side at 100,000 sessions: seeds 100,000 sessions (with an action each) through /api/ingest, then times the
 * API calls the dashboard makes — first page, a page deep in the cursor chain, filters, full-text search, stats,
 * analytics. Usage: node --import tsx bench/sessions-100k.ts [--sessions 100000]
 */
import { startServer } from './lib.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const N = Number(arg('--sessions')) || 100_000;
const server = await startServer();
const post = (body: unknown) =>
  fetch(`${server.url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

try {
  const t0 = performance.now();
  const statuses = ['completed', 'failed', 'abandoned'];
  for (let i = 0; i < N; i += 250) {
    const events = [];
    for (let j = i; j < Math.min(N, i + 250); j++) {
      const sessionId = `s-${String(j).padStart(6, '0')}`;
      events.push({
        sessionId,
        kind: 'session_created',
        data: { userId: `user-${j % 50}`, type: j % 3 ? 'langgraph' : 'claude-code', tags: [`t${j % 7}`] },
      });
      events.push({
        sessionId,
        kind: 'action',
        data: { tool: j % 5 ? 'Bash' : 'Read', input: { command: `echo session ${j} word${j % 1000}` } },
      });
      if (j % 4 === 0) events.push({ sessionId, kind: 'session_finalized', data: { status: statuses[j % 3] } });
    }
    const r = await post({ events });
    if (r.status !== 207) throw new Error(`ingest answered ${r.status}`);
  }
  console.error(`seeded ${N.toLocaleString('en')} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const time = async (label: string, path: string) => {
    const runs: number[] = [];
    let body: { sessions?: unknown[]; nextCursor?: string | null } = {};
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const r = await fetch(server.url + path);
      body = (await r.json()) as typeof body;
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    console.log(
      `| ${label} | \`${path.length > 60 ? path.slice(0, 57) + '…' : path}\` | ${runs[2]!.toFixed(1)} | ${runs[4]!.toFixed(1)} |`,
    );
    return body;
  };
  console.log('| call | path | median ms | max ms (of 5) |\n|---|---|---|---|');
  let page = await time('first page (100)', '/api/sessions?limit=100');
  let cursor = page.nextCursor;
  for (let p = 0; p < 500 && cursor; p++)
    cursor = (
      (await (await fetch(`${server.url}/api/sessions?limit=100&cursor=${cursor}`)).json()) as {
        nextCursor: string | null;
      }
    ).nextCursor;
  if (cursor) await time('page 500 (rows 50,001–50,100)', `/api/sessions?limit=100&cursor=${cursor}`);
  await time('status filter', '/api/sessions?limit=100&status=failed');
  await time('type + tag filter', '/api/sessions?limit=100&type=claude-code&tag=t3');
  await time('user filter', '/api/sessions?limit=100&userId=user-7');
  await time('full-text q (rare word)', '/api/sessions?limit=100&q=word777');
  await time('full-text q (common word)', '/api/sessions?limit=100&q=session');
  await time('sort by updated', '/api/sessions?limit=100&sort=updated');
  await time('stats', '/api/query/stats');
  await time('analytics (24 h)', '/api/query/analytics');
  page = await time('recent', '/api/query/recent?limit=50');
} finally {
  await server.stop();
}
