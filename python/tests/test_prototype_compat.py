"""Prototype fidelity: the calls of the prototype's Python hook agent against a real ``tether serve``.

Written by us from ``container-hook-agent-python/hook_agent.py`` of matemorotz/claude-session-infrastructure: an
``httpx.AsyncClient(timeout=5.0)``, ``post(url, json=...)``/``patch(url, json=...)``, ``raise_for_status()`` and
``response.json()``; ``complete_agent`` is ``post(url)`` with no body at all. The answers are read the way a
prototype client reads them (``goal.id``, ``restore["metadata"]["tokenUsage"]``, ``metrics.toolCalls``).
"""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import TetherServer


class PrototypeHookAgent:
    """The prototype's SessionHookAgent, call for call."""

    def __init__(self, session_id: str, service_url: str) -> None:
        self.session_id = session_id
        self.service_url = service_url
        self.client = httpx.AsyncClient(timeout=5.0)

    async def _json(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    async def test_connection(self) -> bool:
        response = await self.client.get(f"{self.service_url}/health")
        return response.status_code == 200

    async def log_action(self, action: dict[str, Any]) -> Any:
        return await self._json(
            await self.client.post(f"{self.service_url}/api/actions/{self.session_id}", json=action)
        )

    async def log_response(self, data: dict[str, Any]) -> Any:
        url = f"{self.service_url}/api/actions/{self.session_id}/responses"
        return await self._json(await self.client.post(url, json=data))

    async def update_state(self, update: dict[str, Any]) -> Any:
        return await self._json(await self.client.patch(f"{self.service_url}/api/state/{self.session_id}", json=update))

    async def add_goal(self, goal: dict[str, Any]) -> Any:
        url = f"{self.service_url}/api/state/{self.session_id}/goals"
        return await self._json(await self.client.post(url, json=goal))

    async def update_goal(self, goal_id: str, update: dict[str, Any]) -> Any:
        url = f"{self.service_url}/api/state/{self.session_id}/goals/{goal_id}"
        return await self._json(await self.client.patch(url, json=update))

    async def spawn_agent(self, agent: dict[str, Any]) -> Any:
        url = f"{self.service_url}/api/state/{self.session_id}/agents"
        return await self._json(await self.client.post(url, json=agent))

    async def complete_agent(self, agent_id: str) -> Any:
        url = f"{self.service_url}/api/state/{self.session_id}/agents/{agent_id}/complete"
        return await self._json(await self.client.post(url))

    async def close(self) -> None:
        await self.client.aclose()


async def test_python_hook_agent_calls_answer_as_the_prototype(server: TetherServer, sid: str) -> None:
    agent = PrototypeHookAgent(sid, server.url)
    try:
        created = await agent.client.post(
            f"{server.url}/api/sessions",
            json={"sessionId": sid, "userId": "py-user", "initial": {"input": {"type": "prompt", "content": "hi"}}},
        )
        assert created.status_code == 200
        assert created.json() == {"success": True, "sessionId": sid, "path": f"sessions/{sid}"}
        assert await agent.test_connection()
        assert await agent.log_action({"type": "tool_call", "tool": "Read"}) == {"success": True}
        assert await agent.log_action({"type": "mcp_call", "server": "memory"}) == {"success": True}
        assert await agent.log_response({"type": "text", "content": "ok"}) == {"success": True}
        assert await agent.update_state({"phase": "execution", "expectedOutcome": {"files": 2}}) == {"success": True}
        assert await agent.add_goal({"description": "First"}) == {"success": True}
        assert await agent.add_goal({"description": "Second", "priority": "low"}) == {"success": True}
        assert await agent.update_goal("goal-2", {"status": "in_progress"}) == {"success": True}
        spawned = await agent.spawn_agent({"type": "researcher", "task": "look"})
        assert spawned["status"] == "spawned"
        assert spawned["agentId"].startswith("agent-researcher-")
        # post(url) with no body: the prototype's agent raised on Tether's old 400 here.
        assert await agent.complete_agent(spawned["agentId"]) == {"success": True}
        state = (await agent.client.get(f"{server.url}/api/state/{sid}")).json()
        restore = (await agent.client.get(f"{server.url}/api/sessions/{sid}")).json()
        first = (await agent.client.get(f"{server.url}/api/actions/{sid}", params={"limit": 1})).json()
    finally:
        await agent.close()

    assert [(g["id"], g["status"]) for g in state["goals"]] == [("goal-1", "pending"), ("goal-2", "in_progress")]
    assert state["expectedOutcome"] == {"files": 2}
    assert state["agents"]["completed"] == [spawned["agentId"]]
    assert state["agents"]["spawned"][0]["status"] == "completed"

    assert restore["metadata"]["tokenUsage"] == {"input": 0, "output": 0, "total": 0}
    assert restore["metadata"]["metrics"]["toolCalls"] == 1
    assert restore["metadata"]["metrics"]["mcpCalls"] == 1
    assert restore["metadata"]["metrics"]["agentsSpawned"] == 1
    assert [a["seq"] for a in restore["actions"]] == [1, 2]
    assert restore["responses"][0]["content"] == "ok"
    assert restore["final"] is None
    assert [a["type"] for a in first] == ["tool_call"]
