"""``TetherTaskStore``: the ``a2a-sdk`` ``TaskStore`` kept in Tether, so tasks survive a runtime restart.

Each task is a Tether session ``a2a-task:<taskId>`` (type ``a2a_task``) whose parent is the session of its context
(:func:`tether.a2a.context_session_id`), so ``GET /api/sessions/<context session>/children`` lists a context's tasks.
The task itself (status, history, artifacts, metadata: the A2A 1.0 JSON of ``Task``) is the session's state under
``task``, written with a merge patch (RFC 7396) on every save; the owner the SDK resolves is kept under ``owner`` and
checked on read. Follows ``a2a.server.tasks.TaskStore`` of ``a2a-sdk`` 1.3.
"""

from __future__ import annotations

import contextlib
from typing import Any

from a2a.server.context import ServerCallContext
from a2a.server.owner_resolver import OwnerResolver, resolve_user_scope
from a2a.server.tasks import TaskStore
from a2a.types.a2a_pb2 import ListTasksRequest, ListTasksResponse, Task, TaskState
from google.protobuf.json_format import MessageToDict, ParseDict

from .._async_client import AsyncTether
from .._base import Request, seg
from .._exceptions import ConflictError, NotFoundError
from ._conversation import DEFAULT_PREFIX, context_session_id

__all__ = ["TetherTaskStore", "task_session_id"]


def task_session_id(task_id: str) -> str:
    """The Tether session id of an A2A task (``a2a-task:<taskId>``, hashed when not a valid id)."""
    return context_session_id(task_id, "a2a-task:")


def _patch_value(task: Task) -> dict[str, Any]:
    d: dict[str, Any] = MessageToDict(task)
    status = d.get("status") or {}
    # Merge patch merges objects: name every status field so an earlier status.message does not linger.
    d["status"] = {"state": status.get("state"), "message": status.get("message"), "timestamp": status.get("timestamp")}
    d.setdefault("artifacts", [])
    d.setdefault("history", [])
    d.setdefault("metadata", None)
    return d


class TetherTaskStore(TaskStore):
    """A2A tasks in Tether (see the module doc).

    Args:
        client: the Tether client (``ingest`` and ``read`` scopes; ``admin`` for :meth:`delete`).
        context_prefix: the prefix of context sessions (as given to :class:`ConversationStore`).
        owner_resolver: maps the call context to the task's owner (the SDK's default: the authenticated user).
    """

    def __init__(
        self,
        client: AsyncTether,
        *,
        context_prefix: str = DEFAULT_PREFIX,
        owner_resolver: OwnerResolver = resolve_user_scope,
    ) -> None:
        self.client = client
        self.context_prefix = context_prefix
        self.owner_resolver = owner_resolver
        self._created: set[str] = set()

    async def _ensure(self, sid: str, parent: str, owner: str) -> None:
        if sid in self._created:
            return
        for body in (
            {"sessionId": parent, "type": "a2a_context"},
            {"sessionId": sid, "type": "a2a_task", "parentSessionId": parent, "userId": owner or None},
        ):
            with contextlib.suppress(ConflictError):
                await self.client._request(
                    Request("POST", "/api/v1/sessions", body={k: v for k, v in body.items() if v})
                )
        if len(self._created) > 10_000:
            self._created.clear()
        self._created.add(sid)

    async def save(self, task: Task, context: ServerCallContext) -> None:
        """Stores the task (creating its session under the context's session the first time)."""
        owner = self.owner_resolver(context)
        sid = task_session_id(task.id)
        await self._ensure(sid, context_session_id(task.context_id, self.context_prefix), owner)
        body = {"owner": owner, "task": _patch_value(task)}
        await self.client._request(Request("PATCH", f"/api/v1/state/{seg(sid)}", body=body))

    async def get(self, task_id: str, context: ServerCallContext) -> Task | None:
        """The task, or ``None`` when it does not exist or belongs to another owner."""
        try:
            state = await self.client._request(Request("GET", f"/api/v1/state/{seg(task_session_id(task_id))}"))
        except NotFoundError:
            return None
        if not isinstance(state, dict) or "task" not in state or state.get("owner") != self.owner_resolver(context):
            return None
        return _task_from_state(state["task"])

    async def list(self, params: ListTasksRequest, context: ServerCallContext) -> ListTasksResponse:
        """The owner's tasks, newest first; ``context_id`` lists one context's (its session's children), ``status``
        filters by state. ``page_size`` (default 50) bounds the page; paging beyond the first page is not offered."""
        owner = self.owner_resolver(context)
        if params.context_id:
            parent = context_session_id(params.context_id, self.context_prefix)
            try:
                res = await self.client._request(Request("GET", f"/api/v1/sessions/{seg(parent)}/children"))
            except NotFoundError:
                res = {"sessions": []}
            ids = [s["sessionId"] for s in res["sessions"] if s.get("type") == "a2a_task"]
        else:
            res = await self.client._request(
                Request("GET", "/api/v1/sessions", params={"type": "a2a_task", "userId": owner or None, "limit": 200})
            )
            ids = [s["sessionId"] for s in res["sessions"]]
        tasks: list[Task] = []
        for sid in ids:
            state = await self.client._request(Request("GET", f"/api/v1/state/{seg(sid)}"))
            if state.get("owner") != owner or "task" not in state:
                continue
            t = _task_from_state(state["task"])
            if params.status and t.status.state != params.status:
                continue
            tasks.append(t)
        tasks.sort(key=lambda t: (t.status.timestamp.ToNanoseconds(), t.id), reverse=True)
        size = params.page_size or 50
        return ListTasksResponse(tasks=tasks[:size], total_size=len(tasks), page_size=size)

    async def delete(self, task_id: str, context: ServerCallContext) -> None:
        """Deletes the task's session (a missing task is not an error)."""
        with contextlib.suppress(NotFoundError):
            await self.client._request(Request("DELETE", f"/api/v1/sessions/{seg(task_session_id(task_id))}"))


def _task_from_state(value: dict[str, Any]) -> Task:
    clean = {k: v for k, v in value.items() if v is not None}
    clean["status"] = {k: v for k, v in (value.get("status") or {}).items() if v is not None}
    task = Task()
    ParseDict(clean, task, ignore_unknown_fields=True)
    if not task.status.state:
        task.status.state = TaskState.TASK_STATE_UNSPECIFIED
    return task
