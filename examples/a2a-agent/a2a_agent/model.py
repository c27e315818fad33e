"""The reference runtime's deterministic "model": answers from the conversation history it loaded from Tether.

No LLM: a few fixed rules, so the canaries' expectations are exact. What it understands:

- "my name is X" (stated in any earlier turn of the context) → "what is my name?" answers "Your name is X."
- "remember (that) …" → ``commit_memory``; a question it cannot answer from the context → ``recall_memory``.
- a file with no caption → names the file and asks what to do with it (never an empty-prompt refusal);
  a file with "summarize this" (or a later "summarize this" about the context's latest file) → a summary of the file.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

EMPTY_PROMPT = "(empty prompt — nothing to do)"

_NAME = re.compile(r"\bmy name is ([A-Z][\w-]*)", re.IGNORECASE)
_ASK_NAME = re.compile(r"\bwhat(?:'s| is) my name\b", re.IGNORECASE)
_REMEMBER = re.compile(r"\bremember(?: that)?\s+(.+?)[.!]?$", re.IGNORECASE | re.DOTALL)
_SUMMARIZE = re.compile(r"\b(summari[sz]e|summary|tl;?dr)\b", re.IGNORECASE)


@dataclass
class Attachment:
    """A file of a message: its name, type, and its text when the runtime could read it (else ``error`` says why)."""

    filename: str
    media_type: str
    text: str | None = None
    error: str | None = None


@dataclass
class Turn:
    """One earlier message of the context (``role`` is ``user`` or ``agent``)."""

    role: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)


Recall = Callable[[str], Awaitable[list[str]]]
Commit = Callable[[str], Awaitable[str]]


def _summary(a: Attachment) -> str:
    if a.text is None:
        return f"I can't read {a.filename}: {a.error or 'unreadable'}."
    words = a.text.split()
    gist = " ".join(words[:40]) + (" …" if len(words) > 40 else "")
    return f"Summary of {a.filename} ({len(words)} words, {len(a.text.splitlines())} lines): {gist}"


async def respond(
    history: list[Turn],
    text: str,
    attachments: list[Attachment],
    *,
    recall: Recall | None,
    commit: Commit | None,
) -> str:
    """The reply to ``text`` + ``attachments`` given the context's ``history`` (oldest first)."""
    text = text.strip()
    if not text and not attachments:
        return EMPTY_PROMPT
    if attachments and not text:
        names = ", ".join(a.filename for a in attachments)
        sizes = "; ".join(f"{a.filename}: {len(a.text or '')} characters, {a.media_type}" for a in attachments)
        return f"I received {names} ({sizes}). What would you like me to do with it — summarize it, or answer a question about it?"
    if attachments and _SUMMARIZE.search(text):
        return " ".join(_summary(a) for a in attachments)
    if attachments:
        return f"About {attachments[0].filename}: " + _summary(attachments[0])
    m = _NAME.search(text)
    if m:
        return f"Nice to meet you, {m.group(1)}."
    m = _REMEMBER.search(text)
    if m and commit is not None:
        await commit(m.group(1).strip())
        return f"I'll remember that: {m.group(1).strip()}."
    if m:
        return "I have no memory tool, so I can't remember that beyond this conversation."
    if _ASK_NAME.search(text):
        for turn in reversed(history):
            n = _NAME.search(turn.text) if turn.role == "user" else None
            if n:
                return f"Your name is {n.group(1)}."
        return "I don't know your name yet."
    if _SUMMARIZE.search(text):
        for turn in reversed(history):
            if turn.attachments:
                return " ".join(_summary(a) for a in turn.attachments)
        return "There is no file in this conversation to summarize."
    if text.endswith("?") and recall is not None:
        found = await recall(text)
        if found:
            return "From memory: " + "; ".join(found)
    if text.endswith("?"):
        return "I don't know."
    return f"Noted ({len(history)} earlier messages in this conversation)."
