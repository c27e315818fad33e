"""Session resume: a Python agent process is killed with SIGKILL mid-work; ``resume()`` restores the session and the
next events continue its seq, with goals and sub-agents intact and the log read page by page."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tether import AsyncTether, Tether

from .conftest import TetherServer

AGENT = Path(__file__).with_name("resume_agent.py")


def test_kill_9_then_resume_continues_the_session(server: TetherServer, sid: str) -> None:
    proc = subprocess.Popen([sys.executable, str(AGENT), server.url, sid], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    flushed = -1
    for line in proc.stdout:
        if line.startswith("FLUSHED "):
            flushed = int(line.split()[1])
            if flushed >= 30:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait(15)
    assert flushed >= 30

    with Tether(server.url, flush_interval=0.05) as t:
        r = t.resume(sid)
        # session_created, goal, agent, then actions 0..flushed at least.
        assert r.last_seq >= 3 + flushed + 1
        assert r.initial == {"task": "crunch"}
        assert [(g["goalId"], g["status"]) for g in r.state["goals"]] == [("g-parse", "pending")]
        assert r.state["agents"]["active"] == ["worker-1"]
        seqs = [e["seq"] for e in r.events()]
        assert seqs == list(range(1, r.last_seq + 1))
        assert [e["seq"] for e in r.events(after=r.last_seq - 2)] == [r.last_seq - 1, r.last_seq]
        s = t.session(sid)
        s.log_action({"type": "tool_call", "resumed": True})
        s.complete_agent("worker-1", result="done")
        assert t.flush(timeout=30)
        after = t.resume(sid)
        assert after.last_seq == r.last_seq + 2
        assert after.state["agents"]["completed"] == ["worker-1"]
        assert server.events(sid)[r.last_seq]["data"] == {"type": "tool_call", "resumed": True}


async def test_async_resume_pages_the_log(server: TetherServer, sid: str) -> None:
    async with AsyncTether(server.url, flush_interval=0.05) as t:
        s = t.session(sid)
        for i in range(5):
            s.log_action({"i": i})
        assert await t.flush(timeout=30)
        r = await t.resume(sid)
        assert r.last_seq == 6
        assert [e["seq"] async for e in r.events(kind="action")] == [2, 3, 4, 5, 6]
