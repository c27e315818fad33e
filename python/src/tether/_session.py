"""The session handle: non-blocking logging into one session's event log."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._ids import new_event_id
from ._json import encode_event, iso_ms
from ._models import EventKind, SessionStatus, SessionSummary

if TYPE_CHECKING:
    from ._batcher import Batcher

__all__ = ["Session", "new_id"]


def new_id(prefix: str) -> str:
    """A fresh client-side id such as ``goal-3f2a…`` (prefix + 12 hex digits of a uuid4)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Session:
    """Logs events into one session. Every method queues one event and returns at once (no I/O): delivery is batched
    in the background, retried, and exactly-once by the event's client-generated UUIDv7 id (returned by the log methods).

    Get one from ``Tether.session(id)`` / ``AsyncTether.session(id)`` or ``create_session(...)``. The first event for an
    unknown session creates it on the service (unless the service runs with ``TETHER_AUTO_CREATE=false``).

    Each event is encoded as JSON during the log call, so changing the objects you passed afterwards does not change
    the event that is sent. Data that cannot be encoded (a circular reference, dict keys that are not strings or
    numbers) does not raise: the event is rejected, counted in ``stats()["rejected"]`` and handed to ``on_error``.

    Attributes:
        session_id: the session's id.
        summary: the service's summary when the handle came from ``create_session``, else ``None``.
    """

    __slots__ = ("_batcher", "session_id", "summary")

    def __init__(self, batcher: Batcher, session_id: str, summary: SessionSummary | None = None) -> None:
        self._batcher = batcher
        self.session_id = session_id
        self.summary = summary

    def __repr__(self) -> str:
        return f"Session({self.session_id!r})"

    def log(
        self, kind: EventKind, data: Mapping[str, Any] | None = None, *, expected_version: int | None = None
    ) -> str:
        """Queues an event of any kind (see docs/api.md for each kind's ``data``). Returns the event id (a UUIDv7).

        ``expected_version``: for state kinds, the service rejects the event (412 ``version_mismatch``, reported to
        ``on_error``) unless the state's version is this one.
        """
        eid = new_event_id()
        t = time.time()
        if data is None:
            data = {}
        elif type(data) is not dict:
            data = dict(data)  # any Mapping; the encoder only takes dicts as objects
        try:
            encoded = encode_event(eid, self.session_id, kind, t, data, expected_version)
        except Exception as exc:  # circular data, keys that are not strings, a value whose __str__ raises…
            ev: dict[str, Any] = {"id": eid, "sessionId": self.session_id, "kind": kind, "timestamp": iso_ms(t)}
            ev["data"] = data
            if expected_version is not None:
                ev["expectedVersion"] = expected_version
            self._batcher.reject_unencodable(ev, exc)
            return eid
        self._batcher.enqueue(encoded)
        return eid

    def log_action(self, action: Mapping[str, Any]) -> str:
        """An ``action`` event: any object, e.g. ``{"type": "tool_call", "tool": "bash", "input": …, "durationMs": 12}``."""
        return self.log("action", action)

    def log_response(self, response: Mapping[str, Any]) -> str:
        """A ``response`` event: any object, e.g. ``{"role": "assistant", "content": "…", "usage": {...}}``."""
        return self.log("response", response)

    def update_state(self, patch: Mapping[str, Any], *, expected_version: int | None = None) -> str:
        """Merge-patches the state (RFC 7396: ``None`` deletes a key), e.g. ``{"phase": "execution"}``."""
        return self.log("state_patched", {"patch": dict(patch)}, expected_version=expected_version)

    def update_metadata(self, patch: Mapping[str, Any]) -> str:
        """Merge-patches the session metadata (RFC 7396); ``metrics`` is derived by the service and ignored."""
        return self.log("metadata_updated", {"patch": dict(patch)})

    def add_goal(
        self,
        description: str,
        *,
        priority: str = "medium",
        status: str = "pending",
        goal_id: str | None = None,
        **extra: Any,
    ) -> str:
        """Adds a goal; returns its ``goalId`` (generated here unless given), usable at once with :meth:`update_goal`."""
        gid = goal_id or new_id("goal")
        self.log(
            "goal_added", {**extra, "goalId": gid, "description": description, "priority": priority, "status": status}
        )
        return gid

    def update_goal(self, goal_id: str, **changes: Any) -> str:
        """Updates a goal, e.g. ``update_goal(gid, status="completed")``. Returns the event id."""
        return self.log("goal_updated", {**changes, "goalId": goal_id})

    def spawn_agent(
        self,
        type: str,
        *,
        task: Any = None,
        agent_id: str | None = None,
        child_session_id: str | None = None,
        **extra: Any,
    ) -> str:
        """Records a sub-agent; returns its ``agentId`` (generated here unless given) for :meth:`complete_agent`."""
        aid = agent_id or new_id("agent")
        data: dict[str, Any] = {**extra, "agentId": aid, "type": type}
        if task is not None:
            data["task"] = task
        if child_session_id is not None:
            data["childSessionId"] = child_session_id
        self.log("agent_spawned", data)
        return aid

    def complete_agent(self, agent_id: str, *, result: Any = None, status: str | None = None) -> str:
        """Marks a sub-agent completed (``status`` default ``completed``), with its ``result``. Returns the event id."""
        data: dict[str, Any] = {"agentId": agent_id}
        if result is not None:
            data["result"] = result
        if status is not None:
            data["status"] = status
        return self.log("agent_completed", data)

    def finalize(self, status: SessionStatus = "completed", final: Any = None) -> str:
        """Queues the session's end (``completed``, ``failed`` or ``abandoned``) with an optional outcome ``final``."""
        data: dict[str, Any] = {"status": status}
        if final is not None:
            data["final"] = final
        return self.log("session_finalized", data)
