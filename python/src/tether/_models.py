"""Typed shapes of the Tether API (TypedDicts: plain dicts at run time, checked by mypy).

They mirror packages/protocol; ``tests/test_models.py`` checks them against the running service's ``/openapi.json``
and against real responses, so a drift fails the tests.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "Agent",
    "CreateSessionResult",
    "Event",
    "EventInput",
    "EventKind",
    "EventPage",
    "FinalizeResult",
    "Goal",
    "IngestItemResult",
    "IngestResponse",
    "SearchHit",
    "SearchResponse",
    "SessionList",
    "SessionRestore",
    "SessionStatus",
    "SessionSummary",
]

#: Kinds of events in a session's log (packages/protocol EVENT_KINDS).
EventKind = Literal[
    "session_created",
    "action",
    "response",
    "state_patched",
    "goal_added",
    "goal_updated",
    "agent_spawned",
    "agent_completed",
    "metadata_updated",
    "session_finalized",
    "checkpoint",
    "checkpoint_writes",
]

#: active | completed | failed | abandoned
SessionStatus = Literal["active", "completed", "failed", "abandoned"]


class _EventInputRequired(TypedDict):
    sessionId: str
    kind: EventKind


class EventInput(_EventInputRequired, total=False):
    """One item of ``POST /api/ingest``. ``id`` is the idempotency key (the SDK sets a UUIDv7); ``timestamp`` ISO 8601."""

    id: str
    timestamp: str
    data: dict[str, Any]
    expectedVersion: int


class Event(TypedDict):
    """An event as stored: ``seq`` is 1, 2, 3… per session without gaps; times are ISO 8601 strings."""

    id: str
    sessionId: str
    seq: int
    kind: EventKind
    timestamp: str
    receivedAt: str
    data: dict[str, Any]


class _IngestItemRequired(TypedDict):
    index: int
    status: int


class IngestItemResult(_IngestItemRequired, total=False):
    """Per-item result of ``POST /api/ingest``: 201 stored, 200 duplicate (already stored), else the error status + code."""

    id: str
    sessionId: str
    seq: int
    duplicate: bool
    code: str
    detail: str


class IngestResponse(TypedDict):
    """``POST /api/ingest`` answer (207 Multi-Status)."""

    accepted: int
    rejected: int
    results: list[IngestItemResult]


class SessionSummary(TypedDict):
    """A session as listed. ``metadata`` holds ``model``, ``tokenUsage``, ``metrics`` and client keys; ``durationMs`` in ms."""

    sessionId: str
    userId: str | None
    type: str | None
    parentSessionId: str | None
    status: SessionStatus
    tags: list[str]
    metadata: dict[str, Any]
    initial: dict[str, Any] | None
    created: str
    updated: str
    endedAt: str | None
    durationMs: float | None
    lastSeq: int
    stateVersion: int


class SessionRestore(TypedDict):
    """``GET /api/sessions/:id`` (the seed's restore): summary, state projection, actions and responses."""

    sessionId: str
    metadata: SessionSummary
    initial: dict[str, Any] | None
    state: dict[str, Any]
    actions: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    final: Any


class SessionList(TypedDict):
    """``GET /api/sessions`` page; pass ``nextCursor`` back as ``cursor`` (``None`` at the end)."""

    sessions: list[SessionSummary]
    nextCursor: str | None


class EventPage(TypedDict):
    """``GET /api/sessions/:id/events``: events with seq > after; ``nextAfter`` is ``None`` when there are no more."""

    sessionId: str
    events: list[Event]
    lastSeq: int
    nextAfter: int | None


class SearchHit(TypedDict):
    """One full-text match: the event's session, seq, kind, time and a snippet."""

    sessionId: str
    seq: int
    kind: str
    timestamp: str
    snippet: str


class SearchResponse(TypedDict):
    """``GET /api/query/search``."""

    query: str
    results: list[SearchHit]


class CreateSessionResult(TypedDict):
    """``POST /api/sessions`` answer (``duplicate`` true when the same create was already stored)."""

    success: bool
    sessionId: str
    seq: int
    duplicate: bool
    session: SessionSummary


class FinalizeResult(TypedDict):
    """``POST /api/sessions/:id/finalize`` answer."""

    success: bool
    sessionId: str
    status: SessionStatus
    seq: int
    session: SessionSummary


class Goal(TypedDict, total=False):
    """A goal as the SDK returns it at once (before delivery): ``goalId`` is generated client-side."""

    goalId: str
    description: str
    priority: str
    status: str


class Agent(TypedDict, total=False):
    """A spawned sub-agent as the SDK returns it at once: ``agentId`` is generated client-side."""

    agentId: str
    type: str
    task: Any
    status: str
    childSessionId: str
