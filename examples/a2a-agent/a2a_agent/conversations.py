"""Where the runtime keeps conversations: Tether (:class:`tether.a2a.ConversationStore`), or, broken on purpose, a dict
in the process (``--break in-memory-store``: what dies with a stateless container) or one shared session for every
context (``--break shared-context``: contexts see each other's messages)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Literal

from a2a.types.a2a_pb2 import Message, Role
from tether.a2a import ConversationStore, StoredMessage, context_session_id, stored_part


class InMemoryConversations:
    """The seed's local "SessionStore": a dict keyed by context id, lost on restart."""

    def __init__(self) -> None:
        self.by_context: dict[str, list[StoredMessage]] = {}

    async def history(self, context_id: str, *, task_id: str | None = None, limit: int | None = None) -> list[StoredMessage]:
        return list(self.by_context.get(context_id, [])[-(limit or 50) :])

    async def append(
        self,
        message: Message,
        *,
        context_id: str | None = None,
        task_id: str | None = None,
        user_id: str | None = None,
        file_urls: dict[int, str] | None = None,
    ) -> int:
        ctx = context_id or message.context_id
        log = self.by_context.setdefault(ctx, [])
        role: Literal["user", "agent"] = "agent" if message.role == Role.ROLE_AGENT else "user"
        urls = file_urls or {}
        log.append(
            {
                "seq": len(log) + 1,
                "timestamp": datetime.now(timezone.utc).isoformat(),
                "role": role,
                "messageId": message.message_id or str(uuid.uuid4()),
                "contextId": ctx,
                "taskId": task_id,
                "parts": [stored_part(p, url=urls.get(i)) for i, p in enumerate(message.parts)],
            }
        )
        return len(log)


class SharedConversations(ConversationStore):
    """Every context in one Tether session (broken on purpose: contexts are not isolated)."""

    def session_id(self, context_id: str, task_id: str | None = None) -> str:
        return context_session_id("shared", self.prefix)
