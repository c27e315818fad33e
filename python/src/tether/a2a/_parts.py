"""A2A parts as Tether stores them: text, data and files by reference (never the bytes themselves).

A stored part is a plain JSON object, one of:

- ``{"kind": "text", "text": str}``
- ``{"kind": "file", "filename": str, "mediaType": str, "url": str | None, "size": int | None, "sha256": str | None}``
  (``url`` for a part sent by reference; ``size`` in bytes and ``sha256`` hex for a part sent inline as ``raw`` bytes:
  the bytes stay with the runtime, which may pass ``url`` of where it put them)
- ``{"kind": "data", "data": Any}``

Shapes follow A2A 1.0 ``Part`` (``text`` | ``raw`` | ``url`` | ``data`` with ``filename`` and ``mediaType``); 0.3 parts
reach us already converted by the ``a2a-sdk`` compat layer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from a2a.types.a2a_pb2 import Part
from google.protobuf.json_format import MessageToDict

__all__ = ["StoredPart", "part_text", "stored_part", "stored_parts"]

StoredPart = dict[str, Any]


def stored_part(part: Part, *, url: str | None = None) -> StoredPart:
    """The JSON Tether keeps for one A2A part; ``url`` overrides where an inline file is said to live."""
    kind = part.WhichOneof("content")
    if kind == "text":
        return {"kind": "text", "text": part.text}
    if kind in ("raw", "url"):
        raw = part.raw if kind == "raw" else b""
        return {
            "kind": "file",
            "filename": part.filename or "",
            "mediaType": part.media_type or "application/octet-stream",
            "url": url or (part.url if kind == "url" else None),
            "size": len(raw) if kind == "raw" else None,
            "sha256": hashlib.sha256(raw).hexdigest() if kind == "raw" else None,
        }
    if kind == "data":
        return {"kind": "data", "data": MessageToDict(part.data)}
    return {"kind": "unknown"}


def stored_parts(parts: Iterable[Part]) -> list[StoredPart]:
    """:func:`stored_part` of each part, in order."""
    return [stored_part(p) for p in parts]


def part_text(parts: Iterable[StoredPart]) -> str:
    """The text parts joined by newlines (empty when the message holds only files or data)."""
    return "\n".join(str(p["text"]) for p in parts if p.get("kind") == "text" and p.get("text"))
