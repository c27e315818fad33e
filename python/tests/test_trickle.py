"""Liveness: an agent that logs one event now and then sees each one stored within one flush interval (plus a margin
for a loaded machine), for ``Tether``, ``AsyncTether`` and ``hook_agent`` alike — not only when ``flush_at`` events
have piled up or the process exits (the bug these tests catch: after the first batch the idle sender slept until
``flush_at`` events were queued)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from hook_agent import SessionHookAgent
from tether import AsyncTether, Tether

from .conftest import TetherServer

#: Seconds between sends the clients are configured with.
INTERVAL = 0.2
#: Added to INTERVAL before an event counts as late: generous, the machine running the tests may be busy. Without the
#: fix an event after the first batch never arrives, so any margin catches it.
MARGIN = 10.0
#: Events logged one at a time, each after the previous one is stored.
EVENTS = 6


def stored_ids(server: TetherServer, sid: str) -> set[str]:
    """Ids stored so far (none while the session does not exist yet)."""
    r = httpx.get(f"{server.url}/api/v1/sessions/{sid}/events", params={"limit": 10000})
    if r.status_code == 404:
        return set()
    r.raise_for_status()
    return {e["id"] for e in r.json()["events"]}


def wait_stored(server: TetherServer, sid: str, eid: str) -> float:
    """Seconds until ``eid`` is stored at the service; fails after INTERVAL + MARGIN."""
    start = time.monotonic()
    deadline = start + INTERVAL + MARGIN
    while time.monotonic() < deadline:
        if eid in stored_ids(server, sid):
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"event {eid} not stored {INTERVAL + MARGIN:.1f}s after it was logged (flush_at not reached)")


def trickle(server: TetherServer, sid: str, log: Callable[[int], str]) -> None:
    """Logs EVENTS events one by one, a little apart, and checks each is stored in time without flush()."""
    for i in range(EVENTS):
        eid = log(i)
        wait_stored(server, sid, eid)
        time.sleep(INTERVAL / 2)  # idle a while: the sender goes back to waiting


def test_sync_client_delivers_a_slow_trickle(server: TetherServer, sid: str) -> None:
    with Tether(server.url, flush_at=100, flush_interval=INTERVAL) as t:
        s = t.session(sid)
        trickle(server, sid, lambda i: s.log_action({"type": "step", "i": i}))


async def test_async_client_delivers_a_slow_trickle(server: TetherServer, sid: str) -> None:
    async with AsyncTether(server.url, flush_at=100, flush_interval=INTERVAL) as t:
        s = await t.create_session(sid, type="pytest-trickle")
        await asyncio.to_thread(trickle, server, sid, lambda i: s.log_action({"type": "step", "i": i}))


async def test_hook_agent_delivers_a_slow_trickle(server: TetherServer, sid: str) -> None:
    agent = SessionHookAgent(sid, server.url, flush_at=100, flush_interval=INTERVAL)
    loop = asyncio.get_running_loop()

    def log(i: int) -> str:
        res = asyncio.run_coroutine_threadsafe(agent.log_action({"type": "step", "i": i}), loop).result(10)
        eid: str = res["eventId"]
        return eid

    try:
        await asyncio.to_thread(trickle, server, sid, log)
    finally:
        agent.client.close(10)
