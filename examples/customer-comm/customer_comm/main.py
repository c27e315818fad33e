"""Runs the customer-communication team over a batch of customer messages and reports the session to Tether
(the seed's `main_with_session.py`).

What it records, in order: the session (type `customer-communication`) before the team spawns; state `initialization`;
a goal for the whole batch and one per customer workflow; an action `team_spawn` and four sub-agents (governor and
three specialists); state `execution`; per message an action for the governor's routing, one per specialist call and a
response for the composed reply; on a failed workflow its goal marked `failed`, an action with `error` and
`state.errors` updated; the agents completed; state `ready`; the session finalized (`failed` if any workflow failed).

    python -m customer_comm --url http://127.0.0.1:9000 --session-id demo-customer-1 --report report.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .model import SPECIALISTS, make_model

SESSION_TYPE = "customer-communication"
DEFAULT_MESSAGES = Path(__file__).with_name("messages.json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="customer_comm", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="Tether URL (default: $TETHER_URL, $SESSION_SERVICE_URL, http://localhost:9000)")
    p.add_argument("--session-id", help="session id (default: $TETHER_SESSION_ID, $SESSION_ID, customer-<unix time>)")
    p.add_argument("--messages", type=Path, default=DEFAULT_MESSAGES, help="JSON list of {id, customer, channel, text}")
    p.add_argument("--report", type=Path, help="write the JSON report here (always printed as the last stdout line)")
    p.add_argument("--inject-failure", choices=SPECIALISTS, default=os.environ.get("CUSTOMER_COMM_INJECT_FAILURE") or None,
                   help="make this specialist fail on its first call (env CUSTOMER_COMM_INJECT_FAILURE)")
    p.add_argument("--thread-id", help="checkpoint the graph on Tether under this LangGraph thread id (TetherSaver); "
                   "run again with the same id to resume after a crash (see resumable.py)")
    return p.parse_args(argv)


def configure_env(args: argparse.Namespace) -> str:
    """Puts --url/--session-id where the SDK reads them (before it is imported). Returns the session id."""
    if args.url:
        os.environ["TETHER_URL"] = args.url
    session_id = args.session_id or os.environ.get("TETHER_SESSION_ID") or os.environ.get("SESSION_ID") or f"customer-{int(time.time())}"
    os.environ["TETHER_SESSION_ID"] = session_id
    return session_id


async def run(args: argparse.Namespace, session_id: str) -> dict[str, Any]:
    if args.thread_id:
        from .resumable import run_resumable

        return await run_resumable(args, session_id, SESSION_TYPE)
    from .reporting import Reporter  # imports the SDK, which reads the environment set above
    from .team import InjectedFailure, agent_id, build_team

    messages: list[dict[str, Any]] = json.loads(args.messages.read_text(encoding="utf-8"))
    model = make_model()
    rep = Reporter("customer-comm", session_id, SESSION_TYPE)
    await rep.start(user_id="fly-achensee-customer-care", tags=["example", "customer-comm", "langgraph"],
                    initial={"messages": len(messages), "model": getattr(model, "model_name", type(model).__name__)})
    await rep.state({"phase": "initialization", "currentStep": "session_init", "workspace": {"cwd": os.getcwd()}})

    await rep.add_goal("goal-batch", f"Process customer communication workflows ({len(messages)} messages)", "high")
    for m in messages:
        await rep.add_goal(f"goal-{m['id']}", f"Answer {m['customer']} ({m['channel']})", "medium")

    await rep.action("team_spawn", {"team_type": "customer_communication", "architecture": "governor+3specialists", "specialists": list(SPECIALISTS)})
    await rep.spawn(agent_id("governor"), "governor", "Route customer messages and compose replies")
    for name in SPECIALISTS:
        await rep.spawn(agent_id(name), f"{name}-specialist", f"Draft answers to {name} questions")
    team = build_team(model, rep, args.inject_failure)
    await rep.state({"phase": "execution", "currentStep": "processing_messages"})

    handled: dict[str, int] = {name: 0 for name in SPECIALISTS}
    failed: list[str] = []
    for i, m in enumerate(messages, 1):
        await rep.state({"currentStep": f"message {i}/{len(messages)}"})
        try:
            out = await team.ainvoke({"message": m})
        except InjectedFailure as e:
            failed.append(m["id"])
            await rep.update_goal(f"goal-{m['id']}", "failed", error=str(e))
            await rep.error(f"workflow {m['id']}", str(e))
            continue
        handled[out["route"]] += 1
        await rep.update_goal(f"goal-{m['id']}", "completed", route=out["route"])

    await rep.complete(agent_id("governor"), {"messages": len(messages), "failed": len(failed)})
    for name in SPECIALISTS:
        await rep.complete(agent_id(name), {"handled": handled[name]})
    await rep.update_goal("goal-batch", "failed" if failed else "completed", failedWorkflows=failed)
    await rep.state({"phase": "ready", "currentStep": "team_ready"})
    status = "failed" if failed else "completed"
    await rep.finalize(status, {"messages": len(messages), "failedWorkflows": failed, "handled": handled})
    return rep.report(messages=len(messages), handled=handled, failedWorkflows=failed, injectedFailure=args.inject_failure)


def cli(argv: list[str] | None = None) -> int:
    """Entry point. Exit 0 when the run completed and everything reached Tether (even with an injected failed
    workflow: that is a recorded outcome, not a crash); 1 on an unexpected error, after marking the session failed."""
    args = parse_args(argv)
    session_id = configure_env(args)
    try:
        report = asyncio.run(run(args, session_id))
    except Exception as e:  # report the crash to Tether too, then fail loudly
        asyncio.run(_record_crash(e))
        print(f"customer-comm: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    text = json.dumps(report, indent=None, sort_keys=True)
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(text)
    return 0


async def _record_crash(e: Exception) -> None:
    """Best effort: mark the session failed with the error in the state, so the crash is visible in Tether."""
    try:
        from hook_agent import hook_agent

        await hook_agent.update_state({"errors": [{"where": "main", "message": f"{type(e).__name__}: {e}"}]})
        await hook_agent.finalize_session(status="failed", final={"error": str(e)})
        await hook_agent.flush(10)
    except Exception as inner:  # the service may be what failed
        print(f"customer-comm: could not record the crash: {inner}", file=sys.stderr)
