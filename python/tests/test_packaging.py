"""The Python SDK outside the repository, as docs/sdk.md tells a user to install it: an sdist and a wheel built from
python/ (``python -m build``), each installed with pip into a fresh venv (dependencies from PyPI or pip's cache), then
used from that venv against a real server: ``Tether`` logs events, ``hook_agent`` imports, and the modules come from
the venv, not from the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT, TetherServer

USE = """
import json, sys
import tether, hook_agent
from tether import Tether
with Tether(sys.argv[1], flush_interval=0.05) as t:
    s = t.session(sys.argv[2])
    for i in range(3):
        s.log_action({"tool": "Bash", "i": i})
    assert t.flush(30)
print(json.dumps({"tether": tether.__file__, "hook_agent": hook_agent.__file__}))
"""


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out),
            str(ROOT / "python"),
        ],
        check=True,
        capture_output=True,
    )
    found = {"sdist": sorted(out.glob("tether_sdk-*.tar.gz")), "wheel": sorted(out.glob("tether_sdk-*.whl"))}
    assert all(len(v) == 1 for v in found.values()), found
    return {k: v[0] for k, v in found.items()}


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_installs_in_a_fresh_venv_and_works(
    kind: str, dists: dict[str, Path], server: TetherServer, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(dists[kind])],
        check=True,
        capture_output=True,
    )
    sid = f"py-pack-{uuid.uuid4().hex[:10]}"
    # Run outside the repository so that nothing can be imported from the source tree.
    r = subprocess.run([str(py), "-c", USE, server.url, sid], check=True, capture_output=True, text=True, cwd=tmp_path)
    where = json.loads(r.stdout.strip().splitlines()[-1])
    assert all(str(venv) in p for p in where.values()), where
    actions = [e for e in server.events(sid) if e["kind"] == "action"]
    assert [e["data"]["i"] for e in actions] == [0, 1, 2]
