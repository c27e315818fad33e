"""LangGraph checkpointer benchmark: TetherSaver (tether.langgraph) against LangGraph's own SqliteSaver
(langgraph-checkpoint-sqlite), in the same run on the same machine; the ratio is the figure.

Starts `tether serve` (packages/cli/dist/bin.js, build first) on a free port with a temporary data dir (SQLite, default
durability), opens a SqliteSaver on a file in another temporary dir, then for each saver:
1. put / get_tuple latency: a thread whose checkpoint has 10 channels of 1 KB each (10 KB of state); each put changes
   one channel (new version), as a node writing one key does; get_tuple reads the newest checkpoint. `round trip` is
   one put followed by one get_tuple. Median / p90 / p99 in ms over N operations after a warm-up.
2. checkpoints/s for a graph: a LangGraph StateGraph with 10 channels (10 KB) whose node rewrites one channel per
   super-step, looping S steps on one thread (one checkpoint and one put_writes per step).
3. bytes stored per checkpoint: the bytes of the savers' rows after (2) divided by the checkpoints written (Tether:
   checkpoint, blob and write rows plus the checkpoint events' JSON; SqliteSaver: checkpoints and writes rows), and
   the database files' growth.

Usage: .venv/bin/python bench/langgraph.py [--ops 2000] [--steps 500]   (target: round trip < 2 ms p50 on loopback)
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named langgraph.py: keep its folder off the import path, or it would shadow the langgraph package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import operator
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

import httpx
from langgraph.checkpoint.base import BaseCheckpointSaver, empty_checkpoint
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph

from tether.langgraph import TetherSaver

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = [f"c{i}" for i in range(10)]
VALUE = "x" * 1024


def start_server() -> tuple[subprocess.Popen[bytes], str, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="tether-bench-lg-")
    proc = subprocess.Popen(
        ["node", str(ROOT / "packages/cli/dist/bin.js"), "serve", "--port", str(port), "--data-dir", data,
         "--log-level", "warn", "--no-dashboard"],
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return proc, url, data
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not become ready")


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))]


def summary(xs: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(xs), 3), "p90": round(pct(xs, 0.9), 3), "p99": round(pct(xs, 0.99), 3)}


def micro(saver: BaseCheckpointSaver[Any], thread: str, ops: int) -> dict[str, Any]:
    """put / get_tuple / round-trip latencies in ms on one thread with 10 channels of 1 KB."""
    config: Any = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    cp = empty_checkpoint()
    versions: dict[str, Any] = {}
    for ch in CHANNELS:
        versions[ch] = saver.get_next_version(None, None)
    cp["channel_values"] = {ch: VALUE for ch in CHANNELS}
    cp["channel_versions"] = dict(versions)
    config = saver.put(config, cp, {"source": "input", "step": -1}, dict(versions))
    puts: list[float] = []
    gets: list[float] = []
    trips: list[float] = []

    def step(i: int) -> Any:
        nonlocal config
        ch = CHANNELS[i % len(CHANNELS)]
        nxt = empty_checkpoint()
        versions[ch] = saver.get_next_version(versions[ch], None)
        nxt["channel_values"] = {c: VALUE if c != ch else f"{i:08d}" + VALUE[8:] for c in CHANNELS}
        nxt["channel_versions"] = dict(versions)
        return nxt, {ch: versions[ch]}

    for i in range(ops // 10):  # warm-up
        nxt, new = step(i)
        config = saver.put(config, nxt, {"source": "loop", "step": i}, new)
        saver.get_tuple(config)
    for i in range(ops):
        nxt, new = step(i)
        t0 = time.perf_counter()
        config = saver.put(config, nxt, {"source": "loop", "step": i}, new)
        t1 = time.perf_counter()
        tup = saver.get_tuple({"configurable": {"thread_id": thread, "checkpoint_ns": ""}})
        t2 = time.perf_counter()
        assert tup is not None and tup.checkpoint["id"] == nxt["id"]
        puts.append((t1 - t0) * 1000)
        gets.append((t2 - t1) * 1000)
        trips.append((t2 - t0) * 1000)
    return {"put": summary(puts), "get_tuple": summary(gets), "round_trip": summary(trips)}


class State(TypedDict):
    c0: str
    c1: str
    c2: str
    c3: str
    c4: str
    c5: str
    c6: str
    c7: str
    c8: str
    c9: str
    n: Annotated[int, operator.add]


def graph_rate(saver: BaseCheckpointSaver[Any], thread: str, steps: int) -> dict[str, Any]:
    """checkpoints/s of a looping graph that rewrites one of its 10 channels per super-step."""

    def node(state: State) -> dict[str, Any]:
        n = state["n"]
        return {CHANNELS[n % 10]: f"{n:08d}" + VALUE[8:], "n": 1}

    g: StateGraph[State] = StateGraph(State)
    g.add_node("step", node)
    g.add_edge(START, "step")
    g.add_conditional_edges("step", lambda s: END if s["n"] >= steps else "step")
    app = g.compile(checkpointer=saver)
    config: Any = {"configurable": {"thread_id": thread}, "recursion_limit": steps + 10}
    start: dict[str, Any] = {ch: VALUE for ch in CHANNELS}
    start["n"] = 0
    t0 = time.perf_counter()
    out = app.invoke(start, config)
    dt = time.perf_counter() - t0
    assert out["n"] == steps
    checkpoints = sum(1 for _ in saver.list({"configurable": {"thread_id": thread}}))
    return {"steps": steps, "checkpoints": checkpoints, "seconds": round(dt, 3), "checkpoints_per_s": round(checkpoints / dt, 1)}


def tether_bytes(db: Path, session_id: str) -> int:
    con = sqlite3.connect(db)
    try:
        q: Callable[[str], int] = lambda sql: int(con.execute(sql, (session_id,)).fetchone()[0] or 0)  # noqa: E731
        return (
            q("SELECT sum(length(checkpoint) + length(metadata) + length(channel_versions) + length(thread_id) * 2 + length(checkpoint_id) * 2) FROM lg_checkpoints WHERE session_id = ?")
            + q("SELECT sum(length(blob) + length(channel) + length(version) + length(thread_id)) FROM lg_blobs WHERE session_id = ?")
            + q("SELECT sum(length(blob) + length(channel) + length(task_id) + length(task_path) + length(checkpoint_id)) FROM lg_writes WHERE session_id = ?")
            + q("SELECT sum(length(data) + length(event_id) + 60) FROM events WHERE session_id = ?")
        )
    finally:
        con.close()


def sqlite_bytes(db: Path, thread: str) -> int:
    con = sqlite3.connect(db)
    try:
        a = con.execute("SELECT sum(length(checkpoint) + length(metadata) + length(thread_id) + length(checkpoint_id) * 2) FROM checkpoints WHERE thread_id = ?", (thread,)).fetchone()[0]
        b = con.execute("SELECT sum(length(value) + length(channel) + length(task_id) + length(checkpoint_id)) FROM writes WHERE thread_id = ?", (thread,)).fetchone()[0]
        return int(a or 0) + int(b or 0)
    finally:
        con.close()


def dir_size(d: str) -> int:
    return sum(f.stat().st_size for f in Path(d).glob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=500)
    a = ap.parse_args()
    proc, url, data = start_server()
    sq_dir = tempfile.mkdtemp(prefix="lg-sqlite-bench-")
    results: dict[str, Any] = {"ops": a.ops, "steps": a.steps, "state": "10 channels x 1 KB"}
    try:
        conn = sqlite3.connect(os.path.join(sq_dir, "checkpoints.db"), check_same_thread=False)
        sq = SqliteSaver(conn)
        sq.setup()
        with TetherSaver(url) as ts:
            for name, saver in (("tether", ts), ("sqlite", sq)):
                results[name] = {"micro": micro(saver, f"micro-{name}", a.ops)}
            for name, saver in (("tether", ts), ("sqlite", sq)):
                before = dir_size(data if name == "tether" else sq_dir)
                results[name]["graph"] = graph_rate(saver, f"graph-{name}", a.steps)
                time.sleep(0.5)  # let the WAL settle before measuring files
                results[name]["graph"]["file_growth_bytes"] = dir_size(data if name == "tether" else sq_dir) - before
        results["tether"]["graph"]["bytes_per_checkpoint"] = round(tether_bytes(Path(data) / "tether.db", "lg:graph-tether") / results["tether"]["graph"]["checkpoints"])
        results["sqlite"]["graph"]["bytes_per_checkpoint"] = round(sqlite_bytes(Path(sq_dir) / "checkpoints.db", "graph-sqlite") / results["sqlite"]["graph"]["checkpoints"])
        t, s = results["tether"], results["sqlite"]
        results["ratio_tether_over_sqlite"] = {
            "round_trip_p50": round(t["micro"]["round_trip"]["p50"] / s["micro"]["round_trip"]["p50"], 2),
            "put_p50": round(t["micro"]["put"]["p50"] / s["micro"]["put"]["p50"], 2),
            "get_tuple_p50": round(t["micro"]["get_tuple"]["p50"] / s["micro"]["get_tuple"]["p50"], 2),
            "graph_checkpoints_per_s": round(t["graph"]["checkpoints_per_s"] / s["graph"]["checkpoints_per_s"], 2),
            "bytes_per_checkpoint": round(t["graph"]["bytes_per_checkpoint"] / s["graph"]["bytes_per_checkpoint"], 2),
        }
        conn.close()
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(sq_dir, ignore_errors=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
