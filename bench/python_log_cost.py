"""Python SDK benchmark: cost of one log call in the agent's process, and events/s one client sustains.

Starts `tether serve` (packages/cli/dist/bin.js, build first) on a free port with a temporary data dir, then:
1. log cost: N `Session.log_action` calls timed in blocks of 100 (perf_counter_ns per block / 100), while the
   background sender delivers between blocks; reports median / p90 / p99 µs per call (target: median ≤ 25 µs);
2. throughput: M actions over 10 sessions with on_full="block", timed from the first call until flush() returned
   with everything stored, for several batch sizes (flush_at).

Usage: .venv/bin/python bench/python_log_cost.py [--calls 200000] [--events 100000] [--batch 100,500,1000]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from tether import Tether

ROOT = Path(__file__).resolve().parents[1]


def start_server() -> tuple[subprocess.Popen[bytes], str, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="tether-bench-py-")
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


#: A realistic tool call (issue #18): tool name, ~100-byte JSON input, ~200-byte text output, start/end times.
REALISTIC: dict[str, object] = {
    "type": "tool_call",
    "tool": "Bash",
    "input": {"command": "ls -la /home/dev/project/src/module7", "cwd": "/home/dev/project", "timeoutMs": 120000},
    "output": ("total 48\ndrwxr-xr-x  5 dev dev 4096 Mar  3 10:12 .\n-rw-r--r--  1 dev dev  812 package.json\n" * 3)[:200],
    "startedAt": "2026-03-03T10:00:00.000Z",
    "endedAt": "2026-03-03T10:00:00.012Z",
}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def log_cost(url: str, calls: int, payload: dict[str, object], label: str, flush_at: int | None = None) -> None:
    extra = {"flush_at": flush_at} if flush_at else {}
    with Tether(url, max_queue_size=max(calls, 10_000), flush_interval=0.2, **extra) as t:
        s = t.session(f"bench-cost-{label.split()[0]}-{time.time_ns()}")
        per_call: list[float] = []
        for _ in range(calls // 100):
            t0 = time.perf_counter_ns()
            for _ in range(100):
                s.log_action(payload)
            per_call.append((time.perf_counter_ns() - t0) / 100 / 1000)
        ok = t.flush(300)
        st = t.stats()
    print(
        f"| {label} | {calls} | {statistics.median(per_call):.2f} | {pct(per_call, 0.9):.2f} | {pct(per_call, 0.99):.2f} "
        f"| {st['delivered'] + st['duplicates']}{'' if ok else ' (flush timed out)'} | {st['dropped']} |"
    )


def throughput(url: str, events: int, batch: int) -> None:
    with Tether(url, flush_at=batch, flush_interval=0.05, on_full="block", max_queue_size=20_000) as t:
        sessions = [t.session(f"bench-tp-{batch}-{i}-{time.time_ns()}") for i in range(10)]
        t0 = time.perf_counter()
        for i in range(events):
            sessions[i % 10].log_action({"type": "tool_call", "tool": "bash", "input": {"command": f"echo {i}"}})
        ok = t.flush(600)
        dt = time.perf_counter() - t0
        st = t.stats()
    print(f"| {batch} | {events} | {events / dt:.0f} | {dt:.2f} | {'all' if ok and st['delivered'] == events else st['delivered']} | {st['retries']} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", default="100,500,1000")
    args = ap.parse_args()
    proc, url, data = start_server()
    try:
        print("| payload | calls | median µs/call | p90 | p99 | delivered | dropped |")
        print("|---|---|---|---|---|---|---|")
        log_cost(url, args.calls, {"type": "tool_call", "tool": "bash", "input": {"command": "ls -la"}}, "small action (~70 B)")
        log_cost(url, args.calls, {"type": "tool_call", "tool": "bash", "output": "x" * 2048}, "action with 2 KB output")
        log_cost(url, args.calls, REALISTIC, "realistic tool call (~400 B), 1,000-event batches", 1000)
        print()
        print("| batch size (flush_at) | events | events/s | seconds | delivered | retries |")
        print("|---|---|---|---|---|---|")
        for b in (int(x) for x in args.batch.split(",")):
            throughput(url, args.events, b)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
