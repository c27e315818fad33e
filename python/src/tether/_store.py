"""The memory store (long-term memory) clients: ``Tether.store`` and ``AsyncTether.store``.

Items are ``(namespace, key) -> JSON object`` with created/updated times, shared across sessions and threads. The
routes are ``/api/v1/store/*`` with the shapes of the LangGraph Platform store API (``langgraph_sdk``'s
``client.store`` works against them too); these methods are the typed, Tether-flavoured way to call them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._base import Request
from ._exceptions import NotFoundError

__all__ = ["AsyncStoreClient", "StoreClient", "StoreItem"]


def _parse_time(v: str) -> datetime:
    return datetime.fromisoformat(v.replace("Z", "+00:00"))


@dataclass(frozen=True)
class StoreItem:
    """One memory item.

    Attributes:
        namespace: the item's namespace, e.g. ``("users", "u-42", "memories")``.
        key: its key within the namespace.
        value: the stored JSON object.
        created_at: when the key was first put (timezone-aware, UTC).
        updated_at: when it was last put.
        score: full-text relevance (higher is better) for results of a search with ``query``, else ``None``.
        expires_at: when its TTL makes it invisible, ``None`` without a TTL.
    """

    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    score: float | None = None
    expires_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> StoreItem:
        """Builds an item from the API's JSON (``namespace, key, value, created_at, updated_at[, score, expires_at]``)."""
        score = d.get("score")
        expires = d.get("expires_at")
        return cls(
            namespace=tuple(d["namespace"]),
            key=d["key"],
            value=dict(d["value"]),
            created_at=_parse_time(d["created_at"]),
            updated_at=_parse_time(d["updated_at"]),
            score=float(score) if score is not None else None,
            expires_at=_parse_time(expires) if expires else None,
        )


def _check_namespace(namespace: Sequence[str]) -> list[str]:
    if isinstance(namespace, str):
        raise TypeError("namespace is a sequence of labels, e.g. ('users', 'u-42'), not a string")
    labels = list(namespace)
    for label in labels:
        if not label or "." in label:
            raise ValueError(f"Invalid namespace label {label!r}: labels are non-empty and cannot contain '.'")
    return labels


def _put(
    namespace: Sequence[str], key: str, value: Mapping[str, Any], ttl: float | None, index: Sequence[str] | bool | None
) -> Request:
    body: dict[str, Any] = {"namespace": _check_namespace(namespace), "key": key, "value": dict(value)}
    if ttl is not None:
        body["ttl"] = ttl
    if index is False:
        body["index"] = False
    elif index is not None and index is not True:
        body["index"] = list(index)
    return Request("PUT", "/api/v1/store/items", body=body)


def _get(namespace: Sequence[str], key: str, refresh_ttl: bool | None) -> Request:
    params: dict[str, Any] = {"namespace": ".".join(_check_namespace(namespace)), "key": key}
    if refresh_ttl is not None:
        params["refresh_ttl"] = refresh_ttl
    return Request("GET", "/api/v1/store/items", params=params)


def _delete(namespace: Sequence[str], key: str) -> Request:
    return Request("DELETE", "/api/v1/store/items", body={"namespace": _check_namespace(namespace), "key": key})


def _search(
    namespace_prefix: Sequence[str],
    query: str | None,
    filter: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    refresh_ttl: bool | None,
) -> Request:
    if isinstance(namespace_prefix, str):
        raise TypeError("namespace_prefix is a sequence of labels, not a string")
    body: dict[str, Any] = {"namespace_prefix": list(namespace_prefix), "limit": limit, "offset": offset}
    if query is not None:
        body["query"] = query
    if filter is not None:
        body["filter"] = dict(filter)
    if refresh_ttl is not None:
        body["refresh_ttl"] = refresh_ttl
    return Request("POST", "/api/v1/store/items/search", body=body)


def _namespaces(
    prefix: Sequence[str] | None, suffix: Sequence[str] | None, max_depth: int | None, limit: int, offset: int
) -> Request:
    body: dict[str, Any] = {"limit": limit, "offset": offset}
    if prefix is not None:
        body["prefix"] = list(prefix)
    if suffix is not None:
        body["suffix"] = list(suffix)
    if max_depth is not None:
        body["max_depth"] = max_depth
    return Request("POST", "/api/v1/store/namespaces", body=body)


def _items(resp: Any) -> list[StoreItem]:
    return [StoreItem.from_wire(d) for d in resp["items"]]


def _namespace_list(resp: Any) -> list[tuple[str, ...]]:
    return [tuple(ns) for ns in resp["namespaces"]]


def _absent(err: NotFoundError) -> bool:
    return err.code in (None, "store_item_not_found")


class StoreClient:
    """The memory store of a :class:`~tether.Tether` client (``client.store``). Errors as the client's:
    :class:`~tether.APIStatusError` subclasses, :class:`~tether.APIConnectionError`; ``ValueError`` for a label with
    ``.`` or an empty one (refused before any request)."""

    def __init__(self, request: Callable[[Request], Any]) -> None:
        self._request = request

    def put_item(
        self,
        namespace: Sequence[str],
        key: str,
        value: Mapping[str, Any],
        *,
        ttl: float | None = None,
        index: Sequence[str] | bool | None = None,
    ) -> None:
        """Creates or replaces the item (``PUT /api/v1/store/items``); durable when it returns.

        ``ttl`` in minutes (``None``: never expires). ``index``: field paths whose text full-text search indexes,
        ``False`` to keep the item out of it, ``None`` (default) for every string in the value."""
        self._request(_put(namespace, key, value, ttl, index))

    def get_item(self, namespace: Sequence[str], key: str, *, refresh_ttl: bool | None = None) -> StoreItem | None:
        """The item, or ``None`` when absent or expired. Reading restarts a TTL unless ``refresh_ttl=False``."""
        try:
            return StoreItem.from_wire(self._request(_get(namespace, key, refresh_ttl)))
        except NotFoundError as e:
            if _absent(e):
                return None
            raise

    def search_items(
        self,
        namespace_prefix: Sequence[str],
        *,
        query: str | None = None,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[StoreItem]:
        """Items under ``namespace_prefix`` (``"*"`` matches any label) passing ``filter`` (LangGraph's: equality,
        ``$eq $ne $gt $gte $lt $lte``) and full-text ``query``; best score first with a query, else newest first."""
        return _items(self._request(_search(namespace_prefix, query, filter, limit, offset, refresh_ttl)))

    def delete_item(self, namespace: Sequence[str], key: str) -> None:
        """Deletes the item (no error when it does not exist)."""
        self._request(_delete(namespace, key))

    def list_namespaces(
        self,
        *,
        prefix: Sequence[str] | None = None,
        suffix: Sequence[str] | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """Distinct namespaces of live items matching ``prefix``/``suffix`` (``"*"`` wildcards), cut to
        ``max_depth`` labels, in label order."""
        return _namespace_list(self._request(_namespaces(prefix, suffix, max_depth, limit, offset)))


class AsyncStoreClient:
    """The memory store of an :class:`~tether.AsyncTether` client: :class:`StoreClient`'s methods, awaitable."""

    def __init__(self, request: Callable[[Request], Awaitable[Any]]) -> None:
        self._request = request

    async def put_item(
        self,
        namespace: Sequence[str],
        key: str,
        value: Mapping[str, Any],
        *,
        ttl: float | None = None,
        index: Sequence[str] | bool | None = None,
    ) -> None:
        """See :meth:`StoreClient.put_item`."""
        await self._request(_put(namespace, key, value, ttl, index))

    async def get_item(
        self, namespace: Sequence[str], key: str, *, refresh_ttl: bool | None = None
    ) -> StoreItem | None:
        """See :meth:`StoreClient.get_item`."""
        try:
            return StoreItem.from_wire(await self._request(_get(namespace, key, refresh_ttl)))
        except NotFoundError as e:
            if _absent(e):
                return None
            raise

    async def search_items(
        self,
        namespace_prefix: Sequence[str],
        *,
        query: str | None = None,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[StoreItem]:
        """See :meth:`StoreClient.search_items`."""
        return _items(await self._request(_search(namespace_prefix, query, filter, limit, offset, refresh_ttl)))

    async def delete_item(self, namespace: Sequence[str], key: str) -> None:
        """See :meth:`StoreClient.delete_item`."""
        await self._request(_delete(namespace, key))

    async def list_namespaces(
        self,
        *,
        prefix: Sequence[str] | None = None,
        suffix: Sequence[str] | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """See :meth:`StoreClient.list_namespaces`."""
        return _namespace_list(await self._request(_namespaces(prefix, suffix, max_depth, limit, offset)))
