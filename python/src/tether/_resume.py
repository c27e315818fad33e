"""Session resume: a session's state as it stands and its log, read page by page only while iterated (docs/sdk.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ._models import Event, EventKind, SessionSummary


@dataclass(frozen=True)
class ResumedSession:
    """What ``Tether.resume(session_id)`` returns.

    ``metadata`` is the session's summary (status, metadata with ``tokenUsage`` and ``metrics``, ``lastSeq``),
    ``initial`` the initial payload, ``state`` the state (goals, agents, phase …), ``last_seq`` the seq of the newest
    event when it was read (0 for none). ``events()`` yields the log in seq order, one page
    (``GET /api/v1/sessions/:id/events``, 1,000 events) at a time, so a 200,000-event session is never all in memory.
    New events logged after the resume get ``last_seq + 1``, ``+ 2``, …: the session continues where it left off.
    """

    session_id: str
    metadata: SessionSummary
    initial: dict[str, Any] | None
    state: dict[str, Any]
    last_seq: int
    _iter: Callable[[int, EventKind | None], Iterator[Event]] = field(repr=False)

    def events(self, *, after: int = 0, kind: EventKind | None = None) -> Iterator[Event]:
        """The log after ``after`` (exclusive), optionally one ``kind``, paged lazily."""
        return self._iter(after, kind)


@dataclass(frozen=True)
class AsyncResumedSession:
    """What ``await AsyncTether.resume(session_id)`` returns; ``events()`` is an async iterator (see ResumedSession)."""

    session_id: str
    metadata: SessionSummary
    initial: dict[str, Any] | None
    state: dict[str, Any]
    last_seq: int
    _iter: Callable[[int, EventKind | None], AsyncIterator[Event]] = field(repr=False)

    def events(self, *, after: int = 0, kind: EventKind | None = None) -> AsyncIterator[Event]:
        """The log after ``after`` (exclusive), optionally one ``kind``, paged lazily."""
        return self._iter(after, kind)
