"""The errors a caller of the Tether SDK can see, shaped like openai-python's ``_exceptions.py``.

``TetherError`` is the root. The names and the class per HTTP status are the TypeScript SDK's too: both come from the
table ``SDK_ERROR_CLASSES`` in ``packages/protocol/src/errors.ts`` (``tests/test_error_tree.py`` checks this module
against it). ``APIError`` covers everything that involved the service: ``APIStatusError`` (the service
answered 4xx/5xx; one subclass per status) and ``APIConnectionError`` / ``APITimeoutError`` (no answer at all).
Background delivery never raises these into the agent's code: it hands them to the error callback and the
``tether`` logger instead (see :class:`tether.DeliveryError`).
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DeliveryError",
    "InternalServerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "TetherError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
]


class TetherError(Exception):
    """Root of every exception this SDK raises on purpose."""


class APIError(TetherError):
    """An error that involved a request to the Tether service.

    Attributes:
        message: human-readable text (the problem's ``detail`` when the service sent one).
        request: the ``httpx.Request`` that failed, when there was one.
        body: the decoded response body (problem+json dict), or ``None``.
    """

    message: str
    request: httpx.Request | None
    body: object | None

    def __init__(self, message: str, request: httpx.Request | None = None, *, body: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body


class APIStatusError(APIError):
    """The service answered with a 4xx or 5xx status.

    Attributes:
        status_code: the HTTP status.
        code: Tether's stable error code from the problem document (e.g. ``session_not_found``), or ``None``.
        request_id: the ``x-request-id`` response header (or the problem's ``requestId``), for the server log.
        response: the ``httpx.Response``.
    """

    response: httpx.Response
    status_code: int
    code: str | None
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, response.request if _has_request(response) else None, body=body)
        self.response = response
        self.status_code = response.status_code
        problem: dict[str, Any] = body if isinstance(body, dict) else {}
        code = problem.get("code")
        self.code = code if isinstance(code, str) else None
        rid = response.headers.get("x-request-id") or problem.get("requestId")
        self.request_id = rid if isinstance(rid, str) else None

    def __str__(self) -> str:
        parts = [f"{self.status_code}"]
        if self.code:
            parts.append(self.code)
        text = f"[{' '.join(parts)}] {self.message}"
        return f"{text} (request id {self.request_id})" if self.request_id else text


class BadRequestError(APIStatusError):
    """400: the body, query or path did not validate (``validation_failed``, ``invalid_json``, ``invalid_session_id``)."""


class AuthenticationError(APIStatusError):
    """401 ``unauthorized``: missing or unknown API key (set ``TETHER_API_KEY``)."""


class PermissionDeniedError(APIStatusError):
    """403 ``forbidden``: the API key lacks the scope the route needs."""


class NotFoundError(APIStatusError):
    """404: ``session_not_found``, ``goal_not_found``, ``agent_not_found``, ``route_not_found``."""


class ConflictError(APIStatusError):
    """409: ``session_exists`` or ``duplicate_id``."""


class PreconditionFailedError(APIStatusError):
    """412 ``version_mismatch``: the state's version is not the one the writer expected."""


class PayloadTooLargeError(APIStatusError):
    """413 ``payload_too_large``: the body is larger than the service's ``TETHER_BODY_LIMIT`` (bytes)."""


class UnsupportedMediaTypeError(APIStatusError):
    """415 ``unsupported_media_type``: the Content-Type is not ``application/json``."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but cannot be processed."""


class RateLimitError(APIStatusError):
    """429 ``rate_limited``; ``retry_after`` is the server's ``Retry-After`` in seconds, when given."""

    @property
    def retry_after(self) -> float | None:
        from ._retry import parse_retry_after

        return parse_retry_after(self.response.headers.get("retry-after"))


class InternalServerError(APIStatusError):
    """5xx: ``internal_error`` or ``unavailable`` (the service is starting or stopping)."""


class APIConnectionError(APIError):
    """The service could not be reached (refused, reset, DNS) or the connection broke before an answer."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """The request timed out (see the ``timeout`` setting, seconds)."""

    def __init__(self, request: httpx.Request | None = None) -> None:
        super().__init__("Request timed out.", request=request)


class DeliveryError(TetherError):
    """Background delivery gave up on some events; handed to the ``on_error`` callback, never raised into agent code.

    Attributes:
        events: the events that were not stored (each the dict that was queued, with ``id`` and ``sessionId``).
        cause: the underlying error (an :class:`APIError`), or ``None`` for per-item rejections.
        results: per-item results from ``POST /api/ingest`` for rejected items (``status``, ``code``, ``detail``).
        reason: one of ``rejected`` (4xx per item or for the whole batch), ``dropped`` (queue full, drop-oldest),
            ``shutdown`` (still undelivered when ``close()`` timed out and no spool was configured).
    """

    def __init__(
        self,
        message: str,
        *,
        events: list[dict[str, Any]],
        reason: str,
        cause: BaseException | None = None,
        results: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.events = events
        self.reason = reason
        self.cause = cause
        self.results = results or []


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - raises RuntimeError when the response was built without a request
    except RuntimeError:
        return False
    return True


def make_status_error(response: httpx.Response) -> APIStatusError:
    """Builds the :class:`APIStatusError` subclass for ``response`` (already read) from its problem+json body."""
    body: object | None
    try:
        body = response.json()
    except ValueError:
        body = response.text or None
    message = ""
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("title") or body.get("error")
        message = str(detail) if detail else ""
    if not message:
        message = f"HTTP {response.status_code}" + (f": {body}" if isinstance(body, str) else "")
    cls = _STATUS_CLASSES.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(message, response=response, body=body)
