"""A2A benchmark: the latency one turn adds by loading its context's history from Tether (tether.a2a.ConversationStore).

Starts `tether serve` (packages/cli/dist/bin.js, build first) on a free port with a temporary data dir; for each history
length (default 10, 1,000, 10,000 prior messages) fills one context session through POST /api/ingest, then times
1. ``history(ctx)`` with the recent window (default 50 messages): what the reference runtime does every turn;
2. a whole turn's Tether work: window load + appending the user and the agent message;
3. for comparison, loading the whole history (``limit`` = all, at most 10,000 per page).
Reports median / p90 ms over ``--iterations`` runs each.

Usage: .venv/bin/python bench/a2a_history.py [--sizes 10,1000,10000] [--window 50] [--iterations 200]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from a2a.types.a2a_pb2 import Message, Part, Role

from tether import AsyncTether
from tether.a2a import ConversationStore, context_session_id

ROOT = Path(__file__).resolve().parents[1]


def start_server() -> tuple[subprocess.Popen[bytes], str, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="tether-bench-a2a-")
    proc = subprocess.Popen(
        ["node", str(ROOT / "packages/cli/dist/bin.js"), "serve", "--port", str(port), "--data-dir", data,
         "--log-level", "warn", "--no-dashboard"],
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health").status_code == 200:
                return proc, url, data
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("tether serve did not start")


def fill(url: str, ctx: str, n: int) -> None:
    sid = context_session_id(ctx)
    httpx.post(url + "/api/v1/sessions", json={"sessionId": sid, "type": "a2a_context"}).raise_for_status()
    for start in range(0, n, 1000):
        events = []
        for i in range(start, min(n, start + 1000)):
            role = "user" if i % 2 == 0 else "agent"
            data = {"type": "a2a_message", "role": role, "messageId": f"m{i}", "contextId": ctx, "taskId": f"t{i // 2}",
                    "parts": [{"kind": "text", "text": f"message {i}: some words of an ordinary length for one turn"}]}  # fmt: skip
            events.append({"id": f"a2a-msg:m{i}", "sessionId": sid, "kind": "action" if role == "user" else "response", "data": data})
        r = httpx.post(url + "/api/v1/ingest", json={"events": events}, timeout=120)
        r.raise_for_status()
        assert r.json()["accepted"] == len(events), r.text[:300]


def stats(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"median {statistics.median(xs):.2f} ms, p90 {xs[int(len(xs) * 0.9)]:.2f} ms"


async def measure(url: str, ctx: str, n: int, window: int, iterations: int) -> None:
    async with AsyncTether(url) as client:
        store = ConversationStore(client, window=window)
        for _ in range(5):
            await store.history(ctx)
        win: list[float] = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            h = await store.history(ctx)
            win.append((time.perf_counter() - t0) * 1000)
        assert len(h) == min(n, window), len(h)
        turn: list[float] = []
        for i in range(iterations // 4):
            t0 = time.perf_counter()
            await store.history(ctx)
            await store.append(Message(message_id=str(uuid.uuid4()), context_id=ctx, role=Role.ROLE_USER, parts=[Part(text=f"q{i}")]), task_id="tb")
            await store.append(Message(message_id=str(uuid.uuid4()), context_id=ctx, role=Role.ROLE_AGENT, parts=[Part(text=f"a{i}")]), task_id="tb")
            turn.append((time.perf_counter() - t0) * 1000)
        full: list[float] = []
        for _ in range(max(5, iterations // 20)):
            t0 = time.perf_counter()
            await store.history(ctx, limit=min(10_000, n + 2 * len(turn) + 1))
            full.append((time.perf_counter() - t0) * 1000)
    print(f"| {n:,} | {stats(win)} | {stats(turn)} | {stats(full)} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,1000,10000")
    ap.add_argument("--window", type=int, default=50)
    ap.add_argument("--iterations", type=int, default=200)
    a = ap.parse_args()
    proc, url, data = start_server()
    try:
        print(f"| prior messages | window load ({a.window}) | whole turn (load + 2 appends) | full history load |")
        print("|---:|---|---|---|")
        for n in (int(s) for s in a.sizes.split(",")):
            ctx = f"bench-{n}-{uuid.uuid4().hex[:6]}"
            fill(url, ctx, n)
            asyncio.run(measure(url, ctx, n, a.window, a.iterations))
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
