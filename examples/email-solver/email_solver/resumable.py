"""The inbox as resumable LangGraph threads on Tether (`--thread-id T`): each e-mail is the thread `T:<id>`,
checkpointed by `tether.langgraph.TetherSaver` after every node. Run it again with the same thread id after a crash
and it continues where it stopped: a finished thread is not run again, a thread that was mid-way resumes from its last
checkpoint (its finished nodes do not run again), the others start.

The agent's own session records the process honestly: a run that finds its session already there (the previous
process died before finalizing it) logs an action `process_resumed` with what it found, then goes on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .model import make_model


async def run_resumable(args: Any, session_id: str, session_type: str) -> dict[str, Any]:
    """Runs (or resumes) the inbox under thread id `args.thread_id`; returns the report (as `main.run` does, with
    `details.threads` per e-mail: `started`, `resumed` or `done`)."""
    from tether import ConflictError
    from tether.langgraph import TetherSaver

    from .mcp import BookingClient, MailboxClient
    from .pipeline import build_pipeline
    from .reporting import Reporter

    rep = Reporter("email-solver", session_id, session_type)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="email-solver-"))
    (out_dir / "outbox").mkdir(parents=True, exist_ok=True)
    (out_dir / "folders").mkdir(parents=True, exist_ok=True)
    mailbox = MailboxClient(args.inbox)
    bookings = BookingClient.from_file(args.bookings)
    ids = mailbox.list_messages()
    resumed = False
    try:
        await rep.start(user_id="fly-achensee-mailbox", tags=["example", "email-solver", "langgraph", "resumable"],
                        initial={"inbox": str(args.inbox), "out": str(out_dir), "threadId": args.thread_id})
        await rep.state({"phase": "execution", "currentStep": "processing_inbox"})
    except ConflictError:
        resumed = True
    saver = TetherSaver(os.environ.get("TETHER_URL"), parent_session_id=session_id)
    pipeline = build_pipeline(make_model(), mailbox, bookings, rep, out_dir, checkpointer=saver)
    threads: dict[str, str] = {}
    plan: list[tuple[str, Any, Any]] = []
    for mid in ids:
        config = {"configurable": {"thread_id": f"{args.thread_id}:{mid}"}}
        snap = await pipeline.aget_state(config)
        # Finished: nothing left to run and no task of an unfinished step (a task that finished before the crash has
        # its writes stored, so it is listed in `tasks` but not in `next`).
        if snap.values and not snap.next and not snap.tasks:
            threads[mid] = "done"
        else:
            # Any checkpoint (even the input's, whose state values are still empty) means the thread had begun.
            threads[mid] = "resumed" if snap.created_at is not None else "started"
        plan.append((mid, config, snap))
    if resumed:
        await rep.action("process_resumed", {
            "pid": os.getpid(), "writer": saver.writer, "threadId": args.thread_id,
            "reason": "the session exists and was not finalized: the previous process ended without finishing",
            "threads": threads,
        })
    results: dict[str, dict[str, Any]] = {}
    for mid, config, snap in plan:
        if threads[mid] == "done":
            final = snap.values
        elif threads[mid] == "resumed":
            final = await pipeline.ainvoke(None, config)
        else:
            final = await pipeline.ainvoke({"email": mailbox.get_message(mid)}, config)
        results[mid] = {"category": final["category"], "decision": final["decision"], "drafted": final.get("draftPath") is not None}
    await saver.aclose()
    await rep.state({"phase": "shutdown", "currentStep": "stopped"})
    await rep.finalize("completed", {"processed": len(results), "threadId": args.thread_id})
    return rep.report(emails=len(ids), results=results, threads=threads, resumedProcess=resumed, out=str(out_dir))
