"""Tether as the session store of A2A agent runtimes (``a2a-sdk`` 1.3; A2A protocol 1.0 and 0.3).

- :class:`ConversationStore`: one Tether session per ``contextId``; every user/agent message an event (parts, files by
  reference, task ids).
- :class:`TetherTaskStore`: the SDK's ``TaskStore`` in Tether (tasks, history, artifacts).
- :class:`MemoryTool`: ``commit_memory`` / ``recall_memory`` on Tether's memory store, scoped per user or workspace.
- :class:`EnvelopeCompatMiddleware`: accepts envelopes as real clients send them (no ``jsonrpc``/``id``/``messageId``,
  legacy ``type`` parts).

Install with ``pip install 'tether-sdk[a2a]'``. Everything exported here is public API. See docs/a2a.md.
"""

from ._compat import EnvelopeCompatMiddleware, normalize_envelope
from ._conversation import DEFAULT_PREFIX, ConversationStore, StoredMessage, context_session_id
from ._memory import MEMORY_TOOL_SCHEMAS, MemoryScope, MemoryStoreLike, MemoryTool
from ._parts import StoredPart, part_text, stored_part, stored_parts
from ._task_store import TetherTaskStore, task_session_id

__all__ = [
    "DEFAULT_PREFIX",
    "MEMORY_TOOL_SCHEMAS",
    "ConversationStore",
    "EnvelopeCompatMiddleware",
    "MemoryScope",
    "MemoryStoreLike",
    "MemoryTool",
    "StoredMessage",
    "StoredPart",
    "TetherTaskStore",
    "context_session_id",
    "normalize_envelope",
    "part_text",
    "stored_part",
    "stored_parts",
    "task_session_id",
]
