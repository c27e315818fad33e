"""Settings of a Tether client, from arguments first, then the environment, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["DEFAULT_URL", "OnFull", "Settings", "resolve_settings"]

#: The prototype's default service address.
DEFAULT_URL = "http://localhost:9000"

#: What a log call does when the in-memory queue is full: ``drop_oldest`` evicts the oldest queued event (counted in
#: ``stats()["dropped"]`` and reported to ``on_error``) so the agent never waits; ``block`` waits for room
#: (up to ``block_timeout`` seconds, then drops the new event).
OnFull = Literal["drop_oldest", "block"]


@dataclass(frozen=True)
class Settings:
    """Resolved client settings. Every field names its environment variable; arguments win over the environment.

    Attributes:
        base_url: ``TETHER_URL``, else the prototype's ``SESSION_SERVICE_URL``; default ``http://localhost:9000``.
        api_key: ``TETHER_API_KEY``; sent as ``Authorization: Bearer <key>``. Default none.
        session_id: ``TETHER_SESSION_ID``, else the prototype's ``SESSION_ID``. Default none.
        timeout: seconds for one HTTP request (connect, read, write). ``TETHER_TIMEOUT_MS`` (ms); default 10 s.
        max_retries: retries of a foreground request (create, get, list…) on connection errors, timeouts, 5xx and
            429. ``TETHER_MAX_RETRIES``; default 2. Background delivery retries until ``close()``'s deadline.
        flush_at: send a batch when this many events are queued (1–1000). ``TETHER_FLUSH_AT``; default 100.
        flush_interval: send what is queued at least this often, in seconds. ``TETHER_FLUSH_INTERVAL_MS`` (ms); default 0.5 s.
        max_queue_size: most events held in memory before ``on_full`` applies. ``TETHER_MAX_QUEUE``; default 10,000.
        on_full: ``drop_oldest`` or ``block`` (see :data:`OnFull`). ``TETHER_ON_FULL``; default ``drop_oldest``.
        block_timeout: with ``block``, longest wait for room in seconds. Default 5.
        spool_dir: directory where undelivered events are kept across agent restarts; ``None`` disables it.
            ``TETHER_SPOOL_DIR``; default none.
        spool_fsync: fsync each spooled batch (survives power loss, slower). ``TETHER_SPOOL_FSYNC``; default false.
        shutdown_timeout: how long ``close()`` at exit (atexit / SIGTERM) waits for delivery, seconds.
            ``TETHER_SHUTDOWN_TIMEOUT_MS`` (ms); default 5 s.
    """

    base_url: str = DEFAULT_URL
    api_key: str | None = None
    session_id: str | None = None
    timeout: float = 10.0
    max_retries: int = 2
    flush_at: int = 100
    flush_interval: float = 0.5
    max_queue_size: int = 10_000
    on_full: OnFull = "drop_oldest"
    block_timeout: float = 5.0
    spool_dir: str | None = None
    spool_fsync: bool = False
    shutdown_timeout: float = 5.0


def _bool(v: str) -> bool:
    return v.strip().lower() in ("1", "true", "yes", "on")


def resolve_settings(
    env: Mapping[str, str] | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    session_id: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    flush_at: int | None = None,
    flush_interval: float | None = None,
    max_queue_size: int | None = None,
    on_full: OnFull | None = None,
    block_timeout: float | None = None,
    spool_dir: str | os.PathLike[str] | None = None,
    spool_fsync: bool | None = None,
    shutdown_timeout: float | None = None,
) -> Settings:
    """Builds :class:`Settings`: each argument that is not ``None`` wins, then ``env`` (default ``os.environ``).

    Raises:
        ValueError: a setting is out of range (e.g. ``flush_at`` not in 1–1000, unknown ``on_full``).
    """
    e = os.environ if env is None else env
    d = Settings()

    def num(name: str, default: float) -> float:
        raw = e.get(name)
        if raw is None or raw == "":
            return default
        try:
            return float(raw)
        except ValueError as exc:
            raise ValueError(f"{name} must be a number, got {raw!r}") from exc

    url = base_url or e.get("TETHER_URL") or e.get("SESSION_SERVICE_URL") or d.base_url
    spool = spool_dir if spool_dir is not None else (e.get("TETHER_SPOOL_DIR") or None)
    s = Settings(
        base_url=url.rstrip("/"),
        api_key=api_key or e.get("TETHER_API_KEY") or None,
        session_id=session_id or e.get("TETHER_SESSION_ID") or e.get("SESSION_ID") or None,
        timeout=timeout if timeout is not None else num("TETHER_TIMEOUT_MS", d.timeout * 1000) / 1000,
        max_retries=max_retries if max_retries is not None else int(num("TETHER_MAX_RETRIES", d.max_retries)),
        flush_at=flush_at if flush_at is not None else int(num("TETHER_FLUSH_AT", d.flush_at)),
        flush_interval=flush_interval
        if flush_interval is not None
        else num("TETHER_FLUSH_INTERVAL_MS", d.flush_interval * 1000) / 1000,
        max_queue_size=max_queue_size if max_queue_size is not None else int(num("TETHER_MAX_QUEUE", d.max_queue_size)),
        on_full=on_full or _on_full(e.get("TETHER_ON_FULL")) or d.on_full,
        block_timeout=block_timeout if block_timeout is not None else d.block_timeout,
        spool_dir=os.fspath(spool) if spool is not None else None,
        spool_fsync=spool_fsync if spool_fsync is not None else _bool(e.get("TETHER_SPOOL_FSYNC", "")),
        shutdown_timeout=shutdown_timeout
        if shutdown_timeout is not None
        else num("TETHER_SHUTDOWN_TIMEOUT_MS", d.shutdown_timeout * 1000) / 1000,
    )
    if not 1 <= s.flush_at <= 1000:
        raise ValueError(f"flush_at must be 1–1000 (the ingest limit), got {s.flush_at}")
    if s.flush_interval <= 0:
        raise ValueError(f"flush_interval must be > 0 seconds, got {s.flush_interval}")
    if s.max_queue_size < 1:
        raise ValueError(f"max_queue_size must be >= 1, got {s.max_queue_size}")
    if s.on_full not in ("drop_oldest", "block"):
        raise ValueError(f"on_full must be 'drop_oldest' or 'block', got {s.on_full!r}")
    if s.max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {s.max_retries}")
    return s


def _on_full(v: str | None) -> OnFull | None:
    if not v:
        return None
    if v == "drop_oldest":
        return "drop_oldest"
    if v == "block":
        return "block"
    raise ValueError(f"TETHER_ON_FULL must be drop_oldest or block, got {v!r}")
