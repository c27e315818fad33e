"""In-process stand-ins for the two MCP servers the original pipeline talked to (a Gmail MCP and the airline's
booking MCP). They expose the same tool names and shapes as tools would over MCP, but read a local folder of `.eml`
files and a local `bookings.json`, so the example runs offline. Each call is recorded in `calls` so the pipeline can
report which tools a node used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any


@dataclass
class ParsedEmail:
    """One inbound e-mail. `id` is the file stem (e.g. `02-double-charge`); `body` is the text/plain part, decoded."""

    id: str
    message_id: str
    sender_name: str
    sender: str
    to: str
    subject: str
    date: str
    headers: dict[str, str]
    body: str

    def prompt(self) -> str:
        """The text a classifier sees: key headers, flags of automated mail, then the body."""
        flags = []
        if "auto-submitted" in self.headers:
            flags.append(f"Auto-Submitted: {self.headers['auto-submitted']}")
        if "list-unsubscribe" in self.headers:
            flags.append("List-Unsubscribe: yes")
        if "precedence" in self.headers:
            flags.append(f"Precedence: {self.headers['precedence']}")
        return f"From: {self.sender_name} <{self.sender}>\nSubject: {self.subject}\n{chr(10).join(flags)}\n\n{self.body}"


def parse_eml(path: Path) -> ParsedEmail:
    """Parses an RFC 5322 file (plain or multipart, any transfer encoding). Raises ValueError if it has no text part."""
    msg: EmailMessage = BytesParser(policy=policy.default).parse(path.open("rb"))  # type: ignore[assignment]
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise ValueError(f"{path.name}: no text body")
    body = part.get_content()
    if part.get_content_type() == "text/html":
        body = re.sub(r"<[^>]+>", " ", body)
    name, addr = parseaddr(str(msg.get("From", "")))
    return ParsedEmail(
        id=path.stem,
        message_id=str(msg.get("Message-ID", f"<{path.stem}@local>")),
        sender_name=name or addr,
        sender=addr,
        to=str(msg.get("To", "")),
        subject=str(msg.get("Subject", "")),
        date=str(msg.get("Date", "")),
        headers={k.lower(): str(v) for k, v in msg.items()},
        body=body.strip(),
    )


@dataclass
class MailboxClient:
    """Stand-in for the Gmail MCP server: tools `list_messages`, `get_message`, `apply_label`."""

    inbox: Path
    calls: list[str] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)

    def tools(self) -> list[str]:
        return ["list_messages", "get_message", "apply_label"]

    def list_messages(self) -> list[str]:
        self.calls.append("mailbox.list_messages")
        return sorted(p.stem for p in self.inbox.glob("*.eml"))

    def get_message(self, message_id: str) -> ParsedEmail:
        self.calls.append("mailbox.get_message")
        return parse_eml(self.inbox / f"{message_id}.eml")

    def apply_label(self, message_id: str, label: str) -> None:
        self.calls.append("mailbox.apply_label")
        self.labels.setdefault(message_id, []).append(label)


@dataclass
class BookingClient:
    """Stand-in for the booking MCP server: tool `get_booking` over a JSON table keyed by booking reference."""

    table: dict[str, dict[str, Any]]
    calls: list[str] = field(default_factory=list)

    @classmethod
    def from_file(cls, path: Path) -> BookingClient:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def tools(self) -> list[str]:
        return ["get_booking"]

    def get_booking(self, ref: str) -> dict[str, Any] | None:
        self.calls.append("booking.get_booking")
        return self.table.get(ref)
