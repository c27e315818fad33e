"""The conversation store: one Tether session per A2A ``contextId``, every user and agent message an event.

A2A gives every ``message/send`` (0.3) / ``SendMessage`` (1.0) a new task id, even inside one ``contextId``, so a store
keyed by task id loses the conversation at turn 2. This store keys by ``contextId``: session ``<prefix><contextId>``
(type ``a2a_context``), user messages appended as ``action`` events and agent messages as ``response`` events, each
``{"type": "a2a_message", "role", "messageId", "contextId", "taskId", "parts"}`` with parts as in
:mod:`tether.a2a._parts` (files by reference). The message id is the event's idempotency key, so a retried append is
stored once.

Loading history reads only the recent window (``window`` events, newest last): ``GET /api/sessions/:id/summary`` for
``lastSeq`` then ``GET /api/sessions/:id/events?after=lastSeq-window&limit=window``; two indexed reads whose cost does not
grow with the length of the conversation.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from typing import Any, Literal, TypedDict

from a2a.types.a2a_pb2 import Message, Role

from .._async_client import AsyncTether
from .._base import Request, seg
from .._exceptions import ConflictError, NotFoundError
from ._parts import StoredPart, stored_part

__all__ = ["DEFAULT_PREFIX", "ConversationStore", "StoredMessage", "context_session_id"]

DEFAULT_PREFIX = "a2a:"
_SESSION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class StoredMessage(TypedDict):
    """One message of a conversation as loaded from Tether (``seq`` is its place in the session's log)."""

    seq: int
    timestamp: str
    role: Literal["user", "agent"]
    messageId: str
    contextId: str
    taskId: str | None
    parts: list[StoredPart]


def context_session_id(context_id: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The Tether session id of an A2A context: ``<prefix><contextId>``, or ``<prefix>h-<sha256[:40]>`` when that would
    not be a valid session id (1–128 characters of ``A-Za-z0-9._:-``)."""
    sid = prefix + context_id
    if _SESSION_ID.match(sid):
        return sid
    return prefix + "h-" + hashlib.sha256(context_id.encode()).hexdigest()[:40]


class ConversationStore:
    """Conversations of A2A contexts kept in Tether (see the module doc for the layout).

    Args:
        client: the Tether client (its API key needs the ``ingest`` and ``read`` scopes).
        prefix: prepended to the context id to form the session id (default ``"a2a:"``).
        window: how many of the newest events :meth:`history` loads by default (default 50).
        key: ``"context"`` (correct) or ``"task"``: key sessions by task id instead, which loses the conversation at
            turn 2. Only the reference runtime's ``--break key-by-task-id`` uses ``"task"``.
    """

    def __init__(
        self,
        client: AsyncTether,
        *,
        prefix: str = DEFAULT_PREFIX,
        window: int = 50,
        key: Literal["context", "task"] = "context",
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.window = window
        self.key = key
        self._known: set[str] = set()

    def session_id(self, context_id: str, task_id: str | None = None) -> str:
        """The session holding ``context_id``'s conversation."""
        if self.key == "task" and task_id:
            return context_session_id(task_id, self.prefix)
        return context_session_id(context_id, self.prefix)

    async def ensure_session(self, context_id: str, *, task_id: str | None = None, user_id: str | None = None) -> str:
        """Creates the context's session when it does not exist yet (``POST /api/sessions``; an existing one is kept)
        and returns its id."""
        sid = self.session_id(context_id, task_id)
        if sid in self._known:
            return sid
        body: dict[str, Any] = {
            "sessionId": sid,
            "type": "a2a_context",
            "metadata": {"a2a": {"contextId": context_id}},
        }
        if user_id:
            body["userId"] = user_id
        with contextlib.suppress(ConflictError):
            await self.client._request(Request("POST", "/api/v1/sessions", body=body))
        if len(self._known) > 10_000:
            self._known.clear()
        self._known.add(sid)
        return sid

    async def append(
        self,
        message: Message,
        *,
        context_id: str | None = None,
        task_id: str | None = None,
        user_id: str | None = None,
        file_urls: dict[int, str] | None = None,
    ) -> int:
        """Appends one A2A message (user → ``action``, agent → ``response``) and returns its ``seq``.

        ``file_urls`` maps a part's index to the URL where the runtime keeps that inline file (so history refers to it).
        Idempotent by ``messageId``."""
        ctx = context_id or message.context_id
        tid = task_id or message.task_id or None
        sid = await self.ensure_session(ctx, task_id=tid, user_id=user_id)
        role = "agent" if message.role == Role.ROLE_AGENT else "user"
        urls = file_urls or {}
        body = {
            "type": "a2a_message",
            "role": role,
            "messageId": message.message_id,
            "contextId": ctx,
            "taskId": tid,
            "parts": [stored_part(p, url=urls.get(i)) for i, p in enumerate(message.parts)],
        }
        path = f"/api/v1/actions/{seg(sid)}" if role == "user" else f"/api/v1/actions/{seg(sid)}/responses"
        headers = {"idempotency-key": f"a2a-msg:{message.message_id}"} if message.message_id else None
        res = await self.client._request(Request("POST", path, body=body, headers=headers))
        return int(res["seq"])

    async def history(
        self, context_id: str, *, task_id: str | None = None, limit: int | None = None
    ) -> list[StoredMessage]:
        """The newest ``limit`` (default ``window``) events of the context's session as messages, oldest first; empty
        when the context is new."""
        sid = self.session_id(context_id, task_id)
        n = limit or self.window
        try:
            summary = await self.client._request(Request("GET", f"/api/v1/sessions/{seg(sid)}/summary"))
        except NotFoundError:
            return []
        after = max(0, int(summary["lastSeq"]) - n)
        page = await self.client._request(
            Request("GET", f"/api/v1/sessions/{seg(sid)}/events", params={"after": after, "limit": n})
        )
        out: list[StoredMessage] = []
        for e in page["events"]:
            d = e.get("data") or {}
            if e["kind"] not in ("action", "response") or d.get("type") != "a2a_message":
                continue
            out.append(
                {
                    "seq": e["seq"],
                    "timestamp": e["timestamp"],
                    "role": "agent" if d.get("role") == "agent" else "user",
                    "messageId": str(d.get("messageId") or ""),
                    "contextId": str(d.get("contextId") or context_id),
                    "taskId": d.get("taskId"),
                    "parts": list(d.get("parts") or []),
                }
            )
        return out
