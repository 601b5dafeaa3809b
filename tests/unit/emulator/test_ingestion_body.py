"""Ingestion body handling (size rule, gzip, JSON), per-DCR throttling and the per-request report."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import AsyncIterator

import orjson
import pytest

from azlogs import facts
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
        """A body decompressing past the inflation cap is refused without inflating all of it."""
        bomb = gzip.compress(b" " * (LIMIT * 17))
        with pytest.raises(Refusal) as info:
            body.decompress(bomb, "gzip", LIMIT)
        assert info.value.status == 413

    def test_inflation_stops_at_twice_the_limit(self) -> None:
        """Issue 19: a 15 KB gzip of 16 MiB '[{},{},...]' is refused at the cap, before any parse."""
        cap = LIMIT * facts.INFLATED_BODY_FACTOR
        assert len(body.decompress(gzip.compress(b" " * cap), "gzip", LIMIT)) == cap
        amplifying = gzip.compress(b"[" + b"{}," * (16 * LIMIT // 3 - 1) + b"{}]", 9)
        assert len(amplifying) < 20_000
        with pytest.raises(Refusal) as info:
            body.decompress(amplifying, "gzip", LIMIT)
        assert info.value.status == 413 and f"more than {cap} bytes" in info.value.message

    def test_amplifying_body_peak_memory_is_bounded_by_the_body(self) -> None:
        """Decoding the 15 KB amplifying body peaks at a few times the inflation cap, not at its object count."""
        amplifying = gzip.compress(b"[" + b"{}," * (16 * LIMIT // 3 - 1) + b"{}]", 9)
        tracemalloc.start()
        try:
            with pytest.raises(Refusal):
                body.parse(body.decompress(amplifying, "gzip", LIMIT), LIMIT)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 4 * LIMIT * facts.INFLATED_BODY_FACTOR, f"peak {peak} bytes"


class TestParse:
    def test_malformed_json_is_400(self) -> None:
        """Not JSON: 400 'malformed JSON'; a gzip body without the header gets a hint."""
        with pytest.raises(Refusal) as info:
            body.parse(b"[{", LIMIT)
        assert info.value.status == 400 and "malformed JSON" in info.value.message
        with pytest.raises(Refusal) as info:
            body.parse(gzip.compress(b"[]"), LIMIT)
        assert "Content-Encoding: gzip" in info.value.message

    def test_sdk_chunk_of_exactly_the_limit_passes(self) -> None:
        """azure-monitor-ingestion's full chunk (records summing to the limit, plus ", ") passes; a byte more is 413."""
        records = [{"k": "v" * 90, "n": i} for i in range(9000)]
        measured = sum(len(json.dumps(r).encode()) for r in records)  # the SDK's own measure
        sent = json.dumps(records).encode()  # what the SDK sends: "[", "]" and ", " not counted
        assert len(sent) == measured + facts.SDK_SEPARATOR_BYTES * len(records)
        ok = body.parse(sent, measured)
        assert ok.value == records and ok.uncompressed_size == len(sent)
        with pytest.raises(Refusal) as info:
            body.parse(sent, measured - 1)
        assert (
            info.value.status == 413 and f"Provided content length: {len(sent)} bytes" in info.value.message
        )

    def test_whitespace_beyond_the_tolerance_counts(self) -> None:
        """Padding between records is counted: the limit is on the inflated body, not on re-serialized records."""
        records = [{"k": "v" * 90} for _ in range(100)]
        padded = b"[" + b",   \n".join(orjson.dumps(r) for r in records) + b"]"
        compact = sum(len(orjson.dumps(r)) for r in records)
        with pytest.raises(Refusal) as info:
            body.parse(padded, compact + facts.SDK_SEPARATOR_BYTES * len(records))
        assert info.value.status == 413

    def test_nested_300_deep_is_400_not_500(self) -> None:
        """Issue 12: a dynamic value nested 300 deep is a 400 naming the record; 254 levels are taken."""
        deep = b'[{"a":1},{"Props":' + b"[" * 300 + b"1" + b"]" * 300 + b"}]"
        with pytest.raises(Refusal) as info:
            body.parse(deep, LIMIT)
        assert info.value.status == 400 and info.value.code == "InvalidRequestBody"
        assert "record 1" in info.value.message and f"{body.MAX_DEPTH} levels" in info.value.message
        inner = body.MAX_DEPTH - 2  # the body's array and the record take two levels
        ok = b'[{"Props":' + b"[" * inner + b"1" + b"]" * inner + b"}]"
        assert body.parse(ok, LIMIT).value[0]["Props"]

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
