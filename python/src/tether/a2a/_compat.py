"""Accept A2A JSON-RPC envelopes as real clients send them, before ``a2a-sdk``'s strict dispatcher sees them.

Clients in the field (platform proxies, older SDKs, hand-written simulators) post ``message/send`` without
``"jsonrpc": "2.0"``, without ``id``, without ``message.messageId``, or with pre-0.2 parts ``{"type": "text"}`` instead
of ``{"kind": "text"}``. ``a2a-sdk`` 1.3 answers those with ``-32600 Invalid Request`` / ``-32602``. This ASGI middleware
fills in ``jsonrpc``, a generated ``id`` and ``messageId``, and renames ``type`` to ``kind`` in 0.3 parts; everything else
passes through unchanged. A2A versions follow the ``A2A-Version`` header as the SDK does (absent means 0.3).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["EnvelopeCompatMiddleware", "normalize_envelope"]

_SEND_METHODS = frozenset({"message/send", "message/stream", "SendMessage", "SendStreamingMessage"})


def normalize_envelope(body: Any) -> Any:
    """The envelope with missing ``jsonrpc``/``id``/``messageId`` filled in and legacy ``type`` parts renamed."""
    if not isinstance(body, dict) or "method" not in body:
        return body
    body.setdefault("jsonrpc", "2.0")
    if body.get("id") is None:
        body["id"] = str(uuid.uuid4())
    if body.get("method") in _SEND_METHODS:
        msg = (body.get("params") or {}).get("message")
        if isinstance(msg, dict):
            if not msg.get("messageId"):
                msg["messageId"] = str(uuid.uuid4())
            legacy = body["method"].startswith("message/")
            for part in msg.get("parts") or []:
                if legacy and isinstance(part, dict) and "kind" not in part and "type" in part:
                    part["kind"] = part.pop("type")
    return body


class EnvelopeCompatMiddleware:
    """ASGI middleware applying :func:`normalize_envelope` to JSON POST bodies on ``paths`` (default ``{"/"}``)."""

    def __init__(self, app: ASGIApp, paths: frozenset[str] = frozenset({"/"})) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            m = await receive()
            chunks.append(m.get("body", b""))
            more = m.get("more_body", False)
        raw = b"".join(chunks)
        with contextlib.suppress(ValueError):
            raw = json.dumps(normalize_envelope(json.loads(raw))).encode()
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(raw)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app({**scope, "headers": headers}, replay, send)
