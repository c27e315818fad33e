"""Tether Python SDK: report AI agent sessions to a Tether service.

Everything exported here is public API (kept stable); underscore modules are not.

Quick start::

    from tether import Tether
    with Tether("http://localhost:9000") as tether:
        s = tether.session("my-session")        # or tether.create_session(type="research")
        s.log_action({"type": "tool_call", "tool": "bash", "input": "ls"})   # queued, returns at once
        s.update_state({"phase": "execution"})
    # leaving the block flushes: every event is stored exactly once

Prototype-compatible API: ``from hook_agent import hook_agent`` (see ``hook_agent.SessionHookAgent``).
"""

from ._async_client import AsyncTether
from ._batcher import ErrorCallback
from ._client import Tether
from ._config import DEFAULT_URL, OnFull, Settings, resolve_settings
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DeliveryError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    TetherError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)
from ._live import LiveMessage, StreamClosed
from ._models import (
    Agent,
    CreateSessionResult,
    Event,
    EventInput,
    EventKind,
    EventPage,
    FinalizeResult,
    Goal,
    IngestItemResult,
    IngestResponse,
    SearchHit,
    SearchResponse,
    SessionList,
    SessionRestore,
    SessionStatus,
    SessionSummary,
)
from ._resume import AsyncResumedSession, ResumedSession
from ._session import Session
from ._store import AsyncStoreClient, StoreClient, StoreItem
from ._version import __version__

__all__ = [
    "DEFAULT_URL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AsyncResumedSession",
    "AsyncStoreClient",
    "AsyncTether",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "CreateSessionResult",
    "DeliveryError",
    "ErrorCallback",
    "Event",
    "EventInput",
    "EventKind",
    "EventPage",
    "FinalizeResult",
    "Goal",
    "IngestItemResult",
    "IngestResponse",
    "LiveMessage",
    "InternalServerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "OnFull",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "ResumedSession",
    "SearchHit",
    "SearchResponse",
    "Session",
    "SessionList",
    "SessionRestore",
    "SessionStatus",
    "SessionSummary",
    "StoreClient",
    "StoreItem",
    "StreamClosed",
    "Settings",
    "Tether",
    "TetherError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "__version__",
    "resolve_settings",
]
