"""The reference runtime's ASGI app: one JSON-RPC endpoint at ``/`` serving A2A 1.0 and 0.3 (``a2a-sdk`` 1.3 with v0.3
compat), the agent card at ``/.well-known/agent-card.json`` listing both, ``/healthz``; state in Tether."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from a2a.server.request_handlers import DefaultRequestHandlerV2
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskStore
from a2a.types.a2a_pb2 import AgentCapabilities, AgentCard, AgentInterface, AgentSkill
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tether import AsyncTether
from tether.a2a import ConversationStore, EnvelopeCompatMiddleware, MemoryTool, TetherTaskStore

from .conversations import InMemoryConversations, SharedConversations
from .executor import Conversations, ReferenceExecutor
from .workspace import Workspace

log = logging.getLogger("a2a_agent")

BREAK_MODES = ("key-by-task-id", "in-memory-store", "drop-file-only", "no-memory", "shared-context")


@dataclass
class Config:
    """Runtime settings (parsed once in ``__main__``)."""

    tether_url: str
    public_url: str
    workspace_root: str | None = None
    workspace_id: str = "default"
    window: int = 50
    breaks: frozenset[str] = frozenset()
    tether_api_key: str | None = None


def agent_card(url: str) -> AgentCard:
    """The card: one JSON-RPC endpoint listed for protocol 1.0 and for 0.3."""
    return AgentCard(
        name="Tether reference A2A agent",
        description="Deterministic reference runtime whose sessions, tasks and memories live in Tether.",
        version="0.1.0",
        supported_interfaces=[
            AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="1.0"),
            AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="0.3"),
        ],
        capabilities=AgentCapabilities(streaming=False),
        default_input_modes=["text/plain", "application/octet-stream"],
        default_output_modes=["text/plain"],
        skills=[
            AgentSkill(
                id="chat",
                name="Conversation with memory",
                description="Remembers what you said in this context, reads attachments, recalls facts across contexts.",
                tags=["chat", "memory", "files"],
            )
        ],
    )


def build_app(cfg: Config) -> Starlette:
    """The app; the Tether client opens and closes with the app's lifespan."""
    client = AsyncTether(cfg.tether_url, cfg.tether_api_key)
    conversations: Conversations
    task_store: TaskStore
    if "in-memory-store" in cfg.breaks:
        conversations, task_store = InMemoryConversations(), InMemoryTaskStore()
    elif "shared-context" in cfg.breaks:
        conversations, task_store = SharedConversations(client, window=cfg.window), TetherTaskStore(client)
    else:
        key = "task" if "key-by-task-id" in cfg.breaks else "context"
        conversations, task_store = ConversationStore(client, window=cfg.window, key=key), TetherTaskStore(client)
    memory = None if "no-memory" in cfg.breaks else MemoryTool(client.store)
    card = agent_card(cfg.public_url)
    executor = ReferenceExecutor(conversations, memory, Workspace(cfg.workspace_root), workspace_id=cfg.workspace_id, breaks=cfg.breaks)
    handler = DefaultRequestHandlerV2(agent_executor=executor, task_store=task_store, agent_card=card)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "breaks": sorted(cfg.breaks)})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        log.info("a2a-agent ready at %s (tether %s, breaks %s)", cfg.public_url, cfg.tether_url, sorted(cfg.breaks) or "none")
        yield
        await client.close()

    routes = [
        *create_agent_card_routes(card),
        *create_jsonrpc_routes(handler, "/", enable_v0_3_compat=True),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(EnvelopeCompatMiddleware)], lifespan=lifespan)
