"""Python SDK benchmark: cost of one log call in the agent's process, and events/s one client sustains.

Starts `tether serve` (packages/cli/dist/bin.js, build first) on a free port with a temporary data dir, then:
1. log cost: N `Session.log_action` calls, each timed on its own (perf_counter_ns before and after, so a call that
   waited for the GIL while the sender thread held it counts as one slow call), while the background sender delivers
   the earlier ones; reports median / p90 / p99 / p99.9 / max µs per call (issue #18: p99 ≤ 25 µs). The timer's own
   cost (an empty timed call, ~0.1 µs) is printed and included. The realistic payload is also timed with the sender
   idle (its transport holds the first request until the calls are done, so nothing is encoded or sent meanwhile):
   the difference between the two rows is what the busy sender costs the caller; the idle row is this machine's floor.
   Also printed: the calling thread's CPU time per call, and the sender thread's CPU time per event (calls + flush):
   the sender holds the GIL for most of its CPU time, which is when a log call may have to wait;
2. throughput: M actions over 10 sessions with on_full="block", timed from the first call until flush() returned
   with everything stored, for several batch sizes (flush_at).

Usage: .venv/bin/python bench/python_log_cost.py [--calls 200000] [--events 100000] [--batch 100,500,1000]
       [--only realistic]   (only the realistic tool call at 1,000-event batches and flush_at 1000)
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
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


class HeldTransport(httpx.BaseTransport):
    """Passes requests to the real server, but holds them all until ``release`` is set (an idle sender)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.release.wait()
        return self.inner.handle_request(request)


def log_cost(
    url: str, calls: int, payload: dict[str, object], label: str, flush_at: int | None = None, idle: bool = False
) -> None:
    extra: dict[str, object] = {"flush_at": flush_at} if flush_at else {}
    held = HeldTransport() if idle else None
    if held is not None:
        extra["sender_transport"] = held
    with Tether(url, max_queue_size=max(calls, 10_000), flush_interval=0.2, **extra) as t:  # type: ignore[arg-type]
        s = t.session(f"bench-cost-{'idle' if idle else label.split()[0]}-{time.time_ns()}")
        log = s.log_action
        clock = time.perf_counter_ns
        ns = [0] * calls
        log(payload)  # starts the sender thread
        sender = t._batcher._thread  # type: ignore[union-attr]  # noqa: SLF001 - the bench reads its CPU clock
        assert sender is not None and sender.ident is not None
        sender_clock = time.pthread_getcpuclockid(sender.ident)
        cpu0, sender0 = time.thread_time_ns(), time.clock_gettime_ns(sender_clock)
        for i in range(calls):
            t0 = clock()
            log(payload)
            ns[i] = clock() - t0
        caller_cpu = (time.thread_time_ns() - cpu0) / calls / 1000
        if held is not None:
            held.release.set()
        ok = t.flush(300)
        sender_cpu = (time.clock_gettime_ns(sender_clock) - sender0) / calls / 1000
        st = t.stats()
    per_call = [x / 1000 for x in ns[calls // 10 :]]  # the first 10 % warm up (allocator, first batches); counted: 90 %
    print(
        f"| {label} | {calls} | {statistics.median(per_call):.2f} | {pct(per_call, 0.9):.2f} | {pct(per_call, 0.99):.2f} "
        f"| {pct(per_call, 0.999):.1f} | {max(per_call):.0f} | {sum(x > 100 for x in per_call)} "
        f"| {sum(x > 1000 for x in per_call)} | {caller_cpu:.2f} | {sender_cpu:.2f} "
        f"| {st['delivered'] + st['duplicates']}{'' if ok else ' (flush timed out)'} | {st['dropped']} |"
    )


def timer_cost() -> float:
    clock = time.perf_counter_ns
    ns = []
    for _ in range(100_000):
        t0 = clock()
        ns.append(clock() - t0)
    return statistics.median(ns) / 1000


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
    ap.add_argument("--only", choices=["realistic"])
    args = ap.parse_args()
    if args.only:
        args.batch = "1000"
    proc, url, data = start_server()
    try:
        print(f"timer cost (included below): {timer_cost():.2f} µs per timed call")
        print()
        print(
            "| payload | calls | median µs/call | p90 | p99 | p99.9 | max | calls > 0.1 ms | > 1 ms "
            "| caller CPU µs/call | sender CPU µs/event | delivered | dropped |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        if not args.only:
            small = {"type": "tool_call", "tool": "bash", "input": {"command": "ls -la"}}
            log_cost(url, args.calls, small, "small action (~70 B)")
            log_cost(url, args.calls, {"type": "tool_call", "tool": "bash", "output": "x" * 2048}, "action with 2 KB output")
        log_cost(url, args.calls, REALISTIC, "realistic tool call (~400 B), 1,000-event batches", 1000)
        log_cost(url, args.calls, REALISTIC, "same, sender idle (requests held)", 1000, idle=True)
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
