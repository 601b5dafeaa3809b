"""`azlogs agent` as a real subprocess against the emulator over HTTPS: rotation, faults, disk full,
corrupt spool, poison records, status, metrics, reload."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.emulator_proc import AZLOGS, EmulatorProcess
from tests.integration.test_agent_harness import (
    AgentProcess,
    append,
    check_once,
    emulator_env,
    free_port,
    line,
    new_pipeline,
    reap_agents,  # noqa: F401 - autouse: no agent outlives its test
    rows,
    wait_rows,
    write_config,
)

pytestmark = pytest.mark.slow


def start_agent(
    emu: EmulatorProcess, tmp_path: Path, paths: list[str], prefix: str, **cfg: str
) -> tuple[AgentProcess, str]:
    pipe = new_pipeline(emu, prefix)
    config = write_config(tmp_path / "agent.toml", pipe, paths, state_dir=tmp_path / "state", **cfg)
    agent = AgentProcess(config, emulator_env(emu), tmp_path / "agent.log").start()
    return agent, pipe.table


def settle(emu: EmulatorProcess, table: str, count: int, agent: AgentProcess) -> list[dict[str, object]]:
    """Rows once ``count`` landed and the agent stopped cleanly (so late duplicates would show)."""
    wait_rows(emu, table, count, agent=agent)
    assert agent.stop() == 0, agent.tail()
    return rows(emu, table)


class TestRotation:
    def test_rename(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """mv app.log app.log.1 while the writer still appends to the old file: every line once."""
        log = tmp_path / "app.log"
        append(log, range(0, 1000))
        agent, table = start_agent(emulator, tmp_path, [str(log)], "RotRename")
        wait_rows(emulator, table, 1000, agent=agent)
        with open(log, "a") as old_writer:
            os.rename(log, tmp_path / "app.log.1")
            old_writer.write("".join(line(i) for i in range(1000, 1100)))
        append(log, range(1100, 2000))
        check_once(settle(emulator, table, 2000, agent), range(2000))

    def test_copytruncate(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """cp app.log app.log.1 && truncate app.log, with lines not yet read at the copy: every line once."""
        log = tmp_path / "app.log"
        append(log, range(0, 1000))
        agent, table = start_agent(emulator, tmp_path, [str(tmp_path / "app.log*")], "RotCopy")
        wait_rows(emulator, table, 1000, agent=agent)
        append(log, range(1000, 1500))
        shutil.copyfile(log, tmp_path / "app.log.1")
        with open(log, "r+") as f:
            f.truncate(0)
        append(log, range(1500, 2000))
        check_once(settle(emulator, table, 2000, agent), range(2000))

    def test_delete_and_recreate(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """rm app.log while its writer appends, then a new app.log: every line once."""
        log = tmp_path / "app.log"
        append(log, range(0, 1000))
        agent, table = start_agent(emulator, tmp_path, [str(log)], "RotDelete")
        wait_rows(emulator, table, 1000, agent=agent)
        with open(log, "a") as old_writer:
            log.unlink()
            old_writer.write("".join(line(i) for i in range(1000, 1200)))
        append(log, range(1200, 2000))
        check_once(settle(emulator, table, 2000, agent), range(2000))

    def test_several_rotations_while_stopped(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """Three rename rotations while the agent is down: after the restart every line once."""
        log = tmp_path / "app.log"
        append(log, range(0, 500))
        agent, table = start_agent(emulator, tmp_path, [str(tmp_path / "app.log*")], "RotDown")
        wait_rows(emulator, table, 500, agent=agent)
        assert agent.stop() == 0
        seq = 500
        for _ in range(3):
            append(log, range(seq, seq + 300))
            seq += 300
            for n in (3, 2, 1):
                if (tmp_path / f"app.log.{n}").exists():
                    os.rename(tmp_path / f"app.log.{n}", tmp_path / f"app.log.{n + 1}")
            os.rename(log, tmp_path / "app.log.1")
        append(log, range(seq, seq + 200))
        agent.start()
        append(log, range(seq + 200, seq + 400))
        check_once(settle(emulator, table, seq + 400, agent), range(seq + 400))

    def test_partial_line_across_restart(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """A line whose end is written after a restart is delivered once, whole."""
        log = tmp_path / "app.log"
        append(log, range(0, 100))
        half = line(100)
        with open(log, "a") as f:
            f.write(half[:20])
        agent, table = start_agent(emulator, tmp_path, [str(log)], "RotPartial")
        wait_rows(emulator, table, 100, agent=agent)
        time.sleep(0.5)  # the agent has seen the partial line and must not send it
        assert agent.stop() == 0
        assert len(rows(emulator, table)) == 100
        with open(log, "a") as f:
            f.write(half[20:])
        append(log, range(101, 110))
        agent.start()
        landed = settle(emulator, table, 110, agent)
        check_once(landed, range(110))
        assert next(r for r in landed if r["Seq"] == 100)["Message"] == json.loads(half)["Message"]


class TestOutages:
    def test_emulator_down_then_up(self, tmp_path: Path) -> None:
        """The service is gone for many retries at the backoff cap while lines keep coming: after it
        returns, every line once."""
        port, tls_port = free_port(), free_port()
        args = ("--port", str(port), "--tls-port", str(tls_port))
        emu = EmulatorProcess(tmp_path / "data", *args)
        emu.start()
        try:
            log = tmp_path / "app.log"
            append(log, range(0, 1000))
            # The outage is measured in the agent's backoff, not in wall-clock time: with 0.05 s doubling
            # to a 0.5 s cap, the ladder is climbed in under a second and the 9 s outage below holds
            # some 15 attempts at the cap (a minute at the harness's 0.2 s / 2 s gives the same shape).
            backoff = "backoff_initial = 0.05\nbackoff_max = 0.5"
            agent, table = start_agent(emu, tmp_path, [str(log)], "Down", sender=backoff)
            wait_rows(emu, table, 1000, agent=agent)
            # killed, not stopped: an outage, and uvicorn's graceful stop would wait for the agent's
            # keep-alive connection
            emu.stop(signal.SIGKILL)
            for n in range(30):  # lines keep coming while the service is gone
                append(log, range(1000 + n * 250, 1250 + n * 250))
                time.sleep(0.3)
            doc = agent.wait_status(
                lambda d: (
                    d["totals"]["records_in"] == 8500 and any(s["last_error"] for s in d["streams"].values())
                ),
                what="8500 spooled and the outage reported",
            )
            assert doc["totals"]["sent"] == 1000
            emu = EmulatorProcess(tmp_path / "data", *args)
            emu.start()
            check_once(settle(emu, table, 8500, agent), range(8500))
        finally:
            emu.stop()

    def test_token_errors_throttling_and_server_errors(
        self, fresh_emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """IMDS failing at start, a 429 storm with Retry-After and 500s: every line once."""
        emu = fresh_emulator
        log = tmp_path / "app.log"
        append(log, range(0, 2000))
        with emu.admin() as admin:
            assert (
                admin.post(
                    "/_emulator/faults", json={"endpoint": "imds", "status": 500, "count": 3}
                ).status_code
                == 201
            )
            storm = {"endpoint": "ingestion", "status": 429, "retry_after": 1, "fraction": 0.6}
            assert admin.post("/_emulator/faults", json=storm).status_code == 201
            agent, table = start_agent(emu, tmp_path, [str(log)], "Faults", sender="batch_records = 200")
            doc = agent.wait_status(lambda d: d["totals"]["retried"] >= 3, what="retries")
            append(log, range(2000, 3000))
            # lines written during the storm are read (and so sent) while it still blows
            agent.wait_status(
                lambda d: d["totals"]["records_in"] >= 3000, what="the lines written during the storm"
            )
            left = admin.get("/_emulator/faults").json()
            assert not [r for r in left["faults"] if r["endpoint"] == "imds"]  # IMDS failed 3 times
            assert admin.delete("/_emulator/faults").status_code in (200, 204)
            assert (
                admin.post(
                    "/_emulator/faults", json={"endpoint": "ingestion", "status": 500, "count": 6}
                ).status_code
                == 201
            )
        append(log, range(3000, 4000))
        doc = agent.status()
        landed = settle(emu, table, 4000, agent)
        check_once(landed, range(4000))
        assert doc["identities"][0]["source"] == "vm"

    def test_disk_full_blocks_then_resumes(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """ENOSPC at the spool: the input waits with a clear error, nothing is corrupted, delivery resumes."""
        control = tmp_path / "disk.json"
        control.write_text("{}")
        log = tmp_path / "app.log"
        append(log, range(0, 500))
        pipe = new_pipeline(emulator, "DiskFull")
        config = write_config(tmp_path / "agent.toml", pipe, [str(log)], state_dir=tmp_path / "state")
        agent = AgentProcess(config, emulator_env(emulator), tmp_path / "agent.log", disk=control).start()
        wait_rows(emulator, pipe.table, 500, agent=agent)
        control.write_text('{"full": true}')
        deadline = time.monotonic() + 30
        while "test disk: full=True" not in agent.tail(200):  # the runner has applied it: the disk is full
            assert time.monotonic() < deadline, agent.tail()
            time.sleep(0.05)
        append(log, range(500, 1000))
        doc = agent.wait_status(
            lambda d: (d["inputs"]["app"]["blocked"] or "").startswith("disk full"), what="the input to block"
        )
        assert "No space left on device" in doc["inputs"]["app"]["blocked"]
        assert "disk full" in agent.tail(200)
        assert len(rows(emulator, pipe.table)) == 500
        control.write_text('{"full": false}')
        wait_rows(emulator, pipe.table, 1000, agent=agent)
        doc = agent.wait_status(lambda d: d["inputs"]["app"]["blocked"] is None, what="the input to move")
        assert doc["spool"]["corrupt_records"] == 0
        assert agent.stop() == 0
        agent.start()  # recovery finds nothing damaged
        doc = agent.wait_status(lambda d: d["state"] == "running", what="restart")
        assert doc["spool"]["corrupt_records"] == 0
        assert agent.stop() == 0
        check_once(rows(emulator, pipe.table), range(1000))


def _frames(segment: Path) -> list[tuple[int, dict[str, object]]]:
    """(offset, record) of each frame in a spool segment (test-side reading of the documented format)."""
    data = segment.read_bytes()
    out = []
    at = data.find(b"\xf5zS\x01")
    while at >= 0:
        length = int.from_bytes(data[at + 12 : at + 16], "little")
        key_len = int.from_bytes(data[at + 16 : at + 18], "little")
        payload = data[at + 18 + key_len : at + 18 + key_len + length]
        out.append((at, json.loads(payload)))
        at = data.find(b"\xf5zS\x01", at + 18 + key_len + length)
    return out


class TestSpoolDamage:
    def test_corrupt_records_are_skipped_and_counted(
        self, fresh_emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """A flipped byte, a zeroed length and a torn tail cost exactly those records; the rest land."""
        emu = fresh_emulator
        log = tmp_path / "app.log"
        append(log, range(0, 1000))
        with emu.admin() as admin:
            admin.post("/_emulator/faults", json={"endpoint": "ingestion", "status": 503})
        agent, table = start_agent(emu, tmp_path, [str(log)], "Corrupt")
        agent.wait_status(lambda d: d["totals"]["records_in"] == 1000, what="1000 spooled")
        agent.kill()
        segment = sorted((tmp_path / "state" / "spool").glob("seg-*.log"))[-1]
        frames = _frames(segment)
        assert len(frames) == 1000
        data = bytearray(segment.read_bytes())
        flip_at, flipped = frames[100]
        data[flip_at + 40] ^= 0xFF  # inside the payload: the checksum fails
        zero_at, zeroed = frames[500]
        data[zero_at + 12 : zero_at + 16] = b"\0\0\0\0"  # the length field
        torn = frames[-1][1]
        del data[-10:]  # the last append was cut short
        segment.write_bytes(bytes(data))
        with emu.admin() as admin:
            admin.delete("/_emulator/faults")
        agent.start()
        doc = agent.wait_status(lambda d: d["totals"]["spooled"] == 0, timeout=60, what="the spool to drain")
        lost = {flipped["Seq"], zeroed["Seq"], torn["Seq"]}
        landed = settle(emu, table, 997, agent)
        check_once(landed, [i for i in range(1000) if i not in lost])
        assert doc["spool"]["corrupt_records"] == 2
        assert doc["spool"]["torn_tails"] == 1
        assert doc["totals"]["corrupt_skipped"] == 2

    def test_poison_record_is_dead_lettered_and_the_queue_moves(
        self, fresh_emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """An oversize record goes to the dead-letter directory with its reason; 400s are bisected; all else lands."""
        emu = fresh_emulator
        log = tmp_path / "app.log"
        append(log, range(0, 300))
        with open(log, "a") as f:
            f.write(json.dumps({"Seq": 300, "Message": "y" * 1_100_000}) + "\n")
        append(log, range(301, 600))
        with emu.admin() as admin:
            admin.post("/_emulator/faults", json={"endpoint": "ingestion", "status": 400, "count": 2})
        agent, table = start_agent(
            emu, tmp_path, [str(log)], "Poison", inputs='read_bytes = "4MiB"\nmax_line_bytes = "2MiB"'
        )
        landed = settle(emu, table, 599, agent)
        check_once(landed, [i for i in range(600) if i != 300])
        dead = [
            json.loads(x)
            for p in (tmp_path / "state" / "dead-letter").glob("*.ndjson")
            for x in p.read_text().splitlines()
        ]
        assert len(dead) == 1
        assert dead[0]["record"]["Seq"] == 300
        assert dead[0]["code"] == "RecordTooLarge"
        assert "cannot fit in one request" in dead[0]["reason"]
        final = json.loads((tmp_path / "state" / "status.json").read_text())
        assert final["totals"]["dead_lettered"] == 1
        assert next(iter(final["streams"].values()))["bisections"] >= 1


class TestOperability:
    def test_status_metrics_and_shortcut(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """`azlogs agent --config` runs; status by file and by URL; Prometheus metrics; exit 1 once stopped."""
        port = free_port()
        log = tmp_path / "app.log"
        append(log, range(0, 300))
        pipe = new_pipeline(emulator, "Status")
        config = write_config(
            tmp_path / "agent.toml",
            pipe,
            [str(log)],
            state_dir=tmp_path / "state",
            agent=f"http_port = {port}",
        )
        env = emulator_env(emulator)
        with open(tmp_path / "agent.log", "ab") as err:
            proc = subprocess.Popen([AZLOGS, "agent", "--config", str(config)], env=env, stderr=err)
        try:
            wait_rows(emulator, pipe.table, 300)
            deadline = time.monotonic() + 30
            while True:
                out = subprocess.run(
                    [AZLOGS, "agent", "status", "--config", str(config), "--json"],
                    capture_output=True,
                    text=True,
                )
                doc = json.loads(out.stdout) if out.returncode == 0 else {}
                if doc.get("totals", {}).get("sent") == 300 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert doc["totals"]["sent"] == 300, out
            assert doc["running"] is True
            assert doc["inputs"]["app"]["records_in"] == 300
            assert doc["identities"][0]["expires_in"] > 0
            text = subprocess.run(
                [AZLOGS, "agent", "status", "--url", f"http://127.0.0.1:{port}"],
                capture_output=True,
                text=True,
            )
            assert text.returncode == 0, text.stderr
            assert pipe.stream in text.stdout
            assert "token expires" in text.stdout
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            assert f'azlogs_agent_stream_records_sent_total{{stream="{pipe.stream}"' in metrics
            assert "azlogs_agent_spool_corrupt_records_total 0" in metrics
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(60) == 0
        after = subprocess.run(
            [AZLOGS, "agent", "status", "--config", str(config)], capture_output=True, text=True
        )
        assert after.returncode == 1
        assert "NOT RUNNING" in after.stdout
        logged = (tmp_path / "agent.log").read_text()
        assert "eyJ" not in logged  # no token, ever
        for entry in logged.splitlines():
            json.loads(entry)

    def test_sighup_adds_an_input(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """SIGHUP reloads the config: an added input starts and its lines land."""
        first = tmp_path / "a.log"
        second = tmp_path / "b.log"
        append(first, range(0, 100))
        append(second, range(100, 200))
        agent, table = start_agent(emulator, tmp_path, [str(first)], "Reload")
        wait_rows(emulator, table, 100, agent=agent)
        config = tmp_path / "agent.toml"
        config.write_text(config.read_text() + f'\n[[inputs]]\nname = "more"\npaths = ["{second}"]\n')
        agent.signal(signal.SIGHUP)
        agent.wait_status(lambda d: d["reloads"] == 1 and "more" in d["inputs"], what="the reload")
        check_once(settle(emulator, table, 200, agent), range(200))
