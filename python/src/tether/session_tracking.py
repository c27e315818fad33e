"""Admin-shell session tracking over MCP: a ``SessionEventEmitter`` with the method names of Oneiric's.

Needs the ``mcp`` extra (``pip install 'tether-sdk[mcp]'``, the official ``mcp`` package). The emitter calls the
session-buddy-compatible MCP tools ``health_check``, ``track_session_start`` and ``track_session_end`` of a Tether
service (Streamable HTTP at ``<TETHER_URL>/mcp``, or a session-buddy endpoint such as ``http://127.0.0.1:8678/mcp``)
with exactly session-buddy's argument names. Every call is bounded by ``timeout`` seconds and never raises: when the
service is down a shell starts at once, and :attr:`SessionEventEmitter.last_error` says why tracking is off::

    emitter = SessionEventEmitter("mahavishnu")
    session_id = emitter.emit_session_start_sync("MahavishnuShell", {"version": "1.0"})   # None when not tracked
    ...
    emitter.emit_session_end_sync(session_id, {"exit_reason": "user_exit"})
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import platform
import socket
import threading
import uuid
from collections.abc import Coroutine, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["DEFAULT_TIMEOUT", "SessionEventEmitter", "mcp_url_from_env"]

#: Seconds one emit may take in all (connect, initialize, health check, tool call). A shell waits at most this long.
DEFAULT_TIMEOUT = 2.0

T = TypeVar("T")


def mcp_url_from_env(env: Mapping[str, str] | None = None) -> str:
    """The MCP endpoint: ``TETHER_MCP_URL``, else ``TETHER_URL`` (or ``SESSION_SERVICE_URL``) + ``/mcp``,
    else ``http://127.0.0.1:9000/mcp``."""
    e = os.environ if env is None else env
    if e.get("TETHER_MCP_URL"):
        return e["TETHER_MCP_URL"]
    base = e.get("TETHER_URL") or e.get("SESSION_SERVICE_URL") or "http://127.0.0.1:9000"
    return base.rstrip("/") + "/mcp"


def _now() -> str:
    """``datetime.now(UTC).isoformat()``: microseconds and ``+00:00``, as Oneiric sends it."""
    return datetime.now(timezone.utc).isoformat()


def _username() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine to completion from synchronous code, also when the caller's thread has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["v"] = asyncio.run(coro)
        except BaseException as err:
            box["e"] = err

    t = threading.Thread(target=target, name="tether-session-tracking", daemon=True)
    t.start()
    t.join()
    if "e" in box:
        raise box["e"]
    result: T = box["v"]
    return result


class SessionEventEmitter:
    """Emits an admin shell's session start and end to Tether (or session-buddy) over MCP.

    Args:
        component_name: the component (``^[A-Za-z0-9_-]+$``), e.g. ``"mahavishnu"``.
        url: the MCP endpoint; default :func:`mcp_url_from_env`.
        api_key: sent as ``Authorization: Bearer <key>`` (needs the ``ingest`` scope); default ``TETHER_API_KEY``.
        timeout: seconds one emit may take in all; default :data:`DEFAULT_TIMEOUT` (2 s).
        health_check: call ``health_check`` before the start, as Oneiric does; default true.

    Attributes:
        last_error: why the last emit failed (``None`` after a success).
        available: false once a start failed; the end is then skipped.
    """

    def __init__(
        self,
        component_name: str,
        url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        health_check: bool = True,
    ) -> None:
        self.component_name = component_name
        self.url = url or mcp_url_from_env()
        self.api_key = api_key if api_key is not None else os.environ.get("TETHER_API_KEY") or None
        self.timeout = timeout
        self.health_check = health_check
        self.last_error: str | None = None
        self.available = True

    async def _call(self, name: str, arguments: dict[str, Any], *, check_health: bool = False) -> dict[str, Any]:
        """Opens an MCP client session, calls the tool and returns its structured result; raises on any failure."""
        import httpx
        from mcp import ClientSession
        from mcp.client.streamable_http import streamable_http_client

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        async with (
            # verify only matters for https; without it httpx skips loading the CA bundle (tens of ms per emit).
            httpx.AsyncClient(
                headers=headers, timeout=httpx.Timeout(self.timeout), verify=self.url.startswith("https:")
            ) as http,
            streamable_http_client(self.url, http_client=http, terminate_on_close=False) as (read, write, _),
            ClientSession(read, write, read_timeout_seconds=timedelta(seconds=self.timeout)) as session,
        ):
            await session.initialize()
            if check_health:
                health = await session.call_tool("health_check", {})
                if health.isError:
                    raise RuntimeError(f"health_check failed: {_text(health.content)}")
            result = await session.call_tool(name, arguments)
            if result.isError:
                raise RuntimeError(_text(result.content))
            if result.structuredContent is not None:
                return dict(result.structuredContent)
            parsed = json.loads(_text(result.content))
            if not isinstance(parsed, dict):
                raise RuntimeError(f"{name} answered {parsed!r}")
            return parsed

    async def _bounded(self, name: str, arguments: dict[str, Any], check_health: bool = False) -> dict[str, Any] | None:
        try:
            out = await asyncio.wait_for(self._call(name, arguments, check_health=check_health), self.timeout)
        except asyncio.TimeoutError:
            self.last_error = f"no answer from {self.url} within {self.timeout:g} s"
            return None
        except Exception as err:
            self.last_error = _describe(err, self.url)
            return None
        self.last_error = None
        return out

    def start_arguments(self, shell_type: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``track_session_start`` arguments for this process, exactly as session-buddy takes them."""
        return {
            "event_version": "1.0",
            "event_id": str(uuid.uuid4()),
            "event_type": "session_start",
            "component_name": self.component_name,
            "shell_type": shell_type,
            "timestamp": _now(),
            "pid": os.getpid(),
            "user": {"username": _username()[:100], "home": str(Path.home())[:500]},
            "hostname": socket.gethostname(),
            "environment": {
                "python_version": platform.python_version(),
                "platform": platform.platform(),
                "cwd": os.getcwd()[:500],
            },
            "metadata": metadata,
        }

    async def emit_session_start(self, shell_type: str, metadata: dict[str, Any] | None = None) -> str | None:
        """Sends ``track_session_start``; returns the session id, or ``None`` (see :attr:`last_error`). Never raises."""
        out = await self._bounded("track_session_start", self.start_arguments(shell_type, metadata), self.health_check)
        if out is not None and out.get("status") == "tracked" and isinstance(out.get("session_id"), str):
            self.available = True
            return str(out["session_id"])
        if out is not None:
            self.last_error = str(out.get("error") or f"status {out.get('status')!r}")
        self.available = False
        return None

    async def emit_session_end(self, session_id: str | None, metadata: dict[str, Any] | None = None) -> bool:
        """Sends ``track_session_end`` with the current time; true when the session is ended. Never raises."""
        if not session_id:
            self.last_error = "no session to end"
            return False
        args = {"session_id": session_id, "timestamp": _now(), "event_type": "session_end", "metadata": metadata}
        out = await self._bounded("track_session_end", args)
        if out is not None and out.get("status") == "ended":
            return True
        if out is not None:
            self.last_error = str(out.get("error") or f"status {out.get('status')!r}")
        return False

    def emit_session_start_sync(self, shell_type: str, metadata: dict[str, Any] | None = None) -> str | None:
        """:meth:`emit_session_start` from synchronous code (a plain REPL, atexit)."""
        return _run_sync(self.emit_session_start(shell_type, metadata))

    def emit_session_end_sync(self, session_id: str | None, metadata: dict[str, Any] | None = None) -> bool:
        """:meth:`emit_session_end` from synchronous code (a plain REPL, atexit, a signal handler)."""
        return _run_sync(self.emit_session_end(session_id, metadata))


def _text(content: list[Any]) -> str:
    return " ".join(str(getattr(c, "text", "")) for c in content)


def _describe(err: BaseException, url: str) -> str:
    """A one-line reason, unwrapping the exception groups of anyio task groups."""
    inner: Any = getattr(err, "exceptions", None)  # BaseExceptionGroup (3.11+, or the exceptiongroup backport)
    while inner:
        err = inner[0]
        inner = getattr(err, "exceptions", None)
    name = type(err).__name__
    if "Connect" in name or isinstance(err, ConnectionError):
        return f"cannot reach {url} ({err or name})"
    if "HTTPStatusError" in name:
        return f"{url} refused the call ({err})"
    return f"{name}: {err}" if str(err) else name
