"""The Python SDK's error tree has the TypeScript SDK's names: both come from ``SDK_ERROR_CLASSES`` and
``SDK_ERROR_BASES`` of ``@tether/protocol`` (read here from the built package with node)."""

from __future__ import annotations

import json
import subprocess

import tether
from tether import _exceptions

from .conftest import ROOT

_SCRIPT = (
    "import { SDK_ERROR_CLASSES, SDK_ERROR_BASES } from '@tether/protocol';"
    "console.log(JSON.stringify({ classes: SDK_ERROR_CLASSES, bases: SDK_ERROR_BASES }));"
)


def _table() -> dict[str, object]:
    out = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT], cwd=ROOT, check=True, capture_output=True, text=True
    )
    table: dict[str, object] = json.loads(out.stdout)
    return table


def test_status_classes_are_the_protocol_table() -> None:
    table = _table()
    classes = table["classes"]
    assert isinstance(classes, dict)
    expected = {int(status): name for status, name in classes.items()}
    assert {status: cls.__name__ for status, cls in _exceptions._STATUS_CLASSES.items()} == expected
    for name in expected.values():
        cls = getattr(tether, name)
        assert issubclass(cls, tether.APIStatusError), name
        assert name in tether.__all__


def test_the_tree_has_the_protocol_bases() -> None:
    bases = _table()["bases"]
    assert isinstance(bases, list)
    for name in bases:
        assert name in tether.__all__, name
    assert issubclass(tether.APIStatusError, tether.APIError)
    assert issubclass(tether.APIError, tether.TetherError)
    assert issubclass(tether.InternalServerError, tether.APIStatusError)
    assert issubclass(tether.APIConnectionError, tether.APIError)
    assert issubclass(tether.APITimeoutError, tether.APIConnectionError)
    assert not issubclass(tether.APIConnectionError, tether.APIStatusError)
