"""The customer-communication team as a LangGraph graph: a governor routes each customer message to one of three
specialists (booking, billing, general), the specialist drafts an answer, and the governor composes the reply.

    START → governor ─┬→ booking ─┐
                      ├→ billing ─┼→ compose → END
                      └→ general ─┘

Every node reports through the `Reporter` it is given: one action per routing decision and per specialist call, one
response per composed reply. A specialist named in `inject_failure` raises `InjectedFailure` on its first call (the
harness uses it to check that failures are recorded).
"""

from __future__ import annotations

from typing import Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph

from .model import SPECIALISTS
from .reporting import Reporter


class InjectedFailure(RuntimeError):
    """Raised by a specialist when the run was asked to inject a failure there (`--inject-failure NAME`)."""


class TurnState(TypedDict, total=False):
    """The graph state of one customer message. `message` is `{id, customer, channel, text}`."""

    message: dict[str, Any]
    route: str
    draft: str
    reply: str


ROUTER_PROMPT = "ROLE: router\nYou are the governor of a customer-care team. Answer with exactly one word: booking, billing or general."
COMPOSER_PROMPT = "ROLE: composer\nYou are the governor. Turn the specialist's draft into the final reply to the customer."


def specialist_prompt(name: str) -> str:
    return f"ROLE: specialist {name}\nYou are the {name} specialist of a small airline's customer-care team. Draft an answer."


def agent_id(name: str) -> str:
    """The sub-agent id under which a team member is recorded in the session (`governor`, `specialist-booking`, …)."""
    return name if name == "governor" else f"specialist-{name}"


def build_team(model: BaseChatModel, reporter: Reporter, inject_failure: str | None = None, checkpointer: Any = None) -> Any:
    """Compiles the team graph; with `checkpointer` (e.g. `tether.langgraph.TetherSaver`) its state persists per thread.
    Returns a compiled LangGraph runnable: `await team.ainvoke({"message": {...}})` →
    `TurnState` with `route`, `draft` and `reply`. Raises `InjectedFailure` (from the specialist) when injected."""
    injected = {"done": False}

    async def governor(state: TurnState) -> TurnState:
        msg = state["message"]
        answer = await model.ainvoke([SystemMessage(ROUTER_PROMPT), HumanMessage(msg["text"])])
        route = str(answer.content).strip().lower()
        if route not in SPECIALISTS:
            route = "general"
        await reporter.action("governor_route", {"messageId": msg["id"], "route": route, "agentId": agent_id("governor")})
        return {"route": route}

    def specialist(name: str):
        async def run(state: TurnState) -> TurnState:
            msg = state["message"]
            if inject_failure == name and not injected["done"]:
                injected["done"] = True
                error = f"{name} specialist failed on message {msg['id']} (injected failure)"
                await reporter.action("specialist_call", {"messageId": msg["id"], "specialist": name, "agentId": agent_id(name)}, error=error)
                raise InjectedFailure(error)
            answer = await model.ainvoke([SystemMessage(specialist_prompt(name)), HumanMessage(msg["text"])])
            await reporter.action(
                "specialist_call",
                {"messageId": msg["id"], "specialist": name, "agentId": agent_id(name), "draftChars": len(str(answer.content))},
            )
            return {"draft": str(answer.content)}

        return run

    async def compose(state: TurnState) -> TurnState:
        msg = state["message"]
        prompt = f"Customer: {msg['customer']}\nDraft:\n{state['draft']}"
        answer = await model.ainvoke([SystemMessage(COMPOSER_PROMPT), HumanMessage(prompt)])
        reply = str(answer.content)
        usage = getattr(answer, "usage_metadata", None) or {}
        await reporter.response(
            {
                "role": "assistant",
                "content": reply,
                "messageId": msg["id"],
                "route": state["route"],
                "channel": msg.get("channel", "email"),
                "model": getattr(model, "model_name", type(model).__name__),
                "usage": {"input_tokens": usage.get("input_tokens", 0), "output_tokens": usage.get("output_tokens", 0)},
            }
        )
        return {"reply": reply}

    graph = StateGraph(TurnState)
    graph.add_node("governor", governor)
    for name in SPECIALISTS:
        graph.add_node(name, specialist(name))
        graph.add_edge(name, "compose")
    graph.add_node("compose", compose)
    graph.add_edge(START, "governor")
    graph.add_conditional_edges("governor", lambda s: s["route"], {name: name for name in SPECIALISTS})
    graph.add_edge("compose", END)
    return graph.compile(checkpointer=checkpointer)
