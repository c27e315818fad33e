"""Event ids: UUID version 7 (RFC 9562), time-ordered.

Python 3.10–3.13 have no ``uuid.uuid7``; this is a small implementation. Time-ordered ids make the service's
(session, event id) index grow at its end instead of touching a random page per event.

The random bits come from a private ``random.Random`` seeded from ``os.urandom`` (re-seeded in a forked child), not
from ``os.urandom`` per id: a system call per log call was a visible part of its cost, and a private generator is not
affected by an agent calling ``random.seed(…)``. The ids need to be unique, not unpredictable.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0
_rng = random.Random()
if hasattr(os, "register_at_fork"):  # a child must not repeat its parent's sequence
    os.register_at_fork(after_in_child=_rng.seed)
_getrandbits = _rng.getrandbits
_time_ns = time.time_ns


def _bits() -> int:
    """The 128 bits of a fresh UUIDv7 (ids of one millisecond sort in creation order by their 12-bit counter)."""
    global _last_ms, _counter
    bits = _getrandbits(69)
    with _lock:
        now = _time_ns() // 1_000_000
        if now <= _last_ms:
            now = _last_ms
            _counter = (_counter + 1) & 0xFFF
        else:
            _last_ms = now
            _counter = bits >> 62  # a random start below 128 leaves room for 3,968 more in this ms
        counter = _counter
    return (now & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | (bits & 0x3FFF_FFFF_FFFF_FFFF)


def uuid7() -> uuid.UUID:
    """A UUIDv7: 48-bit Unix time in ms, a 12-bit counter (ids of one millisecond sort in creation order), 62 random bits."""
    return uuid.UUID(int=_bits())


def new_event_id() -> str:
    """A fresh event id (the idempotency key of one event): ``str(uuid7())`` without making a ``UUID`` object."""
    h = "%032x" % _bits()  # noqa: UP031 - faster than an f-string or format()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
