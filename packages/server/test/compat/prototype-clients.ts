/**
 * The requests the prototype's own clients make (matemorotz/claude-session-infrastructure), written by us from its
 * code: same methods, paths, headers and bodies, and reading the answers the way those clients read them.
 * - `nodeAgent`: container-hook-agent/index.js — `axios({method, url, data, timeout: 5000})` with axios defaults
 *   (`data = {}` when none is given, so `completeAgent` posts `{}`), returning `response.data`.
 * - `dashboard`: dashboard/index.html — plain `fetch` of the query/state/actions routes, `response.json()`.
 */
import axios from 'axios';

export function nodeAgent(serviceUrl: string, sessionId: string) {
  const callService = async (endpoint: string, method = 'POST', data: unknown = {}) => {
    const response = await axios({ method, url: `${serviceUrl}/api${endpoint}`, data, timeout: 5000 });
    return response.data;
  };
  return {
    logAction: (action: Record<string, unknown>) => callService(`/actions/${sessionId}`, 'POST', action),
    logResponse: (response: Record<string, unknown>) =>
      callService(`/actions/${sessionId}/responses`, 'POST', response),
    updateState: (update: Record<string, unknown>) => callService(`/state/${sessionId}`, 'PATCH', update),
    addGoal: (goal: Record<string, unknown>) => callService(`/state/${sessionId}/goals`, 'POST', goal),
    updateGoal: (goalId: string, update: Record<string, unknown>) =>
      callService(`/state/${sessionId}/goals/${goalId}`, 'PATCH', update),
    spawnAgent: (agent: Record<string, unknown>) => callService(`/state/${sessionId}/agents`, 'POST', agent),
    completeAgent: (agentId: string) => callService(`/state/${sessionId}/agents/${agentId}/complete`, 'POST'),
    finalizeSession: (finalData: Record<string, unknown>) =>
      callService(`/sessions/${sessionId}/finalize`, 'POST', finalData),
    testConnection: async () => (await axios.get(`${serviceUrl}/health`, { timeout: 5000 })).status === 200,
  };
}

/** The dashboard page's calls (API_URL = `${serviceUrl}/api`), each returning `await response.json()`. */
export function dashboard(serviceUrl: string, origin?: string) {
  const API_URL = `${serviceUrl}/api`;
  const init = origin ? { headers: { origin } } : {};
  const get = async (path: string) => {
    const response = await fetch(`${API_URL}${path}`, init);
    return { json: await response.json(), response };
  };
  return {
    loadStats: () => get('/query/stats'),
    loadRecentSessions: () => get('/query/recent'),
    loadSessionState: (id: string) => get(`/state/${id}`),
    loadSessionActions: (id: string) => get(`/actions/${id}?limit=50`),
    loadSessionResponses: (id: string) => get(`/actions/${id}/responses`),
    createTestSession: async (sessionId: string) => {
      const response = await fetch(`${API_URL}/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({
          sessionId,
          userId: 'test-user',
          initial: {
            source: { type: 'dashboard', action: 'create_test' },
            input: { type: 'prompt', content: 'Test session created from dashboard' },
            config: { model: 'claude-sonnet-4.5', dangerouslySkipPermissions: true },
          },
        }),
      });
      return { json: await response.json(), response };
    },
  };
}
