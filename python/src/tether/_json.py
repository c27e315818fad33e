"""JSON encoding that never fails on common Python values: datetimes, dates, UUIDs, paths, sets, dataclasses,
pydantic-style models (``model_dump``) and anything else by ``str()``. Circular references raise ValueError.

The encoder is the C one of the standard library, built once (``JSONEncoder.encode`` builds a new one per call, which
was a third of the cost of encoding a small event) and without its circular-reference bookkeeping, so one instance is
safe to share between threads; a circular reference then ends in a RecursionError, raised here as ValueError.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import json.encoder
import time
from collections.abc import Callable
from typing import Any

__all__ = ["dumps", "encode_event", "iso_ms", "now_iso"]


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


_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encode_str: Callable[[str], str] = json.encoder.encode_basestring  # the C version when the accelerator is there
_encode: Callable[[Any], str]
if _c_make_encoder is not None:
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan)
    _c = _c_make_encoder(None, _default, _encode_str, None, ":", ",", False, False, True)

    def _encode(value: Any) -> str:
        return "".join(_c(value, 0))

else:  # pragma: no cover - interpreters without the C accelerator
    _encode = json.JSONEncoder(default=_default, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
#: For strings holding lone surrogates, which UTF-8 cannot carry: \udXXX escapes (the service reads them as U+FFFD).
_ascii = json.JSONEncoder(default=_default, ensure_ascii=True, separators=(",", ":"), check_circular=False)


def dumps(value: Any) -> bytes:
    """UTF-8 JSON of ``value``; raises ValueError on circular references (and nesting deeper than the recursion limit)."""
    try:
        text = _encode(value)
    except RecursionError as exc:
        raise ValueError(f"circular reference or nesting too deep ({exc})") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ascii.encode(value).encode("ascii")


def encode_event(
    event_id: str, session_id: str, kind: str, t: float, data: Any, expected_version: int | None = None
) -> bytes:
    """One ingest item as UTF-8 JSON: ``{"id","sessionId","kind","timestamp","data"[,"expectedVersion"]}``, the same
    bytes ``dumps`` gives for that dict (``timestamp`` from ``t``, a ``time.time()`` value, as :func:`iso_ms`).

    Raises:
        ValueError: circular data. TypeError: keys that are not str, int, float, bool or None. Whatever a value's
            ``model_dump`` or ``__str__`` raises.
    """
    sid = _encode_str(session_id) if type(session_id) is str else _encode(session_id)
    head = f'{{"id":"{event_id}","sessionId":{sid},"kind":{_encode_str(kind)},"timestamp":"{iso_ms(t)}","data":'
    try:
        body = _encode(data)
    except RecursionError as exc:
        raise ValueError(f"circular reference or nesting too deep ({exc})") from None
    tail = "}" if expected_version is None else f',"expectedVersion":{_encode(expected_version)}}}'
    try:
        return f"{head}{body}{tail}".encode()
    except UnicodeEncodeError:
        event = {"id": event_id, "sessionId": session_id, "kind": kind, "timestamp": iso_ms(t), "data": data}
        if expected_version is not None:
            event["expectedVersion"] = expected_version
        return _ascii.encode(event).encode("ascii")


_second: tuple[int, str] = (-1, "")
_milli: tuple[int, str] = (-1, "")


def iso_ms(t: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z`` for a ``time.time()`` value (``2026-03-03T10:00:00.012Z``).

    The last millisecond's text and the last second's are kept, so most calls format three digits or nothing.
    """
    global _second, _milli
    total = int(t * 1000)
    last = _milli  # one read each: another thread may replace them meanwhile
    if last[0] == total:
        return last[1]
    sec, ms = divmod(total, 1000)
    cached = _second
    if cached[0] != sec:
        cached = (sec, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(sec)))
        _second = cached
    text = f"{cached[1]}{ms:03d}Z"
    _milli = (total, text)
    return text


def now_iso(t: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z`` for a ``time.time()`` value."""
    d = _dt.datetime.fromtimestamp(t, _dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
