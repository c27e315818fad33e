"""Reporting to Tether through the Python SDK's seed-compatible hook agent, with a tally of every call made.

The tally is the example's own account of what it did; it is written as a JSON report (see `Reporter.report`) that the
end-to-end harness compares with what the service stored. A call is counted only after the SDK accepted it.
The same file is copied into each Python example so that each stays self-contained.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from hook_agent import hook_agent


class Reporter:
    """Thin counting wrapper over `hook_agent` (configured by TETHER_URL / TETHER_SESSION_ID, or the prototype's
    SESSION_SERVICE_URL / SESSION_ID). Every method is a coroutine and raises what the SDK raises."""

    def __init__(self, example: str, session_id: str, session_type: str) -> None:
        self.example = example
        self.session_id = session_id
        self.session_type = session_type
        self.counts: Counter[str] = Counter()
        self.goals: dict[str, str] = {}
        self.agents: dict[str, str] = {}
        self.phases: list[str] = []
        self.status: str | None = None
        self.errors: list[dict[str, Any]] = []

    async def start(self, *, user_id: str, tags: list[str], initial: dict[str, Any]) -> None:
        """Checks the service is reachable, then creates the session with its type, synchronously, before anything is
        queued (a queued event would otherwise create it untyped). Raises ConnectionError, or the SDK's ConflictError
        when the id is taken."""
        if not await hook_agent.test_connection():
            raise ConnectionError(f"Tether is not reachable at {hook_agent.service_url}")
        await asyncio.to_thread(hook_agent.client.create_session, self.session_id, type=self.session_type,
                                user_id=user_id, tags=tags, initial=initial)
        self.counts["sessions"] += 1

    async def action(self, type_: str, details: dict[str, Any], *, error: str | None = None) -> None:
        """Logs `{type, details[, error]}` as an action."""
        body: dict[str, Any] = {"type": type_, "details": details}
        if error is not None:
            body["error"] = error
        await hook_agent.log_action(body)
        self.counts["actions"] += 1

    async def response(self, data: dict[str, Any]) -> None:
        """Logs a response (a reply the agent produced)."""
        await hook_agent.log_response(data)
        self.counts["responses"] += 1

    async def state(self, patch: dict[str, Any]) -> None:
        """Merge-patches the state; a `phase` in the patch is remembered as a transition."""
        await hook_agent.update_state(patch)
        self.counts["statePatches"] += 1
        if "phase" in patch:
            self.phases.append(str(patch["phase"]))

    async def error(self, where: str, message: str) -> None:
        """Appends `{where, message}` to `state.errors` (the whole list is sent: a merge patch replaces arrays)."""
        self.errors.append({"where": where, "message": message})
        await self.state({"errors": list(self.errors)})

    async def add_goal(self, goal_id: str, description: str, priority: str = "medium") -> None:
        await hook_agent.add_goal({"goalId": goal_id, "description": description, "priority": priority, "status": "in_progress"})
        self.counts["goals"] += 1
        self.goals[goal_id] = "in_progress"

    async def update_goal(self, goal_id: str, status: str, **extra: Any) -> None:
        await hook_agent.update_goal(goal_id, {"status": status, **extra})
        self.counts["goalUpdates"] += 1
        self.goals[goal_id] = status

    async def spawn(self, agent_id: str, type_: str, task: str) -> None:
        await hook_agent.spawn_agent({"agentId": agent_id, "type": type_, "task": task})
        self.counts["agentsSpawned"] += 1
        self.agents[agent_id] = "active"

    async def complete(self, agent_id: str, result: Any, status: str = "completed") -> None:
        await hook_agent.complete_agent(agent_id, {"result": result, "status": status})
        self.counts["agentsCompleted"] += 1
        self.agents[agent_id] = status

    async def finalize(self, status: str, final: dict[str, Any]) -> None:
        """Ends the session (`completed` or `failed`) and waits until the SDK delivered everything queued (the SDK
        queues and batches; it never raises for a service that is down). Raises RuntimeError when delivery did not
        complete within the SDK's shutdown timeout, so the example fails instead of reporting what was not stored."""
        result = await hook_agent.finalize_session(status=status, final=final)
        if not result.get("success") or not await hook_agent.flush(30):
            raise RuntimeError(f"not every event reached Tether at {hook_agent.service_url} (SDK stats: {hook_agent.client.stats()})")
        self.status = status

    def report(self, **details: Any) -> dict[str, Any]:
        """The machine-readable report: `{example, sessionId, sessionType, status, phase, phases, counts, goals, agents,
        errors, details}`. `counts` has actions, responses, statePatches, goals, goalUpdates, agentsSpawned, agentsCompleted."""
        keys = ("actions", "responses", "statePatches", "goals", "goalUpdates", "agentsSpawned", "agentsCompleted")
        return {
            "example": self.example,
            "sessionId": self.session_id,
            "sessionType": self.session_type,
            "status": self.status,
            "phase": self.phases[-1] if self.phases else None,
            "phases": self.phases,
            "counts": {k: self.counts[k] for k in keys},
            "goals": self.goals,
            "agents": self.agents,
            "errors": self.errors,
            "details": details,
        }
