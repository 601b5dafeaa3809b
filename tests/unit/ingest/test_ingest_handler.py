"""LogsIngestionHandler: rows, background sending, bounded queue with counted drops, flush on close."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from ingest_fakes import STREAM, Sink, make_client

from azlogs._exceptions import UsageError
from azlogs.ingest import LogsIngestionHandler, UploadResult


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger(f"azlogs-test.{threading.get_ident()}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    for h in list(log.handlers):
        log.removeHandler(h)


class TestRows:
    def test_rows_have_the_columns(self, logger: logging.Logger) -> None:
        """Each record becomes TimeGenerated, Level, Logger, Message (+ extras) in the stream."""
        sink = Sink()
        with make_client(sink) as client:
            handler = LogsIngestionHandler(STREAM, client, flush_interval=60)
            logger.addHandler(handler)
            logger.warning("disk %s at %d%%", "/var", 91, extra={"host": "vm-1", "obj": object()})
            handler.close()
        (row,) = sink.accepted
        assert row["Level"] == "WARNING" and row["Logger"] == logger.name
        assert row["Message"] == "disk /var at 91%"
        assert row["TimeGenerated"].endswith("Z") and len(row["TimeGenerated"]) == 27
        assert row["host"] == "vm-1" and row["obj"].startswith("<object object")
        assert "Exception" not in row and "args" not in row and "msg" not in row

    def test_exception_text(self, logger: logging.Logger) -> None:
        """A logged exception carries its traceback text."""
        sink = Sink()
        with make_client(sink) as client:
            handler = LogsIngestionHandler(STREAM, client)
            logger.addHandler(handler)
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception("failed")
            handler.close()
        row = sink.accepted[0]
        assert row["Level"] == "ERROR" and "ValueError: boom" in row["Exception"]
        assert "Traceback" in row["Exception"]


class TestSending:
    def test_flush_sends_everything_queued(self, logger: logging.Logger) -> None:
        """flush returns after every earlier record was sent, in order, in batches."""
        sink = Sink()
        with make_client(sink) as client:
            handler = LogsIngestionHandler(STREAM, client, batch_size=40, flush_interval=60)
            logger.addHandler(handler)
            for i in range(100):
                logger.info("m %d", i)
            handler.flush()
            assert [r["Message"] for r in sink.accepted] == [f"m {i}" for i in range(100)]
            assert len(sink.requests) >= 3
            assert handler.sent == 100 and handler.failed == 0
            handler.close()

    def test_close_flushes_and_closes_owned_client_only(self, logger: logging.Logger) -> None:
        """close sends what is queued; a client passed in stays open."""
        sink = Sink()
        client = make_client(sink)
        handler = LogsIngestionHandler(STREAM, client, flush_interval=60)
        logger.addHandler(handler)
        logger.error("last words")
        handler.close()
        assert [r["Message"] for r in sink.accepted] == ["last words"]
        assert client.upload(STREAM, [{"a": 1}]).ok  # still usable
        client.close()
        handler.close()  # idempotent

    def test_client_logs_are_not_shipped(self) -> None:
        """httpx's own log lines, emitted while sending, do not come back into the stream."""
        sink = Sink()
        root = logging.getLogger()
        old_level = root.level
        with make_client(sink) as client:
            handler = LogsIngestionHandler(STREAM, client)
            root.addHandler(handler)
            root.setLevel(logging.DEBUG)
            try:
                logging.getLogger("azlogs-test.root").info("one")
                handler.flush()
                handler.flush()
            finally:
                root.removeHandler(handler)
                root.setLevel(old_level)
                handler.close()
        loggers = {r["Logger"] for r in sink.accepted}
        assert loggers == {"azlogs-test.root"}

    def test_failures_are_counted(self, logger: logging.Logger) -> None:
        """Rows the service refuses are counted and given to on_result."""
        sink = Sink(respond=lambda s, r, recs: httpx.Response(400))
        results: list[UploadResult] = []
        with make_client(sink) as client:
            handler = LogsIngestionHandler(STREAM, client, on_result=results.append)
            logger.addHandler(handler)
            logger.info("x")
            handler.close()
        assert handler.failed == 1 and handler.sent == 0
        assert results and results[0].failed[0].status == 400


class TestOverflow:
    @pytest.mark.parametrize("overflow", ["drop_newest", "drop_oldest"])
    def test_drops_are_counted_and_reported_in_the_stream(
        self, logger: logging.Logger, overflow: Any, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A full queue drops by the policy, counts every drop, and ships a drop report row."""
        gate = threading.Event()
        entered = threading.Event()

        def hold() -> None:
            entered.set()
            gate.wait(10)

        sink = Sink(hold=hold)
        with make_client(sink) as client:
            handler = LogsIngestionHandler(STREAM, client, capacity=5, batch_size=1, overflow=overflow)
            logger.addHandler(handler)
            logger.info("first")  # taken by the sending thread, which then blocks in the sink
            assert entered.wait(10)
            for i in range(12):
                logger.info("m %d", i)
            assert handler.dropped == 7
            gate.set()
            handler.close()
        messages = [r["Message"] for r in sink.accepted]
        kept = [f"m {i}" for i in range(5)] if overflow == "drop_newest" else [f"m {i}" for i in range(7, 12)]
        assert [m for m in messages if m.startswith("m ")] == kept
        report = [r for r in sink.accepted if r["Logger"] == "azlogs.handler"]
        assert len(report) == 1 and report[0]["Level"] == "WARNING"
        assert report[0]["Message"].startswith("7 log records dropped")
        assert "dropped" in capsys.readouterr().err

    def test_bad_arguments(self) -> None:
        """An unknown overflow policy or a missing destination is a UsageError."""
        with pytest.raises(UsageError):
            LogsIngestionHandler(STREAM, endpoint=None, rule_id=None)
        with make_client(Sink()) as client, pytest.raises(UsageError):
            LogsIngestionHandler(STREAM, client, overflow="block")  # type: ignore[arg-type]
