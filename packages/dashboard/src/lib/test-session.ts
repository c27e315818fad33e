/**
 * "Create test session", as in the prototype's dashboard: a session with actions, responses, goals, a sub-agent with its
 * own child session, and state patches — written through the public API (`POST /api/ingest`).
 */
import type { TetherRest } from '../api/rest';

/** Creates a test session and returns its id. Throws APIStatusError (e.g. 403 when the key lacks `ingest`). */
export async function createTestSession(rest: TetherRest): Promise<string> {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  const id = `test-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  const child = `${id}-agent-1`;
  const t0 = Date.now();
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const events: Array<Record<string, unknown>> = [
    {
      sessionId: id,
      kind: 'session_created',
      timestamp: at(0),
      data: {
        userId: 'dashboard',
        type: 'test',
        tags: ['test', 'dashboard'],
        metadata: { model: 'test-model', source: 'dashboard' },
        initial: { task: 'Demonstrate Tether' },
      },
    },
    {
      sessionId: id,
      kind: 'state_patched',
      timestamp: at(50),
      data: { patch: { phase: 'initialization', currentStep: 'planning' } },
    },
    {
      sessionId: id,
      kind: 'goal_added',
      timestamp: at(100),
      data: { goalId: 'g1', description: 'Understand the request', priority: 'high', status: 'completed' },
    },
    {
      sessionId: id,
      kind: 'goal_added',
      timestamp: at(120),
      data: { goalId: 'g2', description: 'Run the checks', priority: 'medium', status: 'in_progress' },
    },
    {
      sessionId: id,
      kind: 'goal_added',
      timestamp: at(140),
      data: { goalId: 'g3', description: 'Write the summary', priority: 'low', status: 'pending' },
    },
    {
      sessionId: id,
      kind: 'response',
      timestamp: at(200),
      data: { role: 'user', content: 'Please check the repository and summarize the test results.' },
    },
    {
      sessionId: id,
      kind: 'action',
      timestamp: at(400),
      data: {
        type: 'tool_use',
        tool: 'Bash',
        input: { command: 'npm test' },
        output: '42 passed, 0 failed',
        durationMs: 1830,
        usage: { input: 1200, output: 85 },
      },
    },
    {
      sessionId: id,
      kind: 'action',
      timestamp: at(2400),
      data: {
        type: 'tool_use',
        tool: 'Read',
        input: { file_path: 'README.md' },
        output: '# Project\n…',
        durationMs: 12,
      },
    },
    {
      sessionId: id,
      kind: 'agent_spawned',
      timestamp: at(2600),
      data: { agentId: 'agent-1', type: 'researcher', task: 'Look for flaky tests', childSessionId: child },
    },
    {
      sessionId: child,
      kind: 'session_created',
      timestamp: at(2610),
      data: { userId: 'dashboard', type: 'test-agent', parentSessionId: id, tags: ['test'] },
    },
    {
      sessionId: child,
      kind: 'action',
      timestamp: at(2700),
      data: { type: 'tool_use', tool: 'Grep', input: { pattern: 'retry' }, output: '3 matches', durationMs: 40 },
    },
    {
      sessionId: child,
      kind: 'session_finalized',
      timestamp: at(4200),
      data: { status: 'completed', final: { flaky: 0 } },
    },
    {
      sessionId: id,
      kind: 'agent_completed',
      timestamp: at(4300),
      data: { agentId: 'agent-1', status: 'completed', result: 'No flaky tests found' },
    },
    {
      sessionId: id,
      kind: 'action',
      timestamp: at(4500),
      data: {
        type: 'tool_use',
        tool: 'Bash',
        input: { command: 'npm run lint' },
        error: 'exit code 1: 2 problems',
        durationMs: 950,
      },
    },
    { sessionId: id, kind: 'goal_updated', timestamp: at(4600), data: { goalId: 'g2', status: 'completed' } },
    {
      sessionId: id,
      kind: 'state_patched',
      timestamp: at(4700),
      data: {
        patch: { phase: 'execution', currentStep: 'summarizing', workspace: { testsPassed: 42, lintProblems: 2 } },
      },
    },
    {
      sessionId: id,
      kind: 'response',
      timestamp: at(5000),
      data: {
        role: 'assistant',
        content: 'All 42 tests pass; lint reports 2 problems. No flaky tests were found.',
        usage: { input: 2100, output: 160 },
      },
    },
  ];
  await rest.ingest(events);
  return id;
}
