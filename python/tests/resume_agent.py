"""A container agent for test_resume.py: ``python resume_agent.py URL SESSION``.

Creates the session, a goal and a sub-agent, then logs actions forever, flushing after each and printing
``FLUSHED <i>`` once action ``i`` is stored. The test kills it with SIGKILL.
"""

from __future__ import annotations

import sys

from tether import Tether


def main() -> None:
    url, session_id = sys.argv[1], sys.argv[2]
    t = Tether(url, flush_interval=0.05)
    s = t.create_session(session_id, user_id="container-9", initial={"task": "crunch"})
    s.add_goal("Parse input", goal_id="g-parse", priority="high")
    s.spawn_agent("worker", agent_id="worker-1", task="crunch")
    i = 0
    while True:
        s.log_action({"type": "tool_call", "i": i})
        if not t.flush(timeout=30):
            sys.exit("flush timed out")
        print("FLUSHED", i, flush=True)
        i += 1


if __name__ == "__main__":
    main()
