"""The team's chat model: a deterministic scripted policy behind LangChain's chat-model interface.

`ScriptedChatModel` is a real `langchain_core` `BaseChatModel`, so the LangGraph team calls it exactly as it would call a
hosted model (`await model.ainvoke([SystemMessage, HumanMessage])` → `AIMessage` with `usage_metadata`). It needs no
network and no key, and answers the same way every run, which is what the end-to-end harness compares against.
`make_model()` returns a hosted model instead when one is configured (see its doc).
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

#: Specialist names; the governor's routing answer is exactly one of these words.
SPECIALISTS = ("booking", "billing", "general")

_ROUTE_WORDS = {
    "booking": ("book", "flight", "seat", "rebook", "reschedul", "cancel", "date", "luggage", "baggage", "ticket"),
    "billing": ("invoice", "refund", "charge", "charged", "payment", "card", "receipt", "price", "vat", "billing"),
}

_SPECIALIST_REPLIES = {
    "booking": "I have checked reservation {ref}: the change you asked for is possible, and I have put it on hold for 24 hours. "
    "Reply 'confirm' and it is done; the fare difference, if any, is shown in your booking overview.",
    "billing": "I have looked at the charges on {ref}. The amount you mention is correct on our side; a corrected invoice "
    "with the VAT line will reach you within two business days, and any refund goes back to the original card.",
    "general": "Thank you for asking. Our lake flights run daily from May to October, check-in opens 60 minutes before "
    "departure, and each passenger may bring one bag of up to 8 kg. {ref}",
}


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _last_human(messages: list[BaseMessage]) -> str:
    for m in reversed(messages):
        if m.type == "human":
            return str(m.content)
    return ""


def _system(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))


def scripted_answer(messages: list[BaseMessage]) -> str:
    """The scripted policy: routes (`ROLE: router`), answers as a specialist (`ROLE: specialist <name>`) or composes
    (`ROLE: composer`), chosen by the system prompt's first line. Deterministic in its input."""
    system = _system(messages)
    text = _last_human(messages)
    lower = text.lower()
    ref_match = re.search(r"\b([A-Z]{2}\d{4,})\b", text)
    ref = ref_match.group(1) if ref_match else "your request"
    if "ROLE: router" in system:
        scores = {name: sum(lower.count(w) for w in words) for name, words in _ROUTE_WORDS.items()}
        best = max(scores, key=lambda k: scores[k])
        return best if scores[best] > 0 else "general"
    m = re.search(r"ROLE: specialist (\w+)", system)
    if m:
        name = m.group(1)
        template = _SPECIALIST_REPLIES.get(name, _SPECIALIST_REPLIES["general"])
        return template.format(ref=ref if name != "general" else "")
    if "ROLE: composer" in system:
        name_match = re.search(r"^Customer: (.+)$", text, re.M)
        draft_match = re.search(r"^Draft:\n(.+)", text, re.M | re.S)
        who = name_match.group(1).strip() if name_match else "customer"
        draft = draft_match.group(1).strip() if draft_match else text
        return f"Dear {who},\n\n{draft}\n\nKind regards,\nFly Achensee customer care"
    return "I am not sure what you mean."


class ScriptedChatModel(BaseChatModel):
    """A `BaseChatModel` whose answers come from `scripted_answer`. Token usage is counted in words
    (`usage_metadata`: input_tokens, output_tokens, total_tokens), so the reports carry plausible, stable numbers."""

    model_name: str = "scripted-policy-v1"
    #: Simulated model latency per call, in ms (`CUSTOMER_COMM_MODEL_LATENCY_MS`; the crash-resume test kills mid-run).
    latency_ms: float = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000)
        answer = scripted_answer(messages)
        n_in = sum(_words(str(m.content)) for m in messages)
        n_out = _words(answer)
        msg = AIMessage(
            content=answer,
            response_metadata={"model_name": self.model_name},
            usage_metadata={"input_tokens": n_in, "output_tokens": n_out, "total_tokens": n_in + n_out},
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])


def make_model() -> BaseChatModel:
    """The model the team uses. `CUSTOMER_COMM_MODEL=anthropic:<model>` with `ANTHROPIC_API_KEY` set (and
    `pip install langchain-anthropic`) or `openai:<model>` with `OPENAI_API_KEY` (and `langchain-openai`) selects a hosted
    model; anything else, or no key, gives the offline `ScriptedChatModel`. Raises ImportError with the pip command when
    a hosted model is asked for but its package is missing."""
    spec = os.environ.get("CUSTOMER_COMM_MODEL", "scripted")
    provider, _, name = spec.partition(":")
    if provider == "anthropic" and os.environ.get("ANTHROPIC_API_KEY"):
        try:
            from langchain_anthropic import ChatAnthropic  # type: ignore[import-not-found]
        except ImportError as e:
            raise ImportError("CUSTOMER_COMM_MODEL=anthropic:… needs `pip install langchain-anthropic`") from e
        return ChatAnthropic(model=name or "claude-sonnet-4-5", temperature=0)
    if provider == "openai" and os.environ.get("OPENAI_API_KEY"):
        try:
            from langchain_openai import ChatOpenAI  # type: ignore[import-not-found]
        except ImportError as e:
            raise ImportError("CUSTOMER_COMM_MODEL=openai:… needs `pip install langchain-openai`") from e
        return ChatOpenAI(model=name or "gpt-4o-mini", temperature=0)
    return ScriptedChatModel(latency_ms=float(os.environ.get("CUSTOMER_COMM_MODEL_LATENCY_MS") or 0))
