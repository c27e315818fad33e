"""The memory tool: ``commit_memory`` / ``recall_memory`` backed by Tether's memory store (``/api/v1/store/items``).

A memory is a store item in namespace ``(*root, scope.kind, scope.id)`` (default root ``("a2a", "memories")``, so
``a2a.memories.user.<userId>`` or ``a2a.memories.workspace.<workspaceId>``), key ``m-<sha256(text)[:24]>`` (committing
the same text twice keeps one item), value ``{"text", "contextId", "source": "a2a"}``. Because it is keyed by scope and
not by context, a new ``contextId`` recalls what an earlier one committed.

``store`` is anything with the store API of the Tether SDK (``client.store`` of ``Tether`` / ``AsyncTether``:
``put_item(namespace, key, value, *, ttl=None)``, ``search_items(namespace_prefix, *, query=None, filter=None, limit=10,
offset=0)``); sync or async methods both work.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

__all__ = ["MEMORY_TOOL_SCHEMAS", "MemoryScope", "MemoryStoreLike", "MemoryTool"]


class MemoryStoreLike(Protocol):
    """The part of the Tether SDK's store API the memory tool uses."""

    def put_item(self, namespace: Sequence[str], key: str, value: Any, *, ttl: float | None = None) -> Any: ...

    def search_items(
        self,
        namespace_prefix: Sequence[str],
        *,
        query: str | None = None,
        filter: Any = None,
        limit: int = 10,
        offset: int = 0,
    ) -> Any: ...


@dataclass(frozen=True)
class MemoryScope:
    """Whose memories: one user's (``kind="user"``) or a whole workspace's (``kind="workspace"``)."""

    kind: Literal["user", "workspace"]
    id: str


MEMORY_TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "name": "commit_memory",
        "description": "Store a fact to remember across conversations (scoped to the user or workspace).",
        "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    },
    {
        "name": "recall_memory",
        "description": "Recall stored facts relevant to a query, best first.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 50}},
            "required": ["query"],
        },
    },
]
"""JSON Schema descriptions of the two tools, for a model's function calling."""

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "my",
        "me",
        "i",
        "you",
        "your",
        "what",
        "which",
        "who",
        "of",
        "to",
        "and",
        "that",
        "this",
        "do",
        "does",
        "did",
    ]
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


async def _maybe(v: Any) -> Any:
    return await v if inspect.isawaitable(v) else v


class MemoryTool:
    """``commit_memory`` and ``recall_memory`` over a Tether store (see the module doc)."""

    def __init__(self, store: MemoryStoreLike, *, root: Sequence[str] = ("a2a", "memories")) -> None:
        self.store = store
        self.root = tuple(root)

    def namespace(self, scope: MemoryScope) -> tuple[str, ...]:
        """The store namespace of ``scope``'s memories."""
        return (*self.root, scope.kind, scope.id)

    async def commit_memory(self, text: str, *, scope: MemoryScope, context_id: str | None = None) -> str:
        """Stores ``text`` and returns its key."""
        key = "m-" + hashlib.sha256(text.strip().lower().encode()).hexdigest()[:24]
        value = {"text": text.strip(), "contextId": context_id, "source": "a2a"}
        await _maybe(self.store.put_item(self.namespace(scope), key, value))
        return key

    async def recall_memory(self, query: str, *, scope: MemoryScope, limit: int = 5) -> list[str]:
        """Up to ``limit`` remembered texts relevant to ``query``, best first (the store's search with ``query``; when
        that finds nothing, the scope's items ranked here by shared words). Empty when nothing matches."""
        ns = self.namespace(scope)
        items = list(await _maybe(self.store.search_items(ns, query=query, limit=limit)) or [])
        if not items:
            items = list(await _maybe(self.store.search_items(ns, limit=100)) or [])
        want = _words(query)
        scored: list[tuple[int, str]] = []
        for it in items:
            value = it.value if hasattr(it, "value") else it.get("value", {})
            text = str((value or {}).get("text", ""))
            overlap = len(want & _words(text))
            if text and overlap:
                scored.append((overlap, text))
        scored.sort(key=lambda s: -s[0])
        return [t for _, t in scored[:limit]]
