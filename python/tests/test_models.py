"""The SDK's typed models and request shapes, checked against the running service's /openapi.json and real answers."""

from __future__ import annotations

import inspect
import json
from typing import Any, get_args

import httpx
import pytest

from tether import (
    Event,
    EventKind,
    IngestItemResult,
    IngestResponse,
    SessionStatus,
    SessionSummary,
    Tether,
)
from tether._live import LiveMessage
from tether._models import (
    CreateSessionResult,
    EventInput,
    EventPage,
    FinalizeResult,
    SearchHit,
    SearchResponse,
    SessionList,
    SessionRestore,
)

from .conftest import TetherServer

# Python argument name -> API name, for the query/body parameters the client sends.
LIST_PARAMS = {
    "user_id": "userId", "status": "status", "type": "type", "tag": "tag", "parent_session_id": "parentSessionId",
    "created_after": "createdAfter", "created_before": "createdBefore", "q": "q", "sort": "sort", "limit": "limit",
    "cursor": "cursor",
}  # fmt: skip


@pytest.fixture(scope="module")
def openapi(server: TetherServer) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(server.url + "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    return doc


def keys(td: Any) -> set[str]:
    return set(td.__required_keys__) | set(td.__optional_keys__)


def op(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    o: dict[str, Any] = doc["paths"][path][method]
    return o


def enum_values(schema: dict[str, Any]) -> set[str]:
    if "enum" in schema:
        return set(schema["enum"])
    return {v for alt in schema.get("anyOf", []) for v in alt.get("enum", [alt.get("const")]) if v is not None}


def test_ingest_models_match_openapi(openapi: dict[str, Any]) -> None:
    schema = op(openapi, "post", "/api/v1/ingest")["responses"]["207"]["content"]["application/json"]["schema"]
    assert keys(IngestResponse) == set(schema["properties"])
    assert IngestResponse.__required_keys__ == frozenset(schema["required"])
    item = schema["properties"]["results"]["items"]
    assert keys(IngestItemResult) == set(item["properties"])
    assert IngestItemResult.__required_keys__ == frozenset(item["required"])


def test_enums_match_openapi(openapi: dict[str, Any]) -> None:
    events = {p["name"]: p for p in op(openapi, "get", "/api/v1/sessions/{sessionId}/events")["parameters"]}
    assert set(get_args(EventKind)) == enum_values(events["kind"]["schema"])
    listing = {p["name"]: p for p in op(openapi, "get", "/api/v1/sessions")["parameters"]}
    assert set(get_args(SessionStatus)) == enum_values(listing["status"]["schema"])


def test_request_parameters_match_openapi(openapi: dict[str, Any]) -> None:
    listing = {p["name"] for p in op(openapi, "get", "/api/v1/sessions")["parameters"]}
    sig = inspect.signature(Tether.list_sessions)
    assert {LIST_PARAMS[n] for n in sig.parameters if n != "self"} == listing
    events = {p["name"] for p in op(openapi, "get", "/api/v1/sessions/{sessionId}/events")["parameters"]}
    assert {"after", "limit", "kind"} | {"sessionId"} == events
    create = op(openapi, "post", "/api/v1/sessions")["requestBody"]["content"]["application/json"]["schema"][
        "properties"
    ]
    body = Tether._create_request("s", "u", "t", "p", ["x"], {"m": 1}, {"i": 1}).body
    assert body is not None

    assert set(json.loads(body)) <= set(create)
    fin = op(openapi, "post", "/api/v1/sessions/{sessionId}/finalize")["requestBody"]["content"]["application/json"]
    fin_body = Tether._finalize_request("s", "failed", {"x": 1}).body
    assert fin_body is not None and set(json.loads(fin_body)) <= set(fin["schema"]["properties"])


def test_event_input_matches_protocol_fields(server: TetherServer, sid: str) -> None:
    # The ingest body's items are validated one by one (not in the OpenAPI document): send one with every field.
    item: EventInput = {
        "id": "e-1", "sessionId": sid, "kind": "state_patched", "timestamp": "2026-01-01T00:00:00.000Z",
        "data": {"patch": {"a": 1}}, "expectedVersion": 1,
    }  # fmt: skip
    r = httpx.post(server.url + "/api/v1/ingest", json={"events": [item]}).json()
    assert r["results"][0]["status"] == 201, r
    bad = httpx.post(server.url + "/api/v1/ingest", json={"events": [{**item, "id": "e-2", "unknownField": 1}]}).json()
    assert bad["results"][0]["status"] == 400  # additionalProperties: false, so our keys are exactly the accepted ones


def test_summary_and_event_match_real_answers(server: TetherServer, sid: str) -> None:
    with Tether(server.url) as t:
        s = t.create_session(sid)
        assert s.summary is not None and set(s.summary) == keys(SessionSummary)
        s.log_action({"x": 1})
        assert t.flush(30)
        page = t.list_events(sid)
        assert all(set(e) == keys(Event) for e in page["events"])
        listed = t.list_sessions(limit=1)["sessions"][0]
        assert set(listed) == keys(SessionSummary)


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    return resolve(doc, doc["components"]["schemas"][ref.rsplit("/", 1)[1]])


def response(doc: dict[str, Any], method: str, path: str, status: str = "200") -> dict[str, Any]:
    return resolve(doc, op(doc, method, path)["responses"][status]["content"]["application/json"]["schema"])


def test_response_models_match_openapi(openapi: dict[str, Any]) -> None:
    """Every response TypedDict has exactly the fields (and required fields) of its schema in /openapi.json."""
    search = response(openapi, "get", "/api/v1/query/search")
    pairs: list[tuple[Any, dict[str, Any]]] = [
        (Event, resolve(openapi, {"$ref": "#/components/schemas/Event"})),
        (SessionSummary, resolve(openapi, {"$ref": "#/components/schemas/SessionSummary"})),
        (SessionRestore, response(openapi, "get", "/api/v1/sessions/{sessionId}")),
        (SessionList, response(openapi, "get", "/api/v1/sessions")),
        (EventPage, response(openapi, "get", "/api/v1/sessions/{sessionId}/events")),
        (SearchResponse, search),
        (SearchHit, resolve(openapi, search["properties"]["results"]["items"])),
        (CreateSessionResult, response(openapi, "post", "/api/v1/sessions", "201")),
        (FinalizeResult, response(openapi, "post", "/api/v1/sessions/{sessionId}/finalize")),
    ]
    for model, schema in pairs:
        assert keys(model) == set(schema["properties"]), model.__name__
        assert model.__required_keys__ == frozenset(schema.get("required", [])), model.__name__


def test_live_message_matches_openapi(openapi: dict[str, Any]) -> None:
    """LiveMessage (session and firehose subscriptions) has the fields of the event and session_deleted messages."""
    schemas = openapi["components"]["schemas"]
    assert keys(LiveMessage) == set(schemas["LiveEventMessage"]["properties"])
    # `session: null` comes only on the list channel, which the SDK does not subscribe to.
    assert set(schemas["LiveSessionDeletedMessage"]["properties"]) - {"session"} <= keys(LiveMessage)
