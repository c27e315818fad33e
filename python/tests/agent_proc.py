"""An agent process for the restart tests: ``python agent_proc.py MODE URL SESSION COUNT [SPOOL_DIR]``.

Modes: ``spool-then-hang`` logs COUNT events, waits until they are spooled, prints ``SPOOLED`` and sleeps (the test
SIGKILLs it); ``exit`` logs COUNT events and returns (atexit must flush); ``sigterm`` logs COUNT events, prints
``READY`` and sleeps (the test sends SIGTERM); ``drain`` only starts a client on the spool and closes it.
Prints one event id per line as ``ID <id>``.
"""

from __future__ import annotations

import sys
import time

from tether import Tether


def main() -> None:
    mode, url, session_id, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    spool = sys.argv[5] if len(sys.argv) > 5 else None
    t = Tether(url, spool_dir=spool, flush_at=10, flush_interval=0.05 if mode != "sigterm" else 60, shutdown_timeout=20)
    s = t.session(session_id)
    for i in range(count):
        print("ID", s.log_action({"i": i, "mode": mode}), flush=True)
    if mode == "spool-then-hang":
        deadline = time.monotonic() + 60
        while t.stats()["spooled"] < count:
            if time.monotonic() > deadline:
                sys.exit(f"only {t.stats()['spooled']} of {count} events spooled after 60 s")
            time.sleep(0.01)
        print("SPOOLED", flush=True)
        time.sleep(120)
    elif mode == "sigterm":
        print("READY", flush=True)
        time.sleep(120)
    elif mode == "drain":
        t.close(30)


if __name__ == "__main__":
    main()
