#!/usr/bin/env python3
"""An admin shell that records its lifecycle in Tether over MCP, as Oneiric's ``AdminShell`` does with session-buddy.

Run ``python examples/admin-shell/admin_shell.py`` (needs ``pip install -e 'python[mcp]'``; IPython is used when it is
installed, ``--plain`` forces the stdlib ``code`` console). Before the first prompt it sends ``track_session_start``
to ``$TETHER_URL/mcp`` (``TETHER_MCP_URL`` for another endpoint, ``TETHER_API_KEY`` for a key); the banner says
``Session Tracking: ✓ Enabled`` only when Tether acknowledged it, else ``✗ Disabled (<reason>)`` — and the shell
starts anyway, after at most ``--timeout`` seconds. At exit (``exit()``, Ctrl-D, SIGTERM, SIGHUP) it sends
``track_session_end`` with the measured duration; Tether computes the stored duration from its own start and end.
"""

from __future__ import annotations

import argparse
import atexit
import code
import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from tether.session_tracking import SessionEventEmitter

VERSION = "0.1.0"
ADAPTERS = ["sqlite", "mcp"]


class AdminShell:
    """A REPL with a few admin commands whose session start and end go to Tether."""

    shell_type = "TetherAdminShell"

    def __init__(self, component: str, emitter: SessionEventEmitter, plain: bool) -> None:
        self.component = component
        self.emitter = emitter
        self.plain = plain
        self.session_id: str | None = None
        self.started = time.monotonic()
        self.commands = 0
        self._ended = threading.Lock()
        self.namespace: dict[str, Any] = {"shell": self, "info": self.info, "uptime": self.uptime, "session": self.session}

    def info(self) -> dict[str, Any]:
        """The shell's session metadata."""
        return self.metadata()

    def uptime(self) -> float:
        """Seconds since the shell started."""
        return round(time.monotonic() - self.started, 3)

    def session(self) -> str | None:
        """The Tether session id of this shell (None when tracking is off)."""
        return self.session_id

    def metadata(self) -> dict[str, Any]:
        ipython = not self.plain and _ipython_available()
        return {
            "component": self.component,
            "version": VERSION,
            "adapters": ADAPTERS,
            "cli_preprocessing_enabled": ipython,
            "tab_completion_enabled": _readline_available() or ipython,
            "command_tree_size": len([k for k, v in self.namespace.items() if callable(v)]),
        }

    def start(self) -> str:
        """Sends the start (bounded by the emitter's timeout) and returns the banner."""
        self.session_id = self.emitter.emit_session_start_sync(self.shell_type, self.metadata())
        ok = f"Session Tracking: ✓ Enabled (session {self.session_id})"
        tracking = ok if self.session_id else f"Session Tracking: ✗ Disabled ({self.emitter.last_error or 'unknown reason'})"
        return f"{self.component} admin shell {VERSION}\n{tracking}\nCommands: info(), uptime(), session(); exit() or Ctrl-D to quit."

    def end(self, reason: str) -> None:
        """Sends the end once (later calls do nothing), with the measured duration and the exit reason."""
        if not self._ended.acquire(blocking=False):
            return
        if self.session_id:
            meta = {"exit_reason": reason, "duration_seconds": round(time.monotonic() - self.started, 3), "commands": self.commands}
            ok = self.emitter.emit_session_end_sync(self.session_id, meta)
            print(f"Session {self.session_id} {'ended' if ok else 'not ended: ' + str(self.emitter.last_error)}", file=sys.stderr, flush=True)

    def run(self) -> None:
        banner = self.start()
        atexit.register(self.end, "exit")

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            self.end(signal.Signals(signum).name.lower())
            sys.exit(128 + signum)

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGHUP, on_signal)
        if not self.plain and _ipython_available():
            import IPython

            IPython.embed(banner1=banner, user_ns=self.namespace, colors="nocolor")  # type: ignore[no-untyped-call]
            return
        # exit() raises SystemExit out of interact(); Ctrl-D returns. Either way atexit sends the end.
        _CountingConsole(self.namespace, self).interact(banner=banner, exitmsg="")


class _CountingConsole(code.InteractiveConsole):
    def __init__(self, namespace: dict[str, Any], shell: AdminShell) -> None:
        super().__init__(namespace)
        self.shell = shell

    def push(self, line: str, *args: Any, **kwargs: Any) -> bool:
        if line.strip():
            self.shell.commands += 1
        return super().push(line, *args, **kwargs)


def _ipython_available() -> bool:
    try:
        import IPython  # noqa: F401
    except ImportError:
        return False
    return True


def _readline_available() -> bool:
    try:
        import readline  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--component", default=os.environ.get("ADMIN_SHELL_COMPONENT", "tether-admin"), help="component_name sent to Tether")
    p.add_argument("--url", default=None, help="MCP endpoint (default $TETHER_MCP_URL or $TETHER_URL/mcp)")
    p.add_argument("--timeout", type=float, default=float(os.environ.get("ADMIN_SHELL_TIMEOUT", "2")), help="seconds the start may take at most (default 2)")
    p.add_argument("--plain", action="store_true", help="use the stdlib console even when IPython is installed")
    a = p.parse_args(argv)
    _readline_available()  # importing readline gives the stdlib console line editing and history
    AdminShell(a.component, SessionEventEmitter(a.component, a.url, timeout=a.timeout), a.plain).run()


if __name__ == "__main__":
    main()
