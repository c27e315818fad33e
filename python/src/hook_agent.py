"""Drop-in replacement for the prototype's ``hook_agent.py``: same module, names and async methods, so existing
agent code works unchanged::

    from hook_agent import hook_agent
    await hook_agent.log_action({"type": "task_start", "timestamp": ..., "details": {"task": "process_data"}})
    await hook_agent.update_state({"phase": "execution", "currentStep": "processing"})
    goal = await hook_agent.add_goal({"description": "Answer the customer", "priority": "high"})
    await hook_agent.update_goal(goal["goalId"], {"status": "completed"})
    agent = await hook_agent.spawn_agent({"type": "researcher", "task": "find flights"})
    await hook_agent.complete_agent(agent["agentId"], {"result": "3 options"})

Unlike the prototype (one blocking request per call, one try, event lost on failure), each call only queues the
event and returns: a background thread delivers batches to ``POST /api/v1/ingest`` with retries, exactly once (every
event carries a UUIDv7 id), flushing at exit and on SIGTERM. Goal and agent ids are generated here, so they are
usable at once. Nothing here raises because the service is down; failures go to the ``tether`` logger and to
``on_error``.

Configuration (arguments win over the environment): ``TETHER_SESSION_ID`` or ``SESSION_ID``; ``TETHER_URL`` or
``SESSION_SERVICE_URL`` (default ``http://localhost:9000``); ``TETHER_API_KEY``; and the batching/spool variables
of :class:`tether.Settings` (``TETHER_SPOOL_DIR``, ``TETHER_FLUSH_AT``, ``TETHER_FLUSH_INTERVAL_MS``…).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from tether import ErrorCallback, Session, SessionStatus, Tether
from tether._session import new_id

__all__ = ["HookAgent", "SessionHookAgent", "hook_agent"]

logger = logging.getLogger("tether")


class SessionHookAgent:
    """The prototype's hook agent over :class:`tether.Tether`. The client is made on first use, so environment
    variables set after import still count.

    Args:
        session_id: else ``TETHER_SESSION_ID`` / ``SESSION_ID``; when none is set, ``agent-<uuid>`` is generated
            (and logged at warning level).
        service_url: else ``TETHER_URL`` / ``SESSION_SERVICE_URL`` / ``http://localhost:9000``.
        api_key: else ``TETHER_API_KEY``.
        on_error: callback for background delivery failures.
        **options: any other :class:`tether.Tether` argument (``flush_at``, ``spool_dir``…).

    Every logging method returns a dict right away: ``{"success": True, "sessionId", "eventId", "queued": True}``
    (``success`` means queued; delivery follows). ``add_goal`` / ``spawn_agent`` return the goal / agent with its id.
    """

    def __init__(
        self,
        session_id: str | None = None,
        service_url: str | None = None,
        api_key: str | None = None,
        *,
        on_error: ErrorCallback | None = None,
        client: Tether | None = None,
        **options: Any,
    ) -> None:
        self._args = {
            "session_id": session_id,
            "base_url": service_url,
            "api_key": api_key,
            "on_error": on_error,
            **options,
        }
        self._client = client
        self._session: Session | None = None
        self._lock = threading.Lock()

    # ---- wiring ------------------------------------------------------------------------------------------------------

    @property
    def client(self) -> Tether:
        """The underlying :class:`tether.Tether` (made on first use)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = Tether(**{k: v for k, v in self._args.items() if v is not None})
        return self._client

    @property
    def session(self) -> Session:
        """The :class:`tether.Session` handle this agent logs into."""
        if self._session is None:
            client = self.client
            sid = client.settings.session_id
            if not sid:
                sid = f"agent-{uuid.uuid4()}"
                logger.warning("tether: SESSION_ID / TETHER_SESSION_ID not set; logging to session %s", sid)
            self._session = client.session(sid)
        return self._session

    @property
    def session_id(self) -> str:
        """The session id events go to."""
        return self.session.session_id

    @property
    def service_url(self) -> str:
        """The service URL in use."""
        return self.client.settings.base_url

    def _ok(self, event_id: str) -> dict[str, Any]:
        return {"success": True, "sessionId": self.session.session_id, "eventId": event_id, "queued": True}

    # ---- the prototype's API -----------------------------------------------------------------------------------------

    async def test_connection(self) -> bool:
        """True when ``GET /health`` answers ok (one try, no retries). Never raises."""
        try:
            health = await asyncio.to_thread(self._health)
        except Exception as exc:
            logger.warning("tether: cannot reach %s: %s", self.service_url, exc)
            return False
        return health.get("status") == "ok"

    def _health(self) -> dict[str, Any]:
        import httpx

        r = httpx.get(self.service_url + "/health", timeout=self.client.settings.timeout)
        r.raise_for_status()
        out: dict[str, Any] = r.json()
        return out

    async def log_action(self, action: Mapping[str, Any]) -> dict[str, Any]:
        """Queues an ``action`` (any object, e.g. ``{"type", "timestamp", "details"}``)."""
        return self._ok(self.session.log_action(action))

    async def log_response(self, response: Mapping[str, Any]) -> dict[str, Any]:
        """Queues a ``response`` (any object, e.g. ``{"content", "role", "usage"}``)."""
        return self._ok(self.session.log_response(response))

    async def update_state(self, updates: Mapping[str, Any]) -> dict[str, Any]:
        """Queues a merge patch of the state (RFC 7396), e.g. ``{"phase": "execution", "currentStep": "processing"}``."""
        return self._ok(self.session.update_state(updates))

    async def add_goal(self, goal: Mapping[str, Any]) -> dict[str, Any]:
        """Queues a goal (``{"description", "priority"?, "status"?, "goalId"?}``); returns it with its ``goalId``."""
        g = dict(goal)
        gid = str(g.pop("goalId", None) or new_id("goal"))
        description = str(g.pop("description", ""))
        priority = str(g.pop("priority", "medium"))
        status = str(g.pop("status", "pending"))
        self.session.add_goal(description, priority=priority, status=status, goal_id=gid, **g)
        return {**g, "goalId": gid, "description": description, "priority": priority, "status": status}

    async def update_goal(self, goal_id: str, updates: Mapping[str, Any]) -> dict[str, Any]:
        """Queues a goal update, e.g. ``update_goal(gid, {"status": "completed"})``; returns ``{**updates, goalId}``."""
        u = {k: v for k, v in updates.items() if k != "goalId"}
        self.session.update_goal(goal_id, **u)
        return {**u, "goalId": goal_id}

    async def spawn_agent(self, agent: Mapping[str, Any]) -> dict[str, Any]:
        """Queues a sub-agent (``{"type", "task"?, "agentId"?, "childSessionId"?}``); returns it with ``agentId``."""
        a = dict(agent)
        aid = str(a.pop("agentId", None) or new_id("agent"))
        agent_type = str(a.pop("type", "agent"))
        task = a.pop("task", None)
        child = a.pop("childSessionId", None)
        self.session.spawn_agent(agent_type, task=task, agent_id=aid, child_session_id=child, **a)
        out = {**a, "agentId": aid, "type": agent_type, "status": "active"}
        if task is not None:
            out["task"] = task
        if child is not None:
            out["childSessionId"] = child
        return out

    async def complete_agent(self, agent_id: str, result: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Queues a sub-agent's completion; ``result`` is the body (``{"result": …, "status"?: …}``)."""
        body = dict(result or {})
        status = body.get("status")
        self.session.complete_agent(
            agent_id, result=body.get("result"), status=status if isinstance(status, str) else None
        )
        return {
            "agentId": agent_id,
            "status": status or "completed",
            **({"result": body["result"]} if "result" in body else {}),
        }

    async def finalize_session(
        self, status: SessionStatus = "completed", final: Any = None, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Queues the session's end and waits for delivery of everything logged (up to ``timeout`` seconds, default
        the client's ``shutdown_timeout``). ``success`` tells whether all of it was delivered."""
        eid = self.session.finalize(status, final)
        t = self.client.settings.shutdown_timeout if timeout is None else timeout
        delivered = await asyncio.to_thread(self.client.flush, t)
        return {"success": delivered, "sessionId": self.session.session_id, "eventId": eid, "status": status}

    async def flush(self, timeout: float | None = None) -> bool:
        """Waits until everything logged so far is delivered (``timeout`` seconds; ``None`` = no limit)."""
        return await asyncio.to_thread(self.client.flush, timeout)

    async def close(self, timeout: float | None = None) -> bool:
        """Flushes and stops the background sender (it also happens at interpreter exit and on SIGTERM)."""
        if self._client is None:
            return True
        return await asyncio.to_thread(self._client.close, timeout)


#: Alias.
HookAgent = SessionHookAgent

#: The module-level agent the prototype's users import: ``from hook_agent import hook_agent``.
hook_agent = SessionHookAgent()
