"""The 5-node e-mail pipeline as a LangGraph graph, run once per inbound e-mail:

    START → classify → extract → decide → draft → file → END

- classify: the model labels the e-mail (category, priority).
- extract: regex facts (booking references, amounts, dates, phone numbers, language) plus a booking lookup over MCP.
- decide: a fixed policy turns category + facts into `reply`, `forward`, `archive` or `quarantine`.
- draft: for `reply`, the model writes the answer, saved as an .eml in `<out>/outbox/` (reported as a response).
- file: the e-mail's record goes to `<out>/folders/<category>/<id>.json` and gets a mailbox label.

Each node reports exactly one action (`{"type": "pipeline_node", "node", "emailId", …}`) through the `Reporter`.
"""

from __future__ import annotations

import itertools
import json
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph

from .mcp import BookingClient, MailboxClient, ParsedEmail
from .model import CATEGORIES, classify_text
from .reporting import Reporter

NODES = ("classify", "extract", "decide", "draft", "file")

#: category → (decision, target) of the decide node.
POLICY: dict[str, tuple[str, str | None]] = {
    "spam": ("quarantine", None),
    "newsletter": ("archive", None),
    "auto_reply": ("archive", None),
    "press": ("forward", "press@flyachensee.example"),
    "sales": ("forward", "partnerships@flyachensee.example"),
    "booking": ("reply", None),
    "billing": ("reply", None),
    "support": ("reply", None),
    "general": ("reply", None),
}


class MailState(TypedDict, total=False):
    """Graph state of one e-mail."""

    email: ParsedEmail
    category: str
    priority: str
    facts: dict[str, Any]
    decision: str
    forwardTo: str | None
    draftPath: str | None
    filedPath: str


def extract_facts(email: ParsedEmail) -> dict[str, Any]:
    """Booking references (`FA` + 5 digits), EUR amounts, phone numbers, language (de/en) and the sender's name."""
    text = f"{email.subject}\n{email.body}"
    refs = sorted(set(re.findall(r"\bFA\d{5}\b", text)))
    amounts = [float(a.replace(",", "")) for a in re.findall(r"EUR\s*([\d,]+\.\d{2})", text)]
    phones = re.findall(r"\+\d{2}[\d ]{6,}\d", text)
    lang = "de" if re.search(r"\b(Guten Tag|Grüßen|wir haben)\b", email.body) else "en"
    name = email.body.strip().splitlines()[-1].strip() if lang == "de" else email.sender_name.split("<")[0].strip().strip('"')
    return {"bookingRefs": refs, "bookingRef": refs[0] if refs else None, "amountsEur": amounts, "phones": phones, "language": lang, "name": name}


def build_pipeline(model: BaseChatModel, mailbox: MailboxClient, bookings: BookingClient, reporter: Reporter, out_dir: Path, checkpointer: Any = None) -> Any:
    """Compiles the pipeline; with `checkpointer` (e.g. `tether.langgraph.TetherSaver`) its state persists per thread.
    `await pipeline.ainvoke({"email": ParsedEmail})` → the final `MailState`.
    Writes drafts to `out_dir/outbox` and records to `out_dir/folders`; raises what a node raises (OSError, ValueError)."""

    async def node_action(node: str, email: ParsedEmail, **details: Any) -> None:
        await reporter.action("pipeline_node", {"node": node, "emailId": email.id, **details})

    async def classify(state: MailState) -> MailState:
        email = state["email"]
        answer = await model.ainvoke([SystemMessage("ROLE: classifier\nLabel the e-mail. Answer JSON: {\"category\", \"priority\"}."), HumanMessage(email.prompt())])
        try:
            label = json.loads(str(answer.content))
        except json.JSONDecodeError:
            label = classify_text(email.prompt())
        category = label.get("category") if label.get("category") in CATEGORIES else "general"
        priority = str(label.get("priority", "normal"))
        await node_action("classify", email, category=category, priority=priority)
        return {"category": category, "priority": priority}

    async def extract(state: MailState) -> MailState:
        email = state["email"]
        facts = extract_facts(email)
        booking = bookings.get_booking(facts["bookingRef"]) if facts["bookingRef"] else None
        facts["booking"] = booking
        await node_action("extract", email, bookingRefs=facts["bookingRefs"], amountsEur=facts["amountsEur"], language=facts["language"],
                          mcpCalls=["booking.get_booking"] if facts["bookingRef"] else [])
        return {"facts": facts}

    async def decide(state: MailState) -> MailState:
        email = state["email"]
        decision, target = POLICY[state["category"]]
        facts = state["facts"]
        booking = facts.get("booking") or {}
        if state["category"] == "billing" and len(booking.get("payments", [])) > 1:
            facts["detail"] = f"We found the duplicate payment of EUR {booking['payments'][1]:.2f} and have refunded it to your card."
        elif state["category"] == "billing":
            facts["detail"] = "Your invoice has been issued to the address you gave, with the VAT shown separately."
        elif state["category"] == "booking" and re.search(r"cancel", email.body, re.I):
            facts["detail"] = f"Your booking is cancelled free of charge and EUR {booking.get('amountEur', 0):.2f} is refunded to your card."
        elif state["category"] == "booking":
            facts["detail"] = "The new date is available and your seats have been carried over."
        await node_action("decide", email, decision=decision, forwardTo=target)
        return {"decision": decision, "forwardTo": target, "facts": facts}

    async def draft(state: MailState) -> MailState:
        email = state["email"]
        if state["decision"] != "reply":
            await node_action("draft", email, skipped=True, reason=state["decision"])
            return {"draftPath": None}
        facts = {k: v for k, v in state["facts"].items() if k != "booking"}
        answer = await model.ainvoke([SystemMessage(f"ROLE: drafter {state['category']}\nWrite the reply."), HumanMessage(f"FACTS: {json.dumps(facts)}\n\n{email.body}")])
        reply = EmailMessage()
        reply["From"] = "service@flyachensee.example"
        reply["To"] = email.sender
        reply["Subject"] = f"Re: {email.subject}"
        reply["In-Reply-To"] = email.message_id
        reply.set_content(str(answer.content))
        path = out_dir / "outbox" / f"{email.id}.eml"
        path.write_bytes(bytes(reply))
        usage = getattr(answer, "usage_metadata", None) or {}
        await node_action("draft", email, skipped=False, draft=str(path.name))
        await reporter.response({
            "role": "assistant", "content": str(answer.content), "emailId": email.id, "inReplyTo": email.message_id,
            "to": email.sender, "model": getattr(model, "model_name", type(model).__name__),
            "usage": {"input_tokens": usage.get("input_tokens", 0), "output_tokens": usage.get("output_tokens", 0)},
        })
        return {"draftPath": str(path)}

    async def file(state: MailState) -> MailState:
        email = state["email"]
        folder = out_dir / "folders" / state["category"]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{email.id}.json"
        record = {"id": email.id, "messageId": email.message_id, "from": email.sender, "subject": email.subject,
                  "category": state["category"], "priority": state["priority"], "decision": state["decision"],
                  "forwardTo": state.get("forwardTo"), "draft": state.get("draftPath"),
                  "facts": {k: v for k, v in state["facts"].items() if k != "booking"}}
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
        mailbox.apply_label(email.id, state["category"])
        await node_action("file", email, folder=state["category"], mcpCalls=["mailbox.apply_label"])
        return {"filedPath": str(path)}

    graph = StateGraph(MailState)
    for name, fn in zip(NODES, (classify, extract, decide, draft, file), strict=True):
        graph.add_node(name, fn)
    graph.add_edge(START, "classify")
    for a, b in itertools.pairwise(NODES):
        graph.add_edge(a, b)
    graph.add_edge("file", END)
    return graph.compile(checkpointer=checkpointer)
