"""examples/admin-shell driven as a user would, in a pseudo-terminal (pexpect), against a real Tether server."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pexpect

from .conftest import ROOT, TetherServer, free_port

SHELL = ROOT / "examples" / "admin-shell" / "admin_shell.py"
PROMPT = ">>> "


def spawn(url: str, *args: str) -> pexpect.spawn[str]:
    env = {**os.environ, "TETHER_URL": url, "PYTHONUNBUFFERED": "1", "TERM": "dumb"}
    env.pop("TETHER_MCP_URL", None)
    child = pexpect.spawn(
        sys.executable, [str(SHELL), "--plain", "--timeout", "10", *args], env=env, encoding="utf-8", timeout=30
    )
    return child


def session_id_of(child: pexpect.spawn[str]) -> str:
    child.expect(r"Session Tracking: ✓ Enabled \(session ([^)]+)\)")
    match = child.match
    assert isinstance(match, re.Match)
    return str(match.group(1))


def summary(server: TetherServer, sid: str) -> dict[str, Any]:
    out: dict[str, Any] = httpx.get(f"{server.url}/api/v1/sessions/{sid}/summary").json()
    return out


def test_start_commands_exit(server: TetherServer) -> None:
    child = spawn(server.url)
    sid = session_id_of(child)
    child.expect_exact(PROMPT)
    started = summary(server, sid)
    assert started["status"] == "active", "the start is stored before the first prompt"
    child.sendline("6 * 7")
    child.expect_exact("42")
    child.expect_exact(PROMPT)
    child.sendline("session()")
    child.expect_exact(repr(sid))
    child.expect_exact(PROMPT)
    child.sendline("info()['command_tree_size']")
    child.expect_exact(PROMPT)
    child.sendline("exit()")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    s = summary(server, sid)
    assert s["type"] == "admin_shell"
    assert s["status"] == "completed"
    assert s["created"] and s["endedAt"] and s["endedAt"] >= s["created"]
    assert s["durationMs"] > 0
    meta = s["metadata"]
    for key in ("component", "version", "adapters", "cli_preprocessing_enabled", "tab_completion_enabled"):
        assert key in meta, key
    assert meta["component"] == "tether-admin"
    assert meta["command_tree_size"] >= 3
    assert meta["admin_shell"]["shell_type"] == "TetherAdminShell"
    assert meta["admin_shell"]["pid"] == child.pid
    end = meta["admin_shell"]["end_metadata"]
    assert end["exit_reason"] == "exit"
    assert end["commands"] == 4
    assert end["duration_seconds"] > 0


def test_ctrl_d_ends_the_session(server: TetherServer) -> None:
    child = spawn(server.url)
    sid = session_id_of(child)
    child.expect_exact(PROMPT)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert summary(server, sid)["status"] == "completed"


def test_sigterm_still_ends_the_session(server: TetherServer) -> None:
    child = spawn(server.url)
    sid = session_id_of(child)
    child.expect_exact(PROMPT)
    child.sendline("1 + 1")
    child.expect_exact(PROMPT)
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signal.SIGTERM
    s = summary(server, sid)
    assert s["status"] == "completed"
    assert s["durationMs"] > 0
    assert s["metadata"]["admin_shell"]["end_metadata"]["exit_reason"] == "sigterm"


def test_service_down_shell_starts_disabled() -> None:
    child = spawn(f"http://127.0.0.1:{free_port()}")
    child.expect(r"Session Tracking: ✗ Disabled \(([^)]*)")
    match = child.match
    assert isinstance(match, re.Match)
    assert "cannot reach" in match.group(1)
    child.expect_exact(PROMPT)
    child.sendline("'still works'")
    child.expect_exact("'still works'")
    child.sendline("exit()")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_example_is_where_the_test_expects_it() -> None:
    assert Path(SHELL).is_file()
