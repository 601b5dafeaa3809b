"""The agent in-process, against a recording endpoint (httpx.MockTransport): tail -> spool -> send."""

from __future__ import annotations

import errno
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from azlogs.agent import route_of
from azlogs.spool import Spool
from azlogs.spool._faults import FaultyStorage
from tests.unit import azure_answers as azure
from tests.unit.agent.conftest import DCR, STREAM, Running, Sink, wait_for, write_config

FILE_INPUT = """
[[inputs]]
name = "app"
paths = ["logs/*.log"]
fields = { Computer = "web-01" }
"""


def lines(n: int, start: int = 0, tag: str = "m") -> str:
    return "".join(json.dumps({"Seq": i, "Message": f"{tag}-{i}"}) + "\n" for i in range(start, start + n))


def final_status(tmp_path: Path) -> dict[str, Any]:
    """The status.json an agent writes as it stops: counters settled, nothing in flight."""
    doc: dict[str, Any] = json.loads((tmp_path / "state" / "status.json").read_text())
    assert doc["state"] == "stopped"
    return doc


def dead_letters(state: Path) -> list[dict[str, object]]:
    out = []
    for path in sorted((state / "dead-letter").glob("*.ndjson")):
        out.extend(orjson.loads(x) for x in path.read_bytes().splitlines())
    return out


class TestDelivery:
    def test_lines_land_once_with_fields_ids_and_checkpoint(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """Every line lands once with its static field and id; the checkpoint and status follow."""
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(500))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 500, what="500 records")
        (tmp_path / "logs" / "b.log").write_text(lines(100, 500))
        wait_for(lambda: len(sink.records) >= 600, what="600 records")
        live = agent.status()
        assert agent.stop() == 0
        status = final_status(tmp_path)
        assert sorted(sink.values("Seq")) == list(range(600))
        assert set(sink.values("Computer")) == {"web-01"}
        assert len(set(sink.values("AzlogsId"))) == 600
        assert status["totals"]["records_in"] == 600
        assert status["totals"]["sent"] == 600
        assert live["state"] == "running"
        assert live["identities"][0]["source"] == "vm"
        assert live["identities"][0]["expires_in"] > 3000
        cp = orjson.loads((tmp_path / "state" / "checkpoints" / "app.json").read_bytes())
        sizes = {e["path"]: e["offset"] for e in cp["files"]}
        assert sizes == {str(p): p.stat().st_size for p in (tmp_path / "logs").iterdir()}
        assert status["totals"]["spooled"] == 0

    def test_restart_continues_without_duplicates(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """Stopped and started again, the agent sends only lines written since."""
        (tmp_path / "logs").mkdir()
        log = tmp_path / "logs" / "a.log"
        log.write_text(lines(50))
        config = write_config(tmp_path, FILE_INPUT)
        first = run_agent(config)
        wait_for(lambda: len(sink.records) >= 50)
        assert first.stop() == 0
        with open(log, "a") as f:
            f.write(lines(30, 50))
        second = run_agent(config)
        wait_for(lambda: len(sink.records) >= 80)
        assert second.stop() == 0
        assert sorted(sink.values("Seq")) == list(range(80))

    def test_stdin_input_ends_at_eof(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A stdin input sends every line (the last without a newline too) and the agent stops at EOF."""
        read_fd, write_fd = os.pipe()
        config = write_config(tmp_path, '[[inputs]]\nname = "pipe"\nparser = "text"\n')
        agent = run_agent(config, stdin_fd=read_fd)
        os.write(write_fd, b"alpha\nbeta\ngamma")
        os.close(write_fd)
        agent.thread.join(20)
        os.close(read_fd)
        assert agent.code == 0
        assert sink.values("RawData") == ["alpha", "beta", "gamma"]
        assert all(v.endswith("Z") for v in sink.values("TimeGenerated"))


class TestFailures:
    def test_poison_record_is_bisected_and_dead_lettered(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A 400 for a batch is narrowed to the one refused record; the rest land, the queue moves."""

        def decide(records: list[dict[str, object]]) -> httpx.Response | None:
            if any(r.get("Seq") == 137 for r in records):
                return httpx.Response(
                    400, json={"error": {"code": "InvalidArgument", "message": "bad Seq 137"}}
                )
            return None

        sink.decide = decide
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(300))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 299, what="the good records")
        wait_for(lambda: agent.status()["totals"]["dead_lettered"] == 1, what="the dead letter")
        agent.stop()
        status = final_status(tmp_path)
        assert sorted(sink.values("Seq")) == [i for i in range(300) if i != 137]
        dead = dead_letters(tmp_path / "state")
        assert len(dead) == 1
        assert dead[0]["record"]["Seq"] == 137  # type: ignore[index]
        assert dead[0]["status"] == 400
        assert "bad Seq 137" in str(dead[0]["reason"])
        stream = next(iter(status["streams"].values()))
        assert stream["bisections"] >= 1

    def test_oversize_record_is_dead_lettered(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A record larger than a request can carry goes to the dead-letter directory; others land."""
        (tmp_path / "logs").mkdir()
        big = json.dumps({"Seq": 1, "Message": "x" * 1_100_000})
        (tmp_path / "logs" / "a.log").write_text(lines(1) + big + "\n" + lines(1, 2))
        inputs = FILE_INPUT + 'read_bytes = "4MiB"\nmax_line_bytes = "2MiB"\n'
        agent = run_agent(write_config(tmp_path, inputs))
        wait_for(lambda: agent.status()["totals"]["dead_lettered"] == 1, what="the dead letter")
        wait_for(lambda: len(sink.records) >= 2)
        agent.stop()
        assert sorted(sink.values("Seq")) == [0, 2]
        dead = dead_letters(tmp_path / "state")
        assert dead[0]["code"] == "RecordTooLarge"
        assert dead[0]["record"]["Seq"] == 1  # type: ignore[index]

    def test_bad_lines_are_dead_lettered_per_input(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """Lines that are not JSON go to the input's dead-letter file with file, offset and reason."""
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(2) + "not json\n" + lines(1, 2))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 3)
        wait_for(lambda: agent.status()["totals"]["bad_lines"] == 1)
        agent.stop()
        dead = dead_letters(tmp_path / "state")
        assert dead[0]["raw"] == "not json"
        assert dead[0]["input"] == "app"
        assert str(dead[0]["source"]).endswith("a.log")

    def test_server_errors_and_throttling_lose_nothing(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """503s and 429s with Retry-After are retried until every record lands, once."""
        answers = [httpx.Response(503)] * 3 + [httpx.Response(429, headers={"Retry-After": "0"})] * 3

        def decide(records: list[dict[str, object]]) -> httpx.Response | None:
            with sink.lock:
                return answers.pop() if answers else None

        sink.decide = decide
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(200))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 200)
        agent.stop()
        status = final_status(tmp_path)
        assert Counter(sink.values("Seq")) == Counter(range(200))
        assert status["totals"]["retried"] >= 6


# Azure's answers for a destination that is wrong, and what the stream's last error must name.
CONFIGURATION_ANSWERS = [
    pytest.param(
        lambda: azure.invalid_stream(STREAM, DCR),
        [f"'{STREAM}' is not declared in DCR {DCR}"],
        id="400-InvalidStream",
    ),
    pytest.param(lambda: azure.dcr_not_found(DCR), [f"DCR {DCR} is not known"], id="404-NotFound"),
    pytest.param(
        lambda: azure.forbidden(DCR, "oid-1"),
        ["Monitoring Metrics Publisher", "oid-1"],
        id="403-OperationFailed",
    ),
    pytest.param(azure.unauthorized, ["refused the token"], id="401"),
]


class TestRecordedAzureAnswers:
    @pytest.mark.parametrize(("answer", "names"), CONFIGURATION_ANSWERS)
    def test_configuration_error_dead_letters_nothing_and_loses_nothing(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running], answer: Any, names: list[str]
    ) -> None:
        """Azure's answer for a wrong stream, DCR, role or token is not the records' fault: nothing is
        dead-lettered or bisected, the records stay spooled, the status names what to fix, and once it
        is fixed every record lands once."""
        fixed = {"yes": False}

        def decide(records: list[dict[str, object]]) -> httpx.Response | None:
            return None if fixed["yes"] else answer()

        sink.decide = decide
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(50))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: sink.requests >= 6, what="refused requests")
        stream = next(iter(agent.status()["streams"].values()))
        assert stream["pending"] == 50 and stream["dead_lettered"] == 0 and stream["bisections"] == 0
        for name in names:
            assert name in stream["last_error"]
        fixed["yes"] = True
        wait_for(lambda: len(sink.records) >= 50)
        agent.stop()
        assert Counter(sink.values("Seq")) == Counter(range(50))
        assert dead_letters(tmp_path / "state") == []

    def test_recorded_session_loses_nothing(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """429 with Retry-After, 5xx, 413 for a large request, then an unknown stream until the DCR is
        fixed: every record lands exactly once and nothing is dead-lettered."""
        script = [azure.throttled(0), azure.server_error(503), azure.server_error(500)]
        fixed = {"yes": False}

        def decide(records: list[dict[str, object]]) -> httpx.Response | None:
            with sink.lock:
                if len(records) > 40:
                    return azure.too_large(len(orjson.dumps(records)))
                if script:
                    return script.pop(0)
            return None if fixed["yes"] else azure.invalid_stream(STREAM, DCR)

        sink.decide = decide
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(300))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: sink.requests >= 40, what="requests refused for the unknown stream")
        assert agent.status()["totals"]["dead_lettered"] == 0
        fixed["yes"] = True
        wait_for(lambda: len(sink.records) >= 300, what="every record")
        agent.stop()
        status = final_status(tmp_path)
        assert not script
        assert Counter(sink.values("Seq")) == Counter(range(300))
        assert dead_letters(tmp_path / "state") == [] and status["totals"]["dead_lettered"] == 0


class TestSpool:
    def test_no_environment_variable_changes_the_spool_disk(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The disk-fault seam is the storage= argument only: the old test variable, set to a full
        disk, changes nothing in a production run (every line lands)."""
        control = tmp_path / "disk.json"
        control.write_text('{"full": true}')
        monkeypatch.setenv("AZLOGS_AGENT_TEST_DISK", str(control))
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(50))
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 50, what="50 records")
        assert agent.status()["inputs"]["app"]["blocked"] is None
        assert agent.stop() == 0

    def test_disk_full_blocks_inputs_then_resumes(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """With the spool's disk full the input waits and says why; with space back everything lands."""
        storage = FaultyStorage()
        (tmp_path / "logs").mkdir()
        log = tmp_path / "logs" / "a.log"
        log.write_text(lines(100))
        agent = run_agent(write_config(tmp_path, FILE_INPUT), storage=storage)
        wait_for(lambda: len(sink.records) >= 100)
        storage.fail("pwrite", errno.ENOSPC, times=10**9)  # the volume is full: every write fails
        with open(log, "a") as f:
            f.write(lines(100, 100))
        wait_for(
            lambda: (agent.status()["inputs"]["app"]["blocked"] or "").startswith("disk full"), what="block"
        )
        assert len(sink.records) == 100
        storage.clear()
        wait_for(lambda: len(sink.records) >= 200)
        agent.stop()
        status = final_status(tmp_path)
        assert sorted(sink.values("Seq")) == list(range(200))
        assert status["inputs"]["app"]["blocked"] is None
        assert status["spool"]["corrupt_records"] == 0
        assert status["spool"]["append_errors"] >= 1

    def test_corrupt_spool_records_are_skipped_and_counted(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A spooled record with a flipped byte is skipped and counted; every other one lands."""
        config = write_config(tmp_path, FILE_INPUT)
        (tmp_path / "logs").mkdir()
        from azlogs.agent import load_config

        key = route_of(load_config(config, env={}).inputs[0]).key
        spool_dir = tmp_path / "state" / "spool"
        with Spool.open(spool_dir, max_bytes=16 << 20, segment_bytes=1 << 20) as spool:
            spool.append(key, [orjson.dumps({"Seq": i, "Message": f"spooled-{i}"}) for i in range(10)])
        segment = next(spool_dir.glob("*.log"))
        data = bytearray(segment.read_bytes())
        at = data.index(b"spooled-4")
        data[at] ^= 0x55
        segment.write_bytes(bytes(data))
        agent = run_agent(config)
        wait_for(lambda: len(sink.records) >= 9)
        agent.stop()
        status = final_status(tmp_path)
        assert sorted(sink.values("Seq")) == [i for i in range(10) if i != 4]
        assert status["totals"]["corrupt_skipped"] == 1
        assert status["spool"]["problems"]

    def test_stop_with_service_down_keeps_records_for_next_start(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """SIGTERM-style stop during an outage returns within the drain deadline; the next run sends all."""
        sink.decide = lambda records: httpx.Response(503)
        config = (
            write_config(tmp_path, FILE_INPUT).read_text().replace("drain_timeout = 5", "drain_timeout = 0.5")
        )
        (tmp_path / "agent.toml").write_text(config)
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(40))
        agent = run_agent(tmp_path / "agent.toml")
        wait_for(lambda: agent.status()["totals"]["records_in"] == 40)
        assert agent.stop(timeout=15) == 0
        final = json.loads((tmp_path / "state" / "status.json").read_text())
        assert final["totals"]["spooled"] == 40
        sink.decide = lambda records: None
        again = run_agent(tmp_path / "agent.toml")
        wait_for(lambda: len(sink.records) >= 40)
        again.stop()
        assert sorted(sink.values("Seq")) == list(range(40))


class TestReload:
    def test_added_and_removed_inputs(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A reload starts an added input and stops a removed one; spooled records still land."""
        (tmp_path / "logs").mkdir()
        (tmp_path / "other").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(10))
        (tmp_path / "other" / "b.log").write_text(lines(5, 100, tag="other"))
        config = write_config(tmp_path, FILE_INPUT)
        agent = run_agent(config)
        wait_for(lambda: len(sink.records) >= 10)
        text = config.read_text().replace(FILE_INPUT, '[[inputs]]\nname = "other"\npaths = ["other/*.log"]\n')
        config.write_text(text)
        agent.agent.request_reload()
        wait_for(lambda: len(sink.records) >= 15, what="the added input's records")
        agent.stop()
        status = final_status(tmp_path)
        assert set(status["inputs"]) == {"other"}
        assert status["reloads"] == 1
        assert sorted(sink.values("Seq")) == [*range(10), *range(100, 105)]

    def test_bad_config_on_reload_keeps_running(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A reload with a broken file is refused and reported; the running inputs continue."""
        (tmp_path / "logs").mkdir()
        log = tmp_path / "logs" / "a.log"
        log.write_text(lines(3))
        config = write_config(tmp_path, FILE_INPUT)
        agent = run_agent(config)
        wait_for(lambda: len(sink.records) >= 3)
        config.write_text("[[inputs]\n")
        agent.agent.reload()
        with open(log, "a") as f:
            f.write(lines(2, 3))
        wait_for(lambda: len(sink.records) >= 5)
        agent.stop()
        status = final_status(tmp_path)
        assert any("not valid TOML" in e["error"] for e in status["recent_errors"])


class TestGracefulStop:
    def test_partly_sent_batch_is_not_sent_twice(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A stop mid-retry re-spools only the unsent part of a batch: after a restart nothing is sent twice."""

        def decide(records: list[dict[str, object]]) -> httpx.Response | None:
            if len(records) > 20:
                return httpx.Response(400, json={"error": {"code": "InvalidArgument", "message": "split me"}})
            if any(int(r["Seq"]) >= 20 for r in records):  # type: ignore[call-overload]
                return httpx.Response(503)
            return None

        sink.decide = decide
        text = (
            write_config(tmp_path, FILE_INPUT).read_text().replace("drain_timeout = 5", "drain_timeout = 0.5")
        )
        (tmp_path / "agent.toml").write_text(text)
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text(lines(40))
        agent = run_agent(tmp_path / "agent.toml")
        wait_for(lambda: len(sink.records) >= 20, what="the accepted half")
        wait_for(lambda: agent.status()["totals"]["retried"] >= 2, what="retries of the refused half")
        assert agent.stop() == 0
        sink.decide = lambda records: None
        again = run_agent(tmp_path / "agent.toml")
        wait_for(lambda: len(sink.records) >= 40)
        again.stop()
        assert Counter(sink.values("Seq")) == Counter(range(40))
