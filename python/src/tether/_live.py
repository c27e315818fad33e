"""Live subscription over Server-Sent Events (docs/live-feed.md): ``GET /api/sessions/:id/stream`` (SSE id = seq) and
``GET /api/stream`` (the firehose, SSE id = pos), resumed after a reconnect with ``Last-Event-ID`` so no event is lost
or seen twice."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, TypedDict

from ._base import seg

logger = logging.getLogger("tether")

__all__ = ["LiveMessage", "Resume", "SSEParser", "StreamClosed", "stream_path"]


class LiveMessage(TypedDict, total=False):
    """A live-feed message. Event messages have ``type`` (the prototype's name: ``state_updated`` for kind
    ``state_patched``), ``kind``, ``channel`` (``session`` or ``firehose``), ``sessionId``, ``seq``, ``eventId``,
    ``pos`` (live and firehose messages), ``timestamp``, ``receivedAt`` and ``data``. ``session_deleted`` messages
    carry only ``type``, ``channel``, ``sessionId``, ``timestamp`` and ``data``."""

    type: str
    kind: str
    channel: str
    sessionId: str
    seq: int
    eventId: str
    pos: int
    timestamp: str
    receivedAt: str
    data: dict[str, Any]


class StreamClosed(Exception):
    """The server ended the stream with a ``close`` message; ``code`` is its WebSocket-style close code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"stream closed by the server ({code}): {reason}")
        self.code = code
        self.reason = reason


def stream_path(session_id: str | None) -> str:
    """The SSE route for one session, or the firehose when ``session_id`` is None."""
    return f"/api/v1/sessions/{seg(session_id)}/stream" if session_id else "/api/v1/stream"


class SSEParser:
    """Incremental ``text/event-stream`` parser (WHATWG HTML §9.2): feed lines, get (id, data) per dispatched message."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> tuple[str | None, str] | None:
        """Consumes one line (without its newline); returns ``(id, data)`` when a blank line ends a message."""
        if line == "":
            if not self._data:
                self._id = None
                return None
            out = (self._id, "\n".join(self._data))
            self._data, self._id = [], None
            return out
        if line.startswith(":"):
            return None
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "id" and "\0" not in value:
            self._id = value
        return None


class Resume:
    """Tracks the resume position of one subscription and turns SSE messages into what the iterator yields."""

    def __init__(self, session_id: str | None, after: int | None) -> None:
        self.session_id = session_id
        self.last: int | None = after
        self._parser = SSEParser()

    def headers(self) -> dict[str, str]:
        return {"accept": "text/event-stream", **({"last-event-id": str(self.last)} if self.last is not None else {})}

    def connected(self) -> None:
        """Starts a fresh parser for a new connection."""
        self._parser = SSEParser()

    def messages(self, lines: Iterator[str]) -> Iterator[LiveMessage]:
        """Yields event messages from a stream's lines; raises StreamClosed on a ``close`` message."""
        self.connected()
        for line in lines:
            msg = self.feed(line)
            if msg is not None:
                yield msg

    def feed(self, line: str) -> LiveMessage | None:
        """One line of the stream; returns an event message when one is complete. Raises StreamClosed."""
        got = self._parser.feed(line)
        if got is None:
            return None
        sse_id, data = got
        try:
            msg = json.loads(data)
        except ValueError:
            logger.warning("tether: unreadable live message skipped: %.200s", data)
            return None
        if not isinstance(msg, dict):
            return None
        t = msg.get("type")
        if t == "close":
            raise StreamClosed(int(msg.get("code", 0)), str(msg.get("reason", "")))
        if t == "subscribed":
            if self.last is None:  # live-only start: resume from the switch point after a reconnect
                at = msg.get("lastSeq" if self.session_id else "lastPos")
                self.last = at if isinstance(at, int) else None
            return None
        if t == "session_deleted" and self.session_id:
            self.last = 0  # the id may be created again; its seq restarts at 1
        if sse_id is not None and sse_id.isdigit():
            self.last = int(sse_id)
        return LiveMessage(**msg)  # type: ignore[typeddict-item]
