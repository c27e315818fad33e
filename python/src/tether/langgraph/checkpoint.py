"""``TetherSaver``: a LangGraph checkpointer that keeps each thread as a Tether session.

Implements ``langgraph.checkpoint.base.BaseCheckpointSaver`` (sync and async) on Tether's
``/api/v1/langgraph`` routes. Values are serialized with LangGraph's own serializer (``self.serde``, by default
``JsonPlusSerializer``); Tether stores the bytes. A checkpoint is sent without its channel values; the values of the
channels whose version is new travel as blobs, stored once per (thread, namespace, channel, version), as LangGraph's
SQL savers store them. A ``put`` returns once the checkpoint is committed (durable) at the service.

The sync methods speak HTTP through ``urllib3`` (a thread-safe keep-alive pool) and the async ones through
``httpx.AsyncClient``: a sync put and get_tuple cost the client about half the CPU they cost through ``httpx.Client``
(bench/langgraph.py; issue 14's target is a round trip under 2 ms p50 on loopback).

The thread's session (type ``langgraph``) shows every checkpoint as an event, with a JSON preview of the new root
values for the dashboard, and names the writer (host, pid, start) so a resume by another process shows in the log.
"""

from __future__ import annotations

import base64
import json
import os
import random
import socket
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import urllib3
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from .._config import resolve_settings
from .._exceptions import APIConnectionError, APITimeoutError, make_status_error

__all__ = ["TetherSaver"]

#: Largest JSON preview of one channel value in a checkpoint event, in characters (display only).
PREVIEW_CHARS = 2_000
#: Largest JSON preview of all new values of one checkpoint, in characters.
PREVIEW_TOTAL_CHARS = 12_000


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s)


def _jsonable(v: Any) -> Any:
    dump = getattr(v, "model_dump", None)
    if callable(dump):
        return dump()
    to_dict = getattr(v, "to_json", None)
    if callable(to_dict):
        return to_dict()
    return repr(v)


def _preview(values: dict[str, Any], channels: Sequence[str]) -> dict[str, Any]:
    """A JSON preview of the new channel values (cut per value and in total), for the dashboard."""
    out: dict[str, Any] = {}
    total = 0
    for ch in channels:
        if ch not in values or ch.startswith("branch:"):
            continue
        try:
            text = json.dumps(values[ch], default=_jsonable, ensure_ascii=False)
        except (TypeError, ValueError):
            text = json.dumps(repr(values[ch]))
        if len(text) > PREVIEW_CHARS:
            text = json.dumps(text[:PREVIEW_CHARS] + "…")
        if total + len(text) > PREVIEW_TOTAL_CHARS:
            out["_more"] = "preview cut"
            break
        total += len(text)
        out[ch] = json.loads(text)
    return out


class TetherSaver(BaseCheckpointSaver[str]):
    """LangGraph checkpointer on a Tether service.

    Args:
        base_url: the service (``TETHER_URL``, else ``http://localhost:9000``).
        api_key: bearer key with ``ingest`` and ``read`` scopes (``TETHER_API_KEY``).
        parent_session_id: the agent's own Tether session; a thread's session is linked to it as its child
            (``TETHER_SESSION_ID`` when not given).
        serde: LangGraph serializer (default ``JsonPlusSerializer``).
        timeout: seconds per request (``TETHER_TIMEOUT_MS``; default 10 s).

    Raises :class:`tether.APIStatusError` subclasses for problem+json answers and :class:`tether.APIConnectionError`
    when the service cannot be reached. A thread id maps to the session ``lg:<thread_id>`` (or ``lgh:<hash>``).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        parent_session_id: str | None = None,
        serde: SerializerProtocol | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(serde=serde)
        s = resolve_settings(base_url=base_url, api_key=api_key, session_id=parent_session_id, timeout=timeout)
        self.base_url = s.base_url.rstrip("/")
        self.parent_session_id = s.session_id
        self._headers = {"content-type": "application/json"}
        if s.api_key:
            self._headers["authorization"] = f"Bearer {s.api_key}"
        self._timeout = s.timeout
        #: Who writes: host, pid and start; a checkpoint from another writer is marked as a resume in the log.
        self.writer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool: urllib3.PoolManager | None = None
        self._aclient: httpx.AsyncClient | None = None

    # -- HTTP -----------------------------------------------------------------------------------------------------

    def _sync(self) -> urllib3.PoolManager:
        if self._pool is None:
            self._pool = urllib3.PoolManager(
                num_pools=4,
                maxsize=16,
                headers=self._headers,
                timeout=urllib3.Timeout(total=self._timeout),
                # A request that never reached the service (refused, or a pooled connection found closed) is sent once
                # more; one that may have been processed is not (read=0): the caller sees APIConnectionError.
                retries=urllib3.Retry(total=1, connect=1, read=0, redirect=0, status=0, other=0),
            )
        return self._pool

    def _async(self) -> httpx.AsyncClient:
        if self._aclient is None:
            self._aclient = httpx.AsyncClient(base_url=self.base_url, headers=self._headers, timeout=self._timeout)
        return self._aclient

    @staticmethod
    def _check(resp: httpx.Response) -> httpx.Response:
        if resp.status_code >= 400:
            raise make_status_error(resp)
        return resp

    def _request(self, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        """One sync request; returns the JSON answer (None for an empty one). Raises as the async path does."""
        content = None if body is None else json.dumps(body, ensure_ascii=False, default=str).encode()
        url = self.base_url + path + (f"?{urlencode(params)}" if params else "")
        try:
            resp = self._sync().request(method, url, body=content, preload_content=True)
        except urllib3.exceptions.MaxRetryError as e:
            reason = e.reason
            if isinstance(reason, urllib3.exceptions.TimeoutError):
                raise APITimeoutError(httpx.Request(method, url)) from e
            raise APIConnectionError(str(reason or e) or "Connection error.", request=httpx.Request(method, url)) from e
        except urllib3.exceptions.TimeoutError as e:
            raise APITimeoutError(httpx.Request(method, url)) from e
        except urllib3.exceptions.HTTPError as e:
            raise APIConnectionError(str(e) or "Connection error.", request=httpx.Request(method, url)) from e
        if resp.status >= 400:
            # The error tree is built from httpx responses (one home for problem+json parsing): wrap this one.
            raise make_status_error(
                httpx.Response(
                    resp.status,
                    headers=list(resp.headers.items()),
                    content=resp.data,
                    request=httpx.Request(method, url),
                )
            )
        return json.loads(resp.data) if resp.data else None

    async def _arequest(self, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        """One async request; returns the JSON answer (None for an empty one)."""
        content = None if body is None else json.dumps(body, ensure_ascii=False, default=str).encode()
        try:
            resp = self._check(await self._async().request(method, path, content=content, params=params))
            return resp.json() if resp.content else None
        except httpx.TimeoutException as e:
            raise APITimeoutError(e.request) from e
        except httpx.TransportError as e:
            raise APIConnectionError(str(e) or "Connection error.", request=getattr(e, "_request", None)) from e

    def close(self) -> None:
        """Closes the sync HTTP connections (the async client: :meth:`aclose`)."""
        if self._pool is not None:
            self._pool.clear()
            self._pool = None

    async def aclose(self) -> None:
        """Closes both HTTP clients."""
        self.close()
        if self._aclient is not None:
            await self._aclient.aclose()
            self._aclient = None

    def __enter__(self) -> TetherSaver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> TetherSaver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- bodies and tuples ----------------------------------------------------------------------------------------

    def _put_body(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> dict[str, Any]:
        conf = config["configurable"]
        ns = conf.get("checkpoint_ns", "")
        c: dict[str, Any] = dict(checkpoint)
        values: dict[str, Any] = c.pop("channel_values", None) or {}
        type_, data = self.serde.dumps_typed(c)
        blobs = []
        for ch, ver in new_versions.items():
            if ch in values:
                t, b = self.serde.dumps_typed(values[ch])
            else:
                t, b = "empty", b""
            blobs.append({"channel": ch, "version": str(ver), "type": t, "data": _b64(b)})
        body: dict[str, Any] = {
            "threadId": str(conf["thread_id"]),
            "checkpointNs": ns,
            "checkpointId": checkpoint["id"],
            "parentCheckpointId": conf.get("checkpoint_id"),
            "checkpoint": {"type": type_, "data": _b64(data)},
            "metadata": get_checkpoint_metadata(config, metadata),
            "channelVersions": {k: str(v) for k, v in checkpoint["channel_versions"].items()},
            "blobs": blobs,
            "writer": self.writer,
        }
        if ns == "":
            body["values"] = _preview(values, list(new_versions))
        if self.parent_session_id:
            body["parentSessionId"] = self.parent_session_id
        return body

    def _writes_body(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str
    ) -> dict[str, Any]:
        conf = config["configurable"]
        items = []
        for idx, (channel, value) in enumerate(writes):
            t, b = self.serde.dumps_typed(value)
            items.append(
                {
                    "taskId": task_id,
                    "idx": WRITES_IDX_MAP.get(channel, idx),
                    "channel": channel,
                    "type": t,
                    "data": _b64(b),
                    "taskPath": task_path,
                }
            )
        return {
            "threadId": str(conf["thread_id"]),
            "checkpointNs": conf.get("checkpoint_ns", ""),
            "checkpointId": str(conf["checkpoint_id"]),
            "writes": items,
            # LangGraph replaces writes to its special channels (errors, interrupts, …) and keeps the first otherwise.
            "replace": all(w[0] in WRITES_IDX_MAP for w in writes),
            "writer": self.writer,
        }

    @staticmethod
    def _put_result(body: dict[str, Any]) -> RunnableConfig:
        return {
            "configurable": {
                "thread_id": body["threadId"],
                "checkpoint_ns": body["checkpointNs"],
                "checkpoint_id": body["checkpointId"],
            }
        }

    def _tuple(self, c: dict[str, Any]) -> CheckpointTuple:
        checkpoint: Checkpoint = self.serde.loads_typed((c["checkpoint"]["type"], _unb64(c["checkpoint"]["data"])))
        checkpoint["channel_values"] = {
            b["channel"]: self.serde.loads_typed((b["type"], _unb64(b["data"])))
            for b in c["blobs"]
            if b["type"] != "empty"
        }
        ns = c["checkpointNs"]
        parent = c["parentCheckpointId"]
        return CheckpointTuple(
            config={
                "configurable": {"thread_id": c["threadId"], "checkpoint_ns": ns, "checkpoint_id": c["checkpointId"]}
            },
            checkpoint=checkpoint,
            metadata=c["metadata"],
            parent_config=(
                {"configurable": {"thread_id": c["threadId"], "checkpoint_ns": ns, "checkpoint_id": parent}}
                if parent
                else None
            ),
            pending_writes=[
                (w["taskId"], w["channel"], self.serde.loads_typed((w["type"], _unb64(w["data"]))))
                for w in c["pendingWrites"]
            ],
        )

    @staticmethod
    def _get_params(config: RunnableConfig) -> dict[str, Any]:
        conf = config["configurable"]
        params: dict[str, Any] = {
            "threadId": str(conf["thread_id"]),
            "checkpointNs": conf.get("checkpoint_ns", ""),
            "limit": 1,
        }
        if checkpoint_id := get_checkpoint_id(config):
            params["checkpointId"] = checkpoint_id
        return params

    @staticmethod
    def _list_params(
        config: RunnableConfig | None, filter: dict[str, Any] | None, before: RunnableConfig | None, limit: int | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if config is not None:
            conf = config["configurable"]
            if "thread_id" in conf:
                params["threadId"] = str(conf["thread_id"])
            if "checkpoint_ns" in conf:
                params["checkpointNs"] = conf["checkpoint_ns"]
            if checkpoint_id := get_checkpoint_id(config):
                params["checkpointId"] = checkpoint_id
        if filter:
            params["filter"] = json.dumps(filter, default=str)
        if before is not None and (before_id := get_checkpoint_id(before)):
            params["before"] = before_id
        if limit is not None:
            params["limit"] = limit
        return params

    # -- BaseCheckpointSaver --------------------------------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint of ``config`` (``checkpoint_id``, else the newest of the thread and namespace), or None."""
        found = self._request("GET", "/api/v1/langgraph/checkpoints", params=self._get_params(config))
        return self._tuple(found["checkpoints"][0]) if found["checkpoints"] else None

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Async :meth:`get_tuple`."""
        found = await self._arequest("GET", "/api/v1/langgraph/checkpoints", params=self._get_params(config))
        return self._tuple(found["checkpoints"][0]) if found["checkpoints"] else None

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first: of a thread (and namespace, when ``config`` names one), matching the metadata
        ``filter``, older than ``before``, at most ``limit``."""
        params = self._list_params(config, filter, before, limit)
        found = self._request("GET", "/api/v1/langgraph/checkpoints", params=params)
        for c in found["checkpoints"]:
            yield self._tuple(c)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Async :meth:`list`."""
        params = self._list_params(config, filter, before, limit)
        found = await self._arequest("GET", "/api/v1/langgraph/checkpoints", params=params)
        for c in found["checkpoints"]:
            yield self._tuple(c)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Stores ``checkpoint`` (durable when this returns) and returns its config."""
        body = self._put_body(config, checkpoint, metadata, new_versions)
        self._request("POST", "/api/v1/langgraph/checkpoints", body=body)
        return self._put_result(body)

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Async :meth:`put`."""
        body = self._put_body(config, checkpoint, metadata, new_versions)
        await self._arequest("POST", "/api/v1/langgraph/checkpoints", body=body)
        return self._put_result(body)

    def put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        """Stores a task's pending writes against the checkpoint of ``config`` (durable when this returns)."""
        if writes:
            self._request(
                "POST", "/api/v1/langgraph/writes", body=self._writes_body(config, writes, task_id, task_path)
            )

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        """Async :meth:`put_writes`."""
        if writes:
            await self._arequest(
                "POST", "/api/v1/langgraph/writes", body=self._writes_body(config, writes, task_id, task_path)
            )

    def delete_thread(self, thread_id: str) -> None:
        """Deletes the thread: its session with its log, checkpoints, blobs and writes."""
        self._request("DELETE", f"/api/v1/langgraph/threads/{_seg(str(thread_id))}")

    async def adelete_thread(self, thread_id: str) -> None:
        """Async :meth:`delete_thread`."""
        await self._arequest("DELETE", f"/api/v1/langgraph/threads/{_seg(str(thread_id))}")

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copies every checkpoint of a thread (all namespaces, with blobs and pending writes) into another thread,
        in one transaction at the service; the source is unchanged."""
        body = {"targetThreadId": str(target_thread_id), "writer": self.writer}
        self._request("POST", f"/api/v1/langgraph/threads/{_seg(str(source_thread_id))}/copy", body=body)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Async :meth:`copy_thread`."""
        body = {"targetThreadId": str(target_thread_id), "writer": self.writer}
        await self._arequest("POST", f"/api/v1/langgraph/threads/{_seg(str(source_thread_id))}/copy", body=body)

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Versions as LangGraph's SQL savers make them: a zero-padded counter and a random fraction."""
        if current is None:
            current_v = 0
        elif isinstance(current, int):
            current_v = current
        else:
            current_v = int(current.split(".")[0])
        return f"{current_v + 1:032}.{random.random():016}"


def _seg(v: str) -> str:
    return quote(v, safe="")
