"""Delivery at process end: every live client is closed (flushed) at normal interpreter exit (``atexit``) and on
SIGTERM, and a forked child starts with clean senders.

SIGTERM: on the first client made in the main thread, a handler is installed if the signal's handler is the default
(or a Python handler, which is then called after the flush). After flushing, the default disposition is restored and
the signal re-raised, so the process still ends as SIGTERM says. An ignored SIGTERM (``SIG_IGN``) is left alone.
Each flush waits up to the client's ``shutdown_timeout`` seconds; what is still undelivered goes to the spool (if
configured) or to ``on_error``.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import weakref
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._batcher import Batcher

logger = logging.getLogger("tether")

_live: weakref.WeakSet[Batcher] = weakref.WeakSet()
_lock = threading.Lock()
_installed = False
_previous: Any = None


def register(b: Batcher) -> None:
    """Tracks ``b`` for exit-time flushing and installs the atexit/SIGTERM hooks once."""
    global _installed
    with _lock:
        _live.add(b)
        if _installed:
            return
        _installed = True
    atexit.register(close_all)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)
    _install_sigterm()


def unregister(b: Batcher) -> None:
    """Stops tracking ``b`` (it was closed)."""
    with _lock:
        _live.discard(b)


def close_all() -> None:
    """Closes every live client, each waiting up to its ``shutdown_timeout``. Never raises."""
    with _lock:
        batchers = list(_live)
    for b in batchers:
        try:
            b.close()
        except Exception:
            logger.exception("tether: flushing at exit failed")


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()
    for b in list(_live):
        b._after_fork()


def _install_sigterm() -> None:
    global _previous
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return
    try:
        current = signal.getsignal(signal.SIGTERM)
        if current is signal.SIG_IGN or current is _on_sigterm:
            return
        _previous = current
        signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # not the main interpreter, or an embedded one
        return


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    close_all()
    prev = _previous
    if callable(prev):
        prev(signum, frame)
        return
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
