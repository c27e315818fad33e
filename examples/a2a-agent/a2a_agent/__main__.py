"""``python -m a2a_agent``: serve the reference A2A runtime (see README.md)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn

from .app import BREAK_MODES, Config, build_app


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="a2a_agent", description="Reference A2A runtime keeping its sessions in Tether.")
    p.add_argument("--host", default=os.environ.get("A2A_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("A2A_PORT", "8000")))
    p.add_argument("--public-url", default=os.environ.get("A2A_PUBLIC_URL"), help="URL in the agent card (default http://host:port/)")
    p.add_argument("--tether-url", default=os.environ.get("TETHER_URL", "http://localhost:9000"))
    p.add_argument("--workspace-root", default=os.environ.get("A2A_WORKSPACE_ROOT"), help="attachments are read only under this directory")
    p.add_argument("--workspace-id", default=os.environ.get("A2A_WORKSPACE_ID", "default"), help="memory scope when a message names no user")
    p.add_argument("--window", type=int, default=int(os.environ.get("A2A_HISTORY_WINDOW", "50")), help="recent messages loaded per turn")
    p.add_argument("--break", dest="breaks", action="append", default=[], choices=BREAK_MODES, help="break the runtime on purpose (canary self-test)")
    p.add_argument("--log-level", default=os.environ.get("A2A_LOG_LEVEL", "info"))
    a = p.parse_args(argv)
    logging.basicConfig(level=a.log_level.upper(), stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cfg = Config(
        tether_url=a.tether_url,
        public_url=a.public_url or f"http://{a.host}:{a.port}/",
        workspace_root=a.workspace_root,
        workspace_id=a.workspace_id,
        window=a.window,
        breaks=frozenset(a.breaks),
        tether_api_key=os.environ.get("TETHER_API_KEY"),
    )
    uvicorn.run(build_app(cfg), host=a.host, port=a.port, log_level=a.log_level.lower())
    return 0


if __name__ == "__main__":
    sys.exit(main())
