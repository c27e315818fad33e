"""Attachments, read only under the workspace root.

A file part by reference (``url``) is read when it is ``file://<path>``, ``workspace:<relative path>`` or a bare path,
and only when the resolved real path lies inside the root (symlinks resolved): anything else is refused. A file sent
inline (``raw`` bytes) is saved to ``<root>/uploads/<sha256[:12]>-<name>`` so the conversation in Tether can refer to it
(``workspace:uploads/…``) in later turns. Reads stop at ``max_bytes`` (default 1 MiB).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from a2a.types.a2a_pb2 import Part

from .model import Attachment


class Workspace:
    """Reads attachments under ``root`` (``None``: no file by reference is read, inline files are not saved)."""

    def __init__(self, root: str | None, max_bytes: int = 1 << 20) -> None:
        self.root = Path(root).resolve() if root else None
        self.max_bytes = max_bytes

    def _resolve(self, url: str) -> Path:
        if self.root is None:
            raise PermissionError("no workspace root is configured")
        if url.startswith("workspace:"):
            p = self.root / unquote(url[len("workspace:") :]).lstrip("/")
        elif url.startswith("file:"):
            p = Path(unquote(urlparse(url).path))
        elif "://" in url:
            raise PermissionError(f"only file:// and workspace: references are read, not {url.split(':', 1)[0]}:")
        else:
            p = Path(url) if os.path.isabs(url) else self.root / url
        real = p.resolve()
        if real != self.root and self.root not in real.parents:
            raise PermissionError("outside the workspace root")
        return real

    def read_url(self, url: str, filename: str, media_type: str) -> Attachment:
        """The attachment at ``url``, with ``error`` set when it is refused or missing."""
        name = filename or url.rsplit("/", 1)[-1]
        try:
            path = self._resolve(url)
            with path.open("rb") as f:
                data = f.read(self.max_bytes)
        except (OSError, PermissionError) as e:
            return Attachment(name, media_type, None, str(e) if isinstance(e, PermissionError) else "not found")
        return Attachment(name, media_type, data.decode("utf-8", errors="replace"))

    def save_inline(self, data: bytes, filename: str) -> str | None:
        """Saves inline bytes under ``uploads/`` and returns their ``workspace:`` URL (``None`` without a root)."""
        if self.root is None:
            return None
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename or "file")[:80]
        rel = f"uploads/{hashlib.sha256(data).hexdigest()[:12]}-{safe}"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(data)
        return "workspace:" + rel

    def read_parts(self, parts: list[Part]) -> tuple[list[Attachment], dict[int, str]]:
        """The attachments of a message and, per inline part index, the URL it was saved at."""
        out: list[Attachment] = []
        urls: dict[int, str] = {}
        for i, p in enumerate(parts):
            kind = p.WhichOneof("content")
            media = p.media_type or "application/octet-stream"
            if kind == "raw":
                saved = self.save_inline(p.raw, p.filename)
                if saved:
                    urls[i] = saved
                out.append(Attachment(p.filename or "file", media, p.raw[: self.max_bytes].decode("utf-8", "replace")))
            elif kind == "url":
                out.append(self.read_url(p.url, p.filename, media))
        return out, urls
