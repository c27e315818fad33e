"""Settings resolution: arguments over TETHER_* over the prototype's variables over defaults."""

from __future__ import annotations

import pytest

from tether import resolve_settings


def test_precedence_and_units() -> None:
    env = {
        "SESSION_SERVICE_URL": "http://proto:9000/", "SESSION_ID": "proto-session",
        "TETHER_FLUSH_INTERVAL_MS": "250", "TETHER_TIMEOUT_MS": "1500", "TETHER_ON_FULL": "block",
        "TETHER_SPOOL_DIR": "/tmp/spool-x", "TETHER_API_KEY": "k1",
    }  # fmt: skip
    s = resolve_settings(env)
    assert s.base_url == "http://proto:9000" and s.session_id == "proto-session"
    assert s.flush_interval == 0.25 and s.timeout == 1.5 and s.on_full == "block" and s.spool_dir == "/tmp/spool-x"
    assert s.api_key == "k1"
    s2 = resolve_settings({**env, "TETHER_URL": "http://t:1", "TETHER_SESSION_ID": "t-s"})
    assert s2.base_url == "http://t:1" and s2.session_id == "t-s"
    s3 = resolve_settings({**env, "TETHER_URL": "http://t:1"}, base_url="http://arg:2", session_id="arg", flush_at=7)
    assert s3.base_url == "http://arg:2" and s3.session_id == "arg" and s3.flush_at == 7
    d = resolve_settings({})
    assert d.base_url == "http://localhost:9000" and d.session_id is None and d.flush_at == 100


@pytest.mark.parametrize(
    "kwargs", [{"flush_at": 0}, {"flush_at": 1001}, {"flush_interval": 0}, {"max_queue_size": 0}, {"max_retries": -1}]
)
def test_out_of_range_settings_raise(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        resolve_settings({}, **kwargs)  # type: ignore[arg-type]


def test_bad_environment_values_raise() -> None:
    with pytest.raises(ValueError, match="TETHER_FLUSH_AT"):
        resolve_settings({"TETHER_FLUSH_AT": "many"})
    with pytest.raises(ValueError, match="TETHER_ON_FULL"):
        resolve_settings({"TETHER_ON_FULL": "explode"})
