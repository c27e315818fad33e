"""tether.a2a against a real Tether server: conversations keyed by contextId, the Tether TaskStore, envelope compat."""

from __future__ import annotations

import base64
import uuid

import httpx
from a2a.auth.user import UnauthenticatedUser
from a2a.server.context import ServerCallContext
from a2a.types.a2a_pb2 import Artifact, ListTasksRequest, Message, Part, Role, Task, TaskState, TaskStatus

from tether import AsyncTether
from tether.a2a import (
    ConversationStore,
    MemoryScope,
    MemoryTool,
    TetherTaskStore,
    context_session_id,
    normalize_envelope,
    task_session_id,
)

from .conftest import TetherServer


def _msg(
    ctx: str, text: str | None = None, *, role: Role = Role.ROLE_USER, task: str = "", part: Part | None = None
) -> Message:
    parts = [Part(text=text)] if text is not None else []
    if part is not None:
        parts.append(part)
    return Message(message_id=str(uuid.uuid4()), context_id=ctx, task_id=task, role=role, parts=parts)


def _call() -> ServerCallContext:
    return ServerCallContext(user=UnauthenticatedUser())


async def test_two_turns_with_new_task_ids_share_one_context_session(server: TetherServer) -> None:
    ctx = f"ctx-{uuid.uuid4()}"
    async with AsyncTether(server.url) as client:
        store = ConversationStore(client)
        for turn, text in enumerate(["my name is Hongming", "what is my name?"]):
            task = f"task-{turn}-{uuid.uuid4()}"  # every message/send gets a new task id
            assert (await store.history(ctx, task_id=task)) == ([] if turn == 0 else (await store.history(ctx)))
            await store.append(_msg(ctx, text), task_id=task)
            await store.append(_msg(ctx, f"reply {turn}", role=Role.ROLE_AGENT, task=task))
        history = await store.history(ctx)
    assert [(m["role"], m["parts"][0]["text"]) for m in history] == [
        ("user", "my name is Hongming"),
        ("agent", "reply 0"),
        ("user", "what is my name?"),
        ("agent", "reply 1"),
    ]
    assert len({m["taskId"] for m in history}) == 2
    assert [e["seq"] for e in server.events(context_session_id(ctx))][1:] == [2, 3, 4, 5]
    async with httpx.AsyncClient() as h:
        r = await h.get(f"{server.url}/api/v1/sessions/{context_session_id(history[0]['taskId'] or '')}")
    assert r.status_code == 404


async def test_keyed_by_task_id_loses_the_conversation(server: TetherServer) -> None:
    ctx = f"ctx-{uuid.uuid4()}"
    async with AsyncTether(server.url) as client:
        store = ConversationStore(client, key="task")
        await store.append(_msg(ctx, "my name is Hongming"), task_id="t1")
        assert await store.history(ctx, task_id="t2") == []  # the failure the canary catches
        assert len(await store.history(ctx, task_id="t1")) == 1


async def test_history_loads_only_the_recent_window_and_appends_are_idempotent(server: TetherServer) -> None:
    ctx = f"ctx-{uuid.uuid4()}"
    async with AsyncTether(server.url) as client:
        store = ConversationStore(client, window=5)
        msgs = [_msg(ctx, f"m{i}") for i in range(12)]
        for m in msgs:
            await store.append(m, task_id="t")
        await store.append(msgs[-1], task_id="t")  # a retry: same messageId, stored once
        history = await store.history(ctx)
        assert [m["parts"][0]["text"] for m in history] == ["m7", "m8", "m9", "m10", "m11"]
        assert len(await store.history(ctx, limit=100)) == 12


async def test_files_are_stored_by_reference(server: TetherServer) -> None:
    ctx = f"ctx-{uuid.uuid4()}"
    secret = b"the quarterly numbers: 12% growth"
    async with AsyncTether(server.url) as client:
        store = ConversationStore(client)
        inline = Part(raw=secret, filename="q.txt", media_type="text/plain")
        await store.append(_msg(ctx, None, part=inline), task_id="t1", file_urls={0: "workspace:uploads/q.txt"})
        await store.append(
            _msg(ctx, "see", part=Part(url="file:///w/r.pdf", filename="r.pdf", media_type="application/pdf"))
        )
        history = await store.history(ctx)
    f0, f1 = history[0]["parts"][0], history[1]["parts"][1]
    assert (
        f0["kind"] == "file"
        and f0["filename"] == "q.txt"
        and f0["size"] == len(secret)
        and f0["url"] == "workspace:uploads/q.txt"
    )
    assert f1 == {
        "kind": "file",
        "filename": "r.pdf",
        "mediaType": "application/pdf",
        "url": "file:///w/r.pdf",
        "size": None,
        "sha256": None,
    }
    raw = str(server.events(context_session_id(ctx)))
    assert base64.b64encode(secret).decode() not in raw and secret.decode() not in raw


async def test_task_store_round_trip_survives_a_new_store_and_lists_by_context(server: TetherServer) -> None:
    ctx = f"ctx-{uuid.uuid4()}"
    call = _call()
    async with AsyncTether(server.url) as client:
        t = Task(id=str(uuid.uuid4()), context_id=ctx, status=TaskStatus(state=TaskState.TASK_STATE_WORKING))
        t.history.append(_msg(ctx, "hello", task=t.id))
        await TetherTaskStore(client).save(t, call)
        t.status.CopyFrom(
            TaskStatus(state=TaskState.TASK_STATE_COMPLETED, message=_msg(ctx, "done", role=Role.ROLE_AGENT))
        )
        t.artifacts.append(Artifact(artifact_id="a1", name="answer", parts=[Part(text="42")]))
        await TetherTaskStore(client).save(t, call)

        fresh = TetherTaskStore(client)  # as after a runtime restart: nothing cached
        got = await fresh.get(t.id, call)
        assert got == t
        other = TetherTaskStore(client, owner_resolver=lambda _: "someone-else")
        assert await other.get(t.id, call) is None
        t2 = Task(id=str(uuid.uuid4()), context_id=ctx, status=TaskStatus(state=TaskState.TASK_STATE_SUBMITTED))
        await fresh.save(t2, call)
        listed = await fresh.list(ListTasksRequest(context_id=ctx), call)
        assert {x.id for x in listed.tasks} == {t.id, t2.id}
        done = await fresh.list(ListTasksRequest(context_id=ctx, status=TaskState.TASK_STATE_COMPLETED), call)
        assert [x.id for x in done.tasks] == [t.id]
        async with httpx.AsyncClient() as h:
            children = (await h.get(f"{server.url}/api/v1/sessions/{context_session_id(ctx)}/children")).json()[
                "sessions"
            ]
        assert {c["sessionId"] for c in children} == {task_session_id(t.id), task_session_id(t2.id)}
        await fresh.delete(t2.id, call)
        assert await fresh.get(t2.id, call) is None
        assert await fresh.get("no-such-task", call) is None


def test_normalize_envelope_accepts_what_real_clients_send() -> None:
    bare = {
        "method": "message/send",
        "params": {"message": {"role": "user", "parts": [{"type": "text", "text": "hi"}]}},
    }
    out = normalize_envelope(bare)
    assert out["jsonrpc"] == "2.0" and out["id"] and out["params"]["message"]["messageId"]
    assert out["params"]["message"]["parts"] == [{"kind": "text", "text": "hi"}]
    v1 = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "SendMessage",
        "params": {"message": {"messageId": "m", "parts": [{"text": "x"}]}},
    }
    assert normalize_envelope(v1) == {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "SendMessage",
        "params": {"message": {"messageId": "m", "parts": [{"text": "x"}]}},
    }
    assert normalize_envelope([1, 2]) == [1, 2]


def test_context_session_id_hashes_ids_tether_cannot_hold() -> None:
    assert context_session_id("abc-123") == "a2a:abc-123"
    odd = context_session_id("ctx with spaces/and slashes")
    assert odd.startswith("a2a:h-") and len(odd) == len("a2a:h-") + 40


async def test_memory_tool_recalls_across_contexts_per_scope(server: TetherServer) -> None:
    async with AsyncTether(server.url) as client:
        memory = MemoryTool(client.store)
        alice, bob = MemoryScope("user", f"alice-{uuid.uuid4()}"), MemoryScope("user", f"bob-{uuid.uuid4()}")
        key = await memory.commit_memory("my favorite color is blue", scope=alice, context_id="ctx-a")
        assert key == await memory.commit_memory(" my favorite color is blue", scope=alice)  # same text, one item
        await memory.commit_memory("the deploy window is Friday", scope=alice)
        assert await memory.recall_memory("What is my favorite color?", scope=alice) == ["my favorite color is blue"]
        assert await memory.recall_memory("What is my favorite color?", scope=bob) == []  # scoped per user
        assert await memory.recall_memory("lunch menu?", scope=alice) == []
        items = await client.store.search_items(["a2a", "memories", "user", alice.id], limit=10)
    assert sorted(i.value["text"] for i in items) == ["my favorite color is blue", "the deploy window is Friday"]
    assert {i.namespace for i in items} == {("a2a", "memories", "user", alice.id)}
