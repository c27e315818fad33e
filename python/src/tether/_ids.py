"""Event ids: UUID version 7 (RFC 9562), time-ordered.

Python 3.10–3.13 have no ``uuid.uuid7``; this is a small implementation. Time-ordered ids make the service's
(session, event id) index grow at its end instead of touching a random page per event.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A UUIDv7: 48-bit Unix time in ms, a 12-bit counter (ids of one millisecond sort in creation order), 62 random bits."""
    global _last_ms, _counter
    rand = int.from_bytes(os.urandom(10), "big")
    with _lock:
        now = time.time_ns() // 1_000_000
        if now <= _last_ms:
            now = _last_ms
            _counter = (_counter + 1) & 0xFFF
        else:
            _last_ms = now
            _counter = (rand >> 62) & 0x7F
        counter = _counter
    value = (now & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def new_event_id() -> str:
    """A fresh event id (the idempotency key of one event), as a string."""
    return str(uuid7())
