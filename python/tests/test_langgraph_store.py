"""``TetherStore`` side by side with LangGraph's ``InMemoryStore`` (LangGraph publishes no conformance suite for stores):
the same operations on both must give the same answers, sync and async; plus a real graph whose nodes share memory
across threads through Tether, and TTL/full-text behaviour that InMemoryStore does not have."""

from __future__ import annotations

import operator
import time
import uuid
from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore, GetOp, Item, ListNamespacesOp, MatchCondition, Op, PutOp, SearchOp
from langgraph.store.memory import InMemoryStore
from typing_extensions import TypedDict

from tether.langgraph import TetherStore

from .conftest import TetherServer


def norm(result: Any) -> Any:
    """Comparable form of a store result: items without times; search results as a sorted list."""
    if result is None:
        return None
    if isinstance(result, Item):
        return (result.namespace, result.key, result.value)
    if isinstance(result, list) and result and isinstance(result[0], Item):
        return sorted((norm(r) for r in result), key=repr)
    return result


def scenario(root: str) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """(method, args, kwargs) calls to run on both stores; the namespaces sit under ``root``."""

    def ns(*labels: str) -> tuple[str, ...]:
        return (root, *labels)

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        (
            "put",
            (ns("users", "u1"), "color"),
            {"value": {"text": "blue", "kind": "fact", "n": 1, "meta": {"lang": "en"}}},
        ),
        ("put", (ns("users", "u1"), "pet"), {"value": {"text": "cat", "kind": "fact", "n": 5, "tags": ["a", "b"]}}),
        ("put", (ns("users", "u2"), "tea"), {"value": {"text": "tea", "kind": "pref", "n": 10, "tags": ["a"]}}),
        (
            "put",
            (ns("users", "u2", "deep"), "x"),
            {"value": {"text": "x", "kind": "pref", "n": 7, "meta": {"lang": "de"}}},
        ),
        ("put", (ns("docs"), "d1"), {"value": {"text": "doc", "kind": "doc", "n": 3}}),
        ("get", (ns("users", "u1"), "color"), {}),
        ("get", (ns("users", "u1"), "missing"), {}),
        ("search", (ns(),), {"limit": 100}),
        ("search", (ns("users"),), {"limit": 100}),
        ("search", (ns("users", "u1"),), {"limit": 100}),
        ("search", (ns("users", "u"),), {"limit": 100}),
        ("search", (ns("users"),), {"filter": {"kind": "fact"}, "limit": 100}),
        ("search", (ns("users"),), {"filter": {"kind": "fact", "n": 5}, "limit": 100}),
        ("search", (ns(),), {"filter": {"meta": {"lang": "en"}}, "limit": 100}),
        ("search", (ns(),), {"filter": {"tags": ["a"]}, "limit": 100}),
        ("search", (ns(),), {"filter": {"n": {"$gt": 3}}, "limit": 100}),
        ("search", (ns(),), {"filter": {"n": {"$gte": 3, "$lt": 10}}, "limit": 100}),
        ("search", (ns(),), {"filter": {"n": {"$lte": 5}}, "limit": 100}),
        ("search", (ns(),), {"filter": {"kind": {"$ne": "fact"}}, "limit": 100}),
        ("search", (ns(),), {"filter": {"kind": {"$eq": "pref"}}, "limit": 100}),
        ("search", (ns(),), {"filter": {"kind": "nothing"}, "limit": 100}),
        ("list_namespaces", (), {"prefix": ns()}),
        ("list_namespaces", (), {"prefix": ns("users")}),
        ("list_namespaces", (), {"prefix": ns(), "max_depth": 3}),
        ("list_namespaces", (), {"prefix": ns(), "suffix": ("deep",)}),
        ("list_namespaces", (), {"prefix": (root, "*", "u2")}),
        ("list_namespaces", (), {"prefix": ns(), "limit": 2, "offset": 1}),
        # Replace, then delete.
        ("put", (ns("users", "u1"), "color"), {"value": {"text": "green", "kind": "fact", "n": 2}}),
        ("get", (ns("users", "u1"), "color"), {}),
        ("search", (ns("users"),), {"filter": {"n": 2}, "limit": 100}),
        ("delete", (ns("users", "u1"), "pet"), {}),
        ("get", (ns("users", "u1"), "pet"), {}),
        ("delete", (ns("users", "u1"), "never-existed"), {}),
        ("search", (ns("users"),), {"limit": 100}),
        # Last: InMemoryStore's get in an unknown namespace adds that namespace, without items, to list_namespaces
        # (a defaultdict artifact); Tether (like PostgresStore) lists only namespaces that hold items.
        ("get", (ns("nowhere"), "color"), {}),
    ]
    return calls


def run_sync(store: BaseStore, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> list[Any]:
    return [norm(getattr(store, m)(*a, **kw)) for m, a, kw in calls]


async def run_async(store: BaseStore, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> list[Any]:
    return [norm(await getattr(store, f"a{m}")(*a, **kw)) for m, a, kw in calls]


def test_same_answers_as_in_memory_store_sync(server: TetherServer) -> None:
    root = f"r{uuid.uuid4().hex[:10]}"
    calls = scenario(root)
    store = TetherStore(server.url)
    try:
        ours = run_sync(store, calls)
    finally:
        store.close()
    theirs = run_sync(InMemoryStore(), calls)
    for (m, a, kw), o, t in zip(calls, ours, theirs, strict=True):
        assert o == t, f"{m}{a} {kw}: Tether {o!r} != InMemoryStore {t!r}"


async def test_same_answers_as_in_memory_store_async(server: TetherServer) -> None:
    root = f"r{uuid.uuid4().hex[:10]}"
    calls = scenario(root)
    store = TetherStore(server.url)
    try:
        ours = await run_async(store, calls)
    finally:
        await store.aclose()
    theirs = await run_async(InMemoryStore(), calls)
    for (m, a, kw), o, t in zip(calls, ours, theirs, strict=True):
        assert o == t, f"a{m}{a} {kw}: Tether {o!r} != InMemoryStore {t!r}"


def test_paging_covers_the_same_items(server: TetherServer) -> None:
    root = f"r{uuid.uuid4().hex[:10]}"
    store = TetherStore(server.url)
    mem = InMemoryStore()
    try:
        for s in (store, mem):
            for i in range(7):
                s.put((root, "p"), f"k{i}", {"i": i, "even": i % 2 == 0})
        for s in (store, mem):
            pages = [s.search((root,), filter={"even": True}, limit=2, offset=o) for o in (0, 2, 4)]
            assert [len(p) for p in pages] == [2, 2, 0]
            assert sorted(i.key for p in pages for i in p) == ["k0", "k2", "k4", "k6"]
    finally:
        store.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_batch_semantics_match(server: TetherServer, mode: str) -> None:
    """Reads in a batch see the store before it; the last put of a key wins; value None deletes."""
    root = f"r{uuid.uuid4().hex[:10]}"
    ops: list[Op] = [
        PutOp((root,), "a", {"v": 1}),
        GetOp((root,), "a"),
        PutOp((root,), "a", {"v": 2}),
        PutOp((root,), "b", {"v": 3}),
        PutOp((root,), "b", None),
        SearchOp((root,), None, 10, 0),
    ]
    store = TetherStore(server.url)
    mem = InMemoryStore()
    try:
        if mode == "sync":
            ours, theirs = store.batch(ops), mem.batch(ops)
            after = [norm(s.batch([GetOp((root,), "a"), GetOp((root,), "b")])) for s in (store, mem)]
        else:
            ours, theirs = await store.abatch(ops), await mem.abatch(ops)
            after = [norm(await s.abatch([GetOp((root,), "a"), GetOp((root,), "b")])) for s in (store, mem)]
        assert [norm(r) for r in ours] == [norm(r) for r in theirs]
        assert after[0] == after[1]
        assert norm(store.get((root,), "a")) == ((root,), "a", {"v": 2})
        # (Not compared: InMemoryStore's GetOp adds its namespace to list_namespaces even when empty.)
        ns_op = ListNamespacesOp((MatchCondition("prefix", (root,)),), None, 10, 0)
        assert store.batch([ns_op]) == [[(root,)]]
    finally:
        store.close()
        await store.aclose()


def test_ttl_and_full_text_query(server: TetherServer) -> None:
    root = f"r{uuid.uuid4().hex[:10]}"
    store = TetherStore(server.url, ttl={"default_ttl": 60})
    try:
        store.put((root,), "short", {"text": "fleeting thought"}, ttl=0.002)
        store.put((root,), "kept", {"text": "the favourite colour is blue"})
        store.put((root,), "meta", {"text": "nothing here", "note": "blue"}, index=["text"])
        kept = store.client.store.get_item((root,), "kept")
        assert kept is not None and kept.expires_at is not None  # default_ttl applied
        time.sleep(0.3)
        assert store.get((root,), "short") is None
        hits = store.search((root,), query="blue")
        assert [h.key for h in hits] == ["kept"]
        assert hits[0].score is not None
    finally:
        store.close()


class State(TypedDict):
    user: str
    fact: str
    recalled: list[str]


def test_graph_nodes_share_memory_across_threads(server: TetherServer) -> None:
    """A graph stores a fact in one run and recalls it in a run of another thread, through Tether."""
    root = f"r{uuid.uuid4().hex[:10]}"

    def remember(state: State, *, store: BaseStore) -> dict[str, Any]:
        if state["fact"]:
            store.put((root, state["user"], "memories"), uuid.uuid4().hex, {"text": state["fact"]})
        return {}

    def recall(state: State, *, store: BaseStore) -> dict[str, Any]:
        return {"recalled": [m.value["text"] for m in store.search((root, state["user"], "memories"))]}

    class Out(TypedDict):
        recalled: list[str]

    builder = StateGraph(State)
    builder.add_node("remember", remember)
    builder.add_node("recall", recall)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", "recall")
    builder.add_edge("recall", END)
    store = TetherStore(server.url)
    try:
        graph = builder.compile(store=store)
        graph.invoke({"user": "ann", "fact": "likes blue", "recalled": []}, {"configurable": {"thread_id": "t1"}})
        out = graph.invoke({"user": "ann", "fact": "", "recalled": []}, {"configurable": {"thread_id": "t2"}})
        assert out["recalled"] == ["likes blue"]
        other = graph.invoke({"user": "bob", "fact": "", "recalled": []}, {"configurable": {"thread_id": "t3"}})
        assert other["recalled"] == []
        assert operator.eq(store.list_namespaces(prefix=(root,)), [(root, "ann", "memories")])
    finally:
        store.close()
