"""The crash-and-damage matrix, bounded: the agent (a real subprocess) tailing into the emulator is
SIGKILLed at seeded random points, its spool is damaged in every shape between runs, its disk
fills up; after each restart every line has landed (once, after removing re-deliveries by their
id) or is reported as lost by the spool, with the segment that held it.

The seed is ``AZLOGS_CRASH_SEED`` (default 12), printed on failure. A real small filesystem is not
used: mounting one needs root or a FUSE helper this suite cannot count on; the agent's storage seam
(``storage=``, from ``tests/agent_disk_runner.py``) makes the spool's writes fail with ENOSPC as a
full volume does.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azlogs.spool._format import scan_segment
from tests.emulator_proc import EmulatorProcess
from tests.integration import test_agent_harness as harness
from tests.integration.test_agent_harness import (
    AgentProcess,
    reap_agents,  # noqa: F401 - autouse: no agent outlives its test
)

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("AZLOGS_CRASH_SEED", "12"))
LINES = 800
SPOOL = 'segment_size = "16KiB"'


def _by_seq(landed: list[dict[str, Any]]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for r in landed:
        out[int(r["Seq"])].add(str(r["AzlogsId"]))
    return out


def _drained(agent: AgentProcess, logs: list[Path], timeout: float = 60) -> dict[str, Any]:
    """Wait until every file is read to its end and the spool is empty."""
    sizes = {str(p): p.stat().st_size for p in logs}
    return agent.wait_status(
        lambda d: (
            d["totals"]["spooled"] == 0
            and sizes.items() <= {f["path"]: f["offset"] for f in d["inputs"]["app"]["files"]}.items()
        ),
        timeout=timeout,
        what="every file read and the spool empty",
    )


def _assert_once(landed: list[dict[str, Any]], expected: set[int], note: str) -> None:
    """Every expected line landed; a line landed twice only as a re-delivery (the same id)."""
    by_seq = _by_seq(landed)
    lost = sorted(expected - set(by_seq))
    assert not lost, f"{len(lost)} lines lost ({note}), e.g. {lost[:10]}"
    twice = {s: ids for s, ids in by_seq.items() if len(ids) > 1}
    assert not twice, f"lines delivered under two ids ({note}): {list(twice.items())[:5]}"
    assert set(by_seq) <= expected, f"unexpected lines ({note})"


class TestSigkill:
    def test_sigkill_at_seeded_points_while_tailing_and_sending(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """Four SIGKILLs at seeded random moments (start-up, recovery, reading, sending) while lines
        are written and rotated: after the last restart every line landed, once per id."""
        rng = random.Random(SEED)
        logs = tmp_path / "logs"
        logs.mkdir()
        pipe = harness.new_pipeline(emulator, "Matrix")
        config = harness.write_config(
            tmp_path / "agent.toml",
            pipe,
            [str(logs / "app.log*")],
            state_dir=tmp_path / "state",
            spool=SPOOL,
            inputs='read_bytes = "64KiB"\nmax_line_bytes = "16KiB"',
        )
        agent = AgentProcess(config, harness.emulator_env(emulator), tmp_path / "agent.log")
        total, errors = 4000, []

        def write() -> None:
            try:
                for start in range(0, total, 200):
                    if start == total // 2:
                        os.rename(logs / "app.log", logs / "app.log.1")
                    with open(logs / "app.log", "a") as f:
                        f.write("".join(harness.line(i, width=40) for i in range(start, start + 200)))
                    time.sleep(0.1)
            except OSError as exc:
                errors.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        pauses = [round(rng.uniform(0.05, 1.2), 2) for _ in range(4)]
        for pause in pauses:
            agent.start()
            time.sleep(pause)
            agent.kill()
        agent.start()
        writer.join(60)
        assert not errors and not writer.is_alive()
        _drained(agent, sorted(logs.iterdir()))
        assert agent.stop() == 0, agent.tail()
        _assert_once(
            harness.rows(emulator, pipe.table), set(range(total)), f"seed {SEED}, kills after {pauses} s"
        )


def _cut_to_zero(seg: Path) -> None:
    seg.write_bytes(b"")


def _cut_mid_record(seg: Path) -> None:
    with open(seg, "r+b") as f:
        f.truncate(seg.stat().st_size // 2 + 3)


def _zero_inside(seg: Path) -> None:
    size = seg.stat().st_size
    with open(seg, "r+b") as f:
        f.seek(size // 3)
        f.write(bytes(300))


def _damage_header(seg: Path) -> None:
    with open(seg, "r+b") as f:
        f.write(bytes(18))


def _rename(seg: Path) -> None:
    seg.rename(seg.with_name(seg.name + ".moved"))


SHAPES: dict[str, Callable[[Path], None]] = {
    "cut-to-zero": _cut_to_zero,
    "cut-mid-record": _cut_mid_record,
    "zeroed-inside": _zero_inside,
    "damaged-header": _damage_header,
    "renamed": _rename,
}


class TestDamage:
    def test_every_damage_shape_after_a_sigkill_is_landed_or_reported(
        self, fresh_emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """For each shape: lines spooled while the service is down, SIGKILL, one sealed segment
        damaged, restart: each line either landed or was in the damaged segment, and the status
        names that segment in a problem that counts a loss (or, renamed, the records set aside)."""
        emu = fresh_emulator
        rng = random.Random(SEED)
        env = harness.emulator_env(emu)
        for shape, damage in SHAPES.items():
            work = tmp_path / shape
            work.mkdir()
            log = work / "app.log"
            harness.append(log, range(LINES))
            pipe = harness.new_pipeline(emu, "Damage")
            config = harness.write_config(
                work / "agent.toml", pipe, [str(log)], state_dir=work / "state", spool=SPOOL
            )
            with emu.admin() as admin:
                admin.post("/_emulator/faults", json={"endpoint": "ingestion", "status": 503})
            agent = AgentProcess(config, env, work / "agent.log").start()
            agent.wait_status(lambda d: d["totals"]["records_in"] == LINES, what=f"{shape}: all spooled")
            agent.kill()
            sealed = sorted((work / "state" / "spool").glob("seg-*.log"))[:-1]
            seg = rng.choice(sealed)
            held = {
                int(json.loads(seg.read_bytes()[f.payload_offset : f.payload_offset + f.payload_len])["Seq"])
                for f in scan_segment(seg.read_bytes()).frames
            }
            damage(seg)
            with emu.admin() as admin:
                admin.delete("/_emulator/faults")
            agent.start()
            doc = _drained(agent, [log])
            assert agent.stop() == 0, agent.tail()
            landed = harness.rows(emu, pipe.table)
            missing = set(range(LINES)) - set(_by_seq(landed))
            note = f"{shape} of {seg.name}, seed {SEED}"
            assert missing, f"{note}: nothing was lost, the damage did not take"
            assert missing <= held, (
                f"{note}: lines lost outside the damaged segment: {sorted(missing - held)[:10]}"
            )
            problems = doc["spool"]["problems"]
            assert any(seg.name in p for p in problems), f"{note}: not reported: {problems}"
            if shape == "renamed":
                assert doc["spool"]["foreign_files"] == 1
                assert any(f"{len(held)} record(s) in segment format" in p for p in problems)
            else:
                assert doc["spool"]["corrupt_records"] + doc["spool"]["lost_unknown"] >= 1
                assert (work / "state" / "spool" / "damaged" / seg.name).exists(), note
            _assert_once(landed, set(range(LINES)) - missing, note)


class TestDiskFull:
    def test_sigkill_while_the_disk_is_full(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """The spool's disk fills (ENOSPC through the storage seam), the agent is SIGKILLed while its
        input waits, and restarted with space back: every line lands, once per id."""
        control = tmp_path / "disk.json"
        control.write_text('{"full": true}')
        log = tmp_path / "app.log"
        harness.append(log, range(800))
        pipe = harness.new_pipeline(emulator, "FullKill")
        config = harness.write_config(tmp_path / "agent.toml", pipe, [str(log)], state_dir=tmp_path / "state")
        env = harness.emulator_env(emulator)
        agent = AgentProcess(config, env, tmp_path / "agent.log", disk=control).start()
        doc = agent.wait_status(
            lambda d: (d["inputs"]["app"]["blocked"] or "").startswith("disk full"), what="the input to block"
        )
        assert "No space left on device" in doc["inputs"]["app"]["blocked"]
        agent.kill()
        control.write_text("{}")
        agent.start()
        _drained(agent, [log])
        assert agent.stop() == 0, agent.tail()
        _assert_once(harness.rows(emulator, pipe.table), set(range(800)), "disk full, then SIGKILL")


@pytest.fixture(autouse=True)
def _seed_on_failure(request: pytest.FixtureRequest) -> None:
    """Say which seed to rerun with (``AZLOGS_CRASH_SEED``)."""
    request.node.user_properties.append(("crash_seed", SEED))
