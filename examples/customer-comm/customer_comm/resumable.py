"""The batch as resumable LangGraph threads on Tether (`--thread-id T`): each customer message is the thread `T:<id>`,
checkpointed by `tether.langgraph.TetherSaver` after every node. Run it again with the same thread id after a crash
and it continues where it stopped: a finished thread is not run again, a thread that was mid-way resumes from its last
checkpoint (its finished nodes do not run again), the others start.

The agent's own session records the process honestly: a run that finds its session already there (the previous
process died before finalizing it) logs an action `process_resumed` with what it found, then goes on.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .model import SPECIALISTS, make_model


async def run_resumable(args: Any, session_id: str, session_type: str) -> dict[str, Any]:
    """Runs (or resumes) the batch under thread id `args.thread_id`; returns the report (as `main.run` does, with
    `details.threads` per message: `started`, `resumed` or `done`)."""
    from tether import ConflictError
    from tether.langgraph import TetherSaver

    from .reporting import Reporter
    from .team import agent_id, build_team

    messages: list[dict[str, Any]] = json.loads(args.messages.read_text(encoding="utf-8"))
    rep = Reporter("customer-comm", session_id, session_type)
    resumed = False
    try:
        await rep.start(user_id="fly-achensee-customer-care", tags=["example", "customer-comm", "langgraph", "resumable"],
                        initial={"messages": len(messages), "threadId": args.thread_id})
        await rep.state({"phase": "execution", "currentStep": "processing_messages"})
        await rep.spawn(agent_id("governor"), "governor", "Route customer messages and compose replies")
    except ConflictError:
        resumed = True
    saver = TetherSaver(os.environ.get("TETHER_URL"), parent_session_id=session_id)
    team = build_team(make_model(), rep, None, checkpointer=saver)
    threads: dict[str, str] = {}
    plan: list[tuple[dict[str, Any], Any, Any]] = []
    for m in messages:
        config = {"configurable": {"thread_id": f"{args.thread_id}:{m['id']}"}}
        snap = await team.aget_state(config)
        # Finished: nothing left to run and no task of an unfinished step (a task that finished before the crash has
        # its writes stored, so it is listed in `tasks` but not in `next`).
        if snap.values and not snap.next and not snap.tasks:
            threads[m["id"]] = "done"
        else:
            # Any checkpoint (even the input's, whose state values are still empty) means the thread had begun.
            threads[m["id"]] = "resumed" if snap.created_at is not None else "started"
        plan.append((m, config, snap))
    if resumed:
        await rep.action("process_resumed", {
            "pid": os.getpid(), "writer": saver.writer, "threadId": args.thread_id,
            "reason": "the session exists and was not finalized: the previous process ended without finishing",
            "threads": threads,
        })
    handled: dict[str, int] = {name: 0 for name in SPECIALISTS}
    replies: dict[str, str] = {}
    for m, config, snap in plan:
        if threads[m["id"]] == "done":
            out = snap.values
        elif threads[m["id"]] == "resumed":
            out = await team.ainvoke(None, config)
        else:
            out = await team.ainvoke({"message": m}, config)
        handled[out["route"]] += 1
        replies[m["id"]] = out["reply"]
    await saver.aclose()
    if not resumed or rep.agents:
        await rep.complete(agent_id("governor"), {"messages": len(messages)})
    await rep.state({"phase": "ready", "currentStep": "team_ready"})
    await rep.finalize("completed", {"messages": len(messages), "handled": handled, "threadId": args.thread_id})
    return rep.report(messages=len(messages), handled=handled, threads=threads, resumedProcess=resumed, replies=replies)
