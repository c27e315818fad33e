"""The prototype-compatible API, driven the way the seed documents use it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from typing import Any

import pytest

from hook_agent import SessionHookAgent

from .conftest import TetherServer, free_port

SEED_SCRIPT = textwrap.dedent(
    """
    import asyncio
    from datetime import datetime
    from hook_agent import hook_agent

    async def main():
        assert await hook_agent.test_connection()
        await hook_agent.log_action({
            "type": "task_start",
            "timestamp": datetime.utcnow().isoformat() + "Z",
            "details": {"task": "process_data"}
        })
        await hook_agent.update_state({
            "phase": "execution",
            "currentStep": "processing"
        })
        goal = await hook_agent.add_goal({"description": "Build REST API", "priority": "high"})
        agent = await hook_agent.spawn_agent({"type": "backend-dev", "task": "Implement authentication"})
        await hook_agent.update_goal(goal["goalId"], {"status": "completed"})
        await hook_agent.complete_agent(agent["agentId"], {"result": "auth done"})
        await hook_agent.log_response({"content": "all done", "role": "assistant"})
        print(goal["goalId"], agent["agentId"])

    asyncio.run(main())
    """
)


def test_seed_usage_unchanged_in_a_process(server: TetherServer, sid: str) -> None:
    env = {**os.environ, "SESSION_ID": sid, "SESSION_SERVICE_URL": server.url}
    env.pop("TETHER_URL", None)
    env.pop("TETHER_SESSION_ID", None)
    out = subprocess.run([sys.executable, "-c", SEED_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    goal_id, agent_id = out.stdout.split()
    # The process exited without flush(): atexit delivered everything.
    events = server.events(sid)
    assert [e["kind"] for e in events] == [
        "session_created", "action", "state_patched", "goal_added", "agent_spawned", "goal_updated",
        "agent_completed", "response",
    ]  # fmt: skip
    assert events[1]["data"]["details"] == {"task": "process_data"}
    state = httpx_get_json(f"{server.url}/api/v1/state/{sid}")
    assert state["phase"] == "execution" and state["currentStep"] == "processing"
    assert state["goals"][0]["goalId"] == goal_id and state["goals"][0]["status"] == "completed"
    assert state["goals"][0]["priority"] == "high"
    assert state["agents"]["spawned"][0]["agentId"] == agent_id and state["agents"]["completed"] == [agent_id]
    assert state["agents"]["spawned"][0]["result"] == "auth done"


def httpx_get_json(url: str) -> dict[str, Any]:
    import httpx

    data: dict[str, Any] = httpx.get(url).json()
    return data


async def test_return_values_and_env_config(server: TetherServer, sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSION_ID", sid)
    monkeypatch.setenv("SESSION_SERVICE_URL", server.url)
    monkeypatch.delenv("TETHER_URL", raising=False)
    monkeypatch.delenv("TETHER_SESSION_ID", raising=False)
    agent = SessionHookAgent()
    assert agent.session_id == sid and agent.service_url == server.url
    r = await agent.log_action({"type": "x", "timestamp": datetime.now().isoformat()})
    assert r["success"] is True and r["sessionId"] == sid and r["queued"] is True and r["eventId"]
    goal = await agent.add_goal({"description": "d", "priority": "high"})
    assert goal["goalId"].startswith("goal-") and goal["priority"] == "high" and goal["status"] == "pending"
    upd = await agent.update_goal(goal["goalId"], {"status": "completed"})
    assert upd == {"status": "completed", "goalId": goal["goalId"]}
    spawned = await agent.spawn_agent({"type": "worker", "task": "t"})
    assert spawned["agentId"].startswith("agent-") and spawned["status"] == "active"
    done = await agent.complete_agent(spawned["agentId"], {"result": {"n": 1}})
    assert done == {"agentId": spawned["agentId"], "status": "completed", "result": {"n": 1}}
    fin = await agent.finalize_session("completed", {"summary": "ok"})
    assert fin["success"] is True
    restored = httpx_get_json(f"{server.url}/api/v1/sessions/{sid}")
    assert restored["final"] == {"summary": "ok"}
    assert await agent.close()


async def test_tether_env_wins_and_down_service_never_raises(monkeypatch: pytest.MonkeyPatch, sid: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("SESSION_SERVICE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("TETHER_URL", down)
    monkeypatch.setenv("TETHER_SESSION_ID", sid)
    agent = SessionHookAgent(shutdown_timeout=0.2)
    assert agent.service_url == down and agent.session_id == sid
    assert await agent.test_connection() is False
    assert (await agent.log_action({"type": "lost?"}))["success"] is True  # queued; the service is down
    assert await agent.flush(0.2) is False
    assert await agent.close(0.2) is False
