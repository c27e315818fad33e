"""The pipeline's chat model: a deterministic scripted policy behind LangChain's chat-model interface.

`ScriptedMailModel` is a real `langchain_core` `BaseChatModel`: the classify and draft nodes call it with
`await model.ainvoke([SystemMessage, HumanMessage])` exactly as they would call a hosted model. It needs no network and
no key and answers the same way every run. `make_model()` picks a hosted model when one is configured.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

#: Categories the classifier answers with.
CATEGORIES = ("booking", "billing", "support", "general", "press", "sales", "newsletter", "auto_reply", "spam")

# Ordered: the first rule whose pattern matches wins.
_RULES: list[tuple[str, str, str]] = [
    ("auto_reply", r"auto-submitted: auto-replied|automatic reply|out of the office", "low"),
    ("newsletter", r"list-unsubscribe: yes|precedence: bulk|unsubscribe", "low"),
    ("spam", r"verify your password|account will be suspended|card number within", "low"),
    ("press", r"\bpress\b|magazine|interview", "normal"),
    ("sales", r"partnership|allotment|commission", "normal"),
    ("support", r"error \d{3}|\bbug\b|browser|payment step", "high"),
    ("billing", r"charged twice|refund the duplicate|\binvoice\b|\bvat\b", "normal"),
    ("booking", r"\bcancel|rebook|move the booking|later date", "normal"),
    ("general", r"gepäck|gepaeck|baggage|luggage|kinderwagen|question", "normal"),
]

_REPLIES = {
    "booking": "Thank you for your message about booking {ref}. {detail} You will receive the updated confirmation by e-mail within the hour.",
    "billing": "Thank you for contacting us about booking {ref}. {detail} The corrected documents will reach you within two business days.",
    "support": "We are sorry that the booking page failed for you. Our team is looking into the payment error; meanwhile you can book by phone at +43 5243 0000 (daily 8:00-18:00) and we will hold your preferred date for 48 hours.",
    "general": "Thank you for your question. Each passenger may bring one bag of up to 8 kg, and a folded pushchair travels free of charge. {detail}",
}
_REPLIES_DE = {
    "general": "Vielen Dank für Ihre Anfrage zu Buchung {ref}. Pro Person ist ein Gepäckstück bis 8 kg erlaubt, ein zusammengeklappter Kinderwagen reist kostenlos mit.",
}


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _system(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))


def _human(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages if m.type == "human")


def classify_text(text: str) -> dict[str, str]:
    """The scripted classifier: `{"category", "priority"}` from the first matching rule (default general/normal)."""
    lower = text.lower()
    for category, pattern, priority in _RULES:
        if re.search(pattern, lower):
            if category == "billing" and ("twice" in lower or "refund" in lower):
                priority = "high"
            return {"category": category, "priority": priority}
    return {"category": "general", "priority": "normal"}


def scripted_answer(messages: list[BaseMessage]) -> str:
    """Answers a classify prompt (`ROLE: classifier`, JSON out) or a draft prompt (`ROLE: drafter <category>`)."""
    system = _system(messages)
    text = _human(messages)
    if "ROLE: classifier" in system:
        return json.dumps(classify_text(text))
    m = re.search(r"ROLE: drafter (\w+)", system)
    if m:
        category = m.group(1)
        facts = json.loads(re.search(r"^FACTS: (.*)$", text, re.M).group(1)) if "FACTS: " in text else {}
        ref = facts.get("bookingRef") or "your booking"
        lang = facts.get("language", "en")
        template = (_REPLIES_DE if lang == "de" else _REPLIES).get(category) or _REPLIES["general"]
        greeting = f"Guten Tag {facts['name']}," if lang == "de" else f"Dear {facts.get('name') or 'customer'},"
        closing = "Mit freundlichen Grüßen\nFly Achensee Kundenservice" if lang == "de" else "Kind regards,\nFly Achensee customer care"
        return f"{greeting}\n\n{template.format(ref=ref, detail=facts.get('detail', ''))}\n\n{closing}"
    return "{}"


class ScriptedMailModel(BaseChatModel):
    """A `BaseChatModel` whose answers come from `scripted_answer`; usage is counted in words (`usage_metadata`)."""

    model_name: str = "scripted-mail-policy-v1"
    #: Simulated model latency per call, in ms (`EMAIL_SOLVER_MODEL_LATENCY_MS`; the crash-resume test kills mid-run).
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
    """`EMAIL_SOLVER_MODEL=anthropic:<model>` with `ANTHROPIC_API_KEY` (needs `langchain-anthropic`) or
    `openai:<model>` with `OPENAI_API_KEY` (needs `langchain-openai`) selects a hosted model; otherwise the offline
    `ScriptedMailModel`. Raises ImportError with the pip command when the hosted model's package is missing."""
    provider, _, name = os.environ.get("EMAIL_SOLVER_MODEL", "scripted").partition(":")
    if provider == "anthropic" and os.environ.get("ANTHROPIC_API_KEY"):
        try:
            from langchain_anthropic import ChatAnthropic  # type: ignore[import-not-found]
        except ImportError as e:
            raise ImportError("EMAIL_SOLVER_MODEL=anthropic:… needs `pip install langchain-anthropic`") from e
        return ChatAnthropic(model=name or "claude-sonnet-4-5", temperature=0)
    if provider == "openai" and os.environ.get("OPENAI_API_KEY"):
        try:
            from langchain_openai import ChatOpenAI  # type: ignore[import-not-found]
        except ImportError as e:
            raise ImportError("EMAIL_SOLVER_MODEL=openai:… needs `pip install langchain-openai`") from e
        return ChatOpenAI(model=name or "gpt-4o-mini", temperature=0)
    return ScriptedMailModel(latency_ms=float(os.environ.get("EMAIL_SOLVER_MODEL_LATENCY_MS") or 0))
