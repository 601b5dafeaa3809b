"""The agent's status and log show spool damage found at start: path, kind and what it cost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azlogs.spool import Spool
from tests.unit.agent.conftest import Running, Sink, write_config


def test_a_segment_cut_to_zero_shows_in_status_and_log(
    tmp_path: Path, sink: Sink, run_agent: Callable[..., Running], caplog: pytest.LogCaptureFixture
) -> None:
    """A sealed segment cut to 0 bytes and a renamed segment are in the status (spool problems,
    counters, recent errors) and logged as warnings, with the files' paths."""
    spool_dir = tmp_path / "state" / "spool"
    spool_dir.parent.mkdir(mode=0o700)
    with Spool.open(spool_dir, max_bytes=16 << 20, segment_bytes=4096) as spool:
        spool.append("r-unknown", [b'{"a": %d}' % i + b" " * 60 for i in range(300)])
    segs = sorted(spool_dir.glob("seg-*.log"))
    segs[0].write_bytes(b"")
    segs[1].rename(spool_dir / "saved-by-hand.log")
    (tmp_path / "logs").mkdir()
    config = write_config(tmp_path, '[[inputs]]\nname = "app"\npaths = ["logs/*.log"]\n')
    agent = run_agent(config)
    status = agent.status()
    agent.stop()
    doc = status["spool"]
    assert (doc["lost_unknown"], doc["foreign_files"]) == (1, 1)
    assert doc["problems_total"] == 2
    text = "\n".join(doc["problems"])
    assert f"{segs[0]} offset 0" in text and "unknown number of record(s) lost" in text
    assert str(spool_dir / "saved-by-hand.log") in text
    errors = "\n".join(e["error"] for e in status["recent_errors"])
    assert str(segs[0]) in errors
    assert "1 segment(s) with an unknown loss, 1 foreign file(s)" in caplog.text
