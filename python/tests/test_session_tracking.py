"""Admin-shell session tracking over MCP against a real Tether server (``POST /mcp``).

The official ``mcp`` client sends exactly the argument dicts session-buddy's clients send (``+00:00`` timestamps with
microseconds, ``metadata: None``, ``component_name: "unknown"``, a repeated event id); then the same through
``SessionEventEmitter``, also with the service down.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tether.session_tracking import SessionEventEmitter, mcp_url_from_env

from .conftest import TetherServer, free_port


async def call(url: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    async with streamable_http_client(url + "/mcp") as (read, write, _), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool(name, arguments)
        assert not result.isError, result.content
        text = json.loads(getattr(result.content[0], "text", ""))
        assert text == result.structuredContent
        assert isinstance(text, dict)
        return text


async def get_json(url: str, **params: Any) -> Any:
    async with httpx.AsyncClient() as http:
        return (await http.get(url, params=params)).json()


def start_args(event_id: str, ts: datetime, component: str = "unknown") -> dict[str, Any]:
    return {
        "event_version": "1.0",
        "event_id": event_id,
        "event_type": "session_start",
        "component_name": component,
        "shell_type": "MahavishnuShell",
        "timestamp": ts.isoformat(),
        "pid": 31337,
        "user": {"username": "les", "home": "/Users/les"},
        "hostname": "mbp.local",
        "environment": {
            "python_version": "3.14.0",
            "platform": "macOS-15.2-arm64-arm-64bit",
            "cwd": "/Users/les/Projects",
        },
        "metadata": None,
    }


async def test_session_buddy_argument_dicts(server: TetherServer) -> None:
    t0 = datetime.now(timezone.utc).replace(microsecond=123456)
    assert t0.isoformat().endswith(".123456+00:00")
    event_id = str(uuid.uuid4())
    health = await call(server.url, "health_check", {})
    assert health["status"] == "healthy"

    first = await call(server.url, "track_session_start", start_args(event_id, t0))
    assert first["status"] == "tracked"
    assert first["error"] is None
    repeated = await call(server.url, "track_session_start", start_args(event_id, t0))
    assert repeated == first, "a repeated event_id is acknowledged with the same session"
    sid = first["session_id"]

    t1 = t0 + timedelta(seconds=42, microseconds=500_000)
    end_args = {"session_id": sid, "timestamp": t1.isoformat(), "event_type": "session_end", "metadata": None}
    ended = await call(server.url, "track_session_end", end_args)
    assert ended == {"session_id": sid, "status": "ended", "error": None}
    missing = await call(server.url, "track_session_end", {**end_args, "session_id": "unknown-nope"})
    assert missing["status"] == "not_found"

    summary = await get_json(f"{server.url}/api/v1/sessions/{sid}/summary")
    assert summary["type"] == "admin_shell"
    assert summary["status"] == "completed"
    assert summary["durationMs"] == 42_500
    assert summary["metadata"]["admin_shell"]["component_name"] == "unknown"
    assert summary["metadata"]["admin_shell"]["pid"] == 31337
    listed = (await get_json(f"{server.url}/api/v1/sessions", type="admin_shell", limit=500))["sessions"]
    assert [s["sessionId"] for s in listed].count(sid) == 1, "no duplicate session"
    kinds = [e["kind"] for e in (await get_json(f"{server.url}/api/v1/sessions/{sid}/events"))["events"]]
    assert kinds == ["session_created", "metadata_updated", "session_finalized"]


async def test_value_errors_answer_status_error(server: TetherServer) -> None:
    bad = start_args(str(uuid.uuid4()), datetime.now(timezone.utc))
    bad["event_version"] = "0.9"
    out = await call(server.url, "track_session_start", bad)
    assert out["status"] == "error"
    assert out["session_id"] is None
    assert "event_version" in out["error"]


async def test_emitter_start_and_end(server: TetherServer) -> None:
    emitter = SessionEventEmitter("mahavishnu", server.url + "/mcp", timeout=10)
    meta = {
        "component": "mahavishnu",
        "version": "0.5.0",
        "adapters": ["prefect", "llamaindex"],
        "command_tree_size": 12,
    }
    sid = await emitter.emit_session_start("MahavishnuShell", meta)
    assert sid is not None, emitter.last_error
    assert await emitter.emit_session_end(sid, {"exit_reason": "user_exit"})
    summary = await get_json(f"{server.url}/api/v1/sessions/{sid}/summary")
    assert summary["status"] == "completed"
    assert summary["durationMs"] >= 0
    assert summary["metadata"]["adapters"] == ["prefect", "llamaindex"]
    assert summary["metadata"]["admin_shell"]["end_metadata"] == {"exit_reason": "user_exit"}


def test_emitter_sync_and_service_down(server: TetherServer) -> None:
    emitter = SessionEventEmitter("oneiric", server.url + "/mcp", timeout=10)
    sid = emitter.emit_session_start_sync("AdminShell")
    assert sid is not None, emitter.last_error
    assert emitter.emit_session_end_sync(sid)

    down = SessionEventEmitter("oneiric", f"http://127.0.0.1:{free_port()}/mcp", timeout=1)
    assert down.emit_session_start_sync("AdminShell") is None
    assert down.available is False
    assert down.last_error and "cannot reach" in down.last_error
    assert down.emit_session_end_sync(None) is False


def test_emitter_with_api_keys(make_server: type[TetherServer], monkeypatch: Any) -> None:
    s = make_server()
    monkeypatch.setenv("TETHER_API_KEYS", "shell:ingest,viewer:read")
    s.start()
    assert SessionEventEmitter("c", s.url + "/mcp", api_key="shell", timeout=10).emit_session_start_sync("Sh")
    refused = SessionEventEmitter("c", s.url + "/mcp", api_key="viewer", timeout=10)
    assert refused.emit_session_start_sync("Sh") is None
    assert refused.last_error and "ingest" in refused.last_error
    nokey = SessionEventEmitter("c", s.url + "/mcp", api_key="", timeout=10)
    assert nokey.emit_session_start_sync("Sh") is None
    assert nokey.last_error and "401" in nokey.last_error


def test_url_from_env() -> None:
    assert mcp_url_from_env({"TETHER_URL": "http://h:1/"}) == "http://h:1/mcp"
    assert mcp_url_from_env({"TETHER_MCP_URL": "http://127.0.0.1:8678/mcp"}) == "http://127.0.0.1:8678/mcp"
    assert mcp_url_from_env({}) == "http://127.0.0.1:9000/mcp"


def test_emitter_gives_up_on_a_silent_service() -> None:
    """A service that accepts connections and never answers: the start comes back untracked after the bound."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        port = listener.getsockname()[1]
        silent = SessionEventEmitter("c", f"http://127.0.0.1:{port}/mcp", timeout=1)
        assert silent.emit_session_start_sync("Sh") is None
        assert silent.last_error and "no answer" in silent.last_error
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        listener.close()
