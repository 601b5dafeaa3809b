"""Ingestion body handling (size rule, gzip, JSON), per-DCR throttling and the per-request report."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import orjson
import pytest

from azlogs.emulator.ingestion import body
from azlogs.emulator.ingestion.errors import Refusal, refusal_response
from azlogs.emulator.ingestion.report import RequestReport
from azlogs.emulator.ingestion.throttle import Throttle
from azlogs.schema.coerce import CoercionEvent

LIMIT = 1_048_576


async def chunks(data: bytes, size: int = 65_536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


class TestWireBody:
    async def test_within_the_limit_is_read_whole(self) -> None:
        """A body of exactly the limit is read as sent."""
        data = b"x" * LIMIT
        assert await body.read_wire_body(chunks(data), str(len(data)), LIMIT) == data

    async def test_over_the_limit_is_drained_then_refused(self) -> None:
        """One byte over: 413 with the service's message, naming the declared length."""
        data = b"x" * (LIMIT + 1)
        consumed = []

        async def tracking() -> AsyncIterator[bytes]:
            async for c in chunks(data):
                consumed.append(len(c))
                yield c

        with pytest.raises(Refusal) as info:
            await body.read_wire_body(tracking(), str(len(data)), LIMIT)
        assert info.value.status == 413 and info.value.code == "ContentLengthLimitExceeded"
        assert info.value.message == (
            "Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: 1048577 bytes."
        )
        assert sum(consumed) == len(data)  # read to the end, so the client gets the answer


class TestDecompress:
    def test_gzip_identity_and_multi_member(self) -> None:
        """gzip (also several members back to back) and identity bodies decode; x-gzip is gzip."""
        assert body.decompress(gzip.compress(b"[1]"), "gzip", LIMIT) == b"[1]"
        assert body.decompress(gzip.compress(b"[1,") + gzip.compress(b"2]"), "GZIP", LIMIT) == b"[1,2]"
        assert body.decompress(b"[]", None, LIMIT) == b"[]"
        assert body.decompress(b"[]", "identity", LIMIT) == b"[]"
        assert body.decompress(gzip.compress(b"[]"), "x-gzip", LIMIT) == b"[]"

    def test_broken_gzip_is_400(self) -> None:
        """A body that is not gzip, or truncated gzip, is a 400 naming the problem."""
        for data in (b"[]", gzip.compress(b"[1, 2, 3]")[:-6]):
            with pytest.raises(Refusal) as info:
                body.decompress(data, "gzip", LIMIT)
            assert info.value.status == 400 and info.value.code == "InvalidContentEncoding"

    def test_other_encodings_are_415(self) -> None:
        """br or deflate: 415."""
        with pytest.raises(Refusal) as info:
            body.decompress(b"..", "br", LIMIT)
        assert info.value.status == 415

    def test_zip_bomb_stops_early(self) -> None:
        """A body decompressing past 16 times the limit is refused without inflating all of it."""
        bomb = gzip.compress(b" " * (LIMIT * 17))
        with pytest.raises(Refusal) as info:
            body.decompress(bomb, "gzip", LIMIT)
        assert info.value.status == 413


class TestParse:
    def test_malformed_json_is_400(self) -> None:
        """Not JSON: 400 'malformed JSON'; a gzip body without the header gets a hint."""
        with pytest.raises(Refusal) as info:
            body.parse(b"[{", LIMIT)
        assert info.value.status == 400 and "malformed JSON" in info.value.message
        with pytest.raises(Refusal) as info:
            body.parse(gzip.compress(b"[]"), LIMIT)
        assert "Content-Encoding: gzip" in info.value.message

    def test_compact_size_rule(self) -> None:
        """Records of at most the limit in compact JSON pass even when the raw body is larger; more is 413."""
        records = [{"k": "v" * 90, "n": i} for i in range(9000)]
        compact = sum(len(orjson.dumps(r)) for r in records)
        spaced = json.dumps(records).encode()
        assert len(spaced) > compact
        ok = body.parse(spaced, compact)
        assert ok.value == records and ok.uncompressed_size == len(spaced)
        with pytest.raises(Refusal) as info:
            body.parse(spaced, compact - 1)
        assert info.value.status == 413 and f"Provided content length: {compact} bytes" in info.value.message

    def test_object_body_measured_as_one_record(self) -> None:
        """An object body over the limit is refused like a record would be."""
        big = orjson.dumps({"k": "x" * 200})
        with pytest.raises(Refusal):
            body.parse(big, 100)
        assert body.parse(big, 1000).value == {"k": "x" * 200}


class TestThrottle:
    def test_requests_per_minute_and_retry_after(self) -> None:
        """Over the request rate the answer is the seconds until the oldest request leaves the window."""
        now = [1000.0]
        t = Throttle(clock=lambda: now[0])
        assert t.admit_request("dcr", 2) is None
        now[0] += 10
        assert t.admit_request("dcr", 2) is None
        now[0] += 5
        assert t.admit_request("dcr", 2) == 45  # the first leaves at 1060
        assert t.admit_request("other", 2) is None  # per DCR
        now[0] = 1060.5
        assert t.admit_request("dcr", 2) is None

    def test_bytes_per_minute(self) -> None:
        """Over the byte rate, Retry-After is when enough old bytes leave; an impossible size waits a minute."""
        now = [0.0]
        t = Throttle(clock=lambda: now[0])
        assert t.admit_bytes("d", 600, 1000) is None
        now[0] = 20
        assert t.admit_bytes("d", 300, 1000) is None
        now[0] = 30
        assert t.admit_bytes("d", 300, 1000) == 30  # the 600 leave at 60
        assert t.admit_bytes("d", 100, 1000) is None
        assert t.admit_bytes("d", 5000, 1000) == 60
        now[0] = 90
        assert t.admit_bytes("d", 900, 1000) is None  # the window has emptied (600 at 60, 300+100 at 80/90)


class TestRefusalShape:
    def test_retry_after_only_on_429(self) -> None:
        """A Retry-After on anything but 429 is a programming error (azure-core would retry it)."""
        with pytest.raises(ValueError, match="429"):
            Refusal(413, "X", "m", retry_after=5)

    def test_401_has_a_bearer_challenge(self) -> None:
        """The 401 answer has the error body, x-ms-error-code, request id and a quoted challenge."""
        r = refusal_response(
            Refusal(401, "InvalidAudience", 'bad "aud"'), request_id="rid", authority="https://a/tenant"
        )
        assert r.status_code == 401
        assert orjson.loads(r.body) == {"error": {"code": "InvalidAudience", "message": 'bad "aud"'}}
        assert r.headers["x-ms-error-code"] == "InvalidAudience" and r.headers["x-ms-request-id"] == "rid"
        assert r.headers["www-authenticate"] == (
            'Bearer authorization_uri="https://a/tenant", error="invalid_token", error_description="bad \\"aud\\""'
        )


class TestReport:
    def test_events_fold_per_kind_column_and_table(self) -> None:
        """Events of one kind and column are one entry with the first index, reason and sample, and a count."""
        rep = RequestReport("t", "rid", "crid", "dcr-1", "Custom-A")
        ev = CoercionEvent("X", "dropped_undeclared", "not declared", "1")
        rep.add_events(3, [ev])
        rep.add_events(7, [CoercionEvent("X", "dropped_undeclared", "not declared", "2")])
        rep.add("dropped_not_in_table", "no column", column="X", table="T_CL", index=0, count=4)
        rep.status = 204
        entries = rep.entries()
        assert [
            (e.kind, e.column_name, e.table_name, e.record_index, e.count, e.sample) for e in entries
        ] == [
            ("dropped_undeclared", "X", "", 3, 2, "1"),
            ("dropped_not_in_table", "X", "T_CL", 0, 4, ""),
        ]
        assert all(
            e.request_id == "rid" and e.client_request_id == "crid" and e.dcr == "dcr-1" for e in entries
        )
        assert bool(rep) and not bool(RequestReport("t", "r", "", "d", "s"))
