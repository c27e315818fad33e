"""``TetherStore``: LangGraph's ``BaseStore`` (long-term memory shared across threads) on Tether's memory store.

Use it wherever LangGraph takes a store::

    from tether.langgraph import TetherStore

    store = TetherStore("http://localhost:9000")
    graph = builder.compile(checkpointer=..., store=store)

Semantics are those of LangGraph's stores (``langgraph.store.base``): within one ``batch`` the reads see the store as
it was before the batch, puts are applied after them with the last put of a ``(namespace, key)`` winning, and a put
with ``value=None`` deletes. Differences from ``InMemoryStore``: re-putting a key keeps its ``created_at`` (as
``PostgresStore`` does); ``query`` is full-text search (FTS5 on SQLite, tsvector on PostgreSQL), not embeddings, so
``index`` selects the fields whose text is indexed; searches without a query return the newest updates first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

from .._async_client import AsyncTether
from .._client import Tether
from .._store import StoreItem

__all__ = ["TetherStore"]


def _item(i: StoreItem) -> Item:
    return Item(value=i.value, key=i.key, namespace=i.namespace, created_at=i.created_at, updated_at=i.updated_at)


def _search_item(i: StoreItem) -> SearchItem:
    return SearchItem(
        namespace=i.namespace, key=i.key, value=i.value, created_at=i.created_at, updated_at=i.updated_at, score=i.score
    )


def _namespace_args(op: ListNamespacesOp) -> dict[str, Any]:
    prefix: tuple[str, ...] | None = None
    suffix: tuple[str, ...] | None = None
    for cond in op.match_conditions or ():
        if cond.match_type == "prefix":
            if prefix is not None:
                raise ValueError("TetherStore supports one prefix condition per list_namespaces")
            prefix = tuple(cond.path)
        elif cond.match_type == "suffix":
            if suffix is not None:
                raise ValueError("TetherStore supports one suffix condition per list_namespaces")
            suffix = tuple(cond.path)
        else:
            raise ValueError(f"Unsupported match type: {cond.match_type}")
    return {"prefix": prefix, "suffix": suffix, "max_depth": op.max_depth, "limit": op.limit, "offset": op.offset}


def _dedupe_puts(ops: list[Op]) -> dict[tuple[tuple[str, ...], str], PutOp]:
    puts: dict[tuple[tuple[str, ...], str], PutOp] = {}
    for op in ops:
        if isinstance(op, PutOp):
            puts.pop((op.namespace, op.key), None)  # re-insert: the last put's position decides the order
            puts[(op.namespace, op.key)] = op
    return puts


class TetherStore(BaseStore):
    """A LangGraph ``BaseStore`` whose items live in a Tether service (``/api/v1/store``), so that every process and
    container of an agent shares them and they survive restarts.

    Args:
        base_url: the Tether URL (else ``TETHER_URL``, then ``http://localhost:9000``); ignored when clients are given.
        api_key: bearer key with the ``read`` and ``ingest`` scopes (else ``TETHER_API_KEY``).
        client: a :class:`tether.Tether` to use for ``batch`` (not closed by :meth:`close`).
        async_client: a :class:`tether.AsyncTether` to use for ``abatch`` (not closed by :meth:`aclose`).
        ttl: LangGraph's ``TTLConfig``: ``default_ttl`` (minutes) for puts without one, ``refresh_on_read``
            (default true). TTLs are enforced by the service: expired items are invisible and swept.

    Raises the SDK's errors (:class:`tether.APIStatusError` subclasses, :class:`tether.APIConnectionError`).
    """

    supports_ttl: bool = True

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        client: Tether | None = None,
        async_client: AsyncTether | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        self._base_url = base_url
        self._api_key = api_key
        self._client = client
        self._own_client = client is None
        self._aclient = async_client
        self._own_aclient = async_client is None
        self.ttl_config = ttl

    @property
    def client(self) -> Tether:
        """The sync client (created on first use)."""
        if self._client is None:
            self._client = Tether(self._base_url, self._api_key)
        return self._client

    @property
    def async_client(self) -> AsyncTether:
        """The async client (created on first use)."""
        if self._aclient is None:
            self._aclient = AsyncTether(self._base_url, self._api_key)
        return self._aclient

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Runs the operations: reads in order against the store before the batch, then the deduplicated puts."""
        ops = list(ops)
        store = self.client.store
        results: list[Result] = []
        for op in ops:
            if isinstance(op, GetOp):
                got = store.get_item(op.namespace, op.key, refresh_ttl=op.refresh_ttl)
                results.append(_item(got) if got else None)
            elif isinstance(op, SearchOp):
                found = store.search_items(
                    op.namespace_prefix,
                    query=op.query,
                    filter=op.filter,
                    limit=op.limit,
                    offset=op.offset,
                    refresh_ttl=op.refresh_ttl,
                )
                results.append([_search_item(i) for i in found])
            elif isinstance(op, ListNamespacesOp):
                results.append(store.list_namespaces(**_namespace_args(op)))
            elif isinstance(op, PutOp):
                results.append(None)
            else:
                raise ValueError(f"Unknown operation type: {type(op)}")
        for put in _dedupe_puts(ops).values():
            if put.value is None:
                store.delete_item(put.namespace, put.key)
            else:
                store.put_item(put.namespace, put.key, put.value, ttl=put.ttl, index=put.index)
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """:meth:`batch` on the async client; the reads run concurrently, then the puts."""
        ops = list(ops)
        store = self.async_client.store

        async def run(op: Op) -> Result:
            if isinstance(op, GetOp):
                got = await store.get_item(op.namespace, op.key, refresh_ttl=op.refresh_ttl)
                return _item(got) if got else None
            if isinstance(op, SearchOp):
                found = await store.search_items(
                    op.namespace_prefix,
                    query=op.query,
                    filter=op.filter,
                    limit=op.limit,
                    offset=op.offset,
                    refresh_ttl=op.refresh_ttl,
                )
                return [_search_item(i) for i in found]
            if isinstance(op, ListNamespacesOp):
                return await store.list_namespaces(**_namespace_args(op))
            if isinstance(op, PutOp):
                return None
            raise ValueError(f"Unknown operation type: {type(op)}")

        results = list(await asyncio.gather(*(run(op) for op in ops)))
        puts = list(_dedupe_puts(ops).values())
        await asyncio.gather(
            *(
                store.delete_item(p.namespace, p.key)
                if p.value is None
                else store.put_item(p.namespace, p.key, p.value, ttl=p.ttl, index=p.index)
                for p in puts
            )
        )
        return results

    def close(self) -> None:
        """Closes the sync client if this store created it."""
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Closes the async client if this store created it."""
        if self._own_aclient and self._aclient is not None:
            await self._aclient.close()
            self._aclient = None
