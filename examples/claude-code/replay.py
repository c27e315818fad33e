#!/usr/bin/env python3
"""Replays a real Claude Code transcript as the hook calls Claude Code would have made, against Tether's
Claude Code hook endpoint (`POST <url>/api/hooks/claude-code`, the JSON an `http` hook posts).

The Claude CLI needs a network and a key, which CI does not have; the transcript records what a real session did, so
its hook traffic can be rebuilt faithfully:

- `SessionStart` (source `startup`, the transcript's model) at the first line;
- `UserPromptSubmit` per typed prompt (not meta lines, task notifications or compaction summaries);
- `PreToolUse` per `tool_use` block, `PostToolUse` (or `PostToolUseFailure` when `is_error`) per `tool_result`;
- for a `Task` call that spawned a sub-agent (linked by `toolUseResult.agentId`): `SubagentStart`, the sub-agent's own
  tool calls from `<transcript>/subagents/agent-<id>.jsonl` (with `agent_id`, `agent_type`), `SubagentStop`, all
  between the Task's Pre- and PostToolUse;
- `Stop` where the transcript logged its stop hooks (`system` / `stop_hook_summary`), with the last assistant text;
- `PreCompact` then `SessionStart` (source `compact`) at a `compact_boundary`;
- `SessionEnd` (reason `prompt_input_exit`) at the end.

Times are the transcript's, shifted so the last hook fires now, and sent in the `x-tether-hook-time` header. The session
id is the one you choose (`--session-id`). Standard library only.

    python3 replay.py --url http://127.0.0.1:9000 --session-id demo-claude-1 --report report.json

Writes a JSON report (also printed as the last stdout line) with the hook calls made and what Tether should now hold.
Exit 1, with the endpoint's answer, when a hook call is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HOOK_PATH = "/api/hooks/claude-code"
HOOK_TIME_HEADER = "x-tether-hook-time"
SPAWN_TOOLS = {"Task", "Agent"}
HERE = Path(__file__).resolve().parent
DEFAULT_TRANSCRIPT = HERE.parent.parent / "fixtures/claude-code-transcripts/fa812bfe-b295-4cca-9c2f-fdf01028cb46.jsonl"


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text").strip()


def result_text(block: dict[str, Any]) -> str:
    c = block.get("content")
    if isinstance(c, list):
        return "\n".join(x.get("text", "") for x in c if isinstance(x, dict))
    return str(c or "")


def is_prompt(o: dict[str, Any]) -> bool:
    """A line Claude Code fired UserPromptSubmit for: a user line with string content typed by the user."""
    if o.get("type") != "user" or not isinstance(o["message"].get("content"), str):
        return False
    if o.get("isMeta") or o.get("isCompactSummary") or o.get("isVisibleInTranscriptOnly"):
        return False
    return not o["message"]["content"].startswith("<task-notification>")


class Plan:
    """Builds the ordered list of `(timestamp, payload)` hook calls for one transcript."""

    def __init__(self, transcript: Path, session_id: str, cwd: str) -> None:
        self.transcript = transcript
        self.session_id = session_id
        self.cwd = cwd
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def base(self, event: str, **fields: Any) -> dict[str, Any]:
        return {"session_id": self.session_id, "transcript_path": str(self.transcript), "cwd": self.cwd,
                "permission_mode": "default", "hook_event_name": event, **fields}

    def add(self, ts: str, event: str, **fields: Any) -> None:
        self.calls.append((ts, self.base(event, **fields)))

    def tool_calls(self, lines: list[dict[str, Any]], agent: dict[str, str] | None = None, sidechain: bool = False) -> str:
        """Adds Pre/PostToolUse for the tool calls of `lines` (a sub-agent's when `agent` is given). Returns the last
        assistant text seen. Task calls that spawned a sub-agent get the sub-agent's hooks in between."""
        tools: dict[str, tuple[str, Any]] = {}
        last_text = ""
        extra = {"agent_id": agent["id"], "agent_type": agent["type"]} if agent else {}
        for o in lines:
            if bool(o.get("isSidechain")) != sidechain:
                continue
            ts = o.get("timestamp")
            kind = o.get("type")
            if kind == "assistant":
                t = text_of(o["message"])
                if t:
                    last_text = t
                for b in o["message"].get("content") or []:
                    if isinstance(b, dict) and b.get("type") == "tool_use":
                        tools[b["id"]] = (b["name"], b.get("input"))
                        self.add(ts, "PreToolUse", tool_name=b["name"], tool_input=b.get("input"), tool_use_id=b["id"], **extra)
            elif kind == "user" and not agent and is_prompt(o):
                self.add(ts, "UserPromptSubmit", prompt=o["message"]["content"])
            elif kind == "user" and isinstance(o["message"].get("content"), list):
                for b in o["message"]["content"]:
                    if not (isinstance(b, dict) and b.get("type") == "tool_result") or b.get("tool_use_id") not in tools:
                        continue
                    name, tool_input = tools[b["tool_use_id"]]
                    detail = o.get("toolUseResult")
                    if name in SPAWN_TOOLS and not agent and isinstance(detail, dict) and detail.get("agentId"):
                        self.subagent(str(detail["agentId"]), (tool_input or {}).get("subagent_type", "general-purpose"))
                    if b.get("is_error"):
                        self.add(ts, "PostToolUseFailure", tool_name=name, tool_input=tool_input, tool_use_id=b["tool_use_id"],
                                 error=result_text(b), is_interrupt=False, **extra)
                    else:
                        self.add(ts, "PostToolUse", tool_name=name, tool_input=tool_input, tool_use_id=b["tool_use_id"],
                                 tool_response=detail if detail is not None else result_text(b), **extra)
            elif kind == "system" and not agent and o.get("subtype") == "stop_hook_summary":
                self.add(ts, "Stop", stop_hook_active=False, last_assistant_message=last_text)
            elif kind == "system" and not agent and o.get("subtype") == "compact_boundary":
                trigger = (o.get("compactMetadata") or {}).get("trigger", "auto")
                self.add(ts, "PreCompact", trigger=trigger, custom_instructions="")
                self.add(ts, "SessionStart", source="compact", model=self.model)
        return last_text

    def subagent(self, agent_id: str, agent_type: str) -> None:
        path = self.transcript.with_suffix("") / "subagents" / f"agent-{agent_id}.jsonl"
        lines = load(path) if path.exists() else []
        start = lines[0]["timestamp"] if lines else self.calls[-1][0]
        self.add(start, "SubagentStart", agent_id=agent_id, agent_type=agent_type)
        last = self.tool_calls(lines, {"id": agent_id, "type": agent_type}, sidechain=True)
        end = lines[-1]["timestamp"] if lines else start
        self.add(end, "SubagentStop", agent_id=agent_id, agent_type=agent_type, stop_hook_active=False,
                 agent_transcript_path=str(path), last_assistant_message=last)

    def build(self) -> list[tuple[str, dict[str, Any]]]:
        lines = load(self.transcript)
        self.model = next((o["message"].get("model") for o in lines if o.get("type") == "assistant"), None)
        first = next(o["timestamp"] for o in lines if o.get("timestamp"))
        self.add(first, "SessionStart", source="startup", model=self.model)
        self.tool_calls(lines)
        last_ts = max(ts for ts, _ in self.calls)
        self.add(last_ts, "SessionEnd", reason="prompt_input_exit")
        return self.calls


def parse_ts(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def expected(calls: list[tuple[str, dict[str, Any]]], session_id: str) -> dict[str, Any]:
    """What the hook endpoint stores for these calls (docs: packages/server/src/integrations/claude-code/map-hook.ts):
    one action per Post* call, a response per prompt and per Stop with text, a sub-agent (and a child session
    `<session>:agent-<id>` holding its own tool calls) per SubagentStart, and the session finalized by SessionEnd."""
    main = {"actions": 0, "responses": 0, "agentsSpawned": 0, "agentsCompleted": 0}
    children: dict[str, dict[str, Any]] = {}
    agents: dict[str, str] = {}
    for _, p in calls:
        ev, aid = p["hook_event_name"], p.get("agent_id")
        child = f"{session_id}:agent-{aid}" if aid else None
        if ev in ("PostToolUse", "PostToolUseFailure"):
            (children.setdefault(child, {"actions": 0, "responses": 0}) if child else main)["actions"] += 1
        elif ev == "UserPromptSubmit" or (ev == "Stop" and p.get("last_assistant_message")):
            main["responses"] += 1
        elif ev == "SubagentStart":
            main["agentsSpawned"] += 1
            agents[aid] = "active"
            children.setdefault(child, {"actions": 0, "responses": 0})
        elif ev == "SubagentStop":
            main["agentsCompleted"] += 1
            agents[aid] = "completed"
            children[child]["status"] = "completed"
            if p.get("last_assistant_message"):
                children[child]["responses"] += 1
    return {"counts": main, "agents": agents, "children": children}


def post(url: str, payload: dict[str, Any], hook_time: str, api_key: str | None) -> None:
    headers = {"content-type": "application/json", HOOK_TIME_HEADER: hook_time}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            res.read()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{payload['hook_event_name']} answered {e.code}: {e.read().decode(errors='replace')[:500]}") from e


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("TETHER_URL") or os.environ.get("SESSION_SERVICE_URL") or "http://localhost:9000")
    p.add_argument("--session-id", default=os.environ.get("TETHER_SESSION_ID") or os.environ.get("SESSION_ID") or f"claude-{int(time.time())}")
    p.add_argument("--transcript", type=Path, default=Path(os.environ.get("CLAUDE_TRANSCRIPT", DEFAULT_TRANSCRIPT)), help="a Claude Code session .jsonl")
    p.add_argument("--workspace", type=Path, default=HERE / "workspace", help="sent as cwd; its .claude/settings.json must wire the hooks")
    p.add_argument("--api-key", default=os.environ.get("TETHER_API_KEY"))
    p.add_argument("--report", type=Path)
    args = p.parse_args(argv)

    if not args.transcript.is_file():
        print(f"claude-code: transcript {args.transcript} not found (pass --transcript or set CLAUDE_TRANSCRIPT)", file=sys.stderr)
        return 1
    wired = wired_events(args.workspace / ".claude" / "settings.json")
    calls = Plan(args.transcript.resolve(), args.session_id, str(args.workspace.resolve())).build()
    unwired = sorted({c["hook_event_name"] for _, c in calls} - wired)
    if unwired:
        print(f"claude-code: {args.workspace}/.claude/settings.json does not send {unwired} to {HOOK_PATH}", file=sys.stderr)
        return 1
    shift = datetime.now(timezone.utc) - parse_ts(max(ts for ts, _ in calls))
    url = args.url.rstrip("/") + HOOK_PATH
    hooks: Counter[str] = Counter()
    try:
        for ts, payload in calls:
            at = (parse_ts(ts) + shift).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            post(url, payload, at, args.api_key)
            hooks[payload["hook_event_name"]] += 1
    except (RuntimeError, OSError) as e:
        print(f"claude-code: hook call {sum(hooks.values()) + 1}/{len(calls)} failed: {e}", file=sys.stderr)
        return 1
    exp = expected(calls, args.session_id)
    report = {
        "example": "claude-code", "sessionId": args.session_id, "sessionType": "claude-code", "status": "completed",
        "phase": "initialization", "phases": [], "counts": {**exp["counts"], "goals": 0, "hookCalls": sum(hooks.values())},
        "goals": {}, "agents": exp["agents"], "children": exp["children"], "errors": [],
        "details": {"hooks": dict(sorted(hooks.items())), "transcript": args.transcript.name, "timeShiftSeconds": round(shift.total_seconds())},
    }
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(report, sort_keys=True))
    return 0


def wired_events(settings: Path) -> set[str]:
    """Hook events whose settings entry posts to the Tether endpoint (an `http` hook to `…/api/hooks/claude-code`, or a
    `command` hook running `tether hook claude-code`). Raises FileNotFoundError / JSONDecodeError on a bad file."""
    cfg = json.loads(settings.read_text(encoding="utf-8"))
    out = set()
    for event, groups in (cfg.get("hooks") or {}).items():
        for g in groups:
            for h in g.get("hooks", []):
                if (h.get("type") == "http" and str(h.get("url", "")).endswith(HOOK_PATH)) or (
                    h.get("type") == "command" and "hook claude-code" in str(h.get("command", ""))):
                    out.add(event)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
