"""`azlogs send` against the emulator over HTTPS: every identity source, faults, diagnosed failures, bad input."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from azlogs.facts import FIELD_MAX_BYTES
from azlogs.provision import ProvisionResult
from bench._common import DEMO_COLUMNS, make_records, write_ndjson
from bench.send_rss import peak_rss
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.provisioning import provision_table


def rows(emu: EmulatorProcess, table: str, limit: int = 1_000_000) -> list[dict[str, Any]]:
    return emu.rows(table, limit=limit)


def send(
    emu: EmulatorProcess,
    source: str,
    pipe: ProvisionResult,
    *args: str,
    client_id: str | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    argv = [
        AZLOGS,
        "send",
        "--endpoint",
        pipe.endpoint,
        "--dcr",
        pipe.immutable_id,
        "--stream",
        pipe.stream,
        "--json",
        *args,
    ]
    return run_with_env(emu, source, argv, client_id=client_id, timeout=600, stdin=stdin)


@pytest.fixture(scope="module")
def pipelines(emulator: EmulatorProcess) -> dict[str, ProvisionResult]:
    """One table and Direct DCR per identity source, each granted to that source's identity."""
    out = {}
    for source in ("vm", "arc", "automation"):
        ident = emulator.identity(source)
        out[source] = provision_table(
            emulator.info, f"Send{source.capitalize()}_CL", DEMO_COLUMNS, principal_id=ident.principal_id
        )
    return out


class TestEverySourceLandsComplete:
    # The volume path (reading, 1 MB batches, parallel uploads, read-back) is the same for every source;
    # only the token differs. 100,000 records go through one source; the others send 10,000 (about
    # 4 MB, so still several uploads on one token), which is what proves their identity end to end.
    @pytest.mark.parametrize(("source", "count"), [("vm", 100_000), ("arc", 10_000), ("automation", 10_000)])
    def test_every_record_lands_once(
        self,
        emulator: EmulatorProcess,
        pipelines: dict[str, ProvisionResult],
        tmp_path: Path,
        source: str,
        count: int,
    ) -> None:
        """Records sent with the source's managed identity (100,000 through one source, several MB
        through the others) all land, each exactly once."""
        records = make_records(count, seed=hash(source) % 1000)
        data = tmp_path / "records.ndjson"
        write_ndjson(data, records)
        result = send(emulator, source, pipelines[source], str(data))
        assert result.returncode == 0, result.stderr[-3000:]
        summary = json.loads(result.stdout)
        assert summary["records_sent"] == count
        assert summary["records_failed"] == 0
        assert summary["requests"] >= 4  # several uploads on the one token
        assert summary["source"] == source
        landed = rows(emulator, pipelines[source].table)
        assert len(landed) == count
        assert sorted(r["RequestId"] for r in landed) == sorted(r["RequestId"] for r in records)
        sample = {r["RequestId"]: r for r in records[:200]}
        for row in landed:
            if row["RequestId"] in sample:
                want = sample[row["RequestId"]]
                assert row["Message"] == want["Message"]
                assert row["StatusCode"] == want["StatusCode"]
                assert row["Properties"] == want["Properties"]


class TestFaults:
    def test_throttling_server_errors_and_token_outage_lose_nothing(
        self, fresh_emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """Under 429 storms with Retry-After, 503s and a failing IMDS at start, every record lands once."""
        pipe = provision_table(fresh_emulator.info, "Faulty_CL", DEMO_COLUMNS)
        records = make_records(30_000, seed=3)
        data = tmp_path / "records.ndjson"
        write_ndjson(data, records)
        with fresh_emulator.admin() as admin:
            for rule in (
                {"endpoint": "imds", "status": 500, "count": 2},
                {"endpoint": "ingestion", "status": 429, "fraction": 0.3, "retry_after": 1},
                {"endpoint": "ingestion", "status": 503, "count": 3},
                {"endpoint": "ingestion", "reset": True, "count": 1},
            ):
                assert admin.post("/_emulator/faults", json=rule).status_code == 201
        result = send(fresh_emulator, "vm", pipe, str(data))
        assert result.returncode == 0, result.stderr[-3000:]
        summary = json.loads(result.stdout)
        assert summary["records_sent"] == 30_000
        assert summary["retries"] >= 4
        landed = rows(fresh_emulator, pipe.table)
        assert sorted(r["RequestId"] for r in landed) == sorted(r["RequestId"] for r in records)


class TestDiagnosedFailures:
    def test_403_names_the_principal_dcr_and_role(
        self, emulator: EmulatorProcess, pipelines: dict[str, ProvisionResult], tmp_path: Path
    ) -> None:
        """A user-assigned identity without the role gets the 403 explained: object id, DCR, the role to assign."""
        ident = emulator.identity("vm-user")
        data = tmp_path / "one.ndjson"
        write_ndjson(data, make_records(3))
        dead = tmp_path / "dead.ndjson"
        result = send(
            emulator,
            "vm",
            pipelines["vm"],
            str(data),
            "--dead-letter",
            str(dead),
            client_id=ident.client_id,
        )
        assert result.returncode == 1
        summary = json.loads(result.stdout)
        assert summary["records_failed"] == 3
        reason = summary["failed"][0]["reason"]
        assert summary["failed"][0]["status"] == 403
        assert ident.principal_id in reason
        assert pipelines["vm"].immutable_id in reason
        assert "Monitoring Metrics Publisher" in reason
        assert len(dead.read_text().splitlines()) == 3

    def test_wrong_stream_is_diagnosed(
        self, emulator: EmulatorProcess, pipelines: dict[str, ProvisionResult], tmp_path: Path
    ) -> None:
        """A stream the DCR does not declare is reported as such, naming the stream."""
        data = tmp_path / "one.ndjson"
        write_ndjson(data, make_records(2))
        pipe = pipelines["vm"]
        wrong = dataclasses.replace(pipe, stream="Custom-DoesNotExist")
        result = send(emulator, "vm", wrong, str(data), "--dead-letter", str(tmp_path / "dead.ndjson"))
        assert result.returncode == 1
        failed = json.loads(result.stdout)["failed"]
        assert len(failed) == 2
        assert "Custom-DoesNotExist" in failed[0]["reason"]
        assert "stream" in failed[0]["reason"].lower()

    def test_terminal_shows_the_first_failures_with_file_line_and_reason(
        self, emulator: EmulatorProcess, pipelines: dict[str, ProvisionResult], tmp_path: Path
    ) -> None:
        """Without --json, bad lines and refused records are shown with file, line and reason, the first
        five, then how many more the dead-letter file holds."""
        records = [json.dumps(r) for r in make_records(4)]
        lines = [records[0], "{broken", records[1], "{broken", records[2], "{broken", records[3]]
        data = tmp_path / "mixed.ndjson"
        data.write_text("\n".join(lines) + "\n")
        dead = tmp_path / "dead.ndjson"
        pipe = pipelines["vm"]
        argv = [AZLOGS, "send", "--endpoint", pipe.endpoint, "--dcr", pipe.immutable_id]
        argv += ["--stream", "Custom-DoesNotExist", "--dead-letter", str(dead), str(data)]
        result = run_with_env(emulator, "vm", argv, timeout=600)
        assert result.returncode == 1, result.stderr[-3000:]
        out = result.stdout.splitlines()
        assert out[0].endswith("; 7 failed")
        # why the upload stopped, in full (the stream is unknown: every later request would fail too)
        assert out[1].startswith("the upload stopped: ") and "Custom-DoesNotExist" in out[1]
        first = next(i for i, line in enumerate(out) if line.startswith(f"  {data}:"))
        shown = [line.strip().split(": ", 1) for line in out[first : first + 5]]
        assert [where for where, _ in shown] == [f"{data}:{n}" for n in (2, 4, 6, 1, 3)]
        assert all(reason.startswith("not valid JSON") for _, reason in shown[:3])
        assert all("Custom-DoesNotExist" in reason for _, reason in shown[3:])
        assert out[first + 5] == f"  and 2 more in {dead}"
        assert len(dead.read_text().splitlines()) == 7

    def test_oversize_record_is_reported_and_the_rest_land(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """A record larger than a request can carry fails alone, with its line and size; the others land."""
        pipe = provision_table(emulator.info, "Oversize_CL", DEMO_COLUMNS)
        records = make_records(1000, seed=11)
        records[500]["Message"] = "x" * 1_200_000
        data = tmp_path / "records.ndjson"
        write_ndjson(data, records)
        dead = tmp_path / "dead.ndjson"
        result = send(emulator, "vm", pipe, str(data), "--dead-letter", str(dead))
        assert result.returncode == 1
        summary = json.loads(result.stdout)
        assert summary["records_sent"] == 999
        assert summary["bad_lines"] == 1  # refused by the reader, before any request
        [entry] = [json.loads(x) for x in dead.read_text().splitlines()]
        assert (entry["line"], entry["code"]) == (501, "RecordTooLarge")
        assert "bytes" in entry["reason"]
        assert len(rows(emulator, pipe.table)) == 999


class TestBadInput:
    def test_bad_lines_counts_dead_letter_and_exit_code(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """Bad JSON and non-UTF-8 lines are counted exactly, written with file and line, and the good ones land."""
        pipe = provision_table(emulator.info, "BadLines_CL", DEMO_COLUMNS)
        good = make_records(10, seed=5)
        lines = [json.dumps(r).encode() for r in good]
        lines.insert(3, b'{"Message": "broken"')
        lines.insert(7, b'{"Message": "caf\xe9"}')
        data = tmp_path / "mixed.ndjson"
        data.write_bytes(b"\n".join(lines) + b"\n")
        dead = tmp_path / "dead.ndjson"
        result = send(emulator, "vm", pipe, str(data), "--dead-letter", str(dead))
        assert result.returncode == 1
        summary = json.loads(result.stdout)
        assert summary["records_sent"] == 10
        assert summary["bad_lines"] == 2
        entries = [json.loads(x) for x in dead.read_text().splitlines()]
        assert [(e["source"], e["line"]) for e in entries] == [(str(data), 4), (str(data), 8)]
        assert entries[0]["raw"] == '{"Message": "broken"'
        assert "UTF-8" in entries[1]["reason"]
        assert len(rows(emulator, pipe.table)) == 10

    def test_csv_and_json_array_files(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """CSV and JSON array files are detected and sent; CSV strings are coerced by the stream's types."""
        pipe = provision_table(emulator.info, "Formats_CL", DEMO_COLUMNS)
        csv_file = tmp_path / "in.csv"
        csv_file.write_text('Computer,Message,StatusCode\nvm1,hello,200\nvm2,"a, b",404\n')
        arr = tmp_path / "in.json"
        arr.write_text(json.dumps([{"Computer": "vm3", "Message": "x", "StatusCode": 500}]))
        result = send(emulator, "vm", pipe, str(csv_file), str(arr))
        assert result.returncode == 0, result.stderr
        landed = sorted(rows(emulator, pipe.table), key=lambda r: r["Computer"])
        assert [(r["Computer"], r["Message"], r["StatusCode"]) for r in landed] == [
            ("vm1", "hello", 200),
            ("vm2", "a, b", 404),
            ("vm3", "x", 500),
        ]


class TestNothingLost:
    """What the user hands `send` ends up sent or in the dead-letter file, whole (issues 19 and 12)."""

    def test_refused_record_nested_300_deep_is_dead_lettered(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """A refused request holding a record nested 300 deep: every record is dead-lettered as sent, no traceback."""
        pipe = provision_table(emulator.info, "Deep_CL", DEMO_COLUMNS)
        deep = b'{"Dyn": ' + b"[" * 300 + b"]" * 300 + b"}"
        good = [json.dumps(r).encode() for r in make_records(3, seed=21)]
        data = tmp_path / "deep.ndjson"
        data.write_bytes(b"\n".join([*good, deep]) + b"\n")
        with emulator.admin() as admin:
            rule = {"endpoint": "ingestion", "status": 400, "count": 1}
            assert admin.post("/_emulator/faults", json=rule).status_code == 201
        dead = tmp_path / "dead.ndjson"
        result = send(emulator, "vm", pipe, str(data), "--dead-letter", str(dead))
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        assert result.returncode == 1
        entries = [json.loads(x) for x in dead.read_text().splitlines()]
        assert [(e["line"], e["status"]) for e in entries] == [(1, 400), (2, 400), (3, 400), (4, 400)]
        assert [json.dumps(e["record"]).encode() for e in entries[:3]] == good
        assert json.dumps(entries[3]["record"], separators=(",", ":")).encode() == deep.replace(b" ", b"")

    def test_json_array_on_stdin_with_an_error_at_the_end(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """2,000 records piped as a JSON array with a syntax error at the end: all sent, the rest kept whole."""
        pipe = provision_table(emulator.info, "StdinArray_CL", DEMO_COLUMNS)
        records = make_records(2000, seed=22)
        body = "[\n" + ",\n".join(json.dumps(r) for r in records) + ',\n{"Computer": "x",}\n'
        data = tmp_path / "array.json"
        data.write_text(body)
        dead = tmp_path / "dead.ndjson"
        argv = ["--format", "json", "--dead-letter", str(dead), "-"]
        result = send(emulator, "vm", pipe, *argv, stdin=body)
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        assert result.returncode == 1
        summary = json.loads(result.stdout)
        assert summary["records_sent"] == 2000
        entries = [json.loads(x) for x in dead.read_text().splitlines()]
        assert [(e["source"], e["line"]) for e in entries] == [("<stdin>", 2002), ("<stdin>", 2003)]
        assert entries[0]["raw"] == '{"Computer": "x",}'
        assert entries[0]["offset"] == body.index('{"Computer": "x",}')
        assert entries[1]["raw"] == ""
        assert "closing ']'" in entries[1]["reason"]
        landed = rows(emulator, pipe.table)
        assert sorted(r["RequestId"] for r in landed) == sorted(r["RequestId"] for r in records)

    def test_csv_big_field_extra_fields_and_duplicate_header(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """CSV: a 200,000-char field is sent, an extra-field row is kept as read, a duplicate header reported."""
        pipe = provision_table(emulator.info, "CsvEdge_CL", DEMO_COLUMNS)
        big = "m" * 200_000
        csv_file = tmp_path / "in.csv"
        csv_file.write_text(f'Computer,Message\nvm1,{big}\n"a,b",1,extra\nvm3,after\n')
        dup = tmp_path / "dup.csv"
        dup.write_text("Computer,Message,Computer\nvm4,hi,vm5\n")
        dead = tmp_path / "dead.ndjson"
        result = send(emulator, "vm", pipe, str(csv_file), str(dup), "--dead-letter", str(dead))
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        assert result.returncode == 1
        entries = [json.loads(x) for x in dead.read_text().splitlines()]
        assert [(e["source"], e["line"], e["raw"]) for e in entries] == [
            (str(csv_file), 3, '"a,b",1,extra'),
            (str(dup), 1, "Computer,Message,Computer"),
            (str(dup), 2, "vm4,hi,vm5"),
        ]
        assert "'Computer' twice (columns 1 and 3)" in entries[1]["reason"]
        landed = sorted(rows(emulator, pipe.table), key=lambda r: r["Computer"])
        # Sent whole; the service (like Azure) keeps the first 64 KB of a string value.
        assert [(r["Computer"], len(r["Message"])) for r in landed] == [("vm1", FIELD_MAX_BYTES), ("vm3", 5)]


@pytest.mark.slow
class TestMemoryBound:
    @pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
    def test_one_gigabyte_with_no_newline(self, fmt: str) -> None:
        """1 GiB piped with no newline: send's peak RSS stays within 64 MiB of its run on one small record."""
        base, _ = peak_rss(fmt, 10)
        big, code = peak_rss(fmt, 1024**3)
        assert code == 1  # the record is dead-lettered as too large
        assert big - base < 64 * 1024 * 1024, (base, big)
