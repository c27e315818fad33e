"""JSON encoding that never fails on common Python values: datetimes, dates, UUIDs, paths, sets, dataclasses,
pydantic-style models (``model_dump``) and anything else by ``str()``. Circular references still raise ValueError."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any

__all__ = ["dumps", "now_iso"]


def _default(o: Any) -> Any:
    if isinstance(o, (_dt.datetime, _dt.date, _dt.time)):
        return o.isoformat()
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    dump = getattr(o, "model_dump", None)
    if callable(dump):
        return dump()
    return str(o)


_encoder = json.JSONEncoder(default=_default, ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> bytes:
    """UTF-8 JSON of ``value``; raises ValueError on circular references."""
    return _encoder.encode(value).encode("utf-8")


def now_iso(t: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z`` for a ``time.time()`` value."""
    d = _dt.datetime.fromtimestamp(t, _dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
