"""SIGKILL at random points of a 200,000-line run, ten times, restarting each time: nothing lost,
and every duplicate is a re-delivery of the same line (same id), inside the documented window."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.emulator_proc import EmulatorProcess
from tests.integration.test_agent_harness import (
    AgentProcess,
    emulator_env,
    line,
    new_pipeline,
    reap_agents,  # noqa: F401 - autouse: no agent outlives its test
    rows,
    write_config,
)

pytestmark = pytest.mark.slow

LINES = 200_000
KILLS = 10
ROTATE_EVERY = 50_000
WORKERS = 2
BATCH_RECORDS = 2000
READ_BYTES = 256 * 1024


class Writer(threading.Thread):
    """Appends LINES numbered lines at a steady pace, rotating app.log by rename every ROTATE_EVERY."""

    def __init__(self, directory: Path, seconds: float) -> None:
        super().__init__(daemon=True)
        self.directory = directory
        self.log = directory / "app.log"
        self.chunk = 500
        self.pause = seconds / (LINES / self.chunk)
        self.written = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for start in range(0, LINES, self.chunk):
                if start and start % ROTATE_EVERY == 0:
                    self.rotate()
                with open(self.log, "a") as f:
                    f.write("".join(line(i, width=40) for i in range(start, start + self.chunk)))
                self.written = start + self.chunk
                time.sleep(self.pause)
        except BaseException as exc:
            self.error = exc

    def rotate(self) -> None:
        names = sorted(
            (int(p.name.rsplit(".", 1)[1]) for p in self.directory.glob("app.log.*")), reverse=True
        )
        for n in names:
            os.rename(self.directory / f"app.log.{n}", self.directory / f"app.log.{n + 1}")
        os.rename(self.log, self.directory / "app.log.1")


class TestCrash:
    def test_sigkill_ten_times_loses_nothing(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """Ten SIGKILLs during 200,000 lines with rotations: every line lands; duplicates only re-deliveries."""
        rng = random.Random(int(os.environ.get("AZLOGS_CRASH_SEED", "0")) or None)
        logs = tmp_path / "logs"
        logs.mkdir()
        pipe = new_pipeline(emulator, "Crash")
        config = write_config(
            tmp_path / "agent.toml",
            pipe,
            [str(logs / "app.log*")],
            state_dir=tmp_path / "state",
            sender=f"workers = {WORKERS}\nbatch_records = {BATCH_RECORDS}",
            inputs=f'read_bytes = "{READ_BYTES}"\nmax_line_bytes = "64KiB"',
        )
        agent = AgentProcess(config, emulator_env(emulator), tmp_path / "agent.log")
        writer = Writer(logs, seconds=25.0)
        writer.start()
        kill_times = []
        for _ in range(KILLS):
            agent.start()
            pause = rng.uniform(0.3, 3.0)  # during start-up, recovery, reading or sending
            time.sleep(pause)
            kill_times.append(round(pause, 2))
            agent.kill()
        agent.start()
        writer.join(120)
        assert writer.error is None and writer.written == LINES
        # Rows are not a measure of progress here (duplicates count too): wait until the agent has
        # read every file to its end and its spool is empty, then stop it.
        sizes = {str(p): p.stat().st_size for p in logs.iterdir()}
        agent.wait_status(
            lambda d: (
                d["totals"]["spooled"] == 0
                and {f["path"]: f["offset"] for f in d["inputs"]["app"]["files"]} == sizes
            ),
            timeout=300,
            what="every file read and the spool empty",
        )
        assert agent.stop() == 0, agent.tail()
        landed = rows(emulator, pipe.table)

        by_seq: dict[int, set[str]] = defaultdict(set)
        for r in landed:
            by_seq[int(r["Seq"])].add(str(r["AzlogsId"]))
        lost = sorted(set(range(LINES)) - set(by_seq))
        assert not lost, f"{len(lost)} lines lost (kills after {kill_times} s), e.g. {lost[:10]}"
        # a line read again gets the same id: a duplicate is always a re-delivery of the same line
        reread = {s: ids for s, ids in by_seq.items() if len(ids) > 1}
        assert not reread, f"lines delivered under two ids: {list(reread.items())[:5]}"
        copies = Counter(str(r["AzlogsId"]) for r in landed)
        duplicates = sum(n - 1 for n in copies.values())
        # The window per crash: the batches in flight (204 received, ack not yet durable) plus the
        # lines of one read between the spool's fsync and the checkpoint's.
        window = WORKERS * BATCH_RECORDS + 2 * READ_BYTES // 100
        print(
            f"\n{KILLS} kills after {kill_times} s: {len(landed):,} rows, {duplicates:,} duplicates (counted by AzlogsId)"
        )
        assert duplicates <= KILLS * window
