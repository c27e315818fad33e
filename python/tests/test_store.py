"""The memory store through the SDK (``client.store``, sync and async) and through the official ``langgraph_sdk``
client (``get_client(url=<tether>/api/v1).store``) against a real Tether server."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

import pytest
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.errors import NotFoundError as LangGraphNotFound

from tether import AsyncTether, StoreItem, Tether

from .conftest import TetherServer


def ns() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def test_put_get_replace_delete(server: TetherServer) -> None:
    root = ns()
    with Tether(server.url) as t:
        assert t.store.get_item((root, "u1"), "m1") is None
        t.store.put_item((root, "u1"), "m1", {"text": "likes blue", "n": 1})
        item = t.store.get_item([root, "u1"], "m1")
        assert isinstance(item, StoreItem)
        assert item.namespace == (root, "u1")
        assert item.key == "m1"
        assert item.value == {"text": "likes blue", "n": 1}
        assert isinstance(item.created_at, datetime) and item.created_at.tzinfo is not None
        assert item.score is None
        time.sleep(0.01)
        t.store.put_item((root, "u1"), "m1", {"text": "likes green"})
        again = t.store.get_item((root, "u1"), "m1")
        assert again is not None
        assert again.value == {"text": "likes green"}
        assert again.created_at == item.created_at
        assert again.updated_at > item.updated_at
        t.store.delete_item((root, "u1"), "m1")
        assert t.store.get_item((root, "u1"), "m1") is None
        t.store.delete_item((root, "u1"), "m1")  # absent: no error


def test_namespace_labels_are_checked_before_any_request(server: TetherServer) -> None:
    with Tether(server.url) as t:
        with pytest.raises(ValueError):
            t.store.put_item(("a.b",), "k", {})
        with pytest.raises(ValueError):
            t.store.get_item(("",), "k")
        with pytest.raises(TypeError):
            t.store.put_item("users", "k", {})


def test_search_filter_query_paging_and_namespaces(server: TetherServer) -> None:
    root = ns()
    with Tether(server.url) as t:
        t.store.put_item((root, "a"), "1", {"text": "the favourite colour is blue", "kind": "fact", "n": 1})
        t.store.put_item((root, "a"), "2", {"text": "has a cat", "kind": "fact", "n": 5})
        t.store.put_item((root, "b", "deep"), "3", {"text": "prefers tea", "kind": "pref", "n": 10})
        t.store.put_item((root, "b", "deep"), "4", {"text": "blue secret", "kind": "pref"}, index=False)

        def keys(items: list[StoreItem]) -> list[str]:
            return sorted(i.key for i in items)

        assert keys(t.store.search_items((root,))) == ["1", "2", "3", "4"]
        assert keys(t.store.search_items((root, "a"))) == ["1", "2"]
        assert keys(t.store.search_items((root,), filter={"kind": "fact"})) == ["1", "2"]
        assert keys(t.store.search_items((root,), filter={"n": {"$gte": 5}})) == ["2", "3"]
        assert keys(t.store.search_items((root,), filter={"kind": {"$ne": "fact"}})) == ["3", "4"]
        hits = t.store.search_items((root,), query="blue")
        assert [h.key for h in hits] == ["1"]
        assert hits[0].score is not None
        page1 = t.store.search_items((root,), limit=2)
        page2 = t.store.search_items((root,), limit=2, offset=2)
        assert sorted(i.key for i in page1 + page2) == ["1", "2", "3", "4"]
        assert t.store.list_namespaces(prefix=(root,)) == [(root, "a"), (root, "b", "deep")]
        assert t.store.list_namespaces(prefix=(root,), max_depth=2) == [(root, "a"), (root, "b")]
        assert t.store.list_namespaces(prefix=(root,), suffix=("deep",)) == [(root, "b", "deep")]


def test_ttl_hides_expired_items(server: TetherServer) -> None:
    root = ns()
    with Tether(server.url) as t:
        t.store.put_item((root,), "short", {"v": 1}, ttl=0.002)  # 120 ms
        t.store.put_item((root,), "long", {"v": 2}, ttl=60)
        long = t.store.get_item((root,), "long")
        assert long is not None and long.expires_at is not None
        time.sleep(0.3)
        assert t.store.get_item((root,), "short") is None
        assert [i.key for i in t.store.search_items((root,))] == ["long"]


async def test_async_store(server: TetherServer) -> None:
    root = ns()
    async with AsyncTether(server.url) as t:
        await t.store.put_item((root, "x"), "k", {"text": "async memory"})
        item = await t.store.get_item((root, "x"), "k")
        assert item is not None and item.value == {"text": "async memory"}
        assert [i.key for i in await t.store.search_items((root,), query="memory")] == ["k"]
        assert await t.store.list_namespaces(prefix=(root,)) == [(root, "x")]
        await t.store.delete_item((root, "x"), "k")
        assert await t.store.get_item((root, "x"), "k") is None


def test_official_langgraph_sdk_sync_client_works_against_tether(server: TetherServer) -> None:
    """``langgraph_sdk.get_sync_client(url=<tether>/api/v1).store`` — the LangGraph Platform store API as LangGraph calls it."""
    root = ns()
    client = get_sync_client(url=f"{server.url}/api/v1", api_key=None)
    client.store.put_item([root, "docs"], key="d1", value={"title": "Doc", "content": "hello world"})
    client.store.put_item([root, "docs"], key="d2", value={"title": "Other", "content": "goodbye"}, ttl=60)
    got = client.store.get_item([root, "docs"], key="d1")
    assert got["namespace"] == [root, "docs"]
    assert got["value"] == {"title": "Doc", "content": "hello world"}
    found = client.store.search_items([root], query="hello")
    assert [i["key"] for i in found["items"]] == ["d1"]
    filtered = client.store.search_items([root], filter={"title": "Other"})
    assert [i["key"] for i in filtered["items"]] == ["d2"]
    assert client.store.list_namespaces(prefix=[root]) == {"namespaces": [[root, "docs"]]}
    client.store.delete_item([root, "docs"], key="d1")
    with pytest.raises(LangGraphNotFound):
        client.store.get_item([root, "docs"], key="d1")
    # The same item is visible to Tether's own SDK.
    with Tether(server.url) as t:
        item = t.store.get_item((root, "docs"), "d2")
        assert item is not None and item.value["title"] == "Other"


async def test_official_langgraph_sdk_async_client_works_against_tether(server: TetherServer) -> None:
    root = ns()
    client = get_client(url=f"{server.url}/api/v1", api_key=None)
    await client.store.put_item([root], key="k", value={"fact": "blue"})
    got = await client.store.get_item([root], key="k")
    assert got["value"] == {"fact": "blue"}
    res = await client.store.search_items([root], filter={"fact": {"$eq": "blue"}}, limit=5)
    assert [i["key"] for i in res["items"]] == ["k"]
