"""The background sender: a bounded in-memory queue, batches to ``POST /api/ingest``, retries, and the optional spool.

How an event travels (see docs/sdk.md, "Python SDK"):

1. A log call encodes the event (with its client-generated UUIDv7 ``id``) as JSON, appends the bytes to the queue and
   returns: no I/O, no waiting. Encoding on the caller's thread keeps the sender's work per batch small: it only joins
   the bytes of up to 1,000 events into one body, where one ``json.dumps`` of the whole batch (~0.5 MB, C code that
   never releases the GIL) used to stall every log call arriving meanwhile (issue #18).
2. The sender thread takes up to ``flush_at`` events as one batch when that many are queued, when ``flush_interval``
   has passed, or when ``flush()``/``close()`` asks. With a spool, the batch is written to disk before it is sent.
3. The batch is posted. Per-item results 201 (stored) and 200 (duplicate: stored by an earlier attempt) finish an
   event; 429/5xx items and whole-request failures (connection errors, timeouts, 429, 5xx) are retried with
   exponential backoff and jitter, honouring ``Retry-After``; other 4xx are reported to ``on_error`` and not retried.
   A 413 splits the batch in halves. Batches go out one at a time, in order, so a session's events keep their order.
4. Because the ``id`` never changes across retries, a batch the service stored but whose answer was lost (service
   killed mid-request) comes back as duplicates: every event is stored exactly once.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ._config import Settings
from ._exceptions import APIConnectionError, APITimeoutError, DeliveryError, TetherError, make_status_error
from ._json import dumps
from ._retry import RetryPolicy, is_retryable_status
from ._spool import Spool

logger = logging.getLogger("tether")

__all__ = ["Batcher", "ErrorCallback"]

#: Called (on the sender thread) with a :class:`DeliveryError` or an :class:`APIError`; exceptions it raises are logged.
ErrorCallback = Callable[[TetherError], None]


def _array(parts: list[bytes]) -> bytes:
    """Encoded events as one JSON array (the spool file's content and the ingest body's ``events``)."""
    return b"[" + b",".join(parts) + b"]"


def _decoded(parts: list[bytes]) -> list[dict[str, Any]]:
    """Encoded events back as dicts, for ``DeliveryError.events`` (rare paths only)."""
    return [json.loads(p) for p in parts]


class _Batch:
    """Consecutive events (their JSON encodings) that go out in one request. ``parts`` is None while only on disk."""

    __slots__ = ("count", "first_ord", "parts", "path")

    def __init__(self, parts: list[bytes], first_ord: int, path: Path | None = None) -> None:
        self.parts: list[bytes] | None = parts
        self.count = len(parts)
        self.first_ord = first_ord
        self.path = path


class Batcher:
    """Owns the queue and the sender thread of one client. Thread-safe; log calls never block unless ``on_full='block'``.

    Args:
        settings: resolved :class:`Settings` (flush_at, flush_interval, max_queue_size, on_full, spool_dir…).
        headers: HTTP headers for every request (Authorization, User-Agent).
        on_error: optional callback for background failures (see :data:`ErrorCallback`).
        transport: an httpx transport (tests, proxies); default httpx's own.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        headers: dict[str, str],
        on_error: ErrorCallback | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._headers = {**headers, "content-type": "application/json"}
        self._on_error = on_error
        self._transport = transport
        self._policy = RetryPolicy()
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        #: Encoded events not yet in a batch; their ords are ``_next_ord - len(_queue)`` … ``_next_ord - 1``.
        self._queue: deque[bytes] = deque()
        self._pending: deque[_Batch] = deque()
        self._next_ord = 0
        self._flush_target = 0
        self._closing = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None
        self._retry_at = 0.0
        self._attempt = 0
        self._last_drain = time.monotonic()
        self._stats = dict.fromkeys(
            ("enqueued", "delivered", "duplicates", "rejected", "dropped", "batches", "retries", "spooled", "restored"),
            0,
        )
        self._spool: Spool | None = None
        if settings.spool_dir:
            try:
                self._spool = Spool(settings.spool_dir, fsync=settings.spool_fsync)
                for path, events in self._spool.load():
                    if events:
                        self._pending.append(_Batch([dumps(e) for e in events], self._next_ord, path))
                        self._next_ord += len(events)
                        self._stats["restored"] += len(events)
                    else:
                        self._spool.remove(path)
            except (OSError, RuntimeError) as exc:
                logger.warning("tether: spool %s unusable (%s); running without a spool", settings.spool_dir, exc)
                self._spool = None
        from ._lifecycle import register

        register(self)
        if self._pending:
            logger.info("tether: %d events from the spool will be sent", self._stats["restored"])
            self._ensure_thread()

    # ---- called from the agent's threads -------------------------------------------------------------------------

    def enqueue(self, event: bytes) -> None:
        """Queues one event: its JSON (an ingest item with ``id``, ``sessionId``, ``kind``, ``timestamp``, ``data``)."""
        with self._lock:
            queue = self._queue
            if self._closing:
                self._report(
                    DeliveryError("client is closed; event not queued", events=_decoded([event]), reason="rejected")
                )
                return
            if self._thread is None:
                self._ensure_thread()
            if len(queue) >= self.settings.max_queue_size and not self._make_room(event):
                return
            queue.append(event)
            self._next_ord += 1
            self._stats["enqueued"] += 1
            # Wake the sender when the queue fills a batch, and when it stops being empty: an idle sender waits with
            # no timeout, so without this wake-up the first event after a quiet spell would wait for flush_at more.
            n = len(queue)
            if n == 1 or n == self.settings.flush_at:
                self._cond.notify_all()

    def reject_unencodable(self, event: dict[str, Any], exc: BaseException) -> None:
        """Counts and reports an event whose data could not be encoded as JSON (called by the log call instead of
        :meth:`enqueue`, on the caller's thread)."""
        with self._lock:
            self._stats["enqueued"] += 1
        self._finish_rejected([event], f"event cannot be encoded as JSON: {exc!r}", exc, [])

    def _make_room(self, event: bytes) -> bool:
        """Called with the lock held and the queue full. Returns False when ``event`` must be dropped instead."""
        if self.settings.on_full == "block" and threading.current_thread() is not self._thread:
            deadline = time.monotonic() + self.settings.block_timeout
            while len(self._queue) >= self.settings.max_queue_size:
                left = deadline - time.monotonic()
                if left <= 0 or self._closing:
                    self._stats["dropped"] += 1
                    self._report(
                        DeliveryError(
                            "queue full (block timed out); event dropped", events=_decoded([event]), reason="dropped"
                        )
                    )
                    return False
                self._cond.notify_all()
                self._cond.wait(left)
            return True
        oldest = self._queue.popleft()
        self._stats["dropped"] += 1
        self._report(DeliveryError("queue full; oldest event dropped", events=_decoded([oldest]), reason="dropped"))
        return True

    def flush(self, timeout: float | None = None) -> bool:
        """Sends everything queued before this call and waits until it is stored or rejected.

        Args:
            timeout: seconds to wait at most; ``None`` waits as long as it takes (the service may be down for a while).

        Returns:
            True when every such event was delivered or finally rejected; False on timeout (they stay queued).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._next_ord
            self._flush_target = max(self._flush_target, target)
            if self._lowest_unfinished() < target:
                self._ensure_thread()
            self._cond.notify_all()
            while self._lowest_unfinished() < target:
                if self._stopped:
                    return False
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left if left is None else min(left, 1.0))
            return True

    def close(self, timeout: float | None = None) -> bool:
        """Flushes (up to ``timeout`` seconds, default ``settings.shutdown_timeout``), then stops the sender.

        Undelivered events go to the spool when one is configured; otherwise they are reported to ``on_error`` with
        reason ``shutdown``. Idempotent. Returns True when everything was delivered.
        """
        with self._cond:
            if self._stopped:
                return not self._queue and not self._pending
            self._closing = True
        delivered = self.flush(self.settings.shutdown_timeout if timeout is None else timeout)
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.settings.timeout + 1)
        alive = thread is not None and thread.is_alive()
        with self._cond:
            leftovers = list(self._queue)
            self._queue.clear()
            pending = [] if alive else list(self._pending)
        in_memory = [p for b in pending if b.path is None and b.parts for p in b.parts]
        self._save_leftovers(in_memory + leftovers)
        if not alive and self._http is not None:
            self._http.close()
            self._http = None
        if self._spool is not None and not alive:
            self._spool.close()
        from ._lifecycle import unregister

        unregister(self)
        return delivered

    def stats(self) -> dict[str, int]:
        """Counters: enqueued, delivered (stored now), duplicates (stored by an earlier attempt), rejected (4xx),
        dropped (queue full), batches (requests that got an answer), retries, spooled (events written to the spool),
        restored (events read back from the spool at start), queued and pending (events waiting now)."""
        with self._cond:
            out = dict(self._stats)
            out["queued"] = len(self._queue)
            out["pending"] = sum(b.count for b in self._pending)
            return out

    # ---- internals -------------------------------------------------------------------------------------------------

    def _lowest_unfinished(self) -> int:
        if self._pending:
            return self._pending[0].first_ord
        return self._next_ord - len(self._queue)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopped = False
            self._thread = threading.Thread(target=self._run, name="tether-sender", daemon=True)
            self._thread.start()

    def _after_fork(self) -> None:
        """In a forked child: fresh lock, no thread, nothing inherited (the parent delivers its own events)."""
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._queue.clear()
        self._pending.clear()
        self._thread = None
        self._http = None
        self._spool = None
        self._flush_target = self._next_ord

    def _report(self, err: TetherError) -> None:
        if isinstance(err, DeliveryError) and err.reason == "dropped":
            n = self._stats["dropped"]
            if n == 1 or n % 1000 == 0:  # one line per 1,000 drops, not one per event
                logger.error("tether: %s (%d dropped so far; raise max_queue_size or use on_full='block')", err, n)
        elif isinstance(err, DeliveryError):
            logger.error("tether: %s (%d events)", err, len(err.events))
        else:
            logger.warning("tether: %s", err)
        if self._on_error is not None:
            try:
                self._on_error(err)
            except Exception:
                logger.exception("tether: the on_error callback raised")

    def _due(self, now: float) -> bool:
        q = self._queue
        if not q:
            return False
        return (
            len(q) >= self.settings.flush_at
            or self._closing
            or self._flush_target > self._next_ord - len(q)
            or now - self._last_drain >= self.settings.flush_interval
        )

    def _room_for_more(self) -> bool:
        # Without a spool, memory is the only buffer: keep a few batches in flight and leave the rest in the bounded
        # queue (where on_full applies). With a spool, move everything to disk as it comes.
        return self._spool is not None or len(self._pending) < 4

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:  # a bug here must not kill the agent; log it loudly
            logger.exception("tether: sender thread crashed; events stay queued until close()")

    def _loop(self) -> None:
        while True:
            fresh: list[_Batch] = []
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    now = time.monotonic()
                    if self._due(now) and self._room_for_more():
                        fresh = self._drain(now)
                        break
                    if self._pending and now >= self._retry_at:
                        break
                    waits = []
                    if self._queue and self._room_for_more():
                        waits.append(self._last_drain + self.settings.flush_interval - now)
                    if self._pending:
                        waits.append(self._retry_at - now)
                    self._cond.wait(max(0.001, min(waits)) if waits else None)
            if self._spool is not None:
                for b in fresh:
                    self._to_spool(b)
            while not self._stopped and time.monotonic() >= self._retry_at:
                with self._cond:
                    if not self._pending:
                        break
                    head = self._pending[0]
                self._send(head)
                with self._cond:
                    self._cond.notify_all()
                    if self._due(time.monotonic()) and self._room_for_more():
                        break  # take in newly queued events (and spool them) before the next send

    def _drain(self, now: float) -> list[_Batch]:
        """With the lock held: moves queued events into batches of up to flush_at; returns the new batches."""
        out: list[_Batch] = []
        n = self.settings.flush_at
        queue = self._queue
        popleft = queue.popleft
        while queue and (len(out) < 16) and (self._due(now) or out):
            first = self._next_ord - len(queue)
            if len(queue) <= n:
                parts = list(queue)
                queue.clear()
            else:
                parts = [popleft() for _ in range(n)]
            b = _Batch(parts, first)
            self._pending.append(b)
            out.append(b)
            if len(self._queue) < n:
                break
        self._last_drain = now
        if self.settings.on_full == "block":
            self._cond.notify_all()
        return out

    def _to_spool(self, b: _Batch) -> None:
        assert self._spool is not None and b.parts is not None
        try:
            b.path = self._spool.write(_array(b.parts))
            with self._cond:
                self._stats["spooled"] += b.count
                if (
                    len(self._pending) * self.settings.flush_at > self.settings.max_queue_size
                    and b is not self._pending[0]
                ):
                    b.parts = None  # on disk now; read back when its turn comes (bounded memory)
        except OSError as exc:
            logger.warning("tether: could not write the spool (%s); batch kept in memory only", exc)

    def _parts(self, b: _Batch) -> list[bytes]:
        if b.parts is None:
            assert b.path is not None
            b.parts = [dumps(e) for e in json.loads(b.path.read_text("utf-8")) if isinstance(e, dict)]
        return b.parts

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.settings.base_url, timeout=self.settings.timeout, transport=self._transport
            )
        return self._http

    def _send(self, b: _Batch) -> None:
        """Posts the head batch once and updates it: finished events leave it; it leaves the queue when empty."""
        parts = self._parts(b)
        if not parts:
            self._done(b)
            return
        body = b'{"events":[' + b",".join(parts) + b"]}"
        try:
            resp = self._client().post("/api/v1/ingest", content=body, headers=self._headers)
        except httpx.TimeoutException as exc:
            self._retry(APITimeoutError(exc.request if _has_req(exc) else None), None)
            return
        except httpx.TransportError as exc:
            self._retry(
                APIConnectionError(f"Connection error: {exc}", request=exc.request if _has_req(exc) else None), None
            )
            return
        except Exception as exc:
            self._retry(APIConnectionError(f"Unexpected error while sending: {exc!r}"), None)
            return
        with self._cond:
            self._stats["batches"] += 1
        if resp.status_code in (200, 207):
            self._handle_results(b, parts, resp)
        elif resp.status_code == 413 and len(parts) > 1:
            self._split(b, parts)
        elif is_retryable_status(resp.status_code):
            self._retry(make_status_error(resp), resp)
        else:
            err = make_status_error(resp)
            self._finish_rejected(_decoded(parts), f"batch rejected: {err}", err, [])
            self._done(b)

    def _handle_results(self, b: _Batch, parts: list[bytes], resp: httpx.Response) -> None:
        n = len(parts)
        # Every item stored or a duplicate (the usual answer): the service's `accepted` says so, and the duplicates
        # are counted in the bytes, without parsing ~130 KB of per-item results for a 1,000-event batch (C code that
        # holds the GIL, so log calls would wait for it). `"duplicate":true` cannot occur inside a JSON string, whose
        # quotes are escaped. Any other shape of answer takes the full path below.
        content = resp.content
        head = _ALL_ACCEPTED.match(content)
        if head is not None and int(head[1]) == n:
            dup = content.count(b'"duplicate":true')
            with self._cond:
                self._stats["delivered"] += n - dup
                self._stats["duplicates"] += dup
            self._done(b)
            return
        try:
            results = resp.json()["results"]
            by_index = {int(r["index"]): r for r in results}
        except (ValueError, KeyError, TypeError) as exc:
            self._retry(APIConnectionError(f"malformed ingest answer: {exc}"), None)
            return
        keep: list[bytes] = []
        rejected: list[bytes] = []
        rejected_results: list[dict[str, Any]] = []
        stored = dup = 0
        for i, e in enumerate(parts):
            r = by_index.get(i)
            status = int(r.get("status", 0)) if r else 0
            if status == 201:
                stored += 1
            elif status == 200:
                dup += 1
            elif r is None or is_retryable_status(status):
                keep.append(e)
            else:
                rejected.append(e)
                rejected_results.append(r)
        with self._cond:
            self._stats["delivered"] += stored
            self._stats["duplicates"] += dup
        if rejected:
            codes = sorted({str(r.get("code")) for r in rejected_results})
            self._finish_rejected(
                _decoded(rejected),
                f"{len(rejected)} events rejected by the service ({', '.join(codes)})",
                None,
                rejected_results,
            )
        if keep:
            b.parts, b.count = keep, len(keep)
            if b.path is not None and self._spool is not None:
                self._spool.rewrite(b.path, _array(keep))
            self._retry(APIConnectionError(f"{len(keep)} events answered 429/5xx; retrying them"), resp)
        else:
            self._done(b)

    def _split(self, b: _Batch, parts: list[bytes]) -> None:
        half = len(parts) // 2
        first, second = _Batch(parts[:half], b.first_ord), _Batch(parts[half:], b.first_ord + half)
        for part in (first, second):
            if self._spool is not None:
                self._to_spool(part)
        with self._cond:
            self._pending.popleft()
            self._pending.appendleft(second)
            self._pending.appendleft(first)
        if b.path is not None and self._spool is not None:
            self._spool.remove(b.path)

    def _retry(self, err: TetherError, resp: httpx.Response | None) -> None:
        self._attempt += 1
        delay = self._policy.delay(self._attempt, resp)
        if self._closing or self._stopped:
            delay = min(delay, 0.5)
        with self._cond:
            self._stats["retries"] += 1
            self._retry_at = time.monotonic() + delay
        level = logging.WARNING if self._attempt in (1, 10) or self._attempt % 50 == 0 else logging.DEBUG
        logger.log(level, "tether: delivery attempt %d failed (%s); retrying in %.2fs", self._attempt, err, delay)

    def _done(self, b: _Batch) -> None:
        self._attempt = 0
        with self._cond:
            if self._pending and self._pending[0] is b:
                self._pending.popleft()
            self._retry_at = 0.0
            self._cond.notify_all()
        if b.path is not None and self._spool is not None:
            self._spool.remove(b.path)

    def _finish_rejected(
        self, events: list[dict[str, Any]], message: str, cause: BaseException | None, results: list[dict[str, Any]]
    ) -> None:
        with self._cond:
            self._stats["rejected"] += len(events)
        self._report(DeliveryError(message, events=events, reason="rejected", cause=cause, results=results))

    def _save_leftovers(self, parts: list[bytes]) -> None:
        if not parts:
            return
        if self._spool is not None:
            try:
                for i in range(0, len(parts), self.settings.flush_at):
                    chunk = parts[i : i + self.settings.flush_at]
                    self._spool.write(_array(chunk))
                    self._stats["spooled"] += len(chunk)
                logger.warning("tether: %d undelivered events saved to the spool %s", len(parts), self._spool.dir)
                return
            except OSError as exc:
                logger.error("tether: could not write the spool: %s", exc)
        self._report(
            DeliveryError("client closed before these events were delivered", events=_decoded(parts), reason="shutdown")
        )


#: The start of an ingest answer in which every item was stored or a duplicate (Fastify keeps the schema's key order).
_ALL_ACCEPTED = re.compile(rb'\{"accepted":(\d+),"rejected":0,"results":\[')


def _has_req(exc: httpx.RequestError) -> bool:
    try:
        exc.request  # noqa: B018
    except RuntimeError:
        return False
    return True
