"""Runs the e-mail pipeline over a folder of .eml files and reports the session to Tether (the seed's
`main_with_session.py` for email_solver).

Start-up goes through the seed's stages, each recorded as a state change (`currentStep`) and an action
`{"type": "stage", "details": {"stage": …}}`: config → tokens (auth) → mcp_clients → graph → services → execution.
Then, per e-mail, a goal, one action per pipeline node (5) and a response per drafted reply; at the end an action
`shutdown`, state phase `shutdown` and the session finalized `completed` (or `failed` if any e-mail failed).

    python -m email_solver --url http://127.0.0.1:9000 --session-id demo-email-1 --out /tmp/mail-out --report report.json
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .model import make_model

SESSION_TYPE = "email-pipeline"
HERE = Path(__file__).resolve().parent.parent
STAGES = ("config", "tokens", "mcp_clients", "graph", "services", "execution")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="email_solver", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="Tether URL (default: $TETHER_URL, $SESSION_SERVICE_URL, http://localhost:9000)")
    p.add_argument("--session-id", help="session id (default: $TETHER_SESSION_ID, $SESSION_ID, email-<unix time>)")
    p.add_argument("--inbox", type=Path, default=HERE / "emails", help="folder of .eml files (default: the shipped samples)")
    p.add_argument("--bookings", type=Path, default=HERE / "bookings.json", help="booking table the booking MCP stand-in serves")
    p.add_argument("--out", type=Path, help="where drafts (outbox/) and filed records (folders/) go (default: a temp dir)")
    p.add_argument("--report", type=Path, help="write the JSON report here (always printed as the last stdout line)")
    p.add_argument("--thread-id", help="checkpoint the pipeline on Tether under this LangGraph thread id (TetherSaver); "
                   "run again with the same id to resume after a crash (see resumable.py)")
    return p.parse_args(argv)


def configure_env(args: argparse.Namespace) -> str:
    """Puts --url/--session-id where the SDK reads them (before it is imported). Returns the session id."""
    if args.url:
        os.environ["TETHER_URL"] = args.url
    session_id = args.session_id or os.environ.get("TETHER_SESSION_ID") or os.environ.get("SESSION_ID") or f"email-{int(time.time())}"
    os.environ["TETHER_SESSION_ID"] = session_id
    return session_id


async def run(args: argparse.Namespace, session_id: str) -> dict[str, Any]:
    if args.thread_id:
        from .resumable import run_resumable

        return await run_resumable(args, session_id, SESSION_TYPE)
    from .mcp import BookingClient, MailboxClient
    from .pipeline import NODES, build_pipeline
    from .reporting import Reporter  # imports the SDK, which reads the environment set above

    rep = Reporter("email-solver", session_id, SESSION_TYPE)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="email-solver-"))
    await rep.start(user_id="fly-achensee-mailbox", tags=["example", "email-solver", "langgraph"],
                    initial={"inbox": str(args.inbox), "out": str(out_dir)})

    async def stage(name: str, **details: Any) -> None:
        phase = "execution" if name == "execution" else "initialization"
        await rep.state({"phase": phase, "currentStep": name})
        await rep.action("stage", {"stage": name, **details})

    # 1. config
    if not args.inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {args.inbox} does not exist")
    await stage("config", inbox=str(args.inbox), out=str(out_dir), model=os.environ.get("EMAIL_SOLVER_MODEL", "scripted"))
    # 2. tokens: the original read an OAuth token for Gmail; here a token from the environment or a local dev token.
    token = os.environ.get("EMAIL_SOLVER_TOKEN") or f"dev-{session_id}"
    await stage("tokens", auth="success", method="env" if "EMAIL_SOLVER_TOKEN" in os.environ else "dev-token",
                tokenFingerprint=hashlib.sha256(token.encode()).hexdigest()[:12])
    # 3. MCP clients
    mailbox = MailboxClient(args.inbox)
    bookings = BookingClient.from_file(args.bookings)
    await stage("mcp_clients", clients={"mailbox": mailbox.tools(), "booking": bookings.tools()})
    # 4. graph
    model = make_model()
    pipeline = build_pipeline(model, mailbox, bookings, rep, out_dir)
    await stage("graph", nodes=list(NODES), model=getattr(model, "model_name", type(model).__name__))
    # 5. services: the outbox and the filing cabinet
    (out_dir / "outbox").mkdir(parents=True, exist_ok=True)
    (out_dir / "folders").mkdir(parents=True, exist_ok=True)
    await stage("services", outbox=str(out_dir / "outbox"), folders=str(out_dir / "folders"))
    # 6. execution
    ids = mailbox.list_messages()
    await rep.add_goal("goal-inbox", f"Process the inbox ({len(ids)} e-mails)", "high")
    await stage("execution", emails=len(ids))

    results: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for i, mid in enumerate(ids, 1):
        goal = f"goal-{mid}"
        email = mailbox.get_message(mid)
        await rep.add_goal(goal, f"Handle '{email.subject}' from {email.sender}", "medium")
        await rep.state({"currentStep": f"email {i}/{len(ids)}: {mid}"})
        try:
            final = await pipeline.ainvoke({"email": email})
        except Exception as e:  # one bad e-mail must not stop the inbox
            failed.append(mid)
            await rep.update_goal(goal, "failed", error=f"{type(e).__name__}: {e}")
            await rep.error(f"email {mid}", f"{type(e).__name__}: {e}")
            continue
        results[mid] = {"category": final["category"], "priority": final["priority"], "decision": final["decision"],
                        "drafted": final.get("draftPath") is not None}
        await rep.update_goal(goal, "completed", category=final["category"], decision=final["decision"])

    await rep.update_goal("goal-inbox", "failed" if failed else "completed", failedEmails=failed)
    await rep.action("shutdown", {"graceful": True, "processed": len(results), "failed": len(failed),
                                  "mcpCalls": len(mailbox.calls) + len(bookings.calls)})
    await rep.state({"phase": "shutdown", "currentStep": "stopped"})
    await rep.finalize("failed" if failed else "completed", {"processed": len(results), "failed": failed})
    drafts = sum(1 for r in results.values() if r["drafted"])
    return rep.report(emails=len(ids), drafts=drafts, nodes=list(NODES), stages=list(STAGES), results=results, out=str(out_dir), failedEmails=failed)


def cli(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 when the run finished and reached Tether; 1 on an unexpected error (session marked failed)."""
    args = parse_args(argv)
    session_id = configure_env(args)
    try:
        report = asyncio.run(run(args, session_id))
    except Exception as e:
        asyncio.run(_record_crash(e))
        print(f"email-solver: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(report, sort_keys=True))
    return 0


async def _record_crash(e: Exception) -> None:
    """Best effort: mark the session failed with the error in the state, so the crash is visible in Tether."""
    try:
        from hook_agent import hook_agent

        await hook_agent.update_state({"errors": [{"where": "main", "message": f"{type(e).__name__}: {e}"}]})
        await hook_agent.finalize_session(status="failed", final={"error": str(e)})
        await hook_agent.flush(10)
    except Exception as inner:
        print(f"email-solver: could not record the crash: {inner}", file=sys.stderr)
