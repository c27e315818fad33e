"""Agent process lifecycle: the spool across a SIGKILLed agent, atexit flushing, SIGTERM flushing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import TetherServer, free_port
from .test_delivery import assert_exactly_once

AGENT = str(Path(__file__).with_name("agent_proc.py"))


_procs: list[subprocess.Popen[str]] = []


def run_agent(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, AGENT, *args], stdout=subprocess.PIPE, text=True, env={**os.environ})
    _procs.append(proc)
    return proc


@pytest.fixture(autouse=True)
def _reap() -> Iterator[None]:
    yield
    while _procs:
        p = _procs.pop()
        if p.poll() is None:
            p.kill()
        p.wait(10)
        if p.stdout:
            p.stdout.close()


def read_until(proc: subprocess.Popen[str], marker: str) -> list[str]:
    ids: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("ID "):
            ids.append(line.split()[1])
        if line.strip() == marker:
            return ids
    raise AssertionError(f"agent ended before printing {marker} (exit {proc.wait()})")


def test_spool_carries_events_across_an_agent_restart(
    make_server: type[TetherServer], sid: str, tmp_path: Path
) -> None:
    srv = make_server(port=free_port())  # down while the first agent runs
    spool = str(tmp_path / "spool")
    first = run_agent("spool-then-hang", srv.url, sid, "35", spool)
    ids = read_until(first, "SPOOLED")
    first.kill()  # SIGKILL: no atexit, no flush; only the spool remains
    first.wait(10)
    spooled = [e["id"] for f in sorted(Path(spool).glob("*.batch.json")) for e in json.loads(f.read_text())]
    assert spooled == ids
    srv.start()
    second = run_agent("exit", srv.url, sid, "5", spool)  # next start: spooled events first, then its own
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0
    ids += [line.split()[1] for line in out.splitlines() if line.startswith("ID ")]
    assert_exactly_once(srv, sid, ids)
    assert list(Path(spool).glob("*.batch.json")) == []


def test_atexit_flushes_pending_events(server: TetherServer, sid: str) -> None:
    proc = run_agent("exit", server.url, sid, "50")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert_exactly_once(server, sid, [line.split()[1] for line in out.splitlines() if line.startswith("ID ")])


def test_sigterm_flushes_then_terminates(server: TetherServer, sid: str) -> None:
    proc = run_agent("sigterm", server.url, sid, "40")  # flush_interval 60 s: only the SIGTERM handler can send them
    ids = read_until(proc, "READY")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == -signal.SIGTERM  # still ends as SIGTERM says
    assert_exactly_once(server, sid, ids)
