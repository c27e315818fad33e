"""TetherSaver (tether.langgraph) against a real Tether server: LangGraph's conformance suite
(langgraph-checkpoint-conformance, every base capability), and a real graph run sync and async whose thread is a
``langgraph`` session with one ``checkpoint`` event per super-step."""

from __future__ import annotations

import operator
from collections.abc import AsyncGenerator
from typing import Annotated, Any, TypedDict

import httpx
import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.report import ProgressCallbacks
from langgraph.graph import END, START, StateGraph

from tether.langgraph import TetherSaver

from .conftest import TetherServer


async def test_conformance_base_capabilities(server: TetherServer) -> None:
    @checkpointer_test(name="TetherSaver")
    async def tether_saver() -> AsyncGenerator[TetherSaver, None]:
        saver = TetherSaver(server.url)
        try:
            yield saver
        finally:
            await saver.aclose()

    report = await validate(tether_saver, progress=ProgressCallbacks.verbose())
    report.print_report()
    counts = {cap: (r.tests_passed, r.tests_failed) for cap, r in report.results.items() if r.detected}
    print("conformance (passed, failed) per capability:", counts)
    failures = {cap: r.failures for cap, r in report.results.items() if r.failures}
    assert report.passed_all_base(), failures
    assert report.results["copy_thread"].passed, failures
    assert sum(p for p, _ in counts.values()) > 40


class State(TypedDict):
    steps: Annotated[list[str], operator.add]
    total: int


def _graph(ran: list[str]) -> StateGraph[State]:
    def node(name: str, add: int) -> Any:
        def run(state: State) -> dict[str, Any]:
            ran.append(name)
            return {"steps": [name], "total": state["total"] + add}

        return run

    g: StateGraph[State] = StateGraph(State)
    g.add_node("a", node("a", 1))
    g.add_node("b", node("b", 10))
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_edge("b", END)
    return g


def test_graph_run_is_a_session_with_a_checkpoint_event_per_step(server: TetherServer, sid: str) -> None:
    ran: list[str] = []
    with TetherSaver(server.url) as saver:
        graph = _graph(ran).compile(checkpointer=saver)
        config: Any = {"configurable": {"thread_id": sid}}
        out = graph.invoke({"steps": [], "total": 0}, config)
        assert out == {"steps": ["a", "b"], "total": 11}
        snap = graph.get_state(config)
        assert snap.values == out
        assert snap.next == ()
        history = list(graph.get_state_history(config))
        assert [h.metadata["step"] for h in history if h.metadata] == [2, 1, 0, -1]
    events = server.events(f"lg:{sid}")
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "session_created"
    assert kinds.count("checkpoint") == 4
    last = [e for e in events if e["kind"] == "checkpoint"][-1]
    assert last["data"]["step"] == 2
    assert last["data"]["values"]["total"] == 11
    state = httpx.get(f"{server.url}/api/v1/state/lg:{sid}").json()
    assert state["langgraph"]["values"]["steps"] == ["a", "b"]


@pytest.mark.asyncio
async def test_async_graph_run_and_delete_thread(server: TetherServer, sid: str) -> None:
    ran: list[str] = []
    async with TetherSaver(server.url) as saver:
        graph = _graph(ran).compile(checkpointer=saver)
        config: Any = {"configurable": {"thread_id": sid}}
        out = await graph.ainvoke({"steps": [], "total": 5}, config)
        assert out["total"] == 16
        assert (await graph.aget_state(config)).values == out
        await saver.adelete_thread(sid)
        assert await saver.aget_tuple(config) is None
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{server.url}/api/v1/sessions/lg:{sid}/summary")).status_code == 404


def test_sync_errors_are_the_sdk_errors(server: TetherServer, sid: str) -> None:
    """The sync path (urllib3) raises the same error tree as the async one (httpx): a problem+json answer is an
    APIStatusError subclass with its code and request id; a closed port is APIConnectionError."""
    import socket

    from tether import APIConnectionError, BadRequestError

    with TetherSaver(server.url) as saver:
        with pytest.raises(BadRequestError) as e:
            list(saver.list({"configurable": {"thread_id": sid}}, limit=0))
        assert e.value.status_code == 400
        assert e.value.code == "validation_failed"
        assert e.value.request_id
        assert saver.get_tuple({"configurable": {"thread_id": sid}}) is None
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with TetherSaver(f"http://127.0.0.1:{port}", timeout=2) as saver, pytest.raises(APIConnectionError):
        saver.get_tuple({"configurable": {"thread_id": sid}})
