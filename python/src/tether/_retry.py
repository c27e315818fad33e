"""Backoff and ``Retry-After`` handling shared by the request path and the background sender."""

from __future__ import annotations

import email.utils
import random
import time

import httpx

__all__ = ["RetryPolicy", "is_retryable_status", "parse_retry_after"]

#: Statuses worth retrying: rate limited, and the server's own failures (including 503 while starting or stopping).
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def is_retryable_status(status: int) -> bool:
    """True for 408, 429 and 5xx (the request may succeed later); other 4xx mean the request itself is wrong."""
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); ``None`` if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryPolicy:
    """Exponential backoff with "equal jitter" (a random delay between half and all of the capped exponential step).

    Args:
        initial: first delay's upper bound in seconds (default 0.25).
        maximum: cap of any delay in seconds (default 30).
        multiplier: growth per attempt (default 2).
        max_retry_after: longest ``Retry-After`` honoured, in seconds (default 300); longer values are capped.
    """

    def __init__(
        self, initial: float = 0.25, maximum: float = 30.0, multiplier: float = 2.0, max_retry_after: float = 300.0
    ):
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.max_retry_after = max_retry_after

    def delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based); a ``Retry-After`` on ``response`` wins."""
        if response is not None:
            ra = parse_retry_after(response.headers.get("retry-after"))
            if ra is not None:
                return min(ra, self.max_retry_after)
        cap = min(self.maximum, self.initial * (self.multiplier ** max(0, attempt - 1)))
        return random.uniform(cap / 2, cap)
