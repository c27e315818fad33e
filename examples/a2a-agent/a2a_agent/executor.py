"""The runtime's ``AgentExecutor``: load the context's history from Tether, append the user message, answer with the
deterministic model, append the answer, complete the task. It keeps nothing between requests."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from a2a.helpers.proto_helpers import new_task_from_user_message
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.tasks import TaskUpdater
from a2a.types.a2a_pb2 import Message, Part
from google.protobuf.json_format import MessageToDict
from tether.a2a import MemoryScope, MemoryTool, StoredMessage, part_text

from .model import Attachment, Turn, respond
from .workspace import Workspace

log = logging.getLogger("a2a_agent")


class Conversations(Protocol):
    async def history(self, context_id: str, *, task_id: str | None = None, limit: int | None = None) -> list[StoredMessage]: ...

    async def append(
        self,
        message: Message,
        *,
        context_id: str | None = None,
        task_id: str | None = None,
        user_id: str | None = None,
        file_urls: dict[int, str] | None = None,
    ) -> int: ...


class ReferenceExecutor(AgentExecutor):
    """See the module doc. ``breaks`` holds the ``--break`` modes that change behaviour here (``drop-file-only``)."""

    def __init__(
        self,
        conversations: Conversations,
        memory: MemoryTool | None,
        workspace: Workspace,
        *,
        workspace_id: str,
        breaks: frozenset[str] = frozenset(),
    ) -> None:
        self.conversations = conversations
        self.memory = memory
        self.workspace = workspace
        self.workspace_id = workspace_id
        self.breaks = breaks

    def _scope(self, message: Message) -> MemoryScope:
        meta: dict[str, Any] = MessageToDict(message.metadata) if message.HasField("metadata") else {}
        user = meta.get("userId") or meta.get("user_id")
        return MemoryScope("user", str(user)) if user else MemoryScope("workspace", self.workspace_id)

    def _turns(self, history: list[StoredMessage]) -> list[Turn]:
        turns = []
        for m in history:
            atts = [
                self.workspace.read_url(p["url"], p.get("filename") or "", p.get("mediaType") or "")
                if p.get("url")
                else Attachment(p.get("filename") or "file", p.get("mediaType") or "", None, "not kept")
                for p in m["parts"]
                if p.get("kind") == "file"
            ]
            turns.append(Turn(m["role"], part_text(m["parts"]), atts))
        return turns

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        msg = context.message
        assert msg is not None
        task = context.current_task or new_task_from_user_message(msg)
        await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        ctx, tid = task.context_id, task.id
        scope = self._scope(msg)
        user_id = scope.id if scope.kind == "user" else None

        history = await self.conversations.history(ctx, task_id=tid)
        attachments, urls = self.workspace.read_parts(list(msg.parts))
        await self.conversations.append(msg, context_id=ctx, task_id=tid, user_id=user_id, file_urls=urls)
        text = "\n".join(p.text for p in msg.parts if p.WhichOneof("content") == "text")
        if "drop-file-only" in self.breaks and not text.strip():
            attachments = []  # the seed's regression: a caption-less file message becomes an empty prompt

        memory = self.memory

        async def recall(q: str) -> list[str]:
            assert memory is not None
            found = await memory.recall_memory(q, scope=scope)
            log.info("recall_memory scope=%s:%s query=%r -> %d", scope.kind, scope.id, q, len(found))
            return found

        async def commit(t: str) -> str:
            assert memory is not None
            key = await memory.commit_memory(t, scope=scope, context_id=ctx)
            log.info("commit_memory scope=%s:%s key=%s", scope.kind, scope.id, key)
            return key

        reply = await respond(
            self._turns(history),
            text,
            attachments,
            recall=recall if memory else None,
            commit=commit if memory else None,
        )
        agent_msg = updater.new_agent_message([Part(text=reply)])
        await self.conversations.append(agent_msg, context_id=ctx, task_id=tid, user_id=user_id)
        log.info("turn context=%s task=%s history=%d files=%d reply=%r", ctx, tid, len(history), len(attachments), reply[:120])
        await updater.complete(agent_msg)

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        updater = TaskUpdater(event_queue, context.task_id or "", context.context_id or "")
        await updater.cancel()
