"""A file input killed between its spool append and its checkpoint reads the same lines again under
the same ids, so the id column removes the re-delivery (the crash matrix's "two ids" failure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from azlogs.agent import InputConfig
from azlogs.agent._checkpoints import CheckpointStore
from azlogs.agent._inputs import FileInput
from azlogs.agent._routes import DeadLetters
from azlogs.agent._stats import Stats
from azlogs.ingest.deadletter import BadLine


class _Recording(FileInput):
    """Keeps what it would spool; ``die`` makes delivery end the loop before the checkpoint, which
    is what a SIGKILL right after a durable spool append leaves behind."""

    def __init__(self, cfg: InputConfig, state: Path, *, die: bool) -> None:
        super().__init__(
            cfg,
            spool=None,
            stream_key="k",
            checkpoints=CheckpointStore(state / "checkpoints"),
            dead_letters=DeadLetters(state / "dl"),
            stats=Stats("agent.toml", str(state)),
        )
        self.die = die
        self.spooled: list[dict[str, Any]] = []
        self.checkpoint_when_spooled: list[dict[str, Any]] = []

    def deliver(self, records: list[bytes], bad: list[BadLine]) -> bool:
        self.spooled.extend(orjson.loads(r) for r in records)
        self.checkpoint_when_spooled = self.checkpoints.load(self.cfg.name)
        if self.die:
            return False
        self.stop()
        return True


def _cfg(logs: Path) -> InputConfig:
    return InputConfig(
        name="app",
        type="file",
        endpoint="https://e.example",
        dcr="dcr-x",
        stream="Custom-T",
        paths=(str(logs / "*.log"),),
        id_column="AzlogsId",
        glob_interval=0.0,
        poll_interval=0.01,
    )


class TestKilledBetweenSpoolAndCheckpoint:
    def test_a_new_files_lines_come_again_under_the_same_ids(self, tmp_path: Path) -> None:
        """The new file's identity is on disk before its first line is spooled: after the "kill",
        the next agent reads the lines again from offset 0 with the ids they had."""
        logs = tmp_path / "logs"
        logs.mkdir()
        (logs / "app.log").write_text("".join(f'{{"Seq": {i}}}\n' for i in range(5)))
        cfg = _cfg(logs)

        first = _Recording(cfg, tmp_path, die=True)
        first.loop()
        assert [r["Seq"] for r in first.spooled] == [0, 1, 2, 3, 4]
        fids = {e["fid"] for e in first.checkpoint_when_spooled}
        assert [e["offset"] for e in first.checkpoint_when_spooled] == [0]
        assert {r["AzlogsId"].rsplit("-", 1)[0] for r in first.spooled} == fids

        again = _Recording(cfg, tmp_path, die=False)
        again.loop()
        assert [r["AzlogsId"] for r in again.spooled] == [r["AzlogsId"] for r in first.spooled]

    def test_a_truncated_files_new_generation_is_checkpointed_before_its_lines(self, tmp_path: Path) -> None:
        """After a truncation the file's content gets a new identity; it too is durable before the
        first line carrying it is spooled."""
        logs = tmp_path / "logs"
        logs.mkdir()
        log = logs / "app.log"
        log.write_text("".join(f'{{"Seq": {i}}}\n' for i in range(50)))
        cfg = _cfg(logs)
        done = _Recording(cfg, tmp_path, die=False)
        done.loop()
        old = {r["AzlogsId"].rsplit("-", 1)[0] for r in done.spooled}
        log.write_text('{"Seq": 100}\n')  # truncated and rewritten, shorter than before

        first = _Recording(cfg, tmp_path, die=True)
        first.loop()
        assert [r["Seq"] for r in first.spooled] == [100]
        new = first.spooled[0]["AzlogsId"].rsplit("-", 1)[0]
        assert new not in old
        assert new in {e["fid"] for e in first.checkpoint_when_spooled}
        again = _Recording(cfg, tmp_path, die=False)
        again.loop()
        assert [r["AzlogsId"] for r in again.spooled] == [first.spooled[0]["AzlogsId"]]
