"""What the sync and async clients share: settings, headers, the background sender, and request building."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ._batcher import Batcher, ErrorCallback
from ._config import OnFull, Settings, resolve_settings
from ._exceptions import APIConnectionError, APIError, APITimeoutError, make_status_error
from ._ids import new_event_id
from ._json import dumps
from ._retry import RetryPolicy, is_retryable_status
from ._session import Session
from ._version import __version__

__all__ = ["BaseClient", "Request"]


class Request:
    """One foreground request: method, path (already quoted), query params, JSON body and extra headers."""

    __slots__ = ("body", "headers", "method", "params", "path")

    def __init__(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.params = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        self.body = None if body is None else dumps(body)
        self.headers = dict(headers or {})
        if self.body is not None:
            self.headers["content-type"] = "application/json"


def _param(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def seg(v: str) -> str:
    """Quotes one path segment (session ids may hold ``:``, which is safe, and nothing else needs escaping)."""
    return quote(v, safe="")


class BaseClient:
    """Settings, headers and the lazily started background sender; see :class:`tether.Tether` for the arguments."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        session_id: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        flush_at: int | None = None,
        flush_interval: float | None = None,
        max_queue_size: int | None = None,
        on_full: OnFull | None = None,
        block_timeout: float | None = None,
        spool_dir: str | None = None,
        spool_fsync: bool | None = None,
        shutdown_timeout: float | None = None,
        on_error: ErrorCallback | None = None,
        env: Mapping[str, str] | None = None,
        sender_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings: Settings = resolve_settings(
            env,
            base_url=base_url,
            api_key=api_key,
            session_id=session_id,
            timeout=timeout,
            max_retries=max_retries,
            flush_at=flush_at,
            flush_interval=flush_interval,
            max_queue_size=max_queue_size,
            on_full=on_full,
            block_timeout=block_timeout,
            spool_dir=spool_dir,
            spool_fsync=spool_fsync,
            shutdown_timeout=shutdown_timeout,
        )
        self._on_error = on_error
        self._sender_transport = sender_transport
        self._policy = RetryPolicy()
        self._headers = {"user-agent": f"tether-sdk-python/{__version__}", "accept": "application/json"}
        if self.settings.api_key:
            self._headers["authorization"] = f"Bearer {self.settings.api_key}"
        self._batcher_lock = threading.Lock()
        self._batcher: Batcher | None = None
        if self.settings.spool_dir:
            self._get_batcher()  # events left in the spool by an earlier run are sent right away

    def _get_batcher(self) -> Batcher:
        b = self._batcher
        if b is None:
            with self._batcher_lock:
                if self._batcher is None:
                    self._batcher = Batcher(
                        self.settings, headers=self._headers, on_error=self._on_error, transport=self._sender_transport
                    )
                b = self._batcher
        return b

    def session(self, session_id: str | None = None) -> Session:
        """A handle for logging into ``session_id`` (default: the configured ``TETHER_SESSION_ID`` / ``SESSION_ID``).

        No request is made. Raises ValueError when no id is given or configured.
        """
        sid = session_id or self.settings.session_id
        if not sid:
            raise ValueError("no session id: pass one, or set TETHER_SESSION_ID (or SESSION_ID)")
        return Session(self._get_batcher(), sid)

    def stats(self) -> dict[str, int]:
        """Delivery counters of the background sender (see ``Batcher.stats``); all zero before the first log call."""
        if self._batcher is None:
            return {}
        return self._batcher.stats()

    # ---- request building (shared by sync and async) ---------------------------------------------------------------

    @staticmethod
    def _create_request(
        session_id: str | None,
        user_id: str | None,
        type: str | None,
        parent_session_id: str | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
        initial: Mapping[str, Any] | None,
    ) -> Request:
        body: dict[str, Any] = {"eventId": new_event_id()}
        for k, v in (
            ("sessionId", session_id),
            ("userId", user_id),
            ("type", type),
            ("parentSessionId", parent_session_id),
            ("tags", tags),
            ("metadata", dict(metadata) if metadata is not None else None),
            ("initial", dict(initial) if initial is not None else None),
        ):
            if v is not None:
                body[k] = v
        return Request("POST", "/api/v1/sessions", body=body)

    @staticmethod
    def _finalize_request(session_id: str, status: str, final: Any) -> Request:
        body: dict[str, Any] = {"status": status}
        if final is not None:
            body["final"] = final
        return Request(
            "POST",
            f"/api/v1/sessions/{seg(session_id)}/finalize",
            body=body,
            headers={"idempotency-key": new_event_id()},
        )

    def _retry_delay(self, attempt: int, response: httpx.Response | None) -> float:
        return self._policy.delay(attempt, response)

    def _classify(self, exc: Exception | None, resp: httpx.Response | None) -> tuple[APIError | None, bool]:
        """Maps an httpx outcome to (error or None, retryable)."""
        if exc is not None:
            req = getattr(exc, "_request", None)
            if isinstance(exc, httpx.TimeoutException):
                return APITimeoutError(req), True
            return APIConnectionError(f"Connection error: {exc}", request=req), True
        assert resp is not None
        if resp.status_code >= 400:
            return make_status_error(resp), is_retryable_status(resp.status_code)
        return None, False
