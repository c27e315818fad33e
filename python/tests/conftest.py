"""Fixtures: real Tether servers (node packages/cli/dist/bin.js serve) on free ports with temporary data dirs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "packages" / "cli" / "dist" / "bin.js"


def free_port() -> int:
    """A TCP port nobody listens on right now (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class TetherServer:
    """A real Tether server process on ``port`` with data in ``data_dir``; start/kill/restart it at will."""

    def __init__(self, port: int | None = None, data_dir: str | None = None) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="tether-py-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(self.data_dir) / "server.log"

    def start(self, wait: bool = True) -> TetherServer:
        if not BIN.exists():
            pytest.fail(f"{BIN} is missing: run `npm run build` (scripts/test.d/00-setup.sh) first")
        env = {**os.environ, "TETHER_LOG_LEVEL": "warn"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    "node",
                    str(BIN),
                    "serve",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    self.data_dir,
                    "--log-level",
                    "warn",
                    "--no-dashboard",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log.read_text()}")
            try:
                if httpx.get(self.url + "/ready", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {timeout}s: {self.log.read_text()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(15)
        self.proc = None

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def events(self, session_id: str) -> list[dict[str, Any]]:
        """Every stored event of a session (all pages)."""
        out: list[dict[str, Any]] = []
        after = 0
        while True:
            page = httpx.get(
                f"{self.url}/api/v1/sessions/{session_id}/events", params={"after": after, "limit": 10000}
            ).json()
            out.extend(page["events"])
            if page["nextAfter"] is None:
                return out
            after = page["nextAfter"]


@pytest.fixture(scope="session")
def server() -> Iterator[TetherServer]:
    """One server shared by the tests that do not stop it (each test uses its own session ids)."""
    s = TetherServer().start()
    yield s
    s.stop()
    shutil.rmtree(s.data_dir, ignore_errors=True)


@pytest.fixture
def make_server() -> Iterator[type[TetherServer]]:
    """A factory for servers a test controls (start late, SIGKILL, restart); all are stopped after the test."""
    made: list[TetherServer] = []

    class Tracked(TetherServer):
        def __init__(self, port: int | None = None, data_dir: str | None = None) -> None:
            super().__init__(port, data_dir)
            made.append(self)

    yield Tracked
    for s in made:
        s.stop()
        shutil.rmtree(s.data_dir, ignore_errors=True)


@pytest.fixture
def sid() -> str:
    """A fresh session id."""
    return f"py-{uuid.uuid4().hex[:12]}"
